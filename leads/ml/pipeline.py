"""The lead-scoring pipeline: one scikit-learn object from raw lead columns to a conversion probability.

``build_lead_pipeline`` makes ``prepare -> encode -> model`` for each algorithm, so training, scoring, explanations
and drivers all run the very same object. Every encoder step starts with an imputer (median for numbers, most
frequent value for flags and categories) and categories are one-hot encoded with ``handle_unknown="ignore"``:
missing values and categories never seen in training still get a score.

The imputers' learned values double as the *typical lead* (``training_baseline``): the baseline that explanations
compare each lead with is read from the fitted pipeline itself, so it can never drift from the model.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, SplineTransformer

from leads.ml.features import CATEGORY, DATE, DEFAULT_SPEC, FLAG, NUMBER, FeatureSpec, prepare_lead_features

LOGISTIC_REGRESSION = "logistic_regression"
HIST_GRADIENT_BOOSTING = "hist_gradient_boosting"
RANDOM_FOREST = "random_forest"

# Simplest first; a near-tie on CV ROC AUC goes to the earlier one. Logistic regression is additive (exact
# explanations). Gradient boosting comes before the forest: 100 small trees of at most 15 leaves give a smaller
# artifact and faster scoring and explanation than 150 fully grown trees.
ALGORITHMS = (LOGISTIC_REGRESSION, HIST_GRADIENT_BOOSTING, RANDOM_FOREST)

# Small grids, searched by inner cross-validation on the training part only. Keys are the model's own parameters.
TUNING_GRIDS: dict[str, dict[str, list[Any]]] = {
    LOGISTIC_REGRESSION: {"C": [0.1, 1.0, 10.0]},
    HIST_GRADIENT_BOOSTING: {"max_leaf_nodes": [7, 15], "min_samples_leaf": [20, 50]},
    RANDOM_FOREST: {"min_samples_leaf": [3, 10]},
}

SPLINE_KNOTS = 5
_STEPS = ("prepare", "encode", "model")


def build_lead_pipeline(algorithm: str, params: dict[str, Any] | None = None, seed: int = 0,
                        spec: FeatureSpec = DEFAULT_SPEC) -> Pipeline:
    """An unfitted pipeline for ``algorithm`` (one of ``ALGORITHMS``) reading the columns of ``spec``, with the
    model's ``params`` applied. The spec travels inside the pipeline, so a saved model reads exactly its columns."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}: choose one of {', '.join(ALGORITHMS)}")
    model = _model(algorithm, seed).set_params(**(params or {}))
    return Pipeline([
        ("prepare", FunctionTransformer(prepare_lead_features, kw_args={"spec": spec},
                                        feature_names_out=_feature_names)),
        ("encode", build_encoder(algorithm, spec)),
        ("model", model),
    ])


