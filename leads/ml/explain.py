"""Why a lead scores what it does: each raw feature's contribution, in score points, against the typical lead.

The typical lead (``training_baseline``) has the training median of every number and the most frequent flag and
category. Two methods, both vectorised over a batch of leads (cost grows with the number of features, not leads):

* **Logistic regression — exact.** Its calibrated logit is a sum over raw features, so a feature's share is
  ``coef × (encoded value − encoded typical value)`` summed over that feature's encoded columns, times the
  calibration slope. Logit shares are turned into points with one factor per lead, the secant of the score curve
  ``(score − typical score) / (logit − typical logit)``, hence *typical score + sum of contributions = score*
  exactly (before rounding).
* **Tree models — ablation.** A feature's contribution is the lead's score minus its score with that one feature
  set to the typical value (one prediction over the whole batch per feature). It is exactly what the model does
  when that one field changes, but trees interact, so the contributions need not add up to
  *score − typical score*; the remainder is the part owed to features acting together.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from leads.ml.calibration import calibration_logit_map
from leads.ml.features import prepare_lead_features
from leads.ml.pipeline import (encode_leads, encoded_feature_owners, feature_spec_of, fitted_pipeline,
                               probabilities_from_encoded, training_baseline)

EXACT_LINEAR = "exact_linear"
ABLATION = "ablation"


@dataclass(frozen=True)
class Contributions:
    """Per-lead, per-feature contributions in score points (columns in the order of the model's feature spec)."""

    method: str
    typical_score: float
    points: np.ndarray


def explanation_method(model: ClassifierMixin) -> str:
    """``EXACT_LINEAR`` for a (sigmoid-calibrated) logistic regression, ``ABLATION`` otherwise."""
    is_linear = isinstance(fitted_pipeline(model).named_steps["model"], LogisticRegression)
    sigmoid = not isinstance(model, CalibratedClassifierCV) or model.method == "sigmoid"
    return EXACT_LINEAR if is_linear and sigmoid else ABLATION


def typical_score(model: ClassifierMixin) -> float:
    """Score (0-100, unrounded) of the typical lead."""
    return float(model.predict_proba(training_baseline(model))[0, 1] * 100.0)


def contributions(
    model: ClassifierMixin, leads: pd.DataFrame, probabilities: np.ndarray | None = None
) -> Contributions:
    """Contributions for every lead of ``leads``; ``probabilities`` (the model's, if already computed) saves a pass."""
    prepared = prepare_lead_features(leads, feature_spec_of(model))
    if explanation_method(model) == EXACT_LINEAR:
        return _exact_linear(model, prepared)
    if probabilities is None:
        probabilities = model.predict_proba(prepared)[:, 1]
    return _ablation(model, prepared, np.asarray(probabilities, dtype=float))


def _exact_linear(model: ClassifierMixin, prepared: pd.DataFrame) -> Contributions:
    estimator = fitted_pipeline(model).named_steps["model"]
    slope, intercept = calibration_logit_map(model) if isinstance(model, CalibratedClassifierCV) else (1.0, 0.0)
    typical_encoded = encode_leads(model, training_baseline(model))
    shifted = (encode_leads(model, prepared) - typical_encoded) * (estimator.coef_[0] * slope)
    logit_shares = shifted @ _owner_matrix(model)
    typical_logit = slope * float(estimator.decision_function(typical_encoded)[0]) + intercept
    return Contributions(EXACT_LINEAR, float(expit(typical_logit) * 100.0),
                         logit_shares * _points_per_logit(logit_shares.sum(axis=1), typical_logit)[:, None])


def _points_per_logit(logit_change: np.ndarray, typical_logit: float) -> np.ndarray:
    """Secant slope of 100·sigmoid between the typical lead and each lead (its derivative when they coincide)."""
    typical_probability = expit(typical_logit)
    change = 100.0 * (expit(typical_logit + logit_change) - typical_probability)
    tiny = np.abs(logit_change) < 1e-9
    derivative = 100.0 * typical_probability * (1.0 - typical_probability)
    return np.where(tiny, derivative, change / np.where(tiny, 1.0, logit_change))


def _owner_matrix(model: ClassifierMixin) -> np.ndarray:
    owners = encoded_feature_owners(model)
    matrix = np.zeros((len(owners), len(feature_spec_of(model).names)))
    matrix[np.arange(len(owners)), owners] = 1.0
    return matrix


def _ablation(model: ClassifierMixin, prepared: pd.DataFrame, probabilities: np.ndarray) -> Contributions:
    """Encode once, then swap in the typical lead's encoded columns for one raw feature at a time.

    Same result as re-scoring a copy with that raw field set to its typical value (each encoded column depends on
    one raw feature only), without re-encoding the batch for every feature.
    """
    encoded = encode_leads(model, prepared)
    typical = encode_leads(model, training_baseline(model))[0]
    owners = encoded_feature_owners(model)
    features = len(feature_spec_of(model).names)
    points = np.empty((len(prepared), features))
    for position in range(features):
        columns = np.flatnonzero(owners == position)
        kept = encoded[:, columns].copy()
        encoded[:, columns] = typical[columns]
        points[:, position] = (probabilities - probabilities_from_encoded(model, encoded)) * 100.0
        encoded[:, columns] = kept
    return Contributions(ABLATION, typical_score(model), points)
