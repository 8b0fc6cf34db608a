"""Mappings: which column of a company's file is which field, suggested from the headers and overridable.

A `Mapping` says, per source header, the target: a field of the import spec, ``attr:<key>`` (kept as a custom
attribute) or ``""`` (ignored); per field, how source values translate (``Working Professional`` ->
``Professional``); per field, the unit factor (``Annual Income (k$)`` -> income x 1000).

`suggest_mapping` matches normalised headers (case, spaces, underscores and hyphens ignored) against each
column's header, then its synonyms; a trailing unit in brackets is set aside and looked up in the column's unit
hints. The vocabulary (synonyms, units, value translations) lives with each app's ImportSpec: core names no
domain. Pure Python and pandas, no Django.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain, count

import numpy as np
import pandas as pd

from core import attributes
from core.errors import UserError
from core.import_validation import LINE_COLUMN, Column, ImportFileError, ImportSpec, normalise_header

ATTRIBUTE_PREFIX = "attr:"
MAX_KEY_LENGTH = 64
MAX_CHOICE_CHARS = 64  # the category fields' column width
_UNIT = re.compile(r"^(?P<base>.*?)\s*[\(\[](?P<unit>[^\)\]]*)[\)\]]\s*$")


class MappingError(UserError):
    """A mapping that cannot be used: not JSON, a target that is no field, a name not saved."""


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # source header -> field, "attr:<key>" or "" (ignored)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {source value -> stored value}
    units: dict[str, float] = field(default_factory=dict)  # field -> factor the file's numbers are multiplied by

    def to_json(self) -> dict:
        return {"columns": dict(self.columns), "values": {f: dict(v) for f, v in self.values.items()},
                "units": dict(self.units)}

    @classmethod
    def from_json(cls, data: dict | str) -> Mapping:
        """From `to_json()`'s shape, or a plain {header: target} object (columns only), or its JSON text."""
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except json.JSONDecodeError as exc:
                raise MappingError(f"the mapping is not valid JSON: {exc.msg} (character {exc.pos})") from None
        if not isinstance(data, dict):
            raise MappingError('a mapping is a JSON object such as {"Customer Ref": "external_id"}')
        if not set(data) <= {"columns", "values", "units"} or not data:
            data = {"columns": data}
        columns, values, units = data.get("columns") or {}, data.get("values") or {}, data.get("units") or {}
        if not isinstance(columns, dict) or not all(isinstance(t, str) for t in columns.values()):
            raise MappingError("a mapping's columns are {source header: target} with text targets")
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            raise MappingError("a mapping's values are {field: {source value: stored value}}")
        if not isinstance(units, dict):
            raise MappingError("a mapping's units are {field: factor}")
        try:
            factors = {f: float(u) for f, u in units.items()}
        except (TypeError, ValueError):
            raise MappingError("a unit factor must be a number, e.g. {\"income\": 1000}") from None
        return cls(columns={str(h): t for h, t in columns.items()},
                   values={f: {str(s): str(t) for s, t in v.items()} for f, v in values.items()}, units=factors)

    def field_headers(self) -> dict[str, str]:
        """field -> the source header mapped to it."""
        return {target: header for header, target in self.columns.items() if target and not is_attribute(target)}

    def attribute_headers(self) -> dict[str, str]:
        """attribute key -> the source header kept under it."""
        return {target[len(ATTRIBUTE_PREFIX):]: h for h, target in self.columns.items() if is_attribute(target)}

    def overlaid(self, other: Mapping) -> Mapping:
        """This mapping with `other`'s choices on top (a header `other` maps moves there; a field it claims is
        taken from any header this mapping gave it)."""
        claimed = {t for t in other.columns.values() if t}
        columns = {h: ("" if t in claimed else t) for h, t in self.columns.items() if h not in other.columns}
        columns.update(other.columns)
        values = {f: {**self.values.get(f, {}), **other.values.get(f, {})} for f in {*self.values, *other.values}}
        return Mapping(columns=columns, values=values, units={**self.units, **other.units})


def is_attribute(target: str) -> bool:
    return target.startswith(ATTRIBUTE_PREFIX)


def attribute_key(header: str) -> str:
    """A stable key for a header: lower case, runs of anything but letters and digits as one underscore."""
    key = re.sub(r"[^0-9a-z]+", "_", str(header).lower()).strip("_")[:MAX_KEY_LENGTH].rstrip("_")
    return key or "column"


def split_unit(header: str) -> tuple[str, str]:
    """'Annual Income (k$)' -> ('Annual Income', 'k$'); a header without a bracketed unit -> (header, '')."""
    match = _UNIT.match(str(header))
    if not match or not match.group("base").strip():
        return str(header), ""
    return match.group("base"), match.group("unit").strip()


def _unit_factor(column: Column, unit: str) -> float | None:
    hints = {normalise_header(name): factor for name, factor in column.units}
    return hints.get(normalise_header(unit))


