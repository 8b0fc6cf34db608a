"""Import orchestration shared by the three datasets: read, map, validate, upsert by external id, record the run.

The apps' services (`customers_import`, `leads_import`, `responses_import`) call `file_import` with their
spec and model; commands, admin upload forms and the API call those services. A file in a sample dataset's own
layout imports exactly as that dataset always has (its columns, its validation); any other file is mapped
(core.mapping): suggested from its headers, overridden by a saved or given mapping, unknown category values
kept and warned about, extra columns kept as typed custom attributes.

The apps register their import (spec, job kind, service) from their `importers` module, found by
`import_entities()`: core dispatches to an app without importing one by name.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string

from core import attributes
from core.bulk import upsert_frame
from core.errors import UserError
from core.import_validation import (
    LINE_COLUMN, ImportFileError, ImportSpec, ValidationResult, map_columns, read_table, validate_frame,
)
from core.mapping import (
    ATTRIBUTE_PREFIX, Mapping, MappingError, attribute_key, check_mapping, column_kinds, is_sample_layout,
    mapped_frame, suggest_mapping, unknown_values,
)
from core.job_runs import job_create, job_running
from core.models import CustomAttribute, ImportMapping, JobRun

ATTRIBUTES_FIELD = "attributes"
PREVIEW_SAMPLE_ROWS = 10_000  # rows the preview infers attribute kinds from


# --- registry --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportEntity:
    """One importable dataset: its spec (spec.name is the entity, e.g. "leads"), its job kind and the dotted path
    of the app's import service (taking source=, source_name=, strict=, user=, trigger=, mapping=,
    save_mapping_as=)."""

    spec: ImportSpec
    kind: str
    service: str
    label: str = ""  # what the upload form offers, e.g. "Leads (the ExtraaLearn layout, or your own columns)"

    def run(self, **kwargs) -> JobRun:
        return import_string(self.service)(**kwargs)


_ENTITIES: dict[str, ImportEntity] = {}


def register_import(entity: ImportEntity) -> ImportEntity:
    _ENTITIES[entity.spec.name] = entity
    return entity


def import_entities() -> dict[str, ImportEntity]:
    """Every registered import by entity name; the apps' `importers` modules register themselves when loaded."""
    autodiscover_modules("importers")
    return dict(sorted(_ENTITIES.items()))


def import_entity(name: str) -> ImportEntity:
    entities = import_entities()
    if name not in entities:
        raise UserError(f"unknown dataset {name!r}: one of {', '.join(entities)}")
    return entities[name]


# --- mappings --------------------------------------------------------------------------------------------------------


def import_mapping_save(*, entity: str, name: str, mapping: Mapping, user=None) -> ImportMapping:
    """Save (or replace) a mapping under `name` for `entity`."""
    name = (name or "").strip()
    if not name:
        raise MappingError("a saved mapping needs a name")
    if name.startswith("{"):
        raise MappingError("a mapping's name may not start with '{' (that reads as JSON)")
    saved, _ = ImportMapping.objects.update_or_create(
        entity=entity, name=name[:120],
        defaults={"columns": mapping.columns, "values": mapping.values, "units": mapping.units, "created_by": user},
    )
    return saved


def import_mapping_resolve(*, entity: str, name_or_json: str | dict | Mapping) -> Mapping:
    """A mapping given as JSON (an object, or its text), or the name of one saved for `entity`."""
    if isinstance(name_or_json, Mapping):
        return name_or_json
    if isinstance(name_or_json, dict) or str(name_or_json).lstrip().startswith("{"):
        return Mapping.from_json(name_or_json)
    name = str(name_or_json).strip()
    saved = ImportMapping.objects.filter(entity=entity, name=name).first()
    if saved is None:
        names = list(ImportMapping.objects.filter(entity=entity).values_list("name", flat=True)[:20])
        known = f"saved ones: {', '.join(names)}" if names else "none is saved yet"
        raise MappingError(f"no saved mapping named {name!r} for {entity} ({known})")
    return Mapping(columns=saved.columns, values=saved.values, units=saved.units)


def mapping_with_columns(mapping: Mapping | str | dict | None, *, spec: ImportSpec, id_column: str = "",
                         outcome_column: str = "") -> Mapping | str | dict | None:
    """`mapping` with the id and outcome columns named on top (the commands' --id-column / --outcome-column)."""
    named = {}
    if id_column:
        named[id_column] = spec.key_field
    if outcome_column:
        if not spec.outcome_field:
            raise MappingError(f"{spec.name} have no outcome field")
        named[outcome_column] = spec.outcome_field
    if not named:
        return mapping
    base = import_mapping_resolve(entity=spec.name, name_or_json=mapping) if mapping else Mapping()
    return base.overlaid(Mapping(columns=named))


def _attribute_kinds(entity: str) -> dict[str, str]:
    return dict(CustomAttribute.objects.filter(entity=entity).values_list("key", "kind"))


