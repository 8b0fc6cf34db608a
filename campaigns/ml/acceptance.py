"""P(accept | customer, offer): a customer's propensity scaled by the offer type's smoothed appeal to the persona.

The definition and its rationale are in the ``campaigns.ml.propensity`` module docstring:
``P = clip(base x smoothed(persona, offer type) / overall rate, 0, 1)``, ratio 1 without recorded responses,
and the smoothed rate itself when the base propensity is missing.
"""
import numpy as np
import pandas as pd

from campaigns.ml.smoothing import AcceptanceRates

BASE_COLUMN = "base_propensity"


def offer_type_ratio(candidates: pd.DataFrame, rates: AcceptanceRates | None,
                     exploration_seed: int | None = None) -> np.ndarray:
    """Smoothed group rate / overall rate per candidate row; 1 with nothing recorded (or nobody ever accepting)."""
    if rates is None or rates.overall_rate == 0:
        return np.ones(len(candidates))
    return rates.smoothed_rate_for(candidates, exploration_seed) / rates.overall_rate


def acceptance_probability(candidates: pd.DataFrame, rates: AcceptanceRates | None = None,
                           exploration_seed: int | None = None) -> np.ndarray:
    """One probability per (customer, offer) row of ``candidates``.

    ``candidates`` needs a ``base_propensity`` column (NaN allowed) and the group columns of ``rates``
    (by default ``persona`` and ``offer_type``). Exploration (Thompson draws) is off unless a seed is given.
    """
    base = candidates[BASE_COLUMN].to_numpy(dtype=float)
    missing_base = np.isnan(base)
    if missing_base.any() and rates is None:
        raise ValueError("some candidates have no base propensity and no recorded responses to fall back on")
    probability = base * offer_type_ratio(candidates, rates, exploration_seed)
    if missing_base.any():
        fallback = rates.smoothed_rate_for(candidates, exploration_seed)
        probability = np.where(missing_base, fallback, probability)
    return np.clip(probability, 0.0, 1.0)
