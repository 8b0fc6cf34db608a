"""The 0-100 score and the sales queue's hot, warm and cold tiers, cut at configurable thresholds.

Scores are calibrated, so the defaults read directly: a hot lead converts about 70 % of the time or more, a warm
one at least 40 % — comfortably above the ~30 % conversion of an average lead; everything below is cold.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOT = "hot"
WARM = "warm"
COLD = "cold"
TIERS = (HOT, WARM, COLD)


@dataclass(frozen=True)
class TierThresholds:
    """Lowest score (0-100, inclusive) of a hot and of a warm lead."""

    hot: float = 70.0
    warm: float = 40.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.warm <= self.hot <= 100.0:
            raise ValueError(f"tier thresholds need 0 <= warm <= hot <= 100, got warm={self.warm}, hot={self.hot}")

    def as_dict(self) -> dict[str, float]:
        return {HOT: float(self.hot), WARM: float(self.warm)}


DEFAULT_THRESHOLDS = TierThresholds()


def to_scores(probabilities: np.ndarray) -> np.ndarray:
    """Conversion probabilities as 0-100 scores with one decimal."""
    return np.round(np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0) * 100.0, 1)


def assign_tiers(scores: np.ndarray, thresholds: TierThresholds = DEFAULT_THRESHOLDS) -> np.ndarray:
    """The tier of each score (vectorised); a score exactly on a threshold belongs to the higher tier."""
    scores = np.asarray(scores, dtype=float)
    return np.select([scores >= thresholds.hot, scores >= thresholds.warm], [HOT, WARM], default=COLD).astype(object)
