"""What drives conversion overall: which fields the model leans on, and what its likeliest converters look like.

* **Permutation importance** (on held-out leads, per raw field): how much ROC AUC drops when one field's values are
  shuffled between leads. It measures reliance of *this model* on the field, not causation.
* **Converter profile**: the top-scored decile against everyone else — the share of each level of every category
  the model reads (occupation, first interaction, ...) and the mean of every number (time on the website, visits,
  page views, age, then the company's own numbers and dates).

Everything returned is JSON-serialisable and comes with sentences a marketer can read.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.inspection import permutation_importance

from leads.ml.factors import describe, plain_number
from leads.ml.features import CATEGORY, DATE, NUMBER, OUTCOME, FeatureSpec, outcome_values, prepare_lead_features
from leads.ml.pipeline import feature_spec_of

PROFILE_NUMBERS = ("time_spent_on_website", "website_visits", "page_views_per_visit", "age")
TOP_SHARE = 0.1


def global_drivers(model: ClassifierMixin, holdout: pd.DataFrame, leads: pd.DataFrame, seed: int = 0,
                   repeats: int = 5) -> dict[str, Any]:
    """Permutation importance on ``holdout`` (leads with a known outcome) and the converter profile of ``leads``."""
    return {
        "permutation_importance": feature_importance(model, holdout, seed=seed, repeats=repeats),
        "converter_profile": converter_profile(model, leads),
    }


def feature_importance(model: ClassifierMixin, holdout: pd.DataFrame, seed: int = 0,
                       repeats: int = 5) -> list[dict[str, Any]]:
    """Fields by the drop in held-out ROC AUC when shuffled, largest first."""
    outcomes = outcome_values(holdout[OUTCOME])
    known = outcomes.notna().to_numpy()
    spec = feature_spec_of(model)
    features = prepare_lead_features(holdout.loc[known], spec)
    result = permutation_importance(model, features, outcomes[known].astype(int).to_numpy(), scoring="roc_auc",
                                    n_repeats=repeats, random_state=seed, n_jobs=1)
    rows = [
        {"feature": feature, "label": spec.column(feature).label,
         "auc_drop": float(result.importances_mean[position]), "auc_drop_std": float(result.importances_std[position])}
        for position, feature in enumerate(spec.names)
    ]
    rows.sort(key=lambda row: -row["auc_drop"])
    for row in rows:
        row["text"] = f"{row['label']}: shuffling it lowers ROC AUC by {row['auc_drop']:.3f}"
    return rows


def converter_profile(model: ClassifierMixin, leads: pd.DataFrame, top_share: float = TOP_SHARE) -> dict[str, Any]:
    """How the ``top_share`` highest-scored leads differ from the rest (ties broken by row order)."""
    spec = feature_spec_of(model)
    features = prepare_lead_features(leads, spec)
    probabilities = model.predict_proba(features)[:, 1]
    top_count = max(1, int(round(len(features) * top_share)))
    in_top = np.zeros(len(features), dtype=bool)
    in_top[np.argsort(-probabilities, kind="stable")[:top_count]] = True
    top, rest = features[in_top], features[~in_top]
    shares = {feature: _shares(top[feature], rest[feature]) for feature in spec.named(CATEGORY)}
    means = {feature: {"top": _mean(top[feature]), "rest": _mean(rest[feature])} for feature in _profile_numbers(spec)}
    return {
        "top_share": top_share,
        "top_leads": int(in_top.sum()),
        "other_leads": int((~in_top).sum()),
        "top_mean_score": float(probabilities[in_top].mean() * 100.0),
        "other_mean_score": float(probabilities[~in_top].mean() * 100.0) if (~in_top).any() else None,
        "category_shares": shares,
        "means": means,
        "labels": {feature: spec.column(feature).label for feature in (*shares, *means)},
        "summary": _summary(shares, means, top_share, spec),
    }


def _profile_numbers(spec: FeatureSpec) -> list[str]:
    numbers = spec.named(NUMBER, DATE)
    return [name for name in PROFILE_NUMBERS if name in numbers] + [n for n in numbers if n not in PROFILE_NUMBERS]


def _shares(top: pd.Series, rest: pd.Series) -> dict[str, dict[str, float]]:
    categories = sorted(set(top.dropna()) | set(rest.dropna()))
    return {
        category: {"top": _share(top, category), "rest": _share(rest, category)} for category in categories
    }


def _share(values: pd.Series, category: str) -> float:
    return float((values == category).mean()) if len(values) else 0.0


def _mean(values: pd.Series) -> float | None:
    mean = values.mean()
    return None if pd.isna(mean) else float(mean)


def _summary(shares: dict[str, dict[str, dict[str, float]]], means: dict[str, dict[str, float | None]],
             top_share: float, spec: FeatureSpec) -> list[str]:
    """One sentence per field: the category most over-represented among top leads, and each mean side by side."""
    group = f"top {top_share:.0%} of leads"
    sentences = []
    for feature, categories in shares.items():
        if not categories:
            continue
        category, share = max(categories.items(), key=lambda item: item[1]["top"] - item[1]["rest"])
        sentences.append(f"{describe(feature, category, spec)}: {share['top']:.0%} of the {group} vs {share['rest']:.0%} "
                         f"of the rest")
    for feature, mean in means.items():
        if mean["top"] is not None and mean["rest"] is not None:
            column = spec.column(feature)
            sentences.append(f"{column.label}: {_amount(feature, mean['top'], column.kind)} on average for the "
                             f"{group} vs {_amount(feature, mean['rest'], column.kind)} for the rest")
    return sentences


def _amount(feature: str, value: float, kind: str) -> str:
    if feature == "time_spent_on_website":
        return f"{value / 60.0:.0f} minutes"
    if feature == "age":
        return f"{value:.0f} years"
    if kind == DATE:
        return f"{value:.0f} days before the reference date"
    if feature in PROFILE_NUMBERS:
        return f"{value:.1f}"
    return plain_number(round(value, 1))
