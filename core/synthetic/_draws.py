"""Small vectorised drawing helpers shared by the customer, lead and response generators.

Every generator draws from its own numpy stream (``stream_for``), so the same seed gives the same
customers whether or not leads are generated alongside them, and no per-row Python loop is needed.
"""
from collections.abc import Sequence

import numpy as np
import pandas as pd

CUSTOMER_STREAM = 1
LEAD_STREAM = 2
RESPONSE_STREAM = 3
OPEN_LEAD_STREAM = 4


def stream_for(seed: int, stream: int) -> np.random.Generator:
    """An independent random stream for one kind of record, reproducible from the seed alone."""
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng([int(seed), stream])


def check_row_count(n: int) -> int:
    if n < 0:
        raise ValueError(f"row count must be zero or positive, got {n}")
    return int(n)


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


def counts(rng: np.random.Generator, mean: np.ndarray, low: int, high: int) -> np.ndarray:
    """Poisson counts around a per-row mean, kept inside the range the real file shows."""
    return np.clip(rng.poisson(np.maximum(mean, 0.05)), low, high).astype(np.int64)


def labelled(labels: Sequence[str], codes: np.ndarray) -> pd.Series:
    """A pandas ``str`` column from category codes; code -1 becomes a missing value."""
    values = np.asarray(list(labels) + [np.nan], dtype=object)
    return pd.Series(values[np.where(codes < 0, len(labels), codes)], dtype="str")


def yes_no(flags: np.ndarray) -> pd.Series:
    return labelled(("No", "Yes"), flags.astype(np.int64))
