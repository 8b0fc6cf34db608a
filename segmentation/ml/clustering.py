"""Cluster customers: choose k, fit on a sample when the base is large, assign everyone in chunks.

* k is chosen over ``k_range`` by the silhouette score (on at most ``silhouette_sample_size`` fitted rows; ties go to
  the smaller k); Calinski-Harabasz and Davies-Bouldin are recorded for every k tried. A fixed ``k`` skips the scan.
* KMeans (default) and GaussianMixture are fitted on at most ``fit_sample_size`` customers; Ward and DBSCAN need all
  pairwise distances, so they are fitted on at most ``pairwise_sample_size``. Everybody is then assigned in chunks
  of ``chunk_size`` by the fitted pipeline (KMeans/GMM predict, nearest centroid for Ward, nearest core customer
  within eps for DBSCAN). Plain KMeans is used rather than MiniBatchKMeans, which measured ~9× slower at
  1M rows on the project machine.
* DBSCAN ignores k: it finds its own number of clusters. Its noise customers get the reason ``"outlier"`` and
  keep the label -1; their nearest cluster is reported separately.
* A clustering is *weak* when the chosen k's silhouette is below ``WEAK_SILHOUETTE`` (0.25: Kaufman and
  Rousseeuw's line under which "no substantial structure has been found"). The run still publishes — segments
  remain a consistent way to split the base — but ``weak_clustering_reason`` says so, and why, on the run page
  and in ``recluster``'s output, so nobody reads the segments as natural groups. On the public file the best
  silhouette is 0.18 (k = 3) and on the demo data 0.14 (k = 2): both are flagged.
* Deterministic for a seed: the sample, the silhouette sample and every estimator take it.
* Native thread pools (OpenMP, BLAS) are capped at ``threads`` (default 1) for the whole call: on a shared or
  busy machine oversubscribed threads made KMeans ~20× and GaussianMixture ~50× slower than one thread.
  scikit-learn's chunked distance computations (silhouette, nearest centre) are held to ``WORKING_MEMORY_MB``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, ward
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.cluster import DBSCAN
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from segmentation.ml.features import CustomerFeatures
from segmentation.ml.pipeline import (
    SampleAssigner, build_front, build_segmentation_pipeline, make_gaussian_mixture, make_kmeans,
)

Progress = Callable[[str, float], None]

KMEANS, GAUSSIAN_MIXTURE, AGGLOMERATIVE, DBSCAN_ALGORITHM = "kmeans", "gmm", "agglomerative", "dbscan"
ALGORITHMS = (KMEANS, GAUSSIAN_MIXTURE, AGGLOMERATIVE, DBSCAN_ALGORITHM)
OUTLIER = "outlier"
TOO_FEW_CUSTOMERS = "too_few_customers"
WORKING_MEMORY_MB = 128
WEAK_SILHOUETTE = 0.25


@dataclass(frozen=True)
class ClusteringSettings:
    algorithm: str = KMEANS
    k: int | None = None
    k_range: tuple[int, int] = (2, 8)
    seed: int = 42
    pca_components: int | float | None = None
    fit_sample_size: int = 50_000
    pairwise_sample_size: int = 10_000
    silhouette_sample_size: int = 10_000
    chunk_size: int = 100_000
    kmeans_n_init: int = 4
    gmm_covariance_type: str = "full"
    dbscan_eps: float | None = None
    dbscan_min_samples: int = 10
    dbscan_eps_quantile: float = 0.9
    threads: int | None = 1

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {self.algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
        if self.k is not None and self.k < 1:
            raise ValueError("k must be at least 1")
        if self.k_range[0] > self.k_range[1]:
            raise ValueError(f"k_range {self.k_range} is empty")

    def as_params(self) -> dict:
        params = asdict(self)
        params["k_range"] = list(self.k_range)
        return params


@dataclass(frozen=True)
class ClusterResult:
    """Cluster labels aligned to the input rows (-1 = not in a cluster, see ``reasons``).

    ``nearest_cluster`` equals ``labels`` for clustered rows, names the closest cluster for DBSCAN outliers, and is
    -1 for rows that could not be assessed. ``centroids`` are segment means of ``feature_names`` in original units
    (rows ordered by cluster number), so they stay comparable across runs whatever the scaling.
    """

    labels: np.ndarray
    reasons: np.ndarray
    nearest_cluster: np.ndarray
    k: int
    algorithm: str
    params: dict
    metrics: list[dict]
    centroids: np.ndarray
    feature_names: tuple[str, ...]
    pipeline: Pipeline | None
    fitted_rows: int


@dataclass(frozen=True)
class _Candidate:
    k: int
    segmenter: BaseEstimator
    metrics: dict


def cluster_customers(
    features: CustomerFeatures, settings: ClusteringSettings = ClusteringSettings(), progress: Progress | None = None
) -> ClusterResult:
    with threadpool_limits(limits=settings.threads), config_context(working_memory=WORKING_MEMORY_MB):
        return _cluster_customers(features, settings, progress)


def _cluster_customers(
    features: CustomerFeatures, settings: ClusteringSettings, progress: Progress | None
) -> ClusterResult:
    report = progress or (lambda stage, fraction: None)
    frame = features.frame
    eligible = np.flatnonzero(features.reasons == "")
    if len(eligible) < 2:
        return _nothing_clustered(features, settings)
    rng = np.random.default_rng(settings.seed)
    fitted_rows = _sample(eligible, _fit_cap(settings), rng)
    front = build_front(features.feature_set, settings.pca_components, settings.seed)
    sample = front.fit_transform(frame.iloc[fitted_rows])
    candidates = _scan(sample, settings, rng, report)
    best = choose_candidate(candidates)
    pipeline = build_segmentation_pipeline(front, best.segmenter)
    labels, nearest = assign_in_chunks(pipeline, frame, eligible, settings.chunk_size, report)
    reasons = features.reasons.copy()
    reasons[(labels < 0) & (reasons == "")] = OUTLIER
    return ClusterResult(
        labels=labels, reasons=reasons, nearest_cluster=nearest, k=best.k, algorithm=settings.algorithm,
        params=settings.as_params(), metrics=[candidate.metrics for candidate in candidates],
        centroids=segment_means(frame, labels, best.k, features.feature_set.numeric),
        feature_names=features.feature_set.numeric, pipeline=pipeline,
        fitted_rows=len(fitted_rows),
    )


def choose_candidate(candidates: list[_Candidate]) -> _Candidate:
    """Highest silhouette; ties (and undefined silhouettes) go to the smaller k."""
    def key(candidate: _Candidate) -> tuple[float, int]:
        silhouette = candidate.metrics["silhouette"]
        return (-np.inf if silhouette is None else silhouette, -candidate.k)
    return max(candidates, key=key)


def weak_clustering_reason(metrics: list[dict], chosen_k: int | None) -> str:
    """Why the run's clustering is weak, in words ("" when it is not, or nothing was clustered)."""
    chosen = [row for row in metrics if row.get("k") == chosen_k]
    if not chosen_k or not chosen:
        return ""
    silhouette = chosen[0].get("silhouette")
    if silhouette is None:
        return (f"weak clustering: the silhouette is undefined at k = {chosen_k}, so nothing shows the segments "
                "are separate groups")
    if silhouette >= WEAK_SILHOUETTE:
        return ""
    best = max((row for row in metrics if row.get("silhouette") is not None), key=lambda row: row["silhouette"])
    tried = "" if len(metrics) == 1 else (
        f"; the best k tried scored {best['silhouette']:.3f}" if best["k"] != chosen_k else
        f"; it was the best of k = {metrics[0]['k']}-{metrics[-1]['k']}")
    return (f"weak clustering: silhouette {silhouette:.3f} at k = {chosen_k} is below {WEAK_SILHOUETTE}{tried}. "
            "Customers sit almost as close to a neighbouring segment as to their own, so read the segments as a "
            "convenient split of the base, not as distinct groups")


