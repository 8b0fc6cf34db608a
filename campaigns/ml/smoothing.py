"""Acceptance rates per (segment or persona, offer type), Beta-smoothed so thin cells stay near the overall rate.

A cell's smoothed rate is the mean of its Beta posterior under a Beta(m * r, m * (1 - r)) prior, where r is the
overall (prior) rate and m the prior strength measured in "contacts' worth" of evidence:

    smoothed = (accepted + m * r) / (contacted + m)

With no contacts a cell gets r exactly; with contacts >> m it gets its observed rate.
"""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_PRIOR_STRENGTH = 20.0
MISSING_GROUP = "(missing)"
SMALLEST_BETA_PARAMETER = 1e-3


def check_counts(accepted: np.ndarray, contacted: np.ndarray, prior_strength: float) -> None:
    if prior_strength <= 0:
        raise ValueError(f"prior_strength must be positive, got {prior_strength}")
    if np.any(accepted < 0) or np.any(accepted > contacted):
        raise ValueError("accepted counts must lie between 0 and the contacted counts")


def smoothed_acceptance_rate(accepted: Sequence[float] | np.ndarray, contacted: Sequence[float] | np.ndarray,
                             prior_rate: float | None = None,
                             prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> np.ndarray:
    """Posterior-mean acceptance rate per cell. ``prior_rate`` defaults to the pooled rate of all cells."""
    accepted, contacted = np.asarray(accepted, dtype=float), np.asarray(contacted, dtype=float)
    check_counts(accepted, contacted, prior_strength)
    if prior_rate is None:
        if contacted.sum() == 0:
            raise ValueError("no contacts recorded: pass prior_rate explicitly")
        prior_rate = accepted.sum() / contacted.sum()
    return (accepted + prior_strength * prior_rate) / (contacted + prior_strength)


def thompson_draws(accepted: Sequence[float] | np.ndarray, contacted: Sequence[float] | np.ndarray,
                   prior_rate: float, prior_strength: float = DEFAULT_PRIOR_STRENGTH,
                   seed: int = 0) -> np.ndarray:
    """One draw per cell from its Beta posterior (Thompson sampling). The same seed gives the same draws.

    A prior rate of exactly 0 or 1 would make the Beta degenerate, so both shape parameters are kept above 1e-3.
    """
    accepted, contacted = np.asarray(accepted, dtype=float), np.asarray(contacted, dtype=float)
    check_counts(accepted, contacted, prior_strength)
    alpha = np.maximum(prior_strength * prior_rate + accepted, SMALLEST_BETA_PARAMETER)
    beta = np.maximum(prior_strength * (1 - prior_rate) + contacted - accepted, SMALLEST_BETA_PARAMETER)
    return np.random.default_rng(seed).beta(alpha, beta)


def group_keys(frame: pd.DataFrame, by: Sequence[str]) -> pd.MultiIndex:
    """Group labels as text, with a missing value as its own "(missing)" group."""
    labels = frame[list(by)].astype(object).where(frame[list(by)].notna(), MISSING_GROUP).astype(str)
    return pd.MultiIndex.from_frame(labels)


@dataclass(frozen=True, eq=False)
class AcceptanceRates:
    """Counts and smoothed rates per group (indexed by ``group_keys``) plus the overall rate they shrink to."""

    by: tuple[str, ...]
    table: pd.DataFrame
    overall_rate: float
    prior_strength: float

    def smoothed_rate_for(self, frame: pd.DataFrame, exploration_seed: int | None = None) -> np.ndarray:
        """Each row's group rate; groups never recorded get the overall rate.

        With ``exploration_seed`` the rate is a seeded Thompson draw instead of the posterior mean.
        """
        rates = self.table["smoothed_rate"]
        if exploration_seed is not None:
            draws = thompson_draws(self.table["accepted"], self.table["contacted"], self.overall_rate,
                                   self.prior_strength, exploration_seed)
            rates = pd.Series(draws, index=self.table.index)
        looked_up = rates.reindex(group_keys(frame, self.by)).to_numpy(dtype=float)
        return np.where(np.isnan(looked_up), self.overall_rate, looked_up)


def acceptance_rates(responses: pd.DataFrame, by: Sequence[str] = ("persona", "offer_type"),
                     accepted_column: str = "accepted",
                     prior_strength: float = DEFAULT_PRIOR_STRENGTH) -> AcceptanceRates:
    """Smoothed acceptance rate per group from one row per recorded contact (``accepted`` true/false)."""
    if responses.empty:
        raise ValueError("no responses recorded: without them every offer-type ratio is 1")
    accepted = responses[accepted_column].astype(bool).to_numpy()
    counts = pd.DataFrame({"accepted": accepted, "contacted": 1}, index=group_keys(responses, by))
    table = counts.groupby(level=list(range(len(by)))).sum()
    overall_rate = float(accepted.mean())
    table["smoothed_rate"] = smoothed_acceptance_rate(table["accepted"], table["contacted"], overall_rate,
                                                      prior_strength)
    return AcceptanceRates(tuple(by), table, overall_rate, float(prior_strength))