def _effective_mapping(frame: pd.DataFrame, spec: ImportSpec, mapping) -> Mapping:
    """The suggestion for this file's headers with the given mapping (only its headers this file has) on top."""
    headers = [c for c in frame.columns if c != LINE_COLUMN]
    suggested = suggest_mapping(headers, spec, frame)
    if mapping is None:
        return check_mapping(suggested, spec)
    given = import_mapping_resolve(entity=spec.name, name_or_json=mapping)
    present = Mapping(columns={h: t for h, t in given.columns.items() if h in headers}, values=given.values,
                      units=given.units)
    return check_mapping(suggested.overlaid(present), spec)


# --- preview and template --------------------------------------------------------------------------------------------


@dataclass
class FilePreview:
    headers: list[str]
    rows: list[dict[str, str]]
    mapping: Mapping
    kinds: dict[str, str]  # header -> target kind in words (number, category, boolean, date, text or ignored)
    detected: dict[str, str]
    total_rows: int
    sample_layout: bool  # imports as the sample dataset does, with its validation
    missing_fields: list[str] = field(default_factory=list)  # fields no column maps to
    # header -> the kind it has (or would have) as a custom attribute: the saved attribute's, else inferred
    attribute_kinds: dict[str, str] = field(default_factory=dict)


def file_preview(*, spec: ImportSpec, source: str | Path | bytes, mapping=None, rows: int = 10) -> FilePreview:
    """Headers, the first rows, the suggested (or given, on top of the suggestion) mapping and each column's
    kind. Raises ImportFileError / MappingError for a file or mapping that cannot be used."""
    frame, detected = read_table(source)
    headers = [str(c) for c in frame.columns if c != LINE_COLUMN]
    sample = frame.head(PREVIEW_SAMPLE_ROWS)
    used = _effective_mapping(sample, spec, mapping)
    mapped_fields = set(used.field_headers())
    known = _attribute_kinds(spec.name)
    keys = {h: key for key, h in used.attribute_headers().items()}
    return FilePreview(
        headers=headers,
        rows=frame[headers].head(rows).to_dict(orient="records"),
        mapping=used,
        kinds=column_kinds(used, spec, sample, known),
        detected=detected,
        total_rows=len(frame),
        sample_layout=mapping is None and is_sample_layout(headers, spec),
        missing_fields=[c.field for c in spec.columns if c.field not in mapped_fields],
        attribute_kinds={h: known.get(keys.get(h) or attribute_key(h)) or attributes.infer_kind(sample[h])
                         for h in headers},
    )


