"""Reads of customers, segmentation runs and segments, including the customer frame the engine reads."""
from __future__ import annotations

import json
from typing import Iterator

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from core import bulk, bulk_read
from core.models import CustomAttribute, JobRun
from segmentation.importers import CUSTOMER_SPEC
from segmentation.ml import Attribute, PreviousSegmentation
from segmentation.ml.feature_set import CATEGORICAL_FEATURES, FEATURE_LABELS, NUMERIC_FEATURES
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership

EXPORT_HEADER = ["external_id", "segment", "persona", "run"]
EXPORT_CHUNK_ROWS = 5_000
UNSEGMENTED_LABEL = "unsegmented: {reason}"
# What the segmentation engine reads per customer (the shared column contract). Booleans are read as 0/1:
# COPY renders them as t/f, which the engine would not recognise as numbers.
NUMBER_COLUMNS = (
    "year_birth", "income", "kidhome", "teenhome", "recency",
    "mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products", "mnt_sweet_products", "mnt_gold_prods",
    "num_deals_purchases", "num_web_purchases", "num_catalog_purchases", "num_store_purchases",
    "num_web_visits_month",
)
TEXT_COLUMNS = ("education", "marital_status", "dt_customer")
FLAG_COLUMNS = (
    "accepted_cmp1", "accepted_cmp2", "accepted_cmp3", "accepted_cmp4", "accepted_cmp5", "complain", "response",
)
NO_PREVIOUS_SEGMENT = -1


def current_run() -> SegmentationRun | None:
    """The run whose segments customers are in now (None before the first successful run)."""
    return SegmentationRun.objects.filter(is_current=True).first()


def recluster_in_progress() -> JobRun | None:
    """The re-cluster job holding the lock, if one is running."""
    return JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER, lock_key=JobRun.Kind.RECLUSTER).first()


def customer_segment_history(*, customer: Customer) -> QuerySet[SegmentMembership]:
    """The segment the customer was in for each run, newest run first.

    Filtered by the published runs as well as the customer, so PostgreSQL probes the (run, customer) key once
    per run instead of scanning every membership of every run."""
    published = SegmentationRun.objects.filter(status=SegmentationRun.Status.SUCCEEDED).values("pk")
    return (
        SegmentMembership.objects.filter(customer=customer, run__in=published)
        .select_related("segment", "run")
        .order_by("-run__started_at", "-run_id")
    )


def recluster_feature_choices() -> list[tuple[str, str]]:
    """(name, words) of everything a re-cluster can be asked to use: the features, then the customers' custom
    attributes by key, labelled with the file's header."""
    known = [(name, FEATURE_LABELS[name]) for name in (*NUMERIC_FEATURES, *CATEGORICAL_FEATURES)]
    attributes = CustomAttribute.objects.filter(entity=CUSTOMER_SPEC.name).order_by("key")
    return known + [(key, f"{label} (custom attribute, {kind})")
                    for key, label, kind in attributes.values_list("key", "label", "kind")]


def run_feature_lines(run: SegmentationRun) -> list[str]:
    """What a run clustered on, in words: the fields and attributes used, and those left out with the reason."""
    fields = run.params.get("fields") or []
    lines = [f"clustered on {len(fields)} field(s): {', '.join(fields)}"] if fields else []
    if run.params.get("requested"):
        lines.append(f"features requested: {', '.join(run.params['requested'])}")
    left_out = run.params.get("left_out") or {}
    if left_out:
        lines.append("left out: " + "; ".join(f"{name} ({reason})" for name, reason in left_out.items()))
    return lines


def run_segments(*, run: SegmentationRun) -> QuerySet[Segment]:
    """A run's segments, largest first."""
    return run.segments.order_by("-size", "key")


def segment_export_rows(*, run: SegmentationRun | None = None) -> Iterator[tuple[str, str, str, int]]:
    """(external_id, segment label, persona, run id) for every customer of ``run`` (default: the current run),
    in customer id order, streamed from the database. Unsegmented customers carry their reason as the label
    ("unsegmented: outlier") and, for outliers, the persona of the nearest segment."""
    run = run or current_run()
    if run is None:
        return iter(())
    return _export_rows(run)


def _export_rows(run: SegmentationRun) -> Iterator[tuple[str, str, str, int]]:
    labels = dict(run.segments.values_list("pk", "label"))
    rows = (
        SegmentMembership.objects.filter(run=run)
        .order_by("customer_id")
        .values_list("customer__external_id", "segment_id", "persona", "unsegmented_reason")
        .iterator(chunk_size=EXPORT_CHUNK_ROWS)
    )
    for external_id, segment_id, persona, reason in rows:
        label = labels[segment_id] if segment_id is not None else UNSEGMENTED_LABEL.format(reason=reason)
        yield external_id, label, persona, run.pk


