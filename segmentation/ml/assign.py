"""Assign customers with a segmentation fitted elsewhere: what each chunk of a re-cluster spread over workers does.

The fit (``segment_customers`` on a sample) decides the features' basis, the Pipeline, and each cluster's segment
key and persona; ``FittedSegmentation.of`` keeps exactly that, and ``assign_customers`` gives any rows the key,
persona, reason and flags the fit would have given them (the same features, the same predict). It travels to the
workers as text (``to_text`` / ``from_text``: a pickle, written and read only by this service through the
database's chunk ledger, like the lead models' artifacts).
"""
from __future__ import annotations

import base64
import pickle
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import config_context
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from segmentation.ml.attributes import Attribute
from segmentation.ml.clustering import OUTLIER, TOO_FEW_CUSTOMERS, WORKING_MEMORY_MB, assign_in_chunks
from segmentation.ml.engine import SegmentationOutcome
from segmentation.ml.features import FeatureBasis, build_customer_features
from segmentation.ml.stability import UNSEGMENTED_KEY


@dataclass(frozen=True)
class FittedSegmentation:
    """The fitted Pipeline (None when the fit clustered nobody), the features' basis and attributes, and per
    cluster number its segment key and persona (the last entry: no cluster)."""

    pipeline: Pipeline | None
    basis: FeatureBasis
    attributes: tuple[Attribute, ...]
    keys: tuple[int, ...]
    personas: tuple[str, ...]
    chunk_size: int = 100_000

    @classmethod
    def of(cls, outcome: SegmentationOutcome, attributes, chunk_size: int = 100_000) -> FittedSegmentation:
        size = max([outcome.clusters.k, *(segment.cluster + 1 for segment in outcome.segments)], default=0)
        keys, personas = [UNSEGMENTED_KEY] * (size + 1), [""] * (size + 1)
        for segment in outcome.segments:
            keys[segment.cluster], personas[segment.cluster] = segment.key, segment.persona
        return cls(pipeline=outcome.clusters.pipeline, basis=outcome.basis, attributes=tuple(attributes),
                   keys=tuple(keys), personas=tuple(personas), chunk_size=chunk_size)

    def to_text(self) -> str:
        return base64.b64encode(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)).decode("ascii")

    @staticmethod
    def from_text(text: str) -> FittedSegmentation:
        return pickle.loads(base64.b64decode(text))  # noqa: S301 - written by the re-cluster itself


@dataclass(frozen=True)
class Assignment:
    """Per row of the assigned frame: segment key (-1 unsegmented), persona (of the nearest segment), reason,
    flags."""

    segment_keys: np.ndarray
    personas: np.ndarray
    reasons: np.ndarray
    flags: np.ndarray


def assign_customers(fitted: FittedSegmentation, customers: pd.DataFrame) -> Assignment:
    """Key, persona, reason and flags of every row of ``customers``, as the fit would have given them."""
    built = build_customer_features(customers, attributes=fitted.attributes, basis=fitted.basis)
    eligible = np.flatnonzero(built.reasons == "")
    reasons = built.reasons.copy()
    if fitted.pipeline is None:
        labels = nearest = np.full(len(customers), -1, dtype=np.int64)
        reasons[eligible] = TOO_FEW_CUSTOMERS
    else:
        with threadpool_limits(limits=1), config_context(working_memory=WORKING_MEMORY_MB):
            labels, nearest = assign_in_chunks(fitted.pipeline, built.frame, eligible, fitted.chunk_size,
                                               lambda stage, fraction: None)
        reasons[(labels < 0) & (reasons == "")] = OUTLIER
    keys, personas = np.asarray(fitted.keys, dtype=np.int64), np.asarray(fitted.personas, dtype=object)
    return Assignment(segment_keys=keys[labels], personas=personas[nearest], reasons=reasons, flags=built.flags)
