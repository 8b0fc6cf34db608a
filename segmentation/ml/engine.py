"""One call for the service layer: customers in, segments with keys, personas, labels and profiles out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Hashable

import numpy as np
import pandas as pd

from segmentation.ml.attributes import Attribute
from segmentation.ml.clustering import (
    ClusteringSettings, ClusterResult, Progress, cluster_customers, weak_clustering_reason,
)
from segmentation.ml.feature_set import FeatureSet
from segmentation.ml.features import CustomerFeatures, FeatureBasis, build_customer_features
from segmentation.ml.personas import (
    PERSONA_EVIDENCE, assign_personas, has_persona_evidence, persona_scores, segment_labels,
)
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
    feature_set: FeatureSet
    basis: FeatureBasis | None = None

    @property
    def warning(self) -> str:
        """Why the clustering is weak, in words ("" when it is not); see ``clustering.weak_clustering_reason``."""
        if not self.feature_set.clustering:
            return ("nothing to cluster on: no customer field or custom attribute has values for most customers, so "
                    "every customer is unsegmented (insufficient_data)")
        return weak_clustering_reason(self.clusters.metrics, self.clusters.k)

    @property
    def persona_note(self) -> str:
        """Why no segment has an offer persona, in words ("" when personas could be named)."""
        missing = [name for name in PERSONA_EVIDENCE if name not in self.feature_set.profile]
        if not missing:
            return ""
        return ("no offer personas: the data has no " + ", ".join(name.replace("_", " ") for name in missing)
                + "; segments are named by their profile")

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
            "params": self.clusters.params | {"reference_date": self.reference_date.isoformat()}
            | self.feature_set.as_json() | {"warning": self.warning, "persona_note": self.persona_note},
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
    attributes: tuple[Attribute, ...] | list[Attribute] = (),
    features: list[str] | tuple[str, ...] | None = None,
    **settings: object,
) -> SegmentationOutcome:
    """Features, clustering, profiles, personas, labels, identity matching and churn in one call.

    ``attributes`` describe the frame's custom-attribute columns (``attr:<key>``); ``features`` overrides the
    default feature set (``feature_set``; an unknown name raises ``UnknownFeature``). Extra keyword arguments go
    to ``ClusteringSettings`` (e.g. ``fit_sample_size``, ``pca_components``).
    """
    report = progress or (lambda stage, fraction: None)
    report("features", 0.0)
    built = build_customer_features(customers, reference_date=reference_date, attributes=attributes,
                                    features=features)
    report("features", 1.0)
    options = ClusteringSettings(algorithm=algorithm, k=k, k_range=tuple(k_range), seed=seed, **settings)
    clusters = cluster_customers(built, options, report)
    report("profiling", 0.0)
    profiles = segment_profiles(built.frame, clusters.labels, built.flags, built.feature_set)
    report("profiling", 1.0)
    report("matching", 0.0)
    segments = _summaries(clusters, profiles, built, previous)
    report("matching", 1.0)
    keys, nearest_keys, personas = _per_row(clusters, segments)
    ids = _customer_ids(customers)
    churn = None
    if previous is not None and previous.assignments and ids is not None:
        churn = segment_churn(previous.assignments, dict(zip(ids.tolist(), keys.tolist())))
    return SegmentationOutcome(
        clusters=clusters, segments=segments, segment_keys=keys, nearest_segment_keys=nearest_keys,
        personas=personas, reasons=clusters.reasons, flags=built.flags, customer_ids=ids, churn=churn,
        reference_date=built.reference_date, feature_set=built.feature_set, basis=built.basis,
    )


def _summaries(
    clusters: ClusterResult, profiles: dict[int, dict], built: CustomerFeatures, previous: PreviousSegmentation | None
) -> tuple[SegmentSummary, ...]:
    frame, feature_set = built.frame, built.feature_set
    order = sorted(profiles, key=lambda cluster: (-profiles[cluster]["size"], cluster))
    centroids = clusters.centroids[order] if order else np.empty((0, len(clusters.feature_names)))
    spread = frame.loc[clusters.labels >= 0, list(clusters.feature_names)].std(ddof=0).to_numpy()
    match = match_segments(centroids, clusters.feature_names, spread, previous)
    z_by_cluster = {cluster: z_scores(profiles[cluster]) for cluster in order}
    scores = {cluster: persona_scores(z) for cluster, z in z_by_cluster.items()}
    personas = _personas(order, scores, match, previous, evidence=has_persona_evidence(feature_set.profile))
    labels = segment_labels(personas, z_by_cluster, order, dict(feature_set.labels))
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
    order: list[int], scores: dict[int, dict[str, float]], match: SegmentMatch, previous: PreviousSegmentation | None,
    *, evidence: bool,
) -> dict[int, str]:
    """Personas from the profiles (``personas`` module), continued segments keeping theirs where still earned;
    none at all without the evidence."""
    if not order or not evidence:
        return dict.fromkeys(order, "")
    kept = inherited_personas(match, previous)
    return assign_personas(scores, {order[index]: persona for index, persona in kept.items()})


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
