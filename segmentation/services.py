"""Writes and orchestration for customers and segments: imports and re-clustering."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from core import bulk
from core.chunks import spread_over_workers
from core.errors import UserError
from core.import_runs import file_import
from core.job_runs import JobTracker, job_create, job_fence, job_running
from core.models import JobRun
from segmentation.importers import CUSTOMER_SPEC
from segmentation.ml import (
    ALGORITHMS, Attribute, SegmentationOutcome, UnknownFeature, segment_customers,
)
from segmentation import recluster_chunks
from segmentation.ml.feature_set import check_feature_names
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.selectors import (
    customer_attributes, customer_ids, customers_frame, previous_segmentation,
)

# Memory for the hash join of a run's memberships with the customer table (local to the publishing transaction).
PUBLISH_WORK_MEM = "256MB"

# Share of the job's progress bar each engine stage fills: (start, span). Publishing takes the rest.
ENGINE_STAGES = {
    "features": (0.10, 0.10), "fitting": (0.20, 0.35), "assigning": (0.55, 0.10),
    "profiling": (0.65, 0.03), "matching": (0.68, 0.02),
}


def customers_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None,
    trigger: str = JobRun.Trigger.COMMAND, mapping=None, save_mapping_as: str = "",
) -> JobRun:
    """Upsert customers by external id from a customer-personality file (CSV/TSV/xlsx) or any file a mapping reads."""
    return file_import(
        kind=JobRun.Kind.IMPORT_CUSTOMERS, spec=CUSTOMER_SPEC, model=Customer, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger, mapping=mapping,
        save_mapping_as=save_mapping_as,
    )


def customers_recluster(
    *,
    algorithm: str = "kmeans",
    k: int | None = None,
    seed: int = 42,
    features: list[str] | None = None,
    trigger: str = JobRun.Trigger.COMMAND,
    user=None,
    job: JobRun | None = None,
) -> SegmentationRun:
    """Cluster every customer and publish the result as the current segmentation run.

    The features are chosen from the fields and custom attributes the customers have (``segmentation.ml.
    feature_set``) unless ``features`` names them (features, customer fields, attribute keys or headers).

    Exclusive (a second run while one is going raises ``JobAlreadyRunning``). The new run becomes current, and
    every customer's segment, persona and reason change, in one transaction at the end; on any failure the
    previous run stays current, and the error is recorded on a failed SegmentationRun and on the JobRun.
    Segment keys continue the previous run's (matched on centroids), and so do personas while the profiles still
    earn them, so the same data gives the same memberships (churn 0). With a broker and more customers than
    RECLUSTER_FIT_SAMPLE, the fit is on a sample and every worker assigns chunks (``recluster_chunks``).
    """
    features = [name.strip() for name in features or [] if name.strip()] or None
    job = job or job_create(kind=JobRun.Kind.RECLUSTER, trigger=trigger, user=user,
                            params={"algorithm": algorithm, "k": k, "seed": seed, "features": features})
    with job_running(job) as tracker:
        attributes = customer_attributes()
        _check_request(algorithm=algorithm, k=k, features=features, attributes=attributes)
        if not Customer.objects.exists():
            raise UserError("there are no customers to segment yet: import customers first")
        run = SegmentationRun.objects.create(job=job, algorithm=algorithm, trigger=job.trigger,
                                             params={"k": k, "seed": seed})
        try:
            _recluster(run=run, tracker=tracker, algorithm=algorithm, k=k, seed=seed, features=features,
                       attributes=attributes)
        except BaseException as exc:
            _run_failed(run=run, exc=exc)
            raise
        job.counts = {
            "run": run.pk, "customers": run.n_customers, "segmented": run.n_customers - run.n_unsegmented,
            "unsegmented": run.n_unsegmented, "k": run.chosen_k, "churn": run.churn,
        }
        if run.params.get("warning"):
            job.counts["warning"] = run.params["warning"]
    return run


def _check_request(*, algorithm: str, k: int | None, features: list[str] | None, attributes: list[Attribute]) -> None:
    if algorithm not in ALGORITHMS:
        raise UserError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if k is not None and k < 1:
        raise UserError(f"k must be at least 1 (got {k})")
    if features is not None:
        recluster_features_check(features, attributes=attributes)


def recluster_features_check(features: list[str], *, attributes: list[Attribute] | None = None) -> None:
    """Refuse (``UserError``, naming the valid choices) a feature a re-cluster does not know: a feature, a
    customer field or a custom attribute (key or header). The API checks a job's ``features`` with it before the
    job is queued (registered with core in ``SegmentationConfig.ready``); the run checks again."""
    requested = [name.strip() for name in features if name.strip()]
    try:
        check_feature_names(requested, customer_attributes() if attributes is None else attributes)
    except UnknownFeature as exc:
        raise UserError(str(exc)) from exc


def _recluster(
    *, run: SegmentationRun, tracker: JobTracker, algorithm: str, k: int | None, seed: int,
    features: list[str] | None, attributes: list[Attribute],
) -> None:
    tracker.progress("reading customers", 0.02)
    previous_run = SegmentationRun.objects.filter(is_current=True).first()
    ids = customer_ids() if _spread_over_workers() else None
    if ids is not None and len(ids) > recluster_chunks.fit_sample_size():
        sample = customers_frame(previous_run=previous_run, attributes=attributes,
                                 ids=recluster_chunks.fit_sample(ids, seed))
        outcome = _segmented(sample, tracker=tracker, algorithm=algorithm, k=k, seed=seed,
                             features=features, attributes=attributes, previous_run=previous_run)
        recluster_chunks.publish_in_chunks(run=run, previous_run=previous_run, outcome=outcome,
                                           attributes=attributes, ids=ids, tracker=tracker)
        return
    customers = customers_frame(previous_run=previous_run, attributes=attributes)
    outcome = _segmented(customers, tracker=tracker, algorithm=algorithm, k=k, seed=seed,
                         features=features, attributes=attributes, previous_run=previous_run)
    churn = None if previous_run is None else customer_churn(customers["previous_key"], outcome.segment_keys)
    _publish(run=run, previous_run=previous_run, outcome=outcome, customer_ids=customers["id"], churn=churn,
             tracker=tracker)


def _segmented(customers: pd.DataFrame, *, tracker, algorithm, k, seed, features, attributes,
               previous_run) -> SegmentationOutcome:
    try:
        return segment_customers(
            customers, algorithm=algorithm, k=k, seed=seed, previous=previous_segmentation(previous_run),
            progress=_engine_progress(tracker), attributes=attributes, features=features,
        )
    except UnknownFeature as exc:
        raise UserError(str(exc)) from exc


def _spread_over_workers() -> bool:
    """Whether a re-cluster of many customers is spread over workers: when tasks go through a broker."""
    return spread_over_workers()


def customer_churn(previous_keys: pd.Series, keys: np.ndarray) -> float:
    """Share of customers in both runs whose segment key changed (0.0 when nobody is in both).

    Vectorised rather than the engine's per-customer dictionaries: the same rule, ~1 s less at a million rows."""
    previous = previous_keys.to_numpy(dtype="float64")
    in_both = ~np.isnan(previous)
    if not in_both.any():
        return 0.0
    return float((previous[in_both] != keys[in_both]).mean())


