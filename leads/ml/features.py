"""Lead features: which columns the scoring model reads, how raw values are tidied, and their names in words.

The model reads an allow-list of columns (``FEATURES``), never ``external_id`` or ``status``, so an identifier can
not leak the outcome. ``prepare_lead_features`` is the first step of every lead pipeline: values arriving from the
database, a CSV or an API (booleans as ``True``/``"Yes"``/``1``, numbers as text, empty strings, missing columns)
become one tidy frame, and anything unreadable becomes a missing value that the pipeline's imputers fill.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

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


def prepare_lead_features(leads: pd.DataFrame) -> pd.DataFrame:
    """The model's input: the ``FEATURES`` columns in a fixed order, numbers and flags as floats, categories as text.

    Missing columns and unreadable values (text in a number, a negative count or age) become NaN, never an
    exception, so a partial record still gets a score.
    """
    prepared = pd.DataFrame(index=leads.index)
    for column in NUMERIC_FEATURES:
        prepared[column] = _numbers(leads[column]) if column in leads else np.nan
    for column in FLAG_FEATURES:
        prepared[column] = _flags(leads[column]) if column in leads else np.nan
    for column in CATEGORY_FEATURES:
        prepared[column] = _categories(leads[column]) if column in leads else _missing_categories(len(leads))
    return prepared


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


def _numbers(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers) & (numbers >= 0))


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
