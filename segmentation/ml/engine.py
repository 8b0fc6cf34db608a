"""One call for the service layer: customers in, segments with keys, personas, labels and profiles out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Hashable

import numpy as np
import pandas as pd

from segmentation.ml.clustering import ClusteringSettings, ClusterResult, Progress, cluster_customers
from segmentation.ml.features import build_customer_features
from segmentation.ml.personas import assign_personas, persona_scores, segment_labels
from segmentation.ml.profiles import segment_profiles, z_scores
from segmentation.ml.stability import (
    UNSEGMENTED_KEY, PreviousSegmentation, SegmentMatch, inherited_personas, match_segments, segment_churn,
)

ID_COLUMNS = ("id", "external_id")


@dataclass(frozen=True)
class SegmentSummary:
    """One segment of a run, ready for the Segment model (``profile`` and ``centroid`` are plain JSON)."""

    key: int
    cluster: int
    persona: str
    label: str
    size: int
    share: float
    profile: dict
    centroid: list[float]
    previous_key: int | None


@dataclass(frozen=True)
class SegmentationOutcome:
    """Everything a segmentation run produces; per-row arrays are aligned to the input frame's row order.

    ``segment_keys`` is -1 for unsegmented rows, whose ``reasons`` say why. ``nearest_segment_keys`` names the
    closest segment for outliers (and repeats ``segment_keys`` otherwise); ``personas`` follow it, so an outlier
    still gets the persona of its nearest segment. ``flags`` lists imputed or corrected values per row.
    """

    clusters: ClusterResult
    segments: tuple[SegmentSummary, ...]
    segment_keys: np.ndarray
    nearest_segment_keys: np.ndarray
    personas: np.ndarray
    reasons: np.ndarray
    flags: np.ndarray
    customer_ids: np.ndarray | None
    churn: float | None
    reference_date: date

    def assignments(self) -> dict[Hashable, int]:
        """Customer id -> segment key (-1 unsegmented): what the next run needs for churn."""
        if self.customer_ids is None:
            return {}
        return dict(zip(self.customer_ids.tolist(), self.segment_keys.tolist()))

    def as_previous(self) -> PreviousSegmentation:
        """What the next run needs to keep identities: keys, centroids, personas and assignments."""
        return PreviousSegmentation(
            keys=[segment.key for segment in self.segments],
            centroids=[segment.centroid for segment in self.segments],
            feature_names=list(self.clusters.feature_names),
            personas=[segment.persona for segment in self.segments],
            assignments=self.assignments(),
        )

    def run_fields(self) -> dict:
        """The SegmentationRun columns, JSON-ready."""
        return {
            "algorithm": self.clusters.algorithm,
            "params": self.clusters.params | {"reference_date": self.reference_date.isoformat()},
            "chosen_k": self.clusters.k,
            "metrics": self.clusters.metrics,
            "sizes": {str(segment.key): segment.size for segment in self.segments},
            "churn": self.churn,
            "centroids": [segment.centroid for segment in self.segments],
            "feature_names": list(self.clusters.feature_names),
            "n_customers": int(len(self.segment_keys)),
            "n_unsegmented": int((self.segment_keys == UNSEGMENTED_KEY).sum()),
        }


def segment_customers(
    customers: pd.DataFrame,
    *,
    algorithm: str = "kmeans",
    k: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    seed: int = 42,
    reference_date: date | str | None = None,
    previous: PreviousSegmentation | None = None,
    progress: Progress | None = None,
    **settings: object,
) -> SegmentationOutcome:
    """Features, clustering, profiles, personas, labels, identity matching and churn in one call.

    Extra keyword arguments go to ``ClusteringSettings`` (e.g. ``fit_sample_size``, ``pca_components``).
    """
    report = progress or (lambda stage, fraction: None)
    report("features", 0.0)
    features = build_customer_features(customers, reference_date=reference_date)
    report("features", 1.0)
    options = ClusteringSettings(algorithm=algorithm, k=k, k_range=tuple(k_range), seed=seed, **settings)
    clusters = cluster_customers(features, options, report)
    report("profiling", 0.0)
    profiles = segment_profiles(features.frame, clusters.labels, features.flags)
    report("profiling", 1.0)
    report("matching", 0.0)
    segments = _summaries(clusters, profiles, features.frame, previous)
    report("matching", 1.0)
    keys, nearest_keys, personas = _per_row(clusters, segments)
    ids = _customer_ids(customers)
    churn = None
    if previous is not None and previous.assignments and ids is not None:
        churn = segment_churn(previous.assignments, dict(zip(ids.tolist(), keys.tolist())))
    return SegmentationOutcome(
        clusters=clusters, segments=segments, segment_keys=keys, nearest_segment_keys=nearest_keys,
        personas=personas, reasons=clusters.reasons, flags=features.flags, customer_ids=ids, churn=churn,
        reference_date=features.reference_date,
    )


def _summaries(
    clusters: ClusterResult, profiles: dict[int, dict], frame: pd.DataFrame, previous: PreviousSegmentation | None
) -> tuple[SegmentSummary, ...]:
    order = sorted(profiles, key=lambda cluster: (-profiles[cluster]["size"], cluster))
    centroids = clusters.centroids[order] if order else np.empty((0, len(clusters.feature_names)))
    spread = frame.loc[clusters.labels >= 0, list(clusters.feature_names)].std(ddof=0).to_numpy()
    match = match_segments(centroids, clusters.feature_names, spread, previous)
    z_by_cluster = {cluster: z_scores(profiles[cluster]) for cluster in order}
    scores = {cluster: persona_scores(z) for cluster, z in z_by_cluster.items()}
    personas = _personas(order, scores, match, previous)
    labels = segment_labels(personas, z_by_cluster, order)
    return tuple(
        SegmentSummary(
            key=match.keys[index], cluster=cluster, persona=personas[cluster], label=labels[cluster],
            size=profiles[cluster]["size"], share=profiles[cluster]["share"],
            profile=profiles[cluster] | {"persona_scores": scores[cluster], "match_distance": match.distances[index]},
            centroid=[round(float(value), 6) for value in centroids[index]], previous_key=match.previous_keys[index],
        )
        for index, cluster in enumerate(order)
    )


def _personas(
    order: list[int], scores: dict[int, dict[str, float]], match: SegmentMatch, previous: PreviousSegmentation | None
) -> dict[int, str]:
    """Continued segments keep their persona; the rest are assigned from their profile."""
    if not order:
        return {}
    computed = assign_personas(scores)
    kept = inherited_personas(match, previous)
    return {cluster: kept.get(index, computed[cluster]) for index, cluster in enumerate(order)}


def _per_row(
    clusters: ClusterResult, segments: tuple[SegmentSummary, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Translate cluster numbers to segment keys and personas for every row (-1 / "" where there is none).

    The lookup tables carry one extra last entry, so the label -1 indexes the "no segment" value."""
    size = max([clusters.k, *(segment.cluster + 1 for segment in segments)], default=0)
    key_of = np.full(size + 1, UNSEGMENTED_KEY, dtype=np.int64)
    persona_of = np.full(size + 1, "", dtype=object)
    for segment in segments:
        key_of[segment.cluster] = segment.key
        persona_of[segment.cluster] = segment.persona
    return key_of[clusters.labels], key_of[clusters.nearest_cluster], persona_of[clusters.nearest_cluster]


def _customer_ids(customers: pd.DataFrame) -> np.ndarray | None:
    for column in ID_COLUMNS:
        if column in customers.columns:
            return customers[column].to_numpy()
    return None
