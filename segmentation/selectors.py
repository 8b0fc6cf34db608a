"""Reads of customers, segmentation runs and segments."""
from __future__ import annotations

from typing import Iterator

from django.db.models import QuerySet

from core.models import CustomAttribute, JobRun
from segmentation.importers import CUSTOMER_SPEC
from segmentation.ml.feature_set import CATEGORICAL_FEATURES, FEATURE_LABELS, NUMERIC_FEATURES
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership

EXPORT_HEADER = ["external_id", "segment", "persona", "run"]
EXPORT_CHUNK_ROWS = 5_000
UNSEGMENTED_LABEL = "unsegmented: {reason}"


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
