"""Choosing each algorithm's settings and the champion, by stratified cross-validation on the training part only.

Each algorithm gets a small grid (``TUNING_GRIDS``); the setting with the best mean ROC AUC over the folds wins, and
its fold scores are the candidate's CV figures. The folds are the same for every algorithm, so their means compare
like with like. The champion is the best CV ROC AUC, except that a near-tie (within ``tie_margin``) goes to the
simpler algorithm in ``ALGORITHMS`` order — the held-out leads are never used to choose.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from leads.ml.features import DEFAULT_SPEC, FeatureSpec
from leads.ml.pipeline import ALGORITHMS, TUNING_GRIDS, build_lead_pipeline


@dataclass(frozen=True)
class TunedCandidate:
    algorithm: str
    params: dict[str, Any]
    cv_roc_auc: tuple[float, ...]

    @property
    def cv_mean(self) -> float:
        return float(np.mean(self.cv_roc_auc))

    @property
    def cv_std(self) -> float:
        return float(np.std(self.cv_roc_auc))


def tune(algorithm: str, features: pd.DataFrame, outcomes: np.ndarray, folds: int, seed: int,
         spec: FeatureSpec = DEFAULT_SPEC) -> TunedCandidate:
    """The best setting of ``algorithm`` (reading the columns of ``spec``) from its grid, with that setting's ROC AUC
    on each fold."""
    grid = {f"model__{name}": values for name, values in TUNING_GRIDS[algorithm].items()}
    search = GridSearchCV(
        build_lead_pipeline(algorithm, seed=seed, spec=spec), grid, scoring="roc_auc", n_jobs=1, refit=False,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed), error_score="raise",
    )
    search.fit(features, outcomes)
    best = int(search.best_index_)
    fold_scores = tuple(float(search.cv_results_[f"split{fold}_test_score"][best]) for fold in range(folds))
    params = {name.removeprefix("model__"): _plain(value) for name, value in search.best_params_.items()}
    return TunedCandidate(algorithm, params, fold_scores)


def choose_champion(candidates: list[TunedCandidate], tie_margin: float) -> tuple[TunedCandidate, str]:
    """The champion and, in words, why it was chosen."""
    best = max(candidates, key=lambda candidate: candidate.cv_mean)
    near = [candidate for candidate in candidates if candidate.cv_mean >= best.cv_mean - tie_margin]
    champion = min(near, key=lambda candidate: ALGORITHMS.index(candidate.algorithm))
    ranking = ", ".join(
        f"{c.algorithm} {c.cv_mean:.4f} ± {c.cv_std:.4f}"
        for c in sorted(candidates, key=lambda candidate: -candidate.cv_mean)
    )
    reason = f"{champion.algorithm} chosen on cross-validated ROC AUC ({ranking})"
    if champion is not best:
        reason += (f"; it is within {tie_margin} of the best ({best.algorithm}), so the simpler model is preferred"
                   f" (simplest first: {', '.join(ALGORITHMS)})")
    return champion, reason


def _plain(value: Any) -> Any:
    """numpy scalars as plain Python values, so params are JSON-serialisable."""
    return value.item() if isinstance(value, np.generic) else value
