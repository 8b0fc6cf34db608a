"""Propensity models: how likely a customer is to accept a campaign offer.

Two models are trained from response history, each by comparing a plain logistic regression with gradient
boosting (choice by 3-fold cross-validated ROC AUC on the training rows only; both candidates' held-out ROC AUC
is reported so the choice can be audited):

1. **Offer-response model** on personalisation records (age, segment A/B/C, recency Active/Dormant/Inactive,
   prior interest -> did purchase). Records without segment/recency are kept: "missing" is its own category.
2. **Customer campaign model** on the customer base's campaign history (target ``response``, the last
   campaign; accepted_cmp1..5 are the prior acceptances), using ``features.customer_features``.

How the system defines P(accept | customer, offer) (implemented in ``acceptance.acceptance_probability``)::

    base   = customer propensity: model 2 for customers, model 1 for response-record audiences
    ratio  = smoothed acceptance rate of (persona, offer type) / overall acceptance rate,
             both from recorded offer responses, Beta-smoothed towards the overall rate
             (``smoothing.acceptance_rates``); 1 when no responses are recorded for that cell
    P      = clip(base x ratio, 0, 1)

A thinly recorded cell therefore leaves the model's propensity almost untouched. When a customer has no base
propensity (no model yet, or a NaN score) the smoothed (persona, offer type) rate itself is the fallback.
Optionally the smoothed rate is replaced by a seeded Thompson draw from its Beta posterior (exploration; off by
default).
"""
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from campaigns.ml.features import CUSTOMER_FEATURES, customer_feature_names, customer_features

LOGISTIC_REGRESSION = "logistic_regression"
GRADIENT_BOOSTING = "gradient_boosting"
CANDIDATES = (LOGISTIC_REGRESSION, GRADIENT_BOOSTING)

RESPONSE_TARGET = "did_purchase"
RESPONSE_NUMERIC = ("age", "prior_interest")
RESPONSE_CATEGORIES = ("segment", "recency")
CUSTOMER_TARGET = "response"
MISSING_CATEGORY = "missing"

HELD_OUT_SHARE = 0.25
SELECTION_FOLDS = 3
# Gradient boosting and BLAS use native (OpenMP) threads regardless of n_jobs. These models are small, and on a
# busy shared machine spinning threads made training ~15x slower than one thread (measured: 15.8 s vs 1.1 s for
# the customer model), with identical results, so fitting and scoring run on one native thread.
NATIVE_THREADS = 1


@dataclass(frozen=True, eq=False)
class PropensityModel:
    """A fitted Pipeline plus the evidence for choosing it. Fitted on ``train_index`` rows only."""

    pipeline: Pipeline
    chosen: str
    cv_roc_auc: Mapping[str, float]
    held_out_roc_auc: Mapping[str, float]
    train_index: pd.Index
    held_out_index: pd.Index
    rows_with_missing_inputs: int

    def accept_probability(self, frame: pd.DataFrame) -> np.ndarray:
        """P(accept) per row of ``frame`` (same columns as the training frame)."""
        with threadpool_limits(limits=NATIVE_THREADS):
            return self.pipeline.predict_proba(frame)[:, 1]


