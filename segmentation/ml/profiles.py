"""Segment profiles: who is in a segment and how it differs from the whole customer base.

Each profile is plain JSON (str/int/float/None, no numpy types) so it can be stored in a JSONField:

``{"size", "share", "features": {name: {"label", "mean", "median", "overall_mean", "ratio", "z"}}, "highlights",
"data_flags", "fields"}``

* ``share`` is the segment's share of every customer in the run (unsegmented ones included).
* ``ratio`` = segment mean / overall mean (None when the overall mean is 0); ``z`` = (segment mean − overall mean) /
  overall standard deviation, both over the clustered customers. ``z`` is what personas are scored on.
* ``highlights`` are the three features with the largest |z|, in words: "why this segment is premium".
* ``data_flags`` counts the segment's customers with imputed or corrected values, per flag.
* ``features`` are the run's numeric clustering features, the complaint rate when the data has it, and for each
  category attribute the share of its common levels ("Genre: Female"); ``label`` names each in words (a custom
  attribute by the file's own header).
* ``fields`` lists the customer fields and custom attributes (by header) the run clustered on.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from segmentation.ml.feature_set import FEATURE_LABELS, FeatureSet

__all__ = ["FEATURE_LABELS", "segment_profiles", "z_scores"]
HIGHLIGHTS = 3


def segment_profiles(
    frame: pd.DataFrame, labels: np.ndarray, flags: np.ndarray, features: FeatureSet
) -> dict[int, dict]:
    """Profile of every non-empty cluster, keyed by cluster number."""
    clustered = labels >= 0
    population = frame.loc[clustered, list(features.profile)]
    overall_mean = population.mean()
    overall_std = population.std(ddof=0)
    grouped = population.groupby(labels[clustered])
    means, medians, sizes = grouped.mean(), grouped.median(), grouped.size()
    return {
        int(cluster): _profile(
            int(sizes[cluster]), len(frame), means.loc[cluster], medians.loc[cluster], overall_mean, overall_std,
            flags[labels == cluster], features,
        )
        for cluster in sizes.index
    }


def z_scores(profile: dict) -> dict[str, float]:
    return {name: stats["z"] for name, stats in profile["features"].items()}


def _profile(
    size: int, n_rows: int, mean: pd.Series, median: pd.Series, overall_mean: pd.Series, overall_std: pd.Series,
    flags: np.ndarray, feature_set: FeatureSet,
) -> dict:
    features = {
        name: _feature_stats(feature_set.labels.get(name, name), mean[name], median[name], overall_mean[name],
                             overall_std[name])
        for name in feature_set.profile
    }
    return {
        "size": size,
        "share": _number(size / n_rows),
        "features": features,
        "highlights": _highlights(features),
        "data_flags": _flag_counts(flags),
        "fields": list(feature_set.fields),
    }


def _feature_stats(label: str, mean: float, median: float, overall_mean: float, overall_std: float) -> dict:
    return {
        "label": label,
        "mean": _number(mean),
        "median": _number(median),
        "overall_mean": _number(overall_mean),
        "ratio": _number(mean / overall_mean) if overall_mean else None,
        "z": _number((mean - overall_mean) / overall_std) if overall_std > 0 else 0.0,
    }


def _highlights(features: dict[str, dict]) -> list[str]:
    ranked = sorted(features, key=lambda name: (-abs(features[name]["z"]), name))
    return [_describe(name, features[name]) for name in ranked[:HIGHLIGHTS]]


def _describe(name: str, stats: dict) -> str:
    direction = "above" if stats["z"] >= 0 else "below"
    mean, overall = stats["mean"], stats["overall_mean"]
    distance = f"{abs(stats['z']):.1f} sd {direction}"
    return f"{stats['label']} {_format(mean)} vs {_format(overall)} overall ({distance})"


def _format(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def _flag_counts(flags: np.ndarray) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for joined in flags:
        if joined:
            counts.update(joined.split(";"))
    return {name: int(count) for name, count in sorted(counts.items())}


def _number(value: float) -> float | None:
    value = float(value)
    return round(value, 6) if np.isfinite(value) else None
