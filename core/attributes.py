"""Custom attributes: a file's columns that map to no field, kept typed on each record's ``attributes`` JSON.

Kinds: number -> JSON number, boolean -> true/false, date -> "YYYY-MM-DD", category -> string (the contract in
core.models.CustomAttribute). A column's kind is inferred from its values (every non-empty value must fit it),
or kept from the attribute's first import, so a later file with a non-number in a number column has that row
rejected. Values are parsed once per distinct value and rendered as JSON text with Arrow's vectorised string
functions: a million rows of ten attributes never pass through `json.dumps` one row at a time. No Django.
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NUMBER, CATEGORY, BOOLEAN, DATE = "number", "category", "boolean", "date"
KINDS = (NUMBER, CATEGORY, BOOLEAN, DATE)
BOOLEAN_WORDS = {"yes": True, "no": False, "true": True, "false": False, "y": True, "n": False, "t": True,
                 "f": False, "1": True, "0": False, "1.0": True, "0.0": False}
# Cells that mean "no value" in a number, yes/no or date column (in a category column they are values).
MISSING_WORDS = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S")
DATE_HINT = "2024-01-31 or 31/01/2024"
MAX_TEXT_CHARS = 1000


def missing(distinct: pd.Series, kind: str) -> np.ndarray:
    text = distinct.astype(str).str.strip()
    if kind == CATEGORY:
        return (text == "").to_numpy()
    return text.str.lower().isin(MISSING_WORDS).to_numpy()


def parse_dates(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in the one format of DATE_FORMATS that reads the most values (day first before month first)."""
    best, best_ok = None, -1
    for date_format in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
        ok = int(parsed.notna().sum())
        if ok > best_ok:
            best, best_ok = parsed, ok
        if ok == len(text):
            break
    return best, best.isna()


def infer_kind(raw: pd.Series) -> str:
    """boolean (yes/no, true/false, 1/0, y/n), number, date (one format throughout) or category, from the
    column's distinct non-empty values; a column with none is a category."""
    # distinct values first: stripping a million cells cost more than the whole inference
    distinct = pd.Series(pd.unique(pd.Series(pd.unique(raw)).astype(str).str.strip()), dtype=object)
    distinct = distinct[~distinct.str.lower().isin(MISSING_WORDS)]
    if distinct.empty:
        return CATEGORY
    lower = distinct.str.lower()
    if lower.isin(BOOLEAN_WORDS.keys()).all() and lower.map(BOOLEAN_WORDS).nunique() <= 2:
        return BOOLEAN
    numbers = pd.to_numeric(distinct, errors="coerce")
    if numbers.notna().all() and np.isfinite(numbers).all():
        return NUMBER
    if not parse_dates(distinct)[1].any():
        return DATE
    return CATEGORY


def parse_values(text: pd.Series, kind: str) -> tuple[pd.Series, pd.Series, str]:
    """Per distinct value: its JSON text, whether it cannot be read as `kind`, and the reason in words."""
    if kind == NUMBER:
        numbers = pd.to_numeric(text, errors="coerce")
        bad = numbers.isna() | ~np.isfinite(numbers.fillna(0))
        tokens = pc.cast(pa.array(numbers.where(~bad, 0.0).to_numpy(dtype=float)), pa.string())
        return pd.Series(tokens.to_numpy(zero_copy_only=False), index=text.index), bad, "not a number"
    if kind == BOOLEAN:
        values = text.str.lower().map(BOOLEAN_WORDS)
        return values.map({True: "true", False: "false"}), values.isna(), "expected yes or no (or true/false, 1/0)"
    if kind == DATE:
        parsed, bad = parse_dates(text)
        return '"' + parsed.dt.strftime("%Y-%m-%d").fillna("") + '"', bad, f"not a date ({DATE_HINT})"
    tokens = text.map(lambda value: json.dumps(value, ensure_ascii=False))
    return tokens, text.str.len() > MAX_TEXT_CHARS, f"longer than {MAX_TEXT_CHARS} characters"


def render(tokens: dict[str, pd.Series]) -> pd.Series:
    """One JSON object per row from {key: categorical of the row's JSON value text (missing = no value)}.

    Every key is written, a missing value as null ("the file had the column, the cell was empty"), so each
    object is one Arrow gather per key and one concatenation, with no pass to drop separators. Written as
    PostgreSQL prints a jsonb object (keys shortest first, then by bytes; ", " and ": " between), so a
    re-import compares the stored object's text with this one instead of parsing a million objects.
    """
    if not tokens:
        return pd.Series(dtype=object)
    index = next(iter(tokens.values())).index
    keys = sorted(tokens, key=lambda key: (len(key.encode()), key.encode()))
    pieces = []
    for position, key in enumerate(keys):
        values = tokens[key] if isinstance(tokens[key].dtype, pd.CategoricalDtype) else tokens[key].astype("category")
        opening = "{" if position == 0 else ", "
        closing = "}" if position == len(keys) - 1 else ""
        name = json.dumps(key, ensure_ascii=False)
        texts = [f"{opening}{name}: {token}{closing}" for token in values.cat.categories]
        texts.append(f"{opening}{name}: null{closing}")
        codes = values.cat.codes.to_numpy()
        indices = np.where(codes < 0, len(texts) - 1, codes).astype(np.int32)
        pieces.append(pc.take(pa.array(texts, type=pa.large_string()), pa.array(indices)))
    objects = pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, pa.scalar("", pa.large_string()))
    return pd.Series(objects.to_pandas(types_mapper=pd.ArrowDtype).array, index=index)  # Arrow-backed: no copy
