"""Train the lead-scoring model: tune each candidate, pick a champion, calibrate it and report honestly.

Only leads with a known outcome train (an open lead's status is unknown, never "not converted"). A stratified,
seeded held-out split is set aside first; tuning, champion choice and calibration see only the training part, and
the held-out leads are used once, to measure every calibrated candidate. The champion stays fitted on the training
part alone so its held-out figures remain honest and a challenger can later be measured on the same leads
(``TrainingReport.holdout_frame`` + ``evaluate_on``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from leads.ml.calibration import CALIBRATION_METHOD, calibrated
from leads.ml.drivers import global_drivers
from leads.ml.evaluation import evaluate_on
from leads.ml.features import DEFAULT_SPEC, LEAD_ID, OUTCOME, FeatureColumn, FeatureSpec, outcome_values
from leads.ml.pipeline import ALGORITHMS, build_lead_pipeline
from leads.ml.selection import FeatureSelection, UnknownColumn, select_features
from leads.ml.tiers import DEFAULT_THRESHOLDS, TierThresholds
from leads.ml.tuning import TunedCandidate, choose_champion, tune


class TrainingDataError(ValueError):
    """The leads cannot train a trustworthy model (too few with a known outcome, or only one outcome)."""


@dataclass(frozen=True)
class TrainingConfig:
    seed: int = 0
    holdout_fraction: float = 0.2
    cv_folds: int = 5
    calibration_folds: int = 5
    min_labelled_leads: int = 50
    min_leads_per_outcome: int = 10
    algorithms: tuple[str, ...] = ALGORITHMS
    tie_margin: float = 0.005
    thresholds: TierThresholds = DEFAULT_THRESHOLDS
    importance_repeats: int = 5
    # The columns the model may read (lead fields and custom attributes); columns kept despite a leakage flag.
    candidates: tuple[FeatureColumn, ...] = DEFAULT_SPEC.columns
    keep_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 < self.holdout_fraction < 1.0:
            raise ValueError("holdout_fraction must be between 0 and 1")
        if self.cv_folds < 2 or self.calibration_folds < 2:
            raise ValueError("cross-validation needs at least 2 folds")
        unknown = set(self.algorithms) - set(ALGORITHMS)
        if not self.algorithms or unknown:
            raise ValueError(f"algorithms must be a non-empty subset of {ALGORITHMS}, got {self.algorithms}")


@dataclass(frozen=True)
class TrainingReport:
    """Everything a training run decided and measured. ``model`` is the fitted, calibrated champion."""

    champion: str
    model: CalibratedClassifierCV
    holdout_roc_auc: float
    candidates: dict[str, dict[str, Any]]
    features: tuple[str, ...]
    selection: FeatureSelection
    params: dict[str, Any]
    training_rows: int
    holdout_rows: int
    class_balance: dict[str, Any]
    holdout_index: tuple[Any, ...]
    holdout_external_ids: tuple[str, ...]
    drivers: dict[str, Any]
    decision: str
    thresholds: TierThresholds
    config: TrainingConfig = field(repr=False)

    def holdout_frame(self, leads: pd.DataFrame) -> pd.DataFrame:
        """This run's held-out leads, picked out of ``leads`` by external id (or by index without that column)."""
        if LEAD_ID in leads and self.holdout_external_ids:
            return leads[leads[LEAD_ID].astype(str).isin(set(self.holdout_external_ids))]
        return leads.loc[list(self.holdout_index)]

    def metrics(self) -> dict[str, Any]:
        """JSON-ready summary for storage next to the model."""
        return {
            "champion": self.champion,
            "holdout_roc_auc": self.holdout_roc_auc,
            "training_rows": self.training_rows,
            "holdout_rows": self.holdout_rows,
            "class_balance": self.class_balance,
            "thresholds": self.thresholds.as_dict(),
            "calibration_method": CALIBRATION_METHOD,
            "candidates": self.candidates,
            "features": self.selection.report(),
        }

    @property
    def spec(self) -> FeatureSpec:
        return self.selection.spec