def _match(header: str, spec: ImportSpec, taken: set[str], use_synonyms: bool) -> tuple[Column | None, float | None]:
    """The column a header names (its own header, or with `use_synonyms` a synonym), and the unit factor its
    bracket gives."""
    base, unit = split_unit(header)
    candidates = [(normalise_header(header), None)]
    if unit:
        candidates.append((normalise_header(base), unit))
    for name, bracket in candidates:
        for column in spec.columns:
            if column.field in taken:
                continue
            if name in _names(column, use_synonyms):
                return column, _unit_factor(column, bracket) if bracket else None
    return None, None


@lru_cache(maxsize=1024)
def _names(column: Column, use_synonyms: bool) -> frozenset[str]:
    return frozenset(normalise_header(n) for n in ([column.header, *column.synonyms] if use_synonyms else [column.header]))


def suggest_mapping(headers, spec: ImportSpec, sample_frame: pd.DataFrame | None = None) -> Mapping:
    """Each header to a field of `spec` (every header's exact match first, then synonyms), an ignored header to
    "", the rest to custom attributes keyed by a slug of the header. With `sample_frame` (the file's rows as text,
    columns named by header) the value translations the spec knows are listed for the values the file has."""
    headers = [str(h) for h in headers]
    ignored = {normalise_header(h) for h in spec.ignored_headers}
    columns: dict[str, str] = {h: "" for h in headers if normalise_header(h) in ignored}
    units: dict[str, float] = {}
    taken: set[str] = set()
    for use_synonyms in (False, True):
        for header in headers:
            if header in columns:
                continue
            column, factor = _match(header, spec, taken, use_synonyms)
            if column is not None:
                columns[header] = column.field
                taken.add(column.field)
                if factor is not None and factor != 1:
                    units[column.field] = factor
    keys: set[str] = set()
    for header in headers:
        if header in columns:
            continue
        key = attribute_key(header)
        key = next(k for k in chain([key], (f"{key[:MAX_KEY_LENGTH - 6]}_{i}" for i in count(2))) if k not in keys)
        keys.add(key)
        columns[header] = ATTRIBUTE_PREFIX + key
    columns = {h: columns[h] for h in headers}
    values = {}
    if sample_frame is not None:
        for header, target in columns.items():
            if target and not is_attribute(target) and header in sample_frame.columns:
                translated = suggest_values(sample_frame[header], spec.column(target))
                if translated:
                    values[target] = translated
    return Mapping(columns=columns, values=values, units=units)


def value_translations(column: Column) -> dict[str, str]:
    """Normalised source value -> stored value, from the column's value synonyms."""
    return {_normal_value(source): stored for source, stored in column.value_synonyms}


def suggest_values(raw: pd.Series, column: Column) -> dict[str, str]:
    """The translations (from the column's value synonyms) of the values `raw` holds that are not already a
    known value in another case."""
    translations = value_translations(column)
    if not translations:
        return {}
    known = {choice.lower() for choice in column.choices}
    out = {}
    for value in pd.unique(raw.astype(str).str.strip()):
        if not isinstance(value, str) or not value or value.lower() in known:
            continue
        stored = translations.get(_normal_value(value))
        if stored is not None and stored != value:
            out[value] = stored
    return out


def _normal_value(value: str) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower()


def check_mapping(mapping: Mapping, spec: ImportSpec) -> Mapping:
    """The mapping if each target is a field of `spec`, an attribute or ignored; a MappingError naming the first
    that is not. Two headers may not share a field; attribute keys are normalised."""
    fields = {c.field for c in spec.columns}
    columns = {}
    seen: dict[str, str] = {}
    for header, target in mapping.columns.items():
        target = (target or "").strip()
        if is_attribute(target):
            target = ATTRIBUTE_PREFIX + attribute_key(target[len(ATTRIBUTE_PREFIX):] or header)
        elif target and target not in fields:
            raise MappingError(
                f"column {header!r} is mapped to {target!r}, which is not a field of {spec.name}; use one of "
                f"{', '.join(sorted(fields))}, attr:<name> to keep it as a custom attribute, or \"\" to ignore it"
            )
        if target and target in seen:
            raise MappingError(f"columns {seen[target]!r} and {header!r} are both mapped to {target!r}")
        if target:
            seen[target] = header
        columns[header] = target
    for name in (*mapping.values, *mapping.units):
        if name not in fields:
            raise MappingError(f"value or unit rules for {name!r}, which is not a field of {spec.name}")
    return Mapping(columns=columns, values=mapping.values, units=mapping.units)


def is_sample_layout(headers, spec: ImportSpec) -> bool:
    """The file has the spec's own headers (any case/spacing), every required one, and nothing else but the
    headers the spec ignores: it imports exactly as the sample dataset does, with the sample's validation."""
    own = {normalise_header(c.header) for c in spec.columns}
    allowed = own | {normalise_header(h) for h in spec.ignored_headers}
    names = {normalise_header(h) for h in headers}
    required = {normalise_header(c.header) for c in spec.columns if c.required}
    return names <= allowed and required <= names


# --- applying a mapping ------------------------------------------------------------------------------------------

# A field's type in the words of the custom attribute kinds (core.models.CustomAttribute.Kind).
KIND_WORDS = {"str": "text", "int": "number", "float": "number", "choice": "category", "yes_no": "boolean",
              "zero_one": "boolean", "bool": "boolean", "date": "date"}