def response_preprocessor(for_linear_model: bool) -> ColumnTransformer:
    """Age and prior interest as numbers; segment and recency one-hot, with missing as its own category."""
    numeric = StandardScaler() if for_linear_model else "passthrough"
    categories = Pipeline([
        ("fill_missing", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
        ("one_hot", OneHotEncoder(handle_unknown="ignore")),
    ])
    return ColumnTransformer([
        ("numeric", numeric, list(RESPONSE_NUMERIC)),
        ("categories", categories, list(RESPONSE_CATEGORIES)),
    ])


def customer_preprocessor(for_linear_model: bool) -> ColumnTransformer:
    """Median-impute and scale for the linear model; trees take NaN as it is."""
    numeric = (Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
               if for_linear_model else "passthrough")
    return ColumnTransformer([("numeric", numeric, list(CUSTOMER_FEATURES))])


def classifier(name: str, seed: int) -> LogisticRegression | HistGradientBoostingClassifier:
    """Ordinary, lightly regularised settings; nothing tuned on the held-out rows."""
    if name == LOGISTIC_REGRESSION:
        return LogisticRegression(max_iter=2000)
    if name == GRADIENT_BOOSTING:
        return HistGradientBoostingClassifier(learning_rate=0.05, max_iter=200, max_leaf_nodes=15,
                                              min_samples_leaf=40, l2_regularization=1.0, random_state=seed)
    raise ValueError(f"unknown model {name!r}; expected one of {CANDIDATES}")


def response_pipeline(name: str, seed: int = 0) -> Pipeline:
    return Pipeline([
        ("columns", response_preprocessor(name == LOGISTIC_REGRESSION)),
        ("model", classifier(name, seed)),
    ])


def customer_pipeline(name: str, seed: int = 0) -> Pipeline:
    features = FunctionTransformer(customer_features, feature_names_out=customer_feature_names)
    return Pipeline([
        ("features", features),
        ("columns", customer_preprocessor(name == LOGISTIC_REGRESSION)),
        ("model", classifier(name, seed)),
    ])


def held_out_split(frame: pd.DataFrame, target: str, seed: int) -> tuple[pd.Index, pd.Index]:
    """Stratified (train, held-out) index labels; the same seed always gives the same rows."""
    train, held_out = train_test_split(frame.index, test_size=HELD_OUT_SHARE, stratify=frame[target],
                                       random_state=seed)
    return pd.Index(train), pd.Index(held_out)


def fit_best_pipeline(frame: pd.DataFrame, target: str, build: Callable[[str, int], Pipeline], seed: int,
                      train_index: pd.Index, held_out_index: pd.Index) -> PropensityModel:
    with threadpool_limits(limits=NATIVE_THREADS):
        return compare_candidates(frame, target, build, seed, train_index, held_out_index)


def compare_candidates(frame: pd.DataFrame, target: str, build: Callable[[str, int], Pipeline], seed: int,
                       train_index: pd.Index, held_out_index: pd.Index) -> PropensityModel:
    """Choose by cross-validation on the training rows, then fit every candidate on them and score the held-out rows."""
    train, held_out = frame.loc[train_index], frame.loc[held_out_index]
    folds = StratifiedKFold(SELECTION_FOLDS, shuffle=True, random_state=seed)
    cv_auc, held_out_auc, fitted = {}, {}, {}
    for name in CANDIDATES:
        pipeline = build(name, seed)
        cv_auc[name] = float(cross_val_score(pipeline, train, train[target], cv=folds,
                                             scoring="roc_auc", n_jobs=1).mean())
        fitted[name] = pipeline.fit(train, train[target])
        held_out_auc[name] = float(roc_auc_score(held_out[target], fitted[name].predict_proba(held_out)[:, 1]))
    chosen = max(CANDIDATES, key=cv_auc.__getitem__)
    return PropensityModel(
        pipeline=fitted[chosen], chosen=chosen, cv_roc_auc=cv_auc, held_out_roc_auc=held_out_auc,
        train_index=train_index, held_out_index=held_out_index,
        rows_with_missing_inputs=int(frame.drop(columns=target).isna().any(axis=1).sum()),
    )


def train_response_propensity(responses: pd.DataFrame, seed: int = 0) -> PropensityModel:
    """Model 1: P(did_purchase) from age, segment, recency and prior interest (personalisation records)."""
    frame = responses[[*RESPONSE_NUMERIC, *RESPONSE_CATEGORIES, RESPONSE_TARGET]]
    train_index, held_out_index = held_out_split(frame, RESPONSE_TARGET, seed)
    return fit_best_pipeline(frame, RESPONSE_TARGET, response_pipeline, seed, train_index, held_out_index)


def distinct_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """Drop rows identical apart from ``external_id`` (182 in the seed data) so a copy cannot sit on both sides
    of the held-out split and flatter the score."""
    return customers.loc[~customers.drop(columns="external_id").duplicated()]


def train_customer_propensity(customers: pd.DataFrame, seed: int = 0) -> PropensityModel:
    """Model 2: P(response to the last campaign) from the customer's profile, spend, channels and past acceptances."""
    frame = distinct_customers(customers)
    train_index, held_out_index = held_out_split(frame, CUSTOMER_TARGET, seed)
    return fit_best_pipeline(frame, CUSTOMER_TARGET, customer_pipeline, seed, train_index, held_out_index)
