"""The re-cluster spread over workers (core.chunks), used when tasks go through a broker and there are more
customers than the fit sample (``RECLUSTER_FIT_SAMPLE``, default 200,000).

1. The run fits on a sample (drawn with the run's seed): features and their basis, k, scaler and model, and the
   segments' keys and personas, matched with the previous run as ever (``segment_customers`` on the sample).
2. Every worker assigns id ranges of all customers with that fitted segmentation (``ml.assign``) and stages each
   customer's key, persona and reason, returning per segment its size and data-quality flags, and churn counts.
3. The run publishes in one transaction: the segments (profiles described from the sample, sizes, shares and flag
   counts from every customer), one membership per customer by ``INSERT … SELECT`` from the stage, the customers'
   current segment, churn over every customer in both runs.

In-process (no broker), or up to the sample's size, the one-pass re-cluster runs instead: with the whole table as
the "sample" both give the same result, and one pass reads and writes each customer once.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.bulk import quote
from core.chunks import Chunk, chunk_stage, chunks_run, id_ranges, staging_clear, staging_create, staging_replace
from core.job_runs import job_fence
from segmentation.ml import SegmentationOutcome
from segmentation.ml.assign import FittedSegmentation, assign_customers
from segmentation.models import Segment, SegmentationRun, SegmentMembership

STAGE_TABLE = "segmentation_recluster_stage"
DEFAULT_FIT_SAMPLE = 200_000


def fit_sample_size() -> int:
    return getattr(settings, "RECLUSTER_FIT_SAMPLE", DEFAULT_FIT_SAMPLE)


def fit_sample(ids: np.ndarray, seed: int) -> np.ndarray:
    """The ids the model is fitted on: all of them up to the sample size, else a seeded draw, in id order."""
    if len(ids) <= fit_sample_size():
        return ids
    return np.sort(np.random.default_rng(seed).choice(ids, size=fit_sample_size(), replace=False))


def publish_in_chunks(*, run: SegmentationRun, previous_run: SegmentationRun | None, outcome: SegmentationOutcome,
                      attributes, ids: np.ndarray, tracker) -> None:
    """Assign every customer with the sample's fit, chunk by chunk over the workers, then publish (see above)."""
    fitted = FittedSegmentation.of(outcome, attributes)
    staging_create(STAGE_TABLE, {"id": "bigint", "segment_key": "integer", "persona": "varchar(16)",
                                 "unsegmented_reason": "varchar(64)"})
    results = chunks_run(
        job=run.job, stage=ASSIGN, ranges=id_ranges(ids),
        params={"model": fitted.to_text(), "previous_run": previous_run.pk if previous_run else None},
        progress=lambda done, total: tracker.progress(f"assigned {done} of {total} chunks", 0.7 + 0.15 * done / total))
    totals = _merged(results)
    tracker.progress("publishing segments", 0.88)
    with transaction.atomic():
        if run.job_id:
            job_fence(run.job)  # a run found dead and replaced meanwhile publishes nothing
        _publish_staged(run=run, previous_run=previous_run, outcome=outcome, totals=totals)
    with transaction.atomic():
        staging_clear(STAGE_TABLE)


def _assign_chunk(chunk: Chunk) -> dict:
    """Stage the key, persona and reason of the customers of one id range; their sizes, flags and churn."""
    from segmentation.selectors import customers_frame

    fitted = FittedSegmentation.from_text(chunk.params["model"])
    previous_run = SegmentationRun.objects.filter(pk=chunk.params["previous_run"]).first()
    customers = customers_frame(previous_run=previous_run, attributes=list(fitted.attributes),
                                id_range=(chunk.low, chunk.high))
    assigned = assign_customers(fitted, customers)
    staging_replace(STAGE_TABLE, chunk, pd.DataFrame({
        "id": customers["id"].to_numpy(dtype=np.int64), "segment_key": assigned.segment_keys,
        "persona": assigned.personas, "unsegmented_reason": assigned.reasons}))
    previous = customers["previous_key"].to_numpy(dtype="float64")
    in_both = ~np.isnan(previous)
    return {"customers": len(customers), "in_both": int(in_both.sum()),
            "changed": int((previous[in_both] != assigned.segment_keys[in_both]).sum()),
            "sizes": _counts(assigned.segment_keys), "flags": _flag_counts(assigned.segment_keys, assigned.flags)}