MAX_WARNED_VALUES = 50


def _relaxed(column: Column, header: str, key_field: str, factor: float) -> Column:
    """The column as a mapped file is read: labelled by the file's header, every value optional but the id,
    categories open (unknown values kept), yes/no in any common spelling, dates in any common format."""
    kind = {"choice": "choice", "yes_no": "bool", "zero_one": "bool"}.get(column.kind, column.kind)
    return replace(
        column, header=header, kind=kind, required=column.field == key_field, nullable=column.field != key_field,
        lenient=column.kind == "choice",
        max_length=column.max_length if column.field == key_field else MAX_CHOICE_CHARS if kind in ("choice", "str") else None,
        date_format="" if kind == "date" else column.date_format, factor=factor,
    )


def _translated(raw: pd.Series, column: Column, overrides: dict[str, str]) -> pd.Series:
    """The column's text with the spec's value synonyms and the mapping's own translations applied."""
    translations = {**value_translations(column), **{_normal_value(s): t for s, t in overrides.items()}}
    if not translations:
        return raw
    codes, uniques = pd.factorize(raw)
    renamed = np.array([translations.get(_normal_value(v), v) for v in uniques], dtype=object)
    return pd.Series(renamed[codes], index=raw.index)


def missing_id_error(spec: ImportSpec, headers) -> ImportFileError:
    found = ", ".join(str(h) for h in list(headers)[:40])
    key = spec.column(spec.key_field)
    return ImportFileError(
        f"required column(s) missing: {key.header} (the id of each row). Found: {found or 'no columns'}. "
        "Check the delimiter and the header row, or say which column is the id (--id-column, or a mapping)"
    )


def mapped_frame(
    frame: pd.DataFrame, spec: ImportSpec, mapping: Mapping, attribute_kinds: dict[str, str]
) -> tuple[ImportSpec, pd.DataFrame, dict[str, tuple[str, str]]]:
    """The spec a mapped file is validated against, the file's columns renamed to it (values translated), and
    the custom attributes it carries {key: (label, kind)}. An attribute already known keeps its kind; a new one
    gets the kind its values show."""
    fields = {f: h for f, h in mapping.field_headers().items() if h in frame.columns}
    if spec.key_field not in fields:
        raise missing_id_error(spec, [c for c in frame.columns if c != LINE_COLUMN])
    columns: list[Column] = []
    data: dict[str, pd.Series] = {}
    for column in spec.columns:
        header = fields.get(column.field)
        if header is None:
            continue
        data[column.field] = _translated(frame[header].astype(str), column, mapping.values.get(column.field, {}))
        columns.append(_relaxed(column, header, spec.key_field, mapping.units.get(column.field, 1.0)))
    found: dict[str, tuple[str, str]] = {}
    for key, header in mapping.attribute_headers().items():
        if header not in frame.columns:
            continue
        kind = attribute_kinds.get(key) or attributes.infer_kind(frame[header])
        target = ATTRIBUTE_PREFIX + key
        data[target] = frame[header]
        columns.append(Column(target, header, kind=f"attribute_{kind}", required=False, nullable=True))
        found[key] = (header, kind)
    if LINE_COLUMN in frame.columns:
        data[LINE_COLUMN] = frame[LINE_COLUMN]
    mapped = pd.DataFrame(data, index=frame.index, copy=False)
    mapped.attrs = dict(frame.attrs)
    return replace(spec, columns=tuple(columns)), mapped, found


def unknown_values(valid: pd.DataFrame, run_spec: ImportSpec) -> list[dict]:
    """Category values outside a field's known values, kept as given: one warning per value, most rows first."""
    warnings = []
    for column in run_spec.columns:
        if not column.lenient or column.field not in valid.columns:
            continue
        counts = valid[column.field].dropna().value_counts()
        known = set(column.choices)
        for value, rows in counts.items():
            if value not in known and value != "":
                warnings.append({"column": column.header, "field": column.field, "value": str(value)[:200],
                                 "rows": int(rows), "message": "not one of the known values; kept as given"})
    warnings.sort(key=lambda w: (-w["rows"], w["column"], w["value"]))
    return warnings[:MAX_WARNED_VALUES]


def column_kinds(mapping: Mapping, spec: ImportSpec, frame: pd.DataFrame | None,
                 attribute_kinds: dict[str, str]) -> dict[str, str]:
    """Each header's target kind in words: number, category, boolean, date (a field's or a custom attribute's),
    text (the id and free-text fields) or ignored."""
    kinds = {}
    for header, target in mapping.columns.items():
        if not target:
            kinds[header] = "ignored"
        elif is_attribute(target):
            key = target[len(ATTRIBUTE_PREFIX):]
            kind = attribute_kinds.get(key)
            if kind is None and frame is not None and header in frame.columns:
                kind = attributes.infer_kind(frame[header])
            kinds[header] = kind or attributes.CATEGORY
        else:
            kinds[header] = KIND_WORDS.get(spec.column(target).kind, spec.column(target).kind)
    return kinds