def build_encoder(algorithm: str, spec: FeatureSpec = DEFAULT_SPEC) -> ColumnTransformer:
    """Imputation and encoding (dates arrive as days, so they are numbers here). Only logistic regression needs its
    numbers reshaped: cubic splines let an additive model bend (conversion rises with time on the website, then
    flattens) while staying exactly explainable."""
    numbers: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median", keep_empty_features=True))]
    if algorithm == LOGISTIC_REGRESSION:
        numbers.append(("shape", SplineTransformer(n_knots=SPLINE_KNOTS, knots="uniform", extrapolation="constant")))
    parts = [
        ("numbers", Pipeline(numbers), spec.named(NUMBER, DATE)),
        ("flags", Pipeline([("impute", _most_frequent())]), spec.named(FLAG)),
        ("categories", Pipeline([
            ("impute", _most_frequent()),
            ("encode", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
        ]), spec.named(CATEGORY)),
    ]
    return ColumnTransformer([part for part in parts if part[2]], remainder="drop", verbose_feature_names_out=False)


def feature_spec_of(model: ClassifierMixin) -> FeatureSpec:
    """The columns a fitted lead model reads (models saved before specs existed read ``DEFAULT_SPEC``)."""
    kw_args = fitted_pipeline(model).named_steps["prepare"].kw_args or {}
    return kw_args.get("spec", DEFAULT_SPEC)


def fitted_pipeline(model: ClassifierMixin) -> Pipeline:
    """The fitted pipeline inside a calibrated model (or the model itself when it already is the pipeline)."""
    if isinstance(model, CalibratedClassifierCV) and len(model.calibrated_classifiers_) == 1:
        return model.calibrated_classifiers_[0].estimator
    if isinstance(model, Pipeline) and tuple(model.named_steps) == _STEPS:
        return model
    raise TypeError(f"not a lead-scoring model: {type(model).__name__}")


def algorithm_of(model: ClassifierMixin) -> str:
    """The algorithm name of a fitted lead model, in the names of ``ALGORITHMS``."""
    estimator = fitted_pipeline(model).named_steps["model"]
    names = {LogisticRegression: LOGISTIC_REGRESSION, HistGradientBoostingClassifier: HIST_GRADIENT_BOOSTING,
             RandomForestClassifier: RANDOM_FOREST}
    return names[type(estimator)]


def encode_leads(model: ClassifierMixin, leads: pd.DataFrame) -> np.ndarray:
    """The model's encoded input for ``leads``: what its final estimator sees."""
    return fitted_pipeline(model)[:-1].transform(leads)


def probabilities_from_encoded(model: ClassifierMixin, encoded: np.ndarray) -> np.ndarray:
    """Conversion probabilities from already encoded leads; equals ``model.predict_proba(leads)[:, 1]``.

    Lets explanations encode a batch once and then vary one feature's encoded columns at a time.
    """
    estimator = fitted_pipeline(model).named_steps["model"]
    if not isinstance(model, CalibratedClassifierCV):
        return estimator.predict_proba(encoded)[:, 1]
    if hasattr(estimator, "decision_function"):
        response = estimator.decision_function(encoded)
    else:
        response = estimator.predict_proba(encoded)[:, 1]
    return model.calibrated_classifiers_[0].calibrators[0].predict(response)


def training_baseline(model: ClassifierMixin) -> pd.DataFrame:
    """The typical lead as a one-row frame: training median of each number, most frequent flag and category.

    Read from the fitted imputers, i.e. exactly the values the pipeline fills in for a missing field.
    """
    encoder: ColumnTransformer = fitted_pipeline(model).named_steps["encode"]
    values: dict[str, Any] = {}
    for name, transformer, columns in encoder.transformers_:
        if name == "remainder":
            continue
        statistics = transformer.named_steps["impute"].statistics_
        values.update(zip(columns, statistics))
    return pd.DataFrame({feature: [values[feature]] for feature in feature_spec_of(model).names})


def encoded_feature_owners(model: ClassifierMixin) -> np.ndarray:
    """For each encoded column the position in the model's feature spec of the raw feature it comes from.

    Every encoded column depends on one raw feature only (splines and one-hot columns per feature), which is what
    makes a linear model's logit exactly additive over raw features.
    """
    encoder: ColumnTransformer = fitted_pipeline(model).named_steps["encode"]
    names = feature_spec_of(model).names
    owners = np.full(sum(s.stop - s.start for s in encoder.output_indices_.values()), -1)
    for name, transformer, columns in encoder.transformers_:
        if name == "remainder":
            continue
        span = encoder.output_indices_[name]
        widths = _widths(transformer, columns, span.stop - span.start)
        positions = np.repeat([names.index(column) for column in columns], widths)
        owners[span] = positions
    return owners


def _widths(transformer: Pipeline, columns: list[str], total: int) -> list[int]:
    if "encode" in transformer.named_steps:
        return [len(categories) for categories in transformer.named_steps["encode"].categories_]
    return [total // len(columns)] * len(columns)


def _model(algorithm: str, seed: int) -> ClassifierMixin:
    if algorithm == LOGISTIC_REGRESSION:
        return LogisticRegression(C=1.0, max_iter=2000)
    if algorithm == HIST_GRADIENT_BOOSTING:
        return HistGradientBoostingClassifier(
            learning_rate=0.1, max_iter=100, l2_regularization=1.0, early_stopping=False, random_state=seed
        )
    return RandomForestClassifier(n_estimators=150, max_features="sqrt", n_jobs=1, random_state=seed)


def _most_frequent() -> SimpleImputer:
    return SimpleImputer(strategy="most_frequent", keep_empty_features=True)


def _feature_names(transformer: FunctionTransformer, input_features: Any) -> np.ndarray:
    spec = (transformer.kw_args or {}).get("spec", DEFAULT_SPEC)
    return np.asarray(spec.names, dtype=object)