def assign_in_chunks(
    pipeline: Pipeline, frame: pd.DataFrame, rows: np.ndarray, chunk_size: int, report: Progress
) -> tuple[np.ndarray, np.ndarray]:
    """Label and nearest cluster for ``rows`` of ``frame`` (others stay -1), a chunk at a time to bound memory."""
    labels = np.full(len(frame), -1, dtype=np.int64)
    nearest = np.full(len(frame), -1, dtype=np.int64)
    front, segmenter = pipeline[:-1], pipeline[-1]
    for start in range(0, len(rows), chunk_size):
        chunk = rows[start:start + chunk_size]
        prepared = front.transform(frame.iloc[chunk])
        if isinstance(segmenter, SampleAssigner):
            labels[chunk], nearest[chunk] = segmenter.assign(prepared)
        else:
            labels[chunk] = nearest[chunk] = segmenter.predict(prepared)
        report("assigning", min(1.0, (start + len(chunk)) / len(rows)))
    return labels, nearest


def segment_means(frame: pd.DataFrame, labels: np.ndarray, k: int, names: tuple[str, ...]) -> np.ndarray:
    """Mean of every numeric clustering feature per cluster, in original units (NaN rows for an empty cluster)."""
    in_cluster = labels >= 0
    counts = np.bincount(labels[in_cluster], minlength=k).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.column_stack([
            np.bincount(labels[in_cluster], weights=frame[name].to_numpy(np.float64)[in_cluster], minlength=k) / counts
            for name in names
        ]) if names else np.empty((k, 0))


