"""Small vectorised drawing helpers shared by the customer, lead and response generators.

Every generator draws from its own numpy stream (``stream_for``), so the same seed gives the same
customers whether or not leads are generated alongside them, and no per-row Python loop is needed.
"""
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

CUSTOMER_STREAM = 1
LEAD_STREAM = 2
RESPONSE_STREAM = 3
OPEN_LEAD_STREAM = 4
FOREIGN_LEAD_STREAM = 5
FOREIGN_CUSTOMER_STREAM = 6
FOREIGN_OPEN_LEAD_STREAM = 7
EXTRA_LEAD_STREAM = 8
EXTRA_CUSTOMER_STREAM = 9


def stream_for(seed: int, stream: int) -> np.random.Generator:
    """An independent random stream for one kind of record, reproducible from the seed alone."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng([int(seed), stream])


def check_row_count(n: int) -> int:
    if n < 0:
        raise ValueError(f"row count must be zero or positive, got {n}")
    return int(n)


def check_open_share(open_share: float) -> float:
    if not 0.0 <= open_share <= 1.0:
        raise ValueError(f"open_share must be between 0 and 1, got {open_share}")
    return float(open_share)


def logistic(score: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-score))


def happens(rng: np.random.Generator, probability: np.ndarray | float, n: int) -> np.ndarray:
    """0/1 outcomes, one per row, each with its own probability."""
    return (rng.random(n) < probability).astype(np.int64)


def pick(rng: np.random.Generator, shares: Sequence[float], n: int) -> np.ndarray:
    """Category codes 0..k-1 drawn with the given shares (normalised, so rounded shares are fine)."""
    weights = np.asarray(shares, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def pick_within(rng: np.random.Generator, shares_by_group: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Category codes where each row's shares depend on its group (row ``g`` of ``shares_by_group``)."""
    shares = np.asarray(shares_by_group, dtype=float)
    cumulative = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random(len(group))
    codes = (draws[:, None] >= cumulative[group]).sum(axis=1)
    return np.minimum(codes, shares.shape[1] - 1)


def blanked(rng: np.random.Generator, codes: np.ndarray, share: np.ndarray | float) -> np.ndarray:
    """Category codes with about ``share`` of them (a number, or one per row) emptied to code -1."""
    return np.where(rng.random(len(codes)) < share, -1, codes)


def counts(rng: np.random.Generator, mean: np.ndarray, low: int, high: int) -> np.ndarray:
    """Poisson counts around a per-row mean, kept inside the range the real file shows."""
    return np.clip(rng.poisson(np.maximum(mean, 0.05)), low, high).astype(np.int64)


def labelled(labels: Sequence[str], codes: np.ndarray) -> pd.Series:
    """A pandas ``str`` column from category codes; code -1 becomes a missing value.

    Arrow decodes the codes (a dictionary array), five times faster than indexing an array of Python strings.
    """
    codes = np.asarray(codes, dtype=np.int64)
    dictionary = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(list(labels), pa.string()))
    return pd.Series(dictionary.cast(pa.large_string()).to_pandas(), dtype="str")


def fixed_width_text(characters: np.ndarray) -> pd.Series:
    """A pandas ``str`` column from an (n, width) array of ASCII codes, one row per value.

    Hands the bytes to Arrow as they are (a Python string per row would take a second per million).
    """
    n, width = characters.shape
    offsets = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(np.ascontiguousarray(characters))])
    return pd.Series(text.to_pandas(), dtype="str")


def yes_no(flags: np.ndarray) -> pd.Series:
    return labelled(("No", "Yes"), flags.astype(np.int64))


def hide_outcomes(
    outcomes: np.ndarray, open_share: float, rng: np.random.Generator
) -> np.ndarray | pd.arrays.IntegerArray:
    """Blank a random ``open_share`` of 0/1 outcomes (plain integers when none are open).

    ``rng`` should be a stream of its own, so every other value of a lead is the same whatever
    ``open_share`` is: the same seed describes the same leads, only some outcomes are hidden.
    """
    open_count = int(round(open_share * len(outcomes)))
    if open_count == 0:
        return outcomes
    shown = pd.array(outcomes, dtype="Int64")
    shown[rng.choice(len(outcomes), size=open_count, replace=False)] = pd.NA
    return shown
