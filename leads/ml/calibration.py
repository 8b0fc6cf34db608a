"""Calibrated probabilities, so that a score of 80 means about 80 % of such leads convert.

Sigmoid (Platt) calibration is used for every algorithm, fitted on out-of-fold predictions of the training part
(``ensemble=False``: one pipeline refitted on all training rows plus one calibrator). Why sigmoid rather than
isotonic: it is monotone and smooth, so it never reorders leads or collapses them into ties (isotonic regression
on ~3,000 leads yields only a few dozen distinct scores), it needs far less data to be stable, and it keeps a
logistic model's logit exactly linear, which is what makes its explanations exact.
"""
from __future__ import annotations

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

CALIBRATION_METHOD = "sigmoid"


def calibrated(pipeline: Pipeline, folds: int, seed: int) -> CalibratedClassifierCV:
    """An unfitted calibrated wrapper around ``pipeline``; fitting it fits the pipeline too."""
    return CalibratedClassifierCV(
        pipeline,
        method=CALIBRATION_METHOD,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed),
        ensemble=False,
    )


def calibration_logit_map(model: CalibratedClassifierCV) -> tuple[float, float]:
    """``(slope, intercept)`` with calibrated logit = slope × raw decision value + intercept."""
    calibrator = model.calibrated_classifiers_[0].calibrators[0]
    return -float(calibrator.a_), -float(calibrator.b_)


def calibration_bins(outcomes: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Calibration curve: for each non-empty probability band of width 1/bins, mean predicted vs observed rate."""
    outcomes = np.asarray(outcomes, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    band = np.minimum((probabilities * bins).astype(int), bins - 1)
    curve = []
    for index in np.unique(band).tolist():
        members = band == index
        curve.append({
            "from": round(index / bins, 4),
            "to": round((index + 1) / bins, 4),
            "leads": int(members.sum()),
            "mean_predicted": float(probabilities[members].mean()),
            "observed": float(outcomes[members].mean()),
        })
    return curve
