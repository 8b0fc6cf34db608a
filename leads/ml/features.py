"""Lead features: which columns the scoring model reads, how raw values are tidied, and their names in words.

A model reads the columns of its ``FeatureSpec`` (picked from the leads' fields and custom attributes when it is
trained, see ``leads.ml.selection``), never ``external_id`` or ``status``, so an identifier can not leak the
outcome. The sample dataset's spec is ``DEFAULT_SPEC`` (``FEATURES``). ``prepare_lead_features`` is the first step of
every lead pipeline: values arriving from the database, a CSV or an API (booleans as ``True``/``"Yes"``/``1``,
numbers as text, empty strings, missing columns) become one tidy frame, and anything unreadable becomes a missing
value that the pipeline's imputers fill. Preparing a prepared frame again changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

NUMBER, FLAG, CATEGORY, DATE = "number", "flag", "category", "date"
KINDS = (NUMBER, FLAG, CATEGORY, DATE)
ATTRIBUTE_PREFIX = "attr:"
# Rare levels of a category are read as this one level (and so is a level never seen in training).
OTHER = "other"

NUMERIC_FEATURES = ("age", "website_visits", "time_spent_on_website", "page_views_per_visit")
FLAG_FEATURES = ("print_media_type1", "print_media_type2", "digital_media", "educational_channels", "referral")
CATEGORY_FEATURES = ("current_occupation", "first_interaction", "profile_completed", "last_activity")
FEATURES = NUMERIC_FEATURES + FLAG_FEATURES + CATEGORY_FEATURES

OUTCOME = "status"
LEAD_ID = "external_id"

FEATURE_LABELS = {
    "age": "age",
    "website_visits": "website visits",
    "time_spent_on_website": "time on the website",
    "page_views_per_visit": "page views per visit",
    "print_media_type1": "newspaper ad",
    "print_media_type2": "magazine ad",
    "digital_media": "digital ad",
    "educational_channels": "educational channels",
    "referral": "referral",
    "current_occupation": "occupation",
    "first_interaction": "first interaction",
    "profile_completed": "profile completion",
    "last_activity": "last activity",
}

_FLAG_WORDS = {"yes": 1.0, "y": 1.0, "true": 1.0, "t": 1.0, "1": 1.0, "1.0": 1.0,
               "no": 0.0, "n": 0.0, "false": 0.0, "f": 0.0, "0": 0.0, "0.0": 0.0}
_OUTCOME_WORDS = {**_FLAG_WORDS, "converted": 1.0, "not converted": 0.0}


@dataclass(frozen=True)
class FeatureColumn:
    """One column the model reads: a lead field (``name`` = field) or a custom attribute (``attr:<key>``).

    ``kind`` is how it is read: a number, a yes/no flag, a category, or a date (read as days before the spec's
    reference date). A category with ``grouped`` levels reads every level outside ``levels`` as ``OTHER``.
    """

    name: str
    kind: str
    label: str
    levels: tuple[str, ...] = ()
    grouped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown feature kind {self.kind!r}: choose one of {', '.join(KINDS)}")

    @property
    def is_attribute(self) -> bool:
        return self.name.startswith(ATTRIBUTE_PREFIX)

    @property
    def attribute_key(self) -> str:
        return self.name.removeprefix(ATTRIBUTE_PREFIX)

    def to_json(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"name": self.name, "kind": self.kind, "label": self.label}
        if self.grouped:
            payload.update(levels=list(self.levels), grouped=list(self.grouped))
        return payload


@dataclass(frozen=True)
class FeatureSpec:
    """The columns a model reads, in order, and the date that dates are counted back from (ISO, or None)."""

    columns: tuple[FeatureColumn, ...]
    reference_date: str | None = None
    _by_name: dict[str, FeatureColumn] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {column.name: column for column in self.columns})

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> FeatureColumn:
        return self._by_name[name]

    def named(self, *kinds: str) -> list[str]:
        """Names of the columns of these kinds, in spec order."""
        return [column.name for column in self.columns if column.kind in kinds]

    def to_json(self) -> dict[str, Any]:
        return {"columns": [column.to_json() for column in self.columns], "reference_date": self.reference_date}


DEFAULT_SPEC = FeatureSpec(
    tuple(FeatureColumn(name, NUMBER, FEATURE_LABELS[name]) for name in NUMERIC_FEATURES)
    + tuple(FeatureColumn(name, FLAG, FEATURE_LABELS[name]) for name in FLAG_FEATURES)
    + tuple(FeatureColumn(name, CATEGORY, FEATURE_LABELS[name]) for name in CATEGORY_FEATURES)
)


def prepare_lead_features(leads: pd.DataFrame, spec: FeatureSpec = DEFAULT_SPEC) -> pd.DataFrame:
    """The model's input: the spec's columns in order, numbers, flags and dates (days) as floats, categories as
    text.

    Missing columns and unreadable values (text in a number, a negative count or age) become NaN, never an
    exception, so a partial record still gets a score.
    """
    prepared = pd.DataFrame(index=leads.index)
    for column in spec.columns:
        prepared[column.name] = prepared_column(leads[column.name] if column.name in leads else None, column,
                                                spec.reference_date, len(leads))
    return prepared


def prepared_column(values: pd.Series | None, column: FeatureColumn, reference_date: str | None,
                    length: int) -> pd.Series | np.ndarray | float:
    """One column as the model reads it (``values`` None: the column is missing)."""
    if values is None:
        return _missing_categories(length) if column.kind == CATEGORY else np.nan
    if column.kind == NUMBER:
        # The sample's fields are counts, seconds and ages: a negative one is an error; an attribute may be < 0.
        return _numbers(values, non_negative=not column.is_attribute)
    if column.kind == FLAG:
        return _flags(values)
    if column.kind == DATE:
        return days_before(values, reference_date)
    categories = _categories(values)
    if column.grouped:
        return categories.where(categories.isin(column.levels) | categories.isna(), OTHER)
    return categories


def days_before(values: pd.Series, reference_date: str | None) -> pd.Series:
    """Dates as the number of days before ``reference_date``; numbers are taken as already counted in days."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").astype(float)
    dates = parsed_dates(values)
    if reference_date is None:
        return pd.Series(np.nan, index=values.index)
    return (pd.Timestamp(reference_date) - dates).dt.days.astype(float)


