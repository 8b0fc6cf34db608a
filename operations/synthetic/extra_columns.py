"""Extra typed columns appended to a generated file: the custom attributes of the import benchmark.

Column ``i`` (from 1) is named ``extra_<i>_<kind>`` and its kind cycles through EXTRA_KINDS, so ten columns
hold two of each: whole numbers, decimals (two places), categories, yes/no booleans and ISO dates. About 1 %
of each column's cells are empty. The values are noise (no signal) from a stream of their own, so appending
them leaves every other column of the file exactly as it is without them.
"""
import numpy as np
import pandas as pd

from ._draws import blanked, labelled, pick

EXTRA_KINDS = ("number", "decimal", "category", "boolean", "date")
EXTRA_CATEGORIES = ("North", "South", "East", "West", "Central", "Overseas")
EXTRA_CATEGORY_SHARES = (0.3, 0.25, 0.2, 0.15, 0.08, 0.02)
EXTRA_BOOLEANS = ("no", "yes")
EXTRA_MISSING_SHARE = 0.01
FIRST_EXTRA_DATE = np.datetime64("2020-01-01")
LAST_EXTRA_DATE = np.datetime64("2025-12-31")


def extra_column_names(count: int) -> tuple[str, ...]:
    if count < 0:
        raise ValueError(f"extra column count must be zero or positive, got {count}")
    return tuple(f"extra_{i}_{EXTRA_KINDS[(i - 1) % len(EXTRA_KINDS)]}" for i in range(1, count + 1))


def with_extra_columns(frame: pd.DataFrame, count: int, rng: np.random.Generator) -> pd.DataFrame:
    """``frame`` with ``count`` extra columns appended (the same frame when ``count`` is 0)."""
    names = extra_column_names(count)
    if not names:
        return frame
    n = len(frame)
    extra = {name: _DRAW[name.rsplit("_", 1)[1]](rng, n) for name in names}
    return pd.concat([frame, pd.DataFrame(extra, index=frame.index, copy=False)], axis=1)


def _numbers(rng: np.random.Generator, n: int) -> pd.arrays.IntegerArray:
    values = pd.array(rng.integers(0, 5_000, n), dtype="Int64")
    values[rng.random(n) < EXTRA_MISSING_SHARE] = pd.NA
    return values


def _decimals(rng: np.random.Generator, n: int) -> np.ndarray:
    # Below 1,000 so that any float format ("%g" included) writes them with their two decimals.
    values = np.round(rng.uniform(0.0, 999.99, n), 2)
    return np.where(rng.random(n) < EXTRA_MISSING_SHARE, np.nan, values)


def _categories(rng: np.random.Generator, n: int) -> pd.Series:
    return labelled(EXTRA_CATEGORIES, blanked(rng, pick(rng, EXTRA_CATEGORY_SHARES, n), EXTRA_MISSING_SHARE))


def _booleans(rng: np.random.Generator, n: int) -> pd.Series:
    return labelled(EXTRA_BOOLEANS, blanked(rng, rng.integers(0, 2, n), EXTRA_MISSING_SHARE))


def _dates(rng: np.random.Generator, n: int) -> pd.Series:
    days = int((LAST_EXTRA_DATE - FIRST_EXTRA_DATE).astype(int)) + 1
    labels = tuple(pd.date_range(str(FIRST_EXTRA_DATE), periods=days, freq="D").strftime("%Y-%m-%d"))
    return labelled(labels, blanked(rng, rng.integers(0, days, n), EXTRA_MISSING_SHARE))


_DRAW = {"number": _numbers, "decimal": _decimals, "category": _categories, "boolean": _booleans, "date": _dates}