def import_template_csv(spec: ImportSpec) -> bytes:
    """The header row of the entity's own layout: a file that imports with no mapping."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([c.header for c in spec.columns])
    return buffer.getvalue().encode()


@dataclass
class FileCheck:
    """A dry run of an import: what importing the file with a mapping would do, nothing written."""

    total_rows: int
    rejected_rows: int
    errors: list[dict]  # {row, column, value, reason}, the first MAX_REPORTED_ERRORS
    error_counts: dict[str, int]
    warnings: list[dict]  # unknown category values kept as given: {column, field, value, rows, message}
    mapping: Mapping
    kinds: dict[str, str]
    sample_layout: bool


def file_check(*, spec: ImportSpec, source: str | Path | bytes, mapping=None) -> FileCheck:
    """Read, map and validate the file as `file_import` would, and write nothing. Raises ImportFileError /
    MappingError for a file or mapping that cannot be used."""
    prepared = _prepare(source, spec, mapping)
    result = prepared.result
    return FileCheck(
        total_rows=result.total_rows, rejected_rows=result.rejected_rows,
        errors=[error.as_dict() for error in result.errors], error_counts=result.error_counts,
        warnings=prepared.warnings, mapping=prepared.mapping, kinds=prepared.kinds,
        sample_layout=prepared.sample_layout,
    )


def mapping_to_import(*, chosen: Mapping, suggested: Mapping, sample_layout: bool) -> Mapping | None:
    """None (import as the sample dataset does, with its validation) for a file in the sample layout (a preview
    with no mapping given says so) whose `chosen` mapping is the `suggested` one unchanged; `chosen` otherwise."""
    if sample_layout and chosen == suggested:
        return None
    return chosen


# --- import ----------------------------------------------------------------------------------------------------------


def model_frame(model: type[models.Model], valid: pd.DataFrame, spec: ImportSpec) -> pd.DataFrame:
    """Typed validation output → frame of database columns and values the backend accepts."""
    out = {}
    for column in spec.columns:
        if column.field.startswith(ATTRIBUTE_PREFIX):
            continue
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


@dataclass
class _Prepared:
    result: ValidationResult
    spec: ImportSpec  # the spec the rows were validated against (a mapped file's own)
    mapping: Mapping
    attributes: dict[str, tuple[str, str]]  # key -> (label, kind)
    warnings: list[dict]
    kinds: dict[str, str]
    sample_layout: bool


def _prepare(source, spec: ImportSpec, mapping) -> _Prepared:
    frame, detected = read_table(source)
    if frame.empty and not frame.attrs.get("bad_lines"):
        raise ImportFileError("the file has a header but no data rows")
    headers = [c for c in frame.columns if c != LINE_COLUMN]
    sample_layout = mapping is None and is_sample_layout(headers, spec)
    if sample_layout:
        result = validate_frame(map_columns(frame, spec), spec)
        used = suggest_mapping(headers, spec)  # the spec's own headers: each to its field
        run_spec, found, warnings = spec, {}, []
    else:
        used = _effective_mapping(frame, spec, mapping)
        run_spec, mapped, found = mapped_frame(frame, spec, used, _attribute_kinds(spec.name))
        result = validate_frame(mapped, run_spec)
        warnings = unknown_values(result.valid, run_spec)
    result.detected = detected
    kinds = column_kinds(used, spec, None, {k: kind for k, (_, kind) in found.items()})
    return _Prepared(result=result, spec=run_spec, mapping=used, attributes=found, warnings=warnings, kinds=kinds,
                     sample_layout=sample_layout)


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
    mapping: Mapping | str | dict | None = None,
    save_mapping_as: str = "",
    derived: Callable[[pd.DataFrame], dict[str, tuple[pd.Series, object]]] | None = None,
) -> JobRun:
    """Import one file. Never raises for bad input: the returned run says what happened.

    Status: SUCCEEDED (every row imported), PARTIAL (some rows rejected, the valid ones imported),
    FAILED (nothing imported: file-level error, no valid row, or --strict with a bad row).
    `mapping`: a Mapping, its JSON, or a saved mapping's name; none = the sample layout or the suggestion.
    `derived(valid rows)` -> {field: (values, default)}: fields computed from the file's, written in the same
    upsert; a missing value keeps the record's current one (a new record gets `default`).
    """
    name = source_name or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    params = {"strict": strict}
    if mapping is not None:
        params["mapping"] = mapping.to_json() if isinstance(mapping, Mapping) else mapping
    job = job_create(kind=kind, trigger=trigger, params=params, user=user, source_name=name)
    try:
        with job_running(job, exclusive=False) as tracker:
            tracker.progress("reading and validating", 0.05)
            prepared = _prepare(source, spec, mapping)
            result = prepared.result
            job.report = {
                "errors": [error.as_dict() for error in result.errors],
                "error_counts": result.error_counts,
                "detected": result.detected,
                "mapping": prepared.mapping.to_json(),
                "columns": [{"column": h, "target": prepared.mapping.columns.get(h, ""), "kind": kind}
                            for h, kind in prepared.kinds.items()],
                "warnings": prepared.warnings,
                "sample_layout": prepared.sample_layout,
            }
            job.counts = {"rows": result.total_rows, "rejected": result.rejected_rows}
            if save_mapping_as:
                import_mapping_save(entity=spec.name, name=save_mapping_as, mapping=prepared.mapping, user=user)
                job.report["saved_mapping"] = save_mapping_as
            if strict and result.rejected_rows:
                raise ImportFileError(
                    f"{result.rejected_rows} of {result.total_rows} rows have problems; with --strict nothing was imported"
                )
            if result.valid.empty:
                raise ImportFileError(f"none of the {result.total_rows} rows is valid; nothing was imported")
            tracker.progress("writing", 0.5)
            counts = _upsert(model, prepared, derived)
            job.counts.update(inserted=counts.inserted, updated=counts.updated, unchanged=counts.unchanged)
            if result.rejected_rows:
                job.status = JobRun.Status.PARTIAL
    except UserError:
        pass  # recorded on the run by job_running
    job.refresh_from_db()
    return job


def _attributes_upsert(entity: str, found: dict[str, tuple[str, str]]) -> None:
    """One CustomAttribute per key: created with the file's label and kind; an existing one keeps its kind."""
    known = set(CustomAttribute.objects.filter(entity=entity, key__in=list(found)).values_list("key", flat=True))
    CustomAttribute.objects.bulk_create(
        [CustomAttribute(entity=entity, key=key, label=label[:255], kind=kind)
         for key, (label, kind) in found.items() if key not in known],
        ignore_conflicts=True,
    )


def _upsert(model, prepared: _Prepared, derived):
    spec, valid = prepared.spec, prepared.result.valid
    frame = model_frame(model, valid, spec)
    fallback: dict[str, object] = {}
    for field_name, (values, default) in (derived(valid) if derived else {}).items():
        column = model._meta.get_field(field_name).column
        frame[column] = values.to_numpy(dtype=object)
        fallback[column] = default
    merge = ()
    if prepared.attributes:
        tokens = {key: valid[ATTRIBUTE_PREFIX + key] for key in prepared.attributes}
        frame[ATTRIBUTES_FIELD] = attributes.render(tokens).array
        merge = (ATTRIBUTES_FIELD,)
    key_column = model._meta.get_field(spec.key_field).column
    compare = [c for c in frame.columns if c != key_column]
    now = timezone.now()
    defaults = insert_defaults(model, set(frame.columns) | {"updated_at"}, now)
    with transaction.atomic():
        _attributes_upsert(spec.name, prepared.attributes)
        return upsert_frame(
            table=model._meta.db_table,
            frame=frame,
            key=key_column,
            compare_columns=compare,
            insert_defaults=defaults,
            touch_column="updated_at",
            touch_value=now,
            fallback_columns=fallback,
            merge_json_columns=merge,
        )
