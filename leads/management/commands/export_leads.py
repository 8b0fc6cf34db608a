from django.core.management.base import BaseCommand

from core.exports import write_csv
from leads.models import Lead


class Command(BaseCommand):
    help = "CSV of every lead: external_id, score, tier, model_version, scored_at, top factors (formula-safe)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        rows = (
            (ext, score, tier, version, scored_at.isoformat() if scored_at else "",
             "; ".join((factors or {}).get("up", [])), "; ".join((factors or {}).get("down", [])))
            for ext, score, tier, version, scored_at, factors in Lead.objects.order_by("id").values_list(
                "external_id", "score", "tier", "scoring_model__version", "scored_at", "factors").iterator(chunk_size=5000)
        )
        n = write_csv(options["out"], ["external_id", "score", "tier", "model_version", "scored_at", "factors_up",
                                       "factors_down"], rows)
        self.stdout.write(f"wrote {n} leads to {options['out']}")
