"""Writes and orchestration for campaigns, offers and responses."""
from __future__ import annotations

from pathlib import Path

from campaigns.importers import RESPONSE_SPEC
from campaigns.models import ResponseRecord
from core.imports import file_import
from core.models import JobRun


def responses_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None, trigger: str = JobRun.Trigger.COMMAND
) -> JobRun:
    """Upsert response-history records (personalisation dataset, CSV or xlsx) by customer id."""
    return file_import(
        kind=JobRun.Kind.IMPORT_RESPONSES, spec=RESPONSE_SPEC, model=ResponseRecord, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger,
    )