def _engine_progress(tracker: JobTracker):
    """The engine reports (stage, fraction of that stage); place each stage on the job's progress bar."""
    callbacks = {stage: tracker.stage_callback(start, span) for stage, (start, span) in ENGINE_STAGES.items()}

    def report(stage: str, fraction: float) -> None:
        callbacks.get(stage, tracker.progress)(stage, fraction)

    return report


@transaction.atomic
def _publish(
    *, run: SegmentationRun, previous_run: SegmentationRun | None, outcome: SegmentationOutcome,
    customer_ids: pd.Series, churn: float | None, tracker: JobTracker,
) -> None:
    """Make ``run`` current: its segments, every customer's membership, and the customers' current segment."""
    if run.job_id:
        job_fence(run.job)  # a run found dead and replaced meanwhile publishes nothing
    tracker.progress("publishing segments", 0.70)
    if previous_run is not None:
        SegmentationRun.objects.filter(pk=previous_run.pk).update(is_current=False)
    fields = outcome.run_fields() | {"churn": churn}
    fields["params"] = run.params | fields["params"]
    for name, value in fields.items():
        setattr(run, name, value)
    run.status, run.is_current, run.finished_at = SegmentationRun.Status.SUCCEEDED, True, timezone.now()
    run.save()
    segments = Segment.objects.bulk_create([
        Segment(run=run, key=summary.key, persona=summary.persona, label=summary.label[:120], size=summary.size,
                share=summary.share, profile=summary.profile, centroid=summary.centroid)
        for summary in outcome.segments
    ])
    assignments = _assignment_frame(outcome, customer_ids, {segment.key: segment.pk for segment in segments})
    tracker.progress("writing memberships", 0.75)
    with connection.cursor() as cursor:
        bulk.copy_frame(cursor, SegmentMembership._meta.db_table, assignments.assign(run_id=run.pk))
    tracker.progress("updating customers", 0.88)
    customers_follow_run(run=run)