def parsed_dates(values: pd.Series) -> pd.Series:
    """Dates (ISO text or date objects) as timestamps at midnight; anything unreadable is NaT."""
    text = values.astype("string").str.strip().str.slice(0, 10)
    return pd.to_datetime(text, errors="coerce", format="%Y-%m-%d")


def outcome_values(status: pd.Series) -> pd.Series:
    """Status as 1.0 (converted), 0.0 (not converted) or NaN (open lead: outcome unknown).

    Accepts booleans, 0/1 numbers and yes/no words; anything else is read as unknown rather than guessed.
    """
    if pd.api.types.is_bool_dtype(status.dtype) or pd.api.types.is_numeric_dtype(status.dtype):
        numbers = pd.to_numeric(status, errors="coerce").astype(float)
        return numbers.where(numbers.isin((0.0, 1.0)))
    return _words_to_numbers(status, _OUTCOME_WORDS)


def leads_from_dataset(raw: pd.DataFrame) -> pd.DataFrame:
    """The ExtraaLearn file (``ID``, yes/no media columns) in the lead contract: ``external_id`` and booleans."""
    leads = raw.rename(columns={"ID": LEAD_ID}).copy()
    leads[LEAD_ID] = leads[LEAD_ID].astype(str)
    for column in FLAG_FEATURES:
        if column in leads:
            flags = _flags(leads[column])
            leads[column] = flags.astype(bool) if flags.notna().all() else flags.map({1.0: True, 0.0: False})
    return leads


def _numbers(values: pd.Series, non_negative: bool = True) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    readable = np.isfinite(numbers)
    return numbers.where(readable & (numbers >= 0) if non_negative else readable)


def _flags(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        return numbers.where(numbers.isin((0.0, 1.0)))
    return _words_to_numbers(values, _FLAG_WORDS)


def _words_to_numbers(values: pd.Series, words: dict[str, float]) -> pd.Series:
    """Map booleans and words to numbers; ``True``/``False`` objects stringify to "True"/"False"."""
    lowered = values.astype("string").str.strip().str.lower()
    return pd.Series(lowered.map(words, na_action="ignore").to_numpy(dtype=float, na_value=np.nan), index=values.index)


def _categories(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    return pd.Series(text.to_numpy(dtype=object, na_value=np.nan), index=values.index, dtype=object)


def _missing_categories(length: int) -> np.ndarray:
    return np.full(length, np.nan, dtype=object)
