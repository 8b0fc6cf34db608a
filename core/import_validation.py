"""The import framework: validate a file's rows against a column spec, vectorised.

Each app's `importers.py` declares an `ImportSpec` (its columns, types, ranges, choices, and the vocabulary a
mapping uses to recognise another company's headers and values); the app's service upserts the valid rows. No
Django imports here (core.errors is plain Python): the same code validates uploads, command-line files and API
uploads, and is unit-testable on DataFrames. Reading the file lives in core.import_reading.

Row numbers in reports are the file's line numbers (header = 1, first data row = 2), so a marketer
can open the file and find the row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np
import pandas as pd

from core import attributes
from core.import_reading import LINE_COLUMN, ImportFileError, RowError, read_table

__all__ = ["LINE_COLUMN", "Column", "ImportFileError", "ImportSpec", "RowError", "ValidationResult", "read_table"]

# "bool" is any common spelling of yes/no (a mapped file's); "attribute_*" are custom attributes, parsed to JSON.
Kind = Literal[
    "str", "int", "float", "date", "yes_no", "zero_one", "choice", "bool",
    "attribute_number", "attribute_category", "attribute_boolean", "attribute_date",
]
MAX_REPORTED_ERRORS = 1000


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: Kind = "str"
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # a cell may be empty
    choices: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    date_format: str = "%d-%m-%Y"
    # How another company's file may name this field and its values (see core.mapping):
    synonyms: tuple[str, ...] = ()  # other headers, matched like headers (case, spaces, _ and - ignored)
    units: tuple[tuple[str, float], ...] = ()  # a bracketed unit in the header -> factor, e.g. (("k$", 1000),)
    value_synonyms: tuple[tuple[str, str], ...] = ()  # another spelling of a value -> the value stored
    factor: float = 1.0  # numbers are multiplied by it once read (a mapping's unit)
    lenient: bool = False  # a choice keeps values outside `choices` as given (a mapped file's)


@dataclass(frozen=True)
class ImportSpec:
    name: str
    columns: tuple[Column, ...]
    key_field: str = "external_id"
    ignored_headers: tuple[str, ...] = ()
    outcome_field: str = ""  # the known outcome (--outcome-column maps a file's column to it)

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


@dataclass
class ValidationResult:
    valid: pd.DataFrame
    errors: list[RowError]
    total_rows: int
    rejected_rows: int
    error_counts: dict[str, int] = field(default_factory=dict)
    detected: dict[str, str] = field(default_factory=dict)


def normalise_header(name: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).strip().lower()


def map_columns(frame: pd.DataFrame, spec: ImportSpec) -> pd.DataFrame:
    """Rename the file's headers to field names (case/space/underscore-insensitive); fail on missing ones."""
    by_normal = {normalise_header(col): col for col in frame.columns}
    missing = [c.header for c in spec.columns if c.required and normalise_header(c.header) not in by_normal]
    if missing:
        found = ", ".join(str(c) for c in frame.columns[:40])
        raise ImportFileError(
            f"required column(s) missing: {', '.join(missing)}. Found: {found or 'no columns'}. "
            "Check the delimiter and the header row."
        )
    renamed = {}
    for column in spec.columns:
        original = by_normal.get(normalise_header(column.header))
        if original is not None:
            renamed[column.field] = frame[original].astype(str)
        else:
            renamed[column.field] = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    if LINE_COLUMN in frame.columns:
        renamed[LINE_COLUMN] = frame[LINE_COLUMN]
    mapped = pd.DataFrame(renamed, index=frame.index, copy=False)
    mapped.attrs = dict(frame.attrs)
    return mapped


