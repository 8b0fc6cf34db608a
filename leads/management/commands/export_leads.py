from django.core.management.base import BaseCommand

from core.exports import write_csv
from core.models import CustomAttribute
from leads.selectors import lead_export_rows

HEADER = ["external_id", "score", "tier", "model_version", "scored_at", "factors_up", "factors_down"]


class Command(BaseCommand):
    help = ("CSV of every lead: external_id (as the imported file gave it), score, tier, model_version, scored_at, "
            "top factors, then each custom attribute under its label (formula-safe).")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)
        parser.add_argument("--explain-all", action="store_true",
                            help="also explain leads scored outside the explained few (about a minute per million)")

    def handle(self, *args, **options):
        attributes = list(CustomAttribute.objects.filter(entity="leads").order_by("key").values_list("key", "label"))
        labels = [label if label not in HEADER else f"{label} (attribute)" for _, label in attributes]
        rows = lead_export_rows(explain_missing=options["explain_all"],
                                attribute_keys=tuple(key for key, _ in attributes))
        n = write_csv(options["out"], HEADER + labels, rows)
        self.stdout.write(f"wrote {n} leads to {options['out']}")