def train_lead_model(leads: pd.DataFrame, config: TrainingConfig = TrainingConfig()) -> TrainingReport:
    """Train, compare and calibrate candidates on ``leads`` (contract columns); raise ``TrainingDataError`` if the
    labelled leads are too few or all share one outcome."""
    labelled, outcomes = labelled_leads(leads, config)
    train_at, holdout_at = split_positions(outcomes, config)
    train, holdout = labelled.iloc[train_at], labelled.iloc[holdout_at]
    selection = _selected(train, outcomes[train_at], config)
    with threadpool_limits(limits=1):
        tuned = [tune(name, train, outcomes[train_at], config.cv_folds, config.seed, selection.spec)
                 for name in config.algorithms]
        champion, decision = choose_champion(tuned, config.tie_margin)
        models = {candidate.algorithm: _calibrated_fit(candidate, train, outcomes[train_at], config, selection.spec)
                  for candidate in tuned}
        candidates = {candidate.algorithm: _candidate_metrics(candidate, models[candidate.algorithm], holdout, config)
                      for candidate in tuned}
        model = models[champion.algorithm]
        drivers = global_drivers(model, holdout, leads, seed=config.seed, repeats=config.importance_repeats)
    return TrainingReport(
        champion=champion.algorithm,
        model=model,
        holdout_roc_auc=candidates[champion.algorithm]["holdout"]["roc_auc"],
        candidates=candidates,
        features=selection.spec.names,
        selection=selection,
        params=dict(champion.params),
        training_rows=len(train),
        holdout_rows=len(holdout),
        class_balance=_class_balance(outcomes),
        holdout_index=tuple(holdout.index),
        holdout_external_ids=tuple(holdout[LEAD_ID].astype(str)) if LEAD_ID in holdout else (),
        drivers=drivers,
        decision=decision,
        thresholds=config.thresholds,
        config=config,
    )


def split_positions(outcomes: np.ndarray, config: TrainingConfig = TrainingConfig()) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the training and held-out leads among the labelled ones: stratified, seeded, so a baseline can
    be measured on exactly the leads a run held out."""
    return train_test_split(np.arange(len(outcomes)), test_size=config.holdout_fraction, stratify=outcomes,
                            random_state=config.seed)


def labelled_leads(leads: pd.DataFrame, config: TrainingConfig = TrainingConfig()) -> tuple[pd.DataFrame, np.ndarray]:
    """The leads with a known outcome and their outcomes (1 converted, 0 not); checks there are enough of each."""
    if OUTCOME not in leads:
        raise TrainingDataError(f"leads need a '{OUTCOME}' column (1 converted, 0 not converted, empty if open)")
    outcomes = outcome_values(leads[OUTCOME])
    known = outcomes.notna().to_numpy()
    labelled, values = leads.loc[known], outcomes.to_numpy()[known].astype(int)
    _check_enough(values, config)
    return labelled, values


def _check_enough(outcomes: np.ndarray, config: TrainingConfig) -> None:
    if len(outcomes) < config.min_labelled_leads:
        raise TrainingDataError(
            f"only {len(outcomes)} leads have a known outcome; at least {config.min_labelled_leads} are needed"
        )
    converted = int(outcomes.sum())
    if converted in (0, len(outcomes)):
        outcome = "converted" if converted else "not converted"
        raise TrainingDataError(
            f"all {len(outcomes)} leads with a known outcome are {outcome}; both converted and not converted leads "
            "are needed to learn what separates them"
        )
    fewest = min(converted, len(outcomes) - converted)
    if fewest < config.min_leads_per_outcome:
        raise TrainingDataError(
            f"only {fewest} leads have the rarer outcome; at least {config.min_leads_per_outcome} converted and "
            f"{config.min_leads_per_outcome} not converted leads are needed"
        )


def _selected(train: pd.DataFrame, outcomes: np.ndarray, config: TrainingConfig) -> FeatureSelection:
    """The columns to learn from, judged on the training part only (the held-out leads stay unseen)."""
    try:
        selection = select_features(train, outcomes, config.candidates, config.keep_columns, config.seed)
    except UnknownColumn as exc:
        raise TrainingDataError(str(exc)) from exc
    if not selection.spec.columns:
        reasons = "; ".join(item["text"] for item in selection.left_out)
        raise TrainingDataError(f"no column is fit to learn from: {reasons}")
    return selection


def _calibrated_fit(candidate: TunedCandidate, train: pd.DataFrame, outcomes: np.ndarray,
                    config: TrainingConfig, spec: FeatureSpec) -> CalibratedClassifierCV:
    pipeline = build_lead_pipeline(candidate.algorithm, candidate.params, seed=config.seed, spec=spec)
    return calibrated(pipeline, config.calibration_folds, config.seed).fit(train, outcomes)


def _candidate_metrics(candidate: TunedCandidate, model: CalibratedClassifierCV, holdout: pd.DataFrame,
                       config: TrainingConfig) -> dict[str, Any]:
    return {
        "algorithm": candidate.algorithm,
        "params": dict(candidate.params),
        "cv_roc_auc_mean": candidate.cv_mean,
        "cv_roc_auc_std": candidate.cv_std,
        "cv_roc_auc_folds": list(candidate.cv_roc_auc),
        "calibration_method": CALIBRATION_METHOD,
        "holdout": evaluate_on(model, holdout, config.thresholds),
    }


def _class_balance(outcomes: np.ndarray) -> dict[str, Any]:
    converted = int(outcomes.sum())
    return {"converted": converted, "not_converted": int(len(outcomes) - converted),
            "conversion_rate": converted / len(outcomes)}