def customers_follow_run(*, run: SegmentationRun) -> int:
    """Give every customer of ``run`` its membership's segment, persona and reason; returns customers updated.

    One UPDATE … FROM the memberships the publish has just copied: the rows go to the database once, not a second
    time into a staging table. Call inside the publishing transaction."""
    customer, membership = (bulk.quote(model._meta.db_table) for model in (Customer, SegmentMembership))
    with connection.cursor() as cursor:
        if bulk.is_postgres():
            _plan_for_whole_run(cursor)
        cursor.execute(
            f"UPDATE {customer} SET segment_id = m.segment_id, persona = m.persona, "
            f"unsegmented_reason = m.unsegmented_reason FROM {membership} m "
            f"WHERE m.run_id = %s AND m.customer_id = {customer}.id", [run.pk])
        updated = cursor.rowcount
        if bulk.is_postgres():
            cursor.execute("RESET work_mem")
            cursor.execute("RESET enable_nestloop")
    return updated


def _plan_for_whole_run(cursor) -> None:
    """Settings for joining a run's memberships with every customer, in the open transaction. The run's rows are
    not in the planner's statistics yet, so it would expect a handful and probe the customer index once per
    membership; and with the default 4 MB the hash is split into batches, so customers are updated in scattered
    order, each page read and written several times (about 1.6x slower at 1,000,000 customers)."""
    cursor.execute(f"SET LOCAL work_mem = '{PUBLISH_WORK_MEM}'")
    cursor.execute("SET LOCAL enable_nestloop = off")


def _assignment_frame(
    outcome: SegmentationOutcome, customer_ids: pd.Series, segment_ids: dict[int, int]
) -> pd.DataFrame:
    """customer_id, segment_id (NULL when unsegmented), persona (nearest segment's for outliers), reason."""
    segment_id = pd.Series(outcome.segment_keys).map(segment_ids).astype("Int64")
    return pd.DataFrame({
        "customer_id": customer_ids.to_numpy(dtype=np.int64),
        "segment_id": segment_id.array,
        "persona": outcome.personas.astype(object),
        "unsegmented_reason": outcome.reasons.astype(object),
    })


def segment_history_prune(*, keep_runs: int | None = None) -> int:
    """Delete the memberships of all but the newest ``keep_runs`` published runs (SEGMENT_HISTORY_RUNS, default
    90); returns the rows deleted. Each run adds a membership per customer, a million rows a night at scale.
    Runs and their segments (sizes, profiles, metrics) are kept; the current run is never pruned."""
    from django.conf import settings

    keep = settings.SEGMENT_HISTORY_RUNS if keep_runs is None else keep_runs
    if keep < 1:
        raise UserError("keep at least the current run's memberships (keep_runs >= 1)")
    published = SegmentationRun.objects.filter(status=SegmentationRun.Status.SUCCEEDED)
    newest = list(published.order_by("-started_at", "-pk").values_list("pk", flat=True)[:keep])
    old = list(published.exclude(pk__in=newest).exclude(is_current=True).values_list("pk", flat=True))
    if not old:
        return 0
    deleted, _ = SegmentMembership.objects.filter(run_id__in=old).delete()  # one DELETE: nothing cascades from it
    return deleted


def segmentation_runs_abandon(*, job: JobRun, **kwargs) -> int:
    """Close the segmentation run of a job that ended without finishing (stopped by a signal, its database
    connection lost, or found dead by a stale release): failed, never current. Connected to core's
    `job_abandoned` in SegmentationConfig.ready."""
    return SegmentationRun.objects.filter(job_id=job.pk, status=SegmentationRun.Status.RUNNING).update(
        status=SegmentationRun.Status.FAILED, is_current=False, error=job.error or "job ended without finishing",
        finished_at=timezone.now(),
    )


def _run_failed(*, run: SegmentationRun, exc: BaseException) -> None:
    error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
    SegmentationRun.objects.filter(pk=run.pk).update(
        status=SegmentationRun.Status.FAILED, is_current=False, error=error, finished_at=timezone.now()
    )
    run.refresh_from_db()
