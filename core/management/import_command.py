"""Shared shape of the three import commands: same arguments, same report, same exit status."""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from core.management.job_command import JobCommand
from core.models import JobRun

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2


class ImportCommand(JobCommand):
    """Exit status: 0 every row imported, 2 some rows rejected (valid ones imported), 1 nothing imported."""

    import_service = None  # set by subclasses: a service taking source=, source_name=, strict=
    what = "rows"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (any common delimiter/encoding) or .xlsx file")
        parser.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
        parser.add_argument("--show-errors", type=int, default=20, help="how many row errors to print (default 20)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        job = type(self).import_service(source=path, source_name=path.name, strict=options["strict"])
        self._print_report(job, options["show_errors"])
        sys.exit(self._exit_status(job))

    def _exit_status(self, job: JobRun) -> int:
        if job.status == JobRun.Status.SUCCEEDED:
            return EXIT_OK
        return EXIT_PARTIAL if job.status == JobRun.Status.PARTIAL else EXIT_ERROR

    def _print_report(self, job: JobRun, show_errors: int) -> None:
        counts = job.counts
        detected = job.report.get("detected", {})
        if detected:
            self.stdout.write("read as " + ", ".join(f"{k}={v}" for k, v in detected.items()))
        if counts:
            self.stdout.write(
                f"{self.what}: {counts.get('rows', 0)} read, {counts.get('inserted', 0)} inserted, "
                f"{counts.get('updated', 0)} updated, {counts.get('unchanged', 0)} unchanged, "
                f"{counts.get('rejected', 0)} rejected"
            )
        for reason, n in job.report.get("error_counts", {}).items():
            self.stdout.write(f"  {n:>8}  {reason}")
        for error in job.report.get("errors", [])[:show_errors]:
            self.stdout.write(f"  row {error['row']}, {error['column']}: {error['reason']} (value: {error['value']!r})")
        if job.error:
            self.stderr.write(self.style.ERROR(f"error: {job.error}"))
        style = self.style.SUCCESS if job.status == JobRun.Status.SUCCEEDED else self.style.WARNING
        self.stdout.write(style(f"import run #{job.pk}: {job.get_status_display().lower()}"))
