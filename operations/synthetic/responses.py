"""Synthetic campaign responses shaped like the personalisation case-study file (Data.csv).

Segment A customers are mostly recently active and more often showed prior interest; segment C, the
largest, is the least engaged. Purchase depends on prior interest (strongest), recency and segment,
peaks for customers in their thirties, and is rare (about 1 %) for the ~0.5 % of rows whose segment
and recency are unknown, as in the real file. Overall purchase rate is about 30 %.
"""
import numpy as np
import pandas as pd

from ._draws import RESPONSE_STREAM, check_row_count, happens, labelled, logistic, pick, pick_within, stream_for

RESPONSE_COLUMNS = ("CustomerID", "Age", "Segment", "Recency", "PriorInterest", "DidPurchase")

SEGMENTS = ("A", "B", "C")
SEGMENT_SHARES = (0.2112, 0.2007, 0.5881)
UNKNOWN_SEGMENT_SHARE = 0.00493

RECENCY_LEVELS = ("Active", "Dormant", "Inactive")
RECENCY_BY_SEGMENT = np.array([
    [0.845, 0.058, 0.097],
    [0.616, 0.157, 0.227],
    [0.433, 0.306, 0.261],
])

AGE_RANGE = (18, 75)

# Log-odds tables, rows/columns in SEGMENTS / RECENCY_LEVELS order. Baselines found by simulation so that
# prior interest is about 9.2 % and purchases about 30 %, as in the real file.
PRIOR_INTEREST_BASELINE = -1.31
PRIOR_INTEREST_SEGMENT = np.array([0.0, -0.75, -1.0])
PRIOR_INTEREST_RECENCY = np.array([0.0, -1.55, -0.85])
PURCHASE_BASELINE = -0.51
PURCHASE_SEGMENT = np.array([0.6, 0.2, 0.0])
PURCHASE_RECENCY = np.array([0.0, -1.3, -0.8])
PURCHASE_PRIOR_INTEREST = 1.95
PURCHASE_WHEN_UNKNOWN = 0.01


def generate_responses(n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic response records with exactly the real file's columns and value formats."""
    n = check_row_count(n)
    rng = stream_for(seed, RESPONSE_STREAM)
    age = _ages(rng, n)
    segment = pick(rng, SEGMENT_SHARES, n)
    recency = pick_within(rng, RECENCY_BY_SEGMENT, segment)
    unknown = rng.random(n) < UNKNOWN_SEGMENT_SHARE
    prior_interest = happens(rng, _prior_interest_chance(segment, recency, unknown), n)
    purchase_chance = np.where(
        unknown, PURCHASE_WHEN_UNKNOWN, logistic(_purchase_score(age, segment, recency, prior_interest))
    )
    return pd.DataFrame({
        "CustomerID": np.arange(1, n + 1, dtype=np.int64),
        "Age": age,
        "Segment": labelled(SEGMENTS, np.where(unknown, -1, segment)),
        "Recency": labelled(RECENCY_LEVELS, np.where(unknown, -1, recency)),
        "PriorInterest": prior_interest,
        "DidPurchase": happens(rng, purchase_chance, n),
    }, copy=False)


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Right-skewed adult ages (real: mean 38.8, median 36, 18-75)."""
    age = AGE_RANGE[0] + rng.gamma(2.2, 9.4, n)
    return np.rint(np.clip(age, *AGE_RANGE)).astype(np.int64)


def _prior_interest_chance(segment: np.ndarray, recency: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    score = PRIOR_INTEREST_BASELINE + PRIOR_INTEREST_SEGMENT[segment] + PRIOR_INTEREST_RECENCY[recency]
    return np.where(unknown, logistic(PRIOR_INTEREST_BASELINE - 1.0), logistic(score))


def _purchase_score(age: np.ndarray, segment: np.ndarray, recency: np.ndarray, prior_interest: np.ndarray):
    """Log-odds of buying; the age term is an inverted U peaking in the mid-thirties."""
    age_term = -1.1 * ((age - 38.0) / 22.0) ** 2
    return (
        PURCHASE_BASELINE + PURCHASE_SEGMENT[segment] + PURCHASE_RECENCY[recency]
        + PURCHASE_PRIOR_INTEREST * prior_interest + age_term
    )
