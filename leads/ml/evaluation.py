"""How good a lead model is on leads with a known outcome: ranking, calibration and the tiers reps work from.

``evaluate_on`` is the one yardstick: training uses it on the held-out leads, and a challenger trained later is
compared with the champion by calling it on the *same* held-out frame (``TrainingReport.holdout_frame``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from leads.ml.calibration import calibration_bins
from leads.ml.features import OUTCOME, outcome_values
from leads.ml.tiers import DEFAULT_THRESHOLDS, TIERS, TierThresholds, assign_tiers, to_scores


def evaluate_on(
    model: ClassifierMixin, frame: pd.DataFrame, thresholds: TierThresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """Metrics of ``model`` on the leads of ``frame`` whose ``status`` is known (open leads are ignored)."""
    outcomes = outcome_values(frame[OUTCOME])
    known = outcomes.notna().to_numpy()
    if not known.any():
        raise ValueError("no leads with a known outcome to evaluate on")
    probabilities = model.predict_proba(frame.loc[known])[:, 1]
    return outcome_metrics(outcomes.to_numpy()[known].astype(int), probabilities, thresholds)


def outcome_metrics(
    outcomes: np.ndarray, probabilities: np.ndarray, thresholds: TierThresholds = DEFAULT_THRESHOLDS
) -> dict[str, Any]:
    """JSON-ready metrics. ROC and PR AUC are ``None`` when only one outcome is present (they are undefined)."""
    outcomes = np.asarray(outcomes, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    both_outcomes = len(np.unique(outcomes)) == 2
    base_rate = float(outcomes.mean()) if len(outcomes) else float("nan")
    return {
        "leads": int(len(outcomes)),
        "converted": int(outcomes.sum()),
        "conversion_rate": base_rate,
        "roc_auc": float(roc_auc_score(outcomes, probabilities)) if both_outcomes else None,
        "pr_auc": float(average_precision_score(outcomes, probabilities)) if both_outcomes else None,
        "brier": float(brier_score_loss(outcomes, probabilities)),
        "brier_base_rate": float(np.mean((outcomes - base_rate) ** 2)),
        "log_loss": float(log_loss(outcomes, np.clip(probabilities, 1e-6, 1 - 1e-6), labels=[0, 1])),
        "tiers": tier_metrics(outcomes, to_scores(probabilities), thresholds),
        "calibration": calibration_bins(outcomes, probabilities),
    }


def tier_metrics(outcomes: np.ndarray, scores: np.ndarray, thresholds: TierThresholds) -> dict[str, dict[str, Any]]:
    """Per tier: its leads, precision (share of them that converted) and recall (share of all converters in it)."""
    tiers = assign_tiers(scores, thresholds)
    converters = max(int(outcomes.sum()), 1)
    metrics = {}
    for tier in TIERS:
        members = tiers == tier
        count = int(members.sum())
        converted = int(outcomes[members].sum())
        metrics[tier] = {
            "leads": count,
            "precision": converted / count if count else None,
            "recall": converted / converters,
        }
    return metrics
