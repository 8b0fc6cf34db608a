"""Score leads 0-100, put them in tiers and, where asked, explain the score in words.

Scoring is vectorised and runs chunk by chunk, so memory stays flat on a million leads. Explanations cost one
batch prediction per feature, so bulk runs score everything (``explain=False``) and explain only where a rep will
read it: ``explain_top=N`` explains the N highest-scored leads, ``explain=True`` explains every lead.
"""
from __future__ import annotations

from dataclasses import dataclass
import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin

from leads.ml.explain import contributions, explanation_method, typical_score
from leads.ml.factors import TOP_FACTORS, top_factors
from leads.ml.features import FeatureSpec, prepare_lead_features
from leads.ml.pipeline import feature_spec_of
from leads.ml.tiers import DEFAULT_THRESHOLDS, TierThresholds, assign_tiers, to_scores

CHUNK_SIZE = 100_000


@dataclass(frozen=True)
class LeadExplanations:
    """Contributions (score points, in ``spec`` order) of the explained leads, at batch ``positions`` (ascending).

    ``values`` holds each feature's prepared values for the same leads (what the words describe).
    """

    spec: FeatureSpec
    method: str
    typical_score: float
    positions: np.ndarray
    points: np.ndarray
    values: dict[str, np.ndarray]

    def row_of(self, position: int) -> int:
        row = int(np.searchsorted(self.positions, position))
        if row >= len(self.positions) or self.positions[row] != position:
            raise KeyError(f"lead at position {position} was scored but not explained")
        return row


@dataclass(frozen=True)
class ScoreBatch:
    """Scores (0-100, one decimal), calibrated probabilities and tiers, aligned with the scored frame's rows."""

    index: pd.Index
    probabilities: np.ndarray
    scores: np.ndarray
    tiers: np.ndarray
    thresholds: TierThresholds
    explanations: LeadExplanations | None = None

    def __len__(self) -> int:
        return len(self.scores)

    @property
    def explained_positions(self) -> np.ndarray:
        return self.explanations.positions if self.explanations else np.empty(0, dtype=int)

    def factors(self, position: int, limit: int = TOP_FACTORS) -> dict[str, list[str]]:
        """Top factors up and down, in words, for the lead at ``position`` (it must have been explained)."""
        explanations = self._explanations()
        row = explanations.row_of(position)
        values = {feature: column[row] for feature, column in explanations.values.items()}
        return top_factors(values, explanations.points[row], limit, explanations.spec)

    def contributions(self, position: int) -> dict[str, float]:
        """Every feature's contribution in score points for the lead at ``position``."""
        explanations = self._explanations()
        row = explanations.row_of(position)
        return {feature: float(points) for feature, points in zip(explanations.spec.names, explanations.points[row])}

    def to_frame(self) -> pd.DataFrame:
        """One row per lead (the scored frame's index): score, tier and conversion probability."""
        return pd.DataFrame(
            {"score": self.scores, "tier": self.tiers, "probability": self.probabilities}, index=self.index
        )

    def _explanations(self) -> LeadExplanations:
        if self.explanations is None:
            raise KeyError("this batch was scored without explanations: pass explain=True or explain_top=N")
        return self.explanations


def score_leads(
    model: ClassifierMixin,
    leads: pd.DataFrame,
    *,
    thresholds: TierThresholds = DEFAULT_THRESHOLDS,
    explain: bool = False,
    explain_top: int | None = None,
    explain_also: np.ndarray | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ScoreBatch:
    """Score every lead of ``leads``; explain all of them (``explain``) or the ``explain_top`` highest scored,
    plus the leads at positions ``explain_also`` (e.g. those in a rep's queue).

    Never raises on odd values: a missing or unreadable value is filled with the typical lead's value, and a category
    never seen in training matches none of the known categories.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    probabilities = _probabilities(model, leads, chunk_size)
    scores = to_scores(probabilities)
    positions = _positions_to_explain(probabilities, explain, explain_top)
    if explain_also is not None and len(explain_also) and not explain:
        also = np.asarray(explain_also, dtype=int)
        positions = np.union1d(positions if positions is not None else np.empty(0, dtype=int), also)
    explanations = _explain(model, leads, positions, probabilities, chunk_size) if positions is not None else None
    return ScoreBatch(leads.index, probabilities, scores, assign_tiers(scores, thresholds), thresholds, explanations)


def _probabilities(model: ClassifierMixin, leads: pd.DataFrame, chunk_size: int) -> np.ndarray:
    probabilities = np.empty(len(leads))
    for start in range(0, len(leads), chunk_size):
        chunk = leads.iloc[start:start + chunk_size]
        probabilities[start:start + len(chunk)] = model.predict_proba(chunk)[:, 1]
    return probabilities


def _positions_to_explain(probabilities: np.ndarray, explain: bool, explain_top: int | None) -> np.ndarray | None:
    if explain:
        return np.arange(len(probabilities))
    if explain_top is None:
        return None
    return best_scored(probabilities, explain_top)


def best_scored(probabilities: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` highest probabilities (ties: the earlier position first), ascending."""
    if count < 0:
        raise ValueError("explain_top must not be negative")
    highest_first = np.argsort(-probabilities, kind="stable")
    return np.sort(highest_first[:count])


def _explain(
    model: ClassifierMixin, leads: pd.DataFrame, positions: np.ndarray, probabilities: np.ndarray, chunk_size: int
) -> LeadExplanations:
    spec = feature_spec_of(model)
    points = np.empty((len(positions), len(spec.names)))
    values = []
    for start in range(0, len(positions), chunk_size):
        chosen = positions[start:start + chunk_size]
        prepared = prepare_lead_features(leads.iloc[chosen], spec)
        points[start:start + len(chosen)] = contributions(model, prepared, probabilities[chosen]).points
        values.append(prepared)
    frame = pd.concat(values) if values else prepare_lead_features(leads.iloc[:0], spec)
    columns = {feature: frame[feature].to_numpy() for feature in spec.names}
    return LeadExplanations(spec, explanation_method(model), typical_score(model), positions, points, columns)
