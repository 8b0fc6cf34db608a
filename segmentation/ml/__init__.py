"""Pure customer segmentation engine (pandas, numpy, scikit-learn; no Django).

Main entry point::

    outcome = segment_customers(customers, algorithm="kmeans", k=None, k_range=(2, 8), seed=42,
                                reference_date=None, previous=None, progress=None, attributes=(), features=None,
                                **settings)

``customers`` is a DataFrame with the shared Customer column contract (``year_birth``, ``income``, ``mnt_wines``,
... plus an ``id`` or ``external_id`` column used for churn); any of those may be missing or empty, and custom
attributes come as ``attr:<key>`` columns described by ``attributes`` (``Attribute``: key, label, kind). The
features clustered on are chosen from the columns present (``feature_set``) unless ``features`` names them. ``rename_dataset_columns`` turns the public
customer-personality file's headers into that contract. Extra ``settings`` go to ``ClusteringSettings``
(``fit_sample_size``, ``pca_components``, ``dbscan_eps``, ``threads``, ...). ``progress(stage, fraction)`` is
called with the stages "features", "fitting", "assigning", "profiling", "matching".

``SegmentationOutcome`` (frozen) holds, aligned to the input rows:

* ``segment_keys`` — stable segment key per customer, -1 when unsegmented;
* ``reasons`` — "" when segmented, else "outlier" (DBSCAN noise), "insufficient_data" (no spend and no purchase
  data at all) or "too_few_customers";
* ``nearest_segment_keys`` / ``personas`` — the segment (and its persona) a customer belongs to or, for an
  outlier, is closest to;
* ``flags`` — values that were imputed or corrected ("income_missing;age_implausible"), see ``features``;

and per run: ``segments`` (``SegmentSummary``: key, persona — "" when the data holds no evidence for one —,
label, size, share, JSON profile, centroid, previous_key), ``feature_set``, ``warning`` (weak clustering, in
words), ``persona_note``, ``churn``, ``clusters`` (``ClusterResult``: labels, metrics per k, chosen k, algorithm, params,
centroids, feature names, the fitted scikit-learn Pipeline). ``run_fields()`` gives the SegmentationRun columns;
``as_previous()`` gives the ``PreviousSegmentation`` to pass to the next run so keys and personas persist.

Modules: ``feature_set`` (which features, from the columns present), ``attributes`` (custom attributes as
features), ``features`` (feature engineering and the data-quality rule), ``pipeline`` (the Pipeline and its
ColumnTransformer), ``clustering`` (k selection, sample-and-assign), ``profiles`` (segment profiles),
``personas`` (persona rule and labels), ``stability`` (identity matching and churn), ``engine`` (the one call).
"""
from segmentation.ml.attributes import Attribute
from segmentation.ml.clustering import (
    ALGORITHMS, OUTLIER, TOO_FEW_CUSTOMERS, WEAK_SILHOUETTE, ClusteringSettings, ClusterResult, Progress,
    cluster_customers, weak_clustering_reason,
)
from segmentation.ml.engine import SegmentationOutcome, SegmentSummary, segment_customers
from segmentation.ml.feature_set import FeatureSet, UnknownFeature
from segmentation.ml.features import (
    INSUFFICIENT_DATA, CustomerFeatures, FeatureBasis, build_customer_features, rename_dataset_columns,
)
from segmentation.ml.stability import PreviousSegmentation, match_segments, segment_churn

__all__ = [
    "ALGORITHMS", "INSUFFICIENT_DATA", "OUTLIER", "TOO_FEW_CUSTOMERS", "WEAK_SILHOUETTE",
    "Attribute", "ClusterResult", "ClusteringSettings", "CustomerFeatures", "FeatureBasis", "FeatureSet",
    "PreviousSegmentation", "Progress", "SegmentSummary", "SegmentationOutcome", "UnknownFeature",
    "build_customer_features", "cluster_customers", "match_segments", "rename_dataset_columns",
    "segment_churn", "segment_customers", "weak_clustering_reason",
]