def _parse_column(raw: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, pd.Series, str]:
    """Return (typed values, bad mask, empty mask, reason) for one column.

    Parsing runs on the column's distinct values and is spread back by code: 1,000,000 rows of a
    choice or a count have a few thousand distinct values at most, so this is ~20x faster than parsing
    every cell. Free-text columns (ids) are only length-checked.
    """
    if column.kind == "str":
        empty = raw.str.strip() == ""
        if column.max_length is None:
            return raw, pd.Series(False, index=raw.index), empty, ""
        return raw, raw.str.len() > column.max_length, empty, f"longer than {column.max_length} characters"
    codes, uniques = pd.factorize(raw)
    distinct = pd.Series(uniques, dtype=object)
    values, bad, reason = _parse_values(distinct, column)
    if column.kind.startswith("attribute_"):
        blank = attributes.missing(distinct, column.kind.removeprefix("attribute_"))
    else:
        blank = (distinct.astype(str).str.strip() == "").to_numpy()

    def spread(per_value, dtype=object) -> pd.Series:
        return pd.Series(np.asarray(per_value, dtype=dtype)[codes], index=raw.index)

    if column.kind.startswith("attribute_"):
        # JSON text per row as a categorical: row filtering and rendering never copy a million strings
        token_codes, tokens = pd.factorize(pd.Series(values, dtype=object))
        typed = pd.Series(pd.Categorical.from_codes(token_codes[codes], tokens), index=raw.index)
        return typed, spread(bad, bool), spread(blank, bool), reason
    typed = spread(values)
    if column.kind in ("int", "float"):
        typed = pd.to_numeric(typed)
        if column.factor != 1:
            typed = typed * column.factor
            if column.kind == "int":
                typed = typed.round()
    elif column.kind == "date":
        typed = pd.to_datetime(typed)
    return typed, spread(bad, bool), spread(blank, bool), reason


def _parse_values(text: pd.Series, column: Column) -> tuple[pd.Series, pd.Series, str]:
    text = text.astype(str).str.strip()
    if column.kind == "int":
        number = pd.to_numeric(text, errors="coerce")
        return number, number.isna() | (number.round() != number), "not a whole number"
    if column.kind == "float":
        number = pd.to_numeric(text, errors="coerce")
        return number, number.isna() | ~np.isfinite(number.fillna(0)), "not a number"
    if column.kind == "date" and not column.date_format:  # a mapped file's dates: any common format
        parsed, bad = attributes.parse_dates(text)
        return parsed.astype(object), bad, f"not a date ({attributes.DATE_HINT})"
    if column.kind == "date":
        parsed = pd.to_datetime(text, format=column.date_format, errors="coerce")
        human = column.date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
        return parsed.astype(object), parsed.isna(), f"not a date in {human} form"
    if column.kind == "yes_no":
        values = text.str.lower().map({"yes": True, "no": False, "1": True, "0": False, "true": True, "false": False})
        return values, values.isna(), "expected Yes or No"
    if column.kind == "zero_one":
        values = text.map({"1": True, "0": False, "1.0": True, "0.0": False})
        return values, values.isna(), "expected 0 or 1"
    if column.kind == "bool":
        values = text.str.lower().map(attributes.BOOLEAN_WORDS)
        return values, values.isna(), "expected yes or no (or true/false, 1/0)"
    if column.kind.startswith("attribute_"):
        return attributes.parse_values(text, column.kind.removeprefix("attribute_"))
    canonical = {choice.lower(): choice for choice in column.choices}
    values = text.str.lower().map(canonical)
    if column.lenient:
        values = values.fillna(text)
        too_long = text.str.len() > (column.max_length or attributes.MAX_TEXT_CHARS)
        return values, too_long, f"longer than {column.max_length or attributes.MAX_TEXT_CHARS} characters"
    return values, values.isna(), f"expected one of: {', '.join(column.choices)}"


