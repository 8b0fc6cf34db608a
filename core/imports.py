"""Import orchestration shared by the three datasets: validate, upsert by external id, record the run.

The apps' services (`customers_import`, `leads_import`, `responses_import`) call `file_import` with their
spec and model; commands, admin upload forms and the API call those services.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone

from core.bulk import upsert_frame
from core.importing import ImportFileError, ImportSpec, read_and_validate
from core.models import JobRun
from core.services import job_create, job_running


def model_frame(model: type[models.Model], valid: pd.DataFrame, spec: ImportSpec) -> pd.DataFrame:
    """Typed validation output → frame of database columns and values the backend accepts."""
    out = {}
    for column in spec.columns:
        field = model._meta.get_field(column.field)
        series = valid[column.field]
        if isinstance(field, (models.IntegerField,)) and not isinstance(field, models.BooleanField):
            series = pd.to_numeric(series, errors="coerce").round().astype("Int64")
        elif isinstance(field, models.FloatField):
            series = pd.to_numeric(series, errors="coerce").astype(float)
        elif isinstance(field, models.DateField):
            series = pd.to_datetime(series)
        elif isinstance(field, models.CharField) and not field.null:
            series = series.fillna("")  # keeps Arrow-backed text as it is (no per-cell Python objects)
        out[field.column] = series
    return pd.DataFrame(out, copy=False)  # no block consolidation: ~0.1 s per million rows and column group


def insert_defaults(model: type[models.Model], present: set[str], now) -> dict[str, object]:
    """Values for NOT NULL columns the file does not carry, for rows inserted by SQL (no model defaults there)."""
    values: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in present or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.column] = now
        else:
            values[field.column] = field.get_db_prep_save(field.get_default(), connection)
    return values


def file_import(
    *,
    kind: str,
    spec: ImportSpec,
    model: type[models.Model],
    source: str | Path | bytes,
    source_name: str = "",
    strict: bool = False,
    user=None,
    trigger: str = JobRun.Trigger.COMMAND,
) -> JobRun:
    """Import one file. Never raises for bad input: the returned run says what happened.

    Status: SUCCEEDED (every row imported), PARTIAL (some rows rejected, the valid ones imported),
    FAILED (nothing imported: file-level error, no valid row, or --strict with a bad row).
    """
    name = source_name or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    job = job_create(kind=kind, trigger=trigger, params={"strict": strict}, user=user, source_name=name)
    try:
        with job_running(job, exclusive=False) as tracker:
            tracker.progress("reading and validating", 0.05)
            result = read_and_validate(source, spec)
            job.report = {
                "errors": [error.as_dict() for error in result.errors],
                "error_counts": result.error_counts,
                "detected": result.detected,
            }
            job.counts = {"rows": result.total_rows, "rejected": result.rejected_rows}
            if strict and result.rejected_rows:
                raise ImportFileError(
                    f"{result.rejected_rows} of {result.total_rows} rows have problems; with --strict nothing was imported"
                )
            if result.valid.empty:
                raise ImportFileError(f"none of the {result.total_rows} rows is valid; nothing was imported")
            tracker.progress("writing", 0.5)
            counts = _upsert(model, result.valid, spec)
            job.counts.update(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
            if result.rejected_rows:
                job.status = JobRun.Status.PARTIAL
    except ImportFileError:
        pass  # recorded on the run by job_running
    job.refresh_from_db()
    return job


def _upsert(model, valid: pd.DataFrame, spec: ImportSpec):
    frame = model_frame(model, valid, spec)
    key_column = model._meta.get_field(spec.key_field).column
    compare = [c for c in frame.columns if c != key_column]
    now = timezone.now()
    defaults = insert_defaults(model, set(frame.columns) | {"updated_at"}, now)
    with transaction.atomic():
        return upsert_frame(
            table=model._meta.db_table,
            frame=frame,
            key=key_column,
            compare_columns=compare,
            insert_defaults=defaults,
            touch_column="updated_at",
            touch_value=now,
        )
