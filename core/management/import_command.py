"""Shared shape of the three import commands: same arguments, same report, same exit status.

With no flags a file in the sample dataset's layout imports as it always has, and any other file is mapped
automatically; --mapping (a saved mapping's name or JSON), --id-column and --outcome-column override the
suggestion, --save-mapping keeps the mapping used for the next file like this one.
"""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from core.errors import UserError
from core.import_runs import import_entities, mapping_with_columns
from core.management.job_command import JobCommand
from core.models import JobRun

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2


class ImportCommand(JobCommand):
    """Exit status: 0 every row imported, 2 some rows rejected (valid ones imported), 1 nothing imported."""

    import_service = None  # set by subclasses: a registered import service (core.import_runs.ImportEntity)
    what = "rows"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (any common delimiter/encoding) or .xlsx file")
        parser.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
        parser.add_argument("--show-errors", type=int, default=20, help="how many row errors to print (default 20)")
        parser.add_argument("--mapping", default="", metavar="NAME_OR_JSON",
                            help='a saved mapping\'s name, or JSON such as \'{"Customer Ref": "external_id"}\' '
                                 '(headers it does not name are mapped automatically)')
        parser.add_argument("--id-column", default="", metavar="COL", help="the file's column holding each row's id")
        parser.add_argument("--outcome-column", default="", metavar="COL",
                            help="the file's column holding the known outcome (converted / responded)")
        parser.add_argument("--save-mapping", default="", metavar="NAME", help="save the mapping used under NAME")

    def _spec(self):
        service = type(self).import_service
        path = f"{service.__module__}.{service.__name__}"
        return next(entity.spec for entity in import_entities().values() if entity.service == path)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            mapping = mapping_with_columns(options["mapping"] or None, spec=self._spec(),
                                           id_column=options["id_column"], outcome_column=options["outcome_column"])
        except UserError as exc:
            self.stderr.write(self.style.ERROR(f"error: {exc}"))
            sys.exit(EXIT_ERROR)
        job = type(self).import_service(source=path, source_name=path.name, strict=options["strict"],
                                        mapping=mapping, save_mapping_as=options["save_mapping"])
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
        self._print_mapping(job)
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

    def _print_mapping(self, job: JobRun) -> None:
        report = job.report
        if report.get("sample_layout"):
            self.stdout.write("layout: the sample dataset's own columns (no mapping needed)")
        elif report.get("columns"):
            self.stdout.write("mapping used (column -> field or custom attribute):")
            width = min(max(len(c["column"]) for c in report["columns"]), 40)
            for column in report["columns"]:
                target = column["target"] or "ignored"
                if target.startswith("attr:"):
                    target = "custom attribute " + target.removeprefix("attr:")
                kind = "" if column["kind"] == "ignored" else f" ({column['kind']})"
                self.stdout.write(f"  {column['column']:<{width}} -> {target}{kind}")
            for field, factor in report.get("mapping", {}).get("units", {}).items():
                self.stdout.write(f"  {field}: the file's numbers x {factor:g}")
        if report.get("saved_mapping"):
            self.stdout.write(f"mapping saved as {report['saved_mapping']!r}")
        for warning in report.get("warnings", []):
            self.stdout.write(self.style.WARNING(
                f"  warning: {warning['column']}: {warning['value']!r} ({warning['rows']} "
                f"{'row' if warning['rows'] == 1 else 'rows'}) is {warning['message']}"
            ))