def _fit_cap(settings: ClusteringSettings) -> int:
    if settings.algorithm in (AGGLOMERATIVE, DBSCAN_ALGORITHM):
        return min(settings.fit_sample_size, settings.pairwise_sample_size)
    return settings.fit_sample_size


def _sample(rows: np.ndarray, cap: int, rng: np.random.Generator) -> np.ndarray:
    if len(rows) <= cap:
        return rows
    return np.sort(rng.choice(rows, size=cap, replace=False))


def _candidate_ks(settings: ClusteringSettings, sample: np.ndarray) -> list[int]:
    """The k values to try, never more than the sample's distinct customers (identical rows cannot be split)."""
    n_distinct = len(np.unique(sample, axis=0))
    if settings.k is not None:
        return [min(settings.k, n_distinct)]
    low, high = max(2, settings.k_range[0]), min(settings.k_range[1], n_distinct - 1)
    return list(range(low, high + 1)) or [min(2, n_distinct)]


def _scan(
    sample: np.ndarray, settings: ClusteringSettings, rng: np.random.Generator, report: Progress
) -> list[_Candidate]:
    scoring_rows = _sample(np.arange(len(sample)), settings.silhouette_sample_size, rng)
    if settings.algorithm == DBSCAN_ALGORITHM:
        report("fitting", 0.0)
        candidate = _fit_dbscan(sample, settings, scoring_rows)
        report("fitting", 1.0)
        return [candidate]
    ks = _candidate_ks(settings, sample)
    tree = ward(sample) if settings.algorithm == AGGLOMERATIVE else None
    candidates = []
    for done, k in enumerate(ks):
        report("fitting", done / len(ks))
        labels, segmenter = _fit_k(sample, k, settings, tree)
        candidates.append(_Candidate(k, segmenter, cluster_metrics(sample, labels, k, scoring_rows)))
    report("fitting", 1.0)
    return candidates


