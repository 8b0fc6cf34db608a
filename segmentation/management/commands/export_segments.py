from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exports import write_csv
from segmentation.selectors import EXPORT_HEADER, current_run, segment_export_rows


class Command(BaseCommand):
    help = "Write the current segmentation as CSV, one row per customer: external_id,segment,persona,run."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="CSV file to write (overwritten)")

    def handle(self, *args, **options):
        run = current_run()
        if run is None:
            raise CommandError("no segmentation run has finished yet: run `manage.py recluster` first")
        path = Path(options["out"])
        if not path.parent.is_dir():
            raise CommandError(f"no such folder: {path.parent}")
        rows = write_csv(path, EXPORT_HEADER, segment_export_rows(run=run))
        self.stdout.write(self.style.SUCCESS(f"{rows:,} customers of segmentation run #{run.pk} written to {path}"))
