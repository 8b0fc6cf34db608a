from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.synthetic import write_dataset, write_foreign_dataset

# Defaults per layout; the foreign layout has no response file.
LAYOUT_DEFAULTS = {
    "sample": {"customers": 5000, "leads": 3000, "responses": 20000, "open_share": 0.2},
    "foreign": {"customers": 200, "leads": 9000, "responses": 0, "open_share": 0.0},
}


class Command(BaseCommand):
    help = (
        "Write seeded synthetic customers.csv (tab separated), leads.csv and responses.csv in exactly the real "
        "datasets' formats, with correlated distributions (for demos, tests and benchmarks). --layout foreign "
        "writes another company's leads.csv and customers.csv (comma separated) instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--layout", choices=sorted(LAYOUT_DEFAULTS), default="sample")
        parser.add_argument("--customers", type=int, help="rows (default 5000; foreign layout 200)")
        parser.add_argument("--leads", type=int, help="rows (default 3000; foreign layout 9000)")
        parser.add_argument("--responses", type=int, help="rows (default 20000; sample layout only)")
        parser.add_argument(
            "--open-share", type=float, help="share of leads with no outcome yet (default 0.2; foreign layout 0)"
        )
        parser.add_argument(
            "--extra-columns", type=int, default=0,
            help="append this many typed custom columns (numbers, decimals, categories, yes/no, dates) to the "
            "customer and lead files",
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--out", default="var/demo-data", help="output folder (created)")

    def handle(self, *args, **options):
        layout = options["layout"]
        if layout == "foreign" and options["responses"]:
            raise CommandError("--responses applies to the sample layout only")
        defaults = LAYOUT_DEFAULTS[layout]
        counts = {name: defaults[name] if options[name] is None else options[name] for name in defaults}
        if min(counts["customers"], counts["leads"], counts["responses"], options["extra_columns"]) < 0:
            raise CommandError("row and column counts must not be negative")
        if not 0 <= counts["open_share"] <= 1:
            raise CommandError("--open-share must be between 0 and 1")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        arguments = dict(
            customers=counts["customers"], leads=counts["leads"], seed=options["seed"],
            open_share=counts["open_share"], extra_columns=options["extra_columns"],
        )
        if layout == "foreign":
            paths = write_foreign_dataset(out, **arguments)
        else:
            paths = write_dataset(out, responses=counts["responses"], **arguments)
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