def _fit_k(
    sample: np.ndarray, k: int, settings: ClusteringSettings, tree: np.ndarray | None
) -> tuple[np.ndarray, BaseEstimator]:
    if settings.algorithm == KMEANS:
        model = make_kmeans(k, settings.seed, settings.kmeans_n_init).fit(sample)
        return model.labels_, model
    if settings.algorithm == GAUSSIAN_MIXTURE:
        model = make_gaussian_mixture(k, settings.seed, settings.gmm_covariance_type).fit(sample)
        return model.predict(sample), model
    labels = _dense_labels(fcluster(tree, t=k, criterion="maxclust") - 1)
    return labels, SampleAssigner().fit(sample, labels)


def _dense_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber labels 0..m-1 (noise -1 kept) in order of first appearance, for a deterministic numbering."""
    clustered = labels[labels >= 0]
    order = pd.unique(clustered)
    mapping = {label: index for index, label in enumerate(order)}
    return np.array([mapping.get(label, -1) for label in labels], dtype=np.int64)


def dbscan_eps(sample: np.ndarray, min_samples: int, quantile: float) -> float:
    """Default eps: a high quantile of each customer's distance to its ``min_samples``-th neighbour, so most
    customers are core or border points and only the sparsest fringe becomes "outlier"."""
    neighbours = min(min_samples, len(sample) - 1)
    distances, _ = NearestNeighbors(n_neighbors=neighbours + 1).fit(sample).kneighbors(sample)
    return float(np.quantile(distances[:, -1], quantile))


def _fit_dbscan(sample: np.ndarray, settings: ClusteringSettings, scoring_rows: np.ndarray) -> _Candidate:
    eps = settings.dbscan_eps or dbscan_eps(sample, settings.dbscan_min_samples, settings.dbscan_eps_quantile)
    model = DBSCAN(eps=eps, min_samples=settings.dbscan_min_samples).fit(sample)
    labels = _dense_labels(model.labels_)
    if not (labels >= 0).any():
        raise ValueError(f"DBSCAN found no cluster at eps={eps:.3g}; raise dbscan_eps or lower dbscan_min_samples")
    core = np.zeros(len(sample), dtype=bool)
    core[model.core_sample_indices_] = True
    k = int(labels.max()) + 1
    metrics = cluster_metrics(sample, labels, k, scoring_rows) | {"eps": eps, "noise_share": float((labels < 0).mean())}
    return _Candidate(k, SampleAssigner(eps=eps).fit(sample, labels, core_mask=core), metrics)


def cluster_metrics(sample: np.ndarray, labels: np.ndarray, k: int, scoring_rows: np.ndarray) -> dict:
    """Silhouette (on ``scoring_rows``), Calinski-Harabasz and Davies-Bouldin; None where undefined. Noise excluded."""
    clustered = labels >= 0
    return {
        "k": int(k),
        "silhouette": _metric(silhouette_score, sample[scoring_rows], labels[scoring_rows]),
        "calinski_harabasz": _metric(calinski_harabasz_score, sample[clustered], labels[clustered]),
        "davies_bouldin": _metric(davies_bouldin_score, sample[clustered], labels[clustered]),
    }


def _metric(score: Callable[[np.ndarray, np.ndarray], float], values: np.ndarray, labels: np.ndarray) -> float | None:
    keep = labels >= 0
    values, labels = values[keep], labels[keep]
    if not 2 <= len(np.unique(labels)) <= len(labels) - 1:
        return None
    return float(score(values, labels))


def _nothing_clustered(features: CustomerFeatures, settings: ClusteringSettings) -> ClusterResult:
    """Fewer than two customers can be segmented: nobody gets a cluster, everyone gets a reason."""
    reasons = features.reasons.copy()
    reasons[reasons == ""] = TOO_FEW_CUSTOMERS
    none = np.full(len(reasons), -1, dtype=np.int64)
    return ClusterResult(
        labels=none, reasons=reasons, nearest_cluster=none.copy(), k=0, algorithm=settings.algorithm,
        params=settings.as_params(), metrics=[], centroids=np.empty((0, len(features.feature_set.numeric))),
        feature_names=features.feature_set.numeric, pipeline=None, fitted_rows=0,
    )
