from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.synthetic import write_dataset


class Command(BaseCommand):
    help = (
        "Write seeded synthetic customers.csv (tab separated), leads.csv and responses.csv in exactly the real "
        "datasets' formats, with correlated distributions (for demos, tests and benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=5000)
        parser.add_argument("--leads", type=int, default=3000)
        parser.add_argument("--responses", type=int, default=20000)
        parser.add_argument("--open-share", type=float, default=0.2, help="share of leads with no outcome yet")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--out", default="var/demo-data", help="output folder (created)")

    def handle(self, *args, **options):
        if min(options["customers"], options["leads"], options["responses"]) < 0:
            raise CommandError("row counts must not be negative")
        if not 0 <= options["open_share"] <= 1:
            raise CommandError("--open-share must be between 0 and 1")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        paths = write_dataset(
            out, customers=options["customers"], leads=options["leads"], responses=options["responses"],
            seed=options["seed"], open_share=options["open_share"],
        )
        for name, path in paths.items():
            self.stdout.write(f"{name}: {path}")
