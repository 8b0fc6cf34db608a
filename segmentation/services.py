"""Writes and orchestration for customers and segments."""
from __future__ import annotations

from pathlib import Path

from core.imports import file_import
from core.models import JobRun
from segmentation.importers import CUSTOMER_SPEC
from segmentation.models import Customer


def customers_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None, trigger: str = JobRun.Trigger.COMMAND
) -> JobRun:
    """Upsert customers from a customer-personality file (CSV/TSV/xlsx) by external id."""
    return file_import(
        kind=JobRun.Kind.IMPORT_CUSTOMERS, spec=CUSTOMER_SPEC, model=Customer, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger,
    )
