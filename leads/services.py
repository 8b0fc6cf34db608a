"""Writes and orchestration for leads."""
from __future__ import annotations

from pathlib import Path

from core.imports import file_import
from core.models import JobRun
from leads.importers import LEAD_SPEC
from leads.models import Lead


def leads_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None, trigger: str = JobRun.Trigger.COMMAND
) -> JobRun:
    """Upsert leads from an ExtraaLearn-format file by external id. An empty status means an open lead."""
    return file_import(
        kind=JobRun.Kind.IMPORT_LEADS, spec=LEAD_SPEC, model=Lead, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger,
    )