# --- the frame the segmentation engine reads ---------------------------------------------------------------------

def customer_attributes() -> list[Attribute]:
    """The custom attributes customer files have brought (``core.CustomAttribute``, entity "customers")."""
    rows = CustomAttribute.objects.filter(entity=CUSTOMER_SPEC.name).order_by("key")
    return [Attribute(key=key, label=label, kind=kind) for key, label, kind in rows.values_list("key", "label", "kind")]


def customer_ids() -> np.ndarray:
    """Every customer's id, in id order."""
    frame = bulk_read.read_frame(f"SELECT id FROM {Customer._meta.db_table} ORDER BY id", columns=["id"])
    return frame["id"].to_numpy(dtype=np.int64)


def customers_frame(
    *, previous_run: SegmentationRun | None, attributes: list[Attribute] | None = None,
    id_range: tuple[int, int] | None = None, ids: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every customer in id order (the engine's input contract + ``id``), with ``previous_key``: the segment key
    the customer had in ``previous_run`` (-1 unsegmented there, NaN when the customer was not in it), and each of
    ``attributes`` as a column ``attr:<key>`` (its JSON value as text; the engine reads it by kind).

    One SELECT of the customer table, streamed with COPY on PostgreSQL and parsed while it streams. Id order keeps the engine's sampling, and
    so the result, the same for the same data. ``previous_key`` comes from the customers' own segment columns,
    which the previous run published together with its memberships: a segment means its key, a reason means
    unsegmented, neither means the customer arrived after that run. (Joining the run's million memberships
    instead would cost a second or so more.) ``id_range`` (low, high inclusive) or ``ids`` read only those
    customers."""
    attributes = attributes or []
    columns = ["id", *NUMBER_COLUMNS, *TEXT_COLUMNS, "segment_id", "unsegmented_reason"]
    select = [*columns, *(f"CAST({name} AS integer) AS {name}" for name in FLAG_COLUMNS)]
    params: list = []
    for index, attribute in enumerate(attributes):
        expression, param = _attribute_sql(attribute.key)
        select.append(f"{expression} AS attr_{index}")
        params.append(param)
    where, where_params = _where(id_range, ids)
    sql = f"SELECT {', '.join(select)} FROM {Customer._meta.db_table} {where} ORDER BY id"
    params += where_params
    frame = bulk_read.read_frame_overlapped(sql, params)
    frame = frame.rename(columns={f"attr_{index}": a.column for index, a in enumerate(attributes)})
    frame["previous_key"] = _previous_keys(frame, previous_run)
    return frame.drop(columns=["segment_id", "unsegmented_reason"])


def _where(id_range: tuple[int, int] | None, ids: np.ndarray | None) -> tuple[str, list]:
    if id_range is not None:
        return "WHERE id BETWEEN %s AND %s", [int(id_range[0]), int(id_range[1])]
    if ids is not None and bulk.is_postgres():
        return "WHERE id = ANY(%s)", [[int(i) for i in ids]]
    if ids is not None:
        return "WHERE id IN (SELECT value FROM json_each(%s))", [json.dumps([int(i) for i in ids])]
    return "", []


def _attribute_sql(key: str) -> tuple[str, str]:
    """One attribute of the JSON column as text: ``->>`` on PostgreSQL, ``json_extract`` on SQLite."""
    if bulk.is_postgres():
        return "attributes ->> %s", key
    return "json_extract(attributes, %s)", '$."' + key.replace('"', '\\"') + '"'



def _previous_keys(frame: pd.DataFrame, previous_run: SegmentationRun | None) -> np.ndarray:
    previous_key = np.full(len(frame), np.nan)
    if previous_run is None or frame.empty:
        return previous_key
    keys = dict(previous_run.segments.values_list("pk", "key"))
    segment_ids = pd.to_numeric(frame["segment_id"], errors="coerce")
    segmented = segment_ids.isin(list(keys)).to_numpy()
    previous_key[segmented] = segment_ids[segmented].map(keys).to_numpy(dtype="float64")
    has_reason = frame["unsegmented_reason"].astype("string").fillna("") != ""
    unsegmented = (~segmented) & has_reason.to_numpy(dtype=bool)
    previous_key[unsegmented] = NO_PREVIOUS_SEGMENT
    return previous_key


def previous_segmentation(run: SegmentationRun | None) -> PreviousSegmentation | None:
    """The keys, centroids and personas the engine matches new segments against (churn is counted here)."""
    if run is None:
        return None
    segments = list(run.segments.order_by("key").values_list("key", "centroid", "persona"))
    if not segments:
        return None
    keys, centroids, personas = (list(column) for column in zip(*segments))
    return PreviousSegmentation(keys=keys, centroids=centroids, feature_names=run.feature_names, personas=personas)