ASSIGN = chunk_stage("segmentation.assign", work=_assign_chunk)


def _counts(keys: np.ndarray) -> dict[str, int]:
    values, counts = np.unique(keys, return_counts=True)
    return {str(int(value)): int(count) for value, count in zip(values, counts)}


def _flag_counts(keys: np.ndarray, flags: np.ndarray) -> dict[str, dict[str, int]]:
    by_key: dict[str, Counter] = {}
    for key, joined in zip(keys.tolist(), flags.tolist()):
        if joined and key >= 0:
            by_key.setdefault(str(key), Counter()).update(joined.split(";"))
    return {key: dict(counter) for key, counter in by_key.items()}


def _merged(results: list[dict]) -> dict:
    sizes, flags = Counter(), {}
    for result in results:
        sizes.update(result["sizes"])
        for key, counts in result["flags"].items():
            flags.setdefault(key, Counter()).update(counts)
    return {"customers": sum(r["customers"] for r in results), "in_both": sum(r["in_both"] for r in results),
            "changed": sum(r["changed"] for r in results), "sizes": sizes, "flags": flags}


def _publish_staged(*, run: SegmentationRun, previous_run: SegmentationRun | None, outcome: SegmentationOutcome,
                    totals: dict) -> None:
    from segmentation.services import customers_follow_run

    if previous_run is not None:
        SegmentationRun.objects.filter(pk=previous_run.pk).update(is_current=False)
    n, in_both = totals["customers"], totals["in_both"]
    fields = outcome.run_fields() | {
        "churn": None if previous_run is None else (totals["changed"] / in_both if in_both else 0.0),
        "sizes": {str(s.key): int(totals["sizes"].get(str(s.key), 0)) for s in outcome.segments},
        "n_customers": n, "n_unsegmented": int(totals["sizes"].get("-1", 0)),
    }
    fields["params"] = run.params | fields["params"] | {"fitted_on": len(outcome.segment_keys)}
    for name, value in fields.items():
        setattr(run, name, value)
    run.status, run.is_current, run.finished_at = SegmentationRun.Status.SUCCEEDED, True, timezone.now()
    run.save()
    Segment.objects.bulk_create([_segment(run, summary, totals, n) for summary in outcome.segments])
    membership, segment = (quote(m._meta.db_table) for m in (SegmentMembership, Segment))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {membership} (run_id, customer_id, segment_id, persona, unsegmented_reason) "
            f"SELECT %s, st.id, sg.id, st.persona, st.unsegmented_reason FROM {STAGE_TABLE} st "
            f"LEFT JOIN {segment} sg ON sg.run_id = %s AND sg.key = st.segment_key WHERE st.run_id = %s",
            [run.pk, run.pk, run.job_id])
    customers_follow_run(run=run)


def _segment(run: SegmentationRun, summary, totals: dict, n: int) -> Segment:
    """The sample's segment with the size, share and data-quality flags of every customer assigned to it."""
    size = int(totals["sizes"].get(str(summary.key), 0))
    share = round(size / n, 6) if n else 0.0
    flags = {name: int(count) for name, count in sorted(totals["flags"].get(str(summary.key), {}).items())}
    profile = summary.profile | {"size": size, "share": share, "data_flags": flags}
    return Segment(run=run, key=summary.key, persona=summary.persona, label=summary.label[:120], size=size,
                   share=share, profile=profile, centroid=summary.centroid)