def validate_frame(mapped: pd.DataFrame, spec: ImportSpec) -> ValidationResult:
    """Check every cell; rows with any problem are rejected (with every problem reported), the rest typed."""
    if LINE_COLUMN in mapped.columns:
        row_numbers = mapped[LINE_COLUMN]
    else:
        row_numbers = pd.Series(np.arange(len(mapped)) + 2, index=mapped.index)
    rejected = pd.Series(False, index=mapped.index)
    problems: list[tuple[pd.Series, Column, str]] = []
    typed: dict[str, pd.Series] = {}
    for column in spec.columns:
        raw = mapped[column.field]
        values, bad, empty, reason = _parse_column(raw, column)
        bad = bad & ~empty
        problems.append((bad, column, reason))
        if not column.nullable:
            problems.append((empty, column, "required value is empty"))
        out_of_range = _out_of_range(values, column) & ~bad & ~empty
        problems.append((out_of_range, column, _range_text(column)))
        rejected |= bad | out_of_range | (empty if not column.nullable else False)
        typed[column.field] = values.where(~empty, None)
    key_column = spec.column(spec.key_field)
    key = mapped[spec.key_field].str.strip()
    duplicate = key.duplicated(keep="last") & (key != "")
    problems.append((duplicate, key_column, "duplicate id in this file (the last row with it is kept)"))
    rejected |= duplicate
    errors, counts = _collect_errors(problems, mapped, row_numbers)
    bad_lines = mapped.attrs.get("bad_lines", [])
    if bad_lines:
        counts["(whole row): wrong number of fields"] = len(bad_lines)
        errors = sorted([*bad_lines, *errors], key=lambda e: e.row)[:MAX_REPORTED_ERRORS]
    valid = pd.DataFrame(typed, index=mapped.index, copy=False)[~rejected]
    valid[spec.key_field] = key[~rejected]
    valid.insert(0, "_row", row_numbers[~rejected])
    return ValidationResult(
        valid=valid.reset_index(drop=True),
        errors=errors,
        total_rows=len(mapped) + len(bad_lines),
        rejected_rows=int(rejected.sum()) + len(bad_lines),
        error_counts=counts,
    )


def _out_of_range(values: pd.Series, column: Column) -> pd.Series:
    out = pd.Series(False, index=values.index)
    if column.kind not in ("int", "float") or (column.min_value is None and column.max_value is None):
        return out
    if column.min_value is not None:
        out |= values < column.min_value
    if column.max_value is not None:
        out |= values > column.max_value
    return out.fillna(False).astype(bool)


def _range_text(column: Column) -> str:
    if column.min_value is not None and column.max_value is not None:
        return f"outside the range {column.min_value:g} to {column.max_value:g}"
    if column.min_value is not None:
        return f"below the minimum {column.min_value:g}"
    if column.max_value is not None:
        return f"above the maximum {column.max_value:g}"
    return "out of range"


def _collect_errors(problems, mapped: pd.DataFrame, row_numbers: pd.Series) -> tuple[list[RowError], dict[str, int]]:
    """All problems counted per column and reason; the first MAX_REPORTED_ERRORS listed by row."""
    counts: dict[str, int] = {}
    frames = []
    for mask, column, reason in problems:
        n = int(mask.sum())
        if not n:
            continue
        counts[f"{column.header}: {reason}"] = n
        hits = mask[mask].index
        frames.append(
            pd.DataFrame(
                {
                    "row": row_numbers[hits].to_numpy(),
                    "column": column.header,
                    "value": mapped.loc[hits, column.field].astype(str).str.slice(0, 200).to_numpy(),
                    "reason": reason,
                }
            )
        )
    if not frames:
        return [], counts
    table = pd.concat(frames).sort_values(["row", "column"], kind="stable").head(MAX_REPORTED_ERRORS)
    errors = [RowError(int(r.row), r.column, r.value, r.reason) for r in table.itertuples(index=False)]
    return errors, counts


def read_and_validate(
    source: str | Path | bytes, spec: ImportSpec, *, transform: Callable[[pd.DataFrame], pd.DataFrame] | None = None
) -> ValidationResult:
    """Read, map headers, validate. Raises ImportFileError for file-level problems."""
    frame, detected = read_table(source)
    if frame.empty:
        raise ImportFileError("the file has a header but no data rows")
    mapped = map_columns(frame, spec)
    result = validate_frame(mapped, spec)
    if transform is not None:
        result.valid = transform(result.valid)
    result.detected = detected
    return result
