"""Custom attributes (a file's extra columns, kept in ``Customer.attributes``) as segmentation features.

The service puts each attribute in the frame as a column ``attr:<key>`` with its raw values (JSON text from the
database, or typed values); ``Attribute`` says its kind and the header the file gave it. Values become:

* number -> the number; boolean -> 1 / 0; date -> its age in days at the reference date (older = more days);
* category -> the text, stripped ("Unknown" when empty); rare levels are grouped by the pipeline's encoder.

Missing numbers, booleans and dates are imputed with the median of the column and flagged ``<key>_missing``;
an empty category is flagged the same way.

An attribute is left out of the default feature set, with the reason reported, when most customers lack it, when
it is the same for everyone, or when it looks like an identifier (a different value for nearly every customer:
an id, a phone number, a free-text note), which would only pull customers apart at random.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.columns import identifier_like

ATTRIBUTE_PREFIX = "attr:"
NUMBER, CATEGORY, BOOLEAN, DATE = "number", "category", "boolean", "date"
ATTRIBUTE_KINDS = (NUMBER, CATEGORY, BOOLEAN, DATE)
UNKNOWN_LEVEL = "Unknown"

MIN_PRESENT_SHARE = 0.5
PROFILE_LEVEL_SHARE = 0.05
MAX_PROFILE_LEVELS = 8

_BOOLEAN_VALUES = {"true": 1.0, "false": 0.0, "t": 1.0, "f": 0.0, "1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0,
                   "yes": 1.0, "no": 0.0}


@dataclass(frozen=True)
class Attribute:
    """One custom attribute: its key in ``attributes``, the file's header for it, and its kind."""

    key: str
    label: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in ATTRIBUTE_KINDS:
            raise ValueError(f"attribute {self.key!r}: unknown kind {self.kind!r}")

    @property
    def column(self) -> str:
        return ATTRIBUTE_PREFIX + self.key


def attribute_values(customers: pd.DataFrame, attribute: Attribute, reference: date) -> pd.Series:
    """The attribute as a feature, missing values still missing (NaN, or "" for a category)."""
    raw = customers[attribute.column] if attribute.column in customers.columns else \
        pd.Series(np.nan, index=customers.index, dtype="float64")
    if attribute.kind == NUMBER:
        return pd.to_numeric(raw, errors="coerce").astype("float64")
    if attribute.kind == BOOLEAN:
        return raw.map(_boolean).astype("float64")
    if attribute.kind == DATE:
        days = (pd.Timestamp(reference) - attribute_dates(raw)).dt.days
        return days.astype("float64")
    return raw.astype("string").str.strip().fillna("")


def attribute_dates(raw: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw
    return pd.to_datetime(raw.astype("string"), format="ISO8601", errors="coerce")


def _boolean(value: object) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return np.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    return _BOOLEAN_VALUES.get(str(value).strip().lower(), np.nan)


def present(values: pd.Series) -> pd.Series:
    """Which rows have a value (text: non-empty). Compared as objects: converting a million-row column to a
    string dtype first costs ~10x more."""
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        cells = values.to_numpy(dtype=object, na_value=None)
        return pd.Series(pd.notna(cells) & (cells != ""), index=values.index)
    return values.notna()


def left_out_reason(values: pd.Series, attribute: Attribute) -> str:
    """Why the attribute is not in the default feature set ("" when it is used)."""
    has_value = present(values)
    share = float(has_value.mean()) if len(values) else 0.0
    if share < MIN_PRESENT_SHARE:
        return f"empty for {1 - share:.0%} of customers"
    known = values[has_value]
    distinct = known.nunique()
    if distinct < 2:
        return "the same for every customer"
    # The lead model's rule too (core.columns): unique whole numbers or text, not a measurement with decimals.
    if attribute.kind in (NUMBER, CATEGORY) and identifier_like(known, distinct=distinct):
        return "identifier-like: a different value for nearly every customer"
    return ""


def imputed(values: pd.Series, attribute: Attribute, median: float | None = None) -> tuple[pd.Series, np.ndarray]:
    """Missing values filled (``median``, by default the values' own, or "Unknown"), and which rows were filled."""
    missing = ~present(values).to_numpy()
    if attribute.kind == CATEGORY:
        return values.mask(missing, UNKNOWN_LEVEL).astype("category"), missing
    if median is None:
        median = values.median()
        median = float(median) if pd.notna(median) else 0.0
    return values.fillna(median), missing


def profile_levels(values: pd.Series) -> tuple[str, ...]:
    """The common levels of a category (at least ``PROFILE_LEVEL_SHARE`` of the customers), most common first."""
    counts = values.value_counts(normalize=True)
    return tuple(level for level, share in counts.items() if share >= PROFILE_LEVEL_SHARE)[:MAX_PROFILE_LEVELS]


def level_shares(
    values: pd.Series, attribute: Attribute, levels: tuple[str, ...] | None = None
) -> dict[str, pd.Series]:
    """0/1 columns ``attr:<key>=<level>`` for the common levels of a category (``levels``, by default the values'
    own), so profiles can say "more Female"."""
    common = profile_levels(values) if levels is None else levels
    return {f"{attribute.column}={level}": (values == level).astype("float64") for level in common}


def attribute_label(attribute: Attribute) -> str:
    return f"{attribute.label} (days ago)" if attribute.kind == DATE else attribute.label
