from django.core.management.base import BaseCommand

from core.exports import write_csv
from leads.services import lead_export_rows

HEADER = ["external_id", "score", "tier", "model_version", "scored_at", "factors_up", "factors_down"]


class Command(BaseCommand):
    help = "CSV of every lead: external_id, score, tier, model_version, scored_at, top factors (formula-safe)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--explain-all", action="store_true",
                            help="also explain leads scored outside the explained few (about a minute per million)")

    def handle(self, *args, **options):
        rows = lead_export_rows(explain_missing=options["explain_all"])
        n = write_csv(options["out"], HEADER, rows)
        self.stdout.write(f"wrote {n} leads to {options['out']}")
