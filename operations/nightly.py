"""The nightly pipeline: re-cluster customers, prune old segment memberships, re-attach offers, retrain the lead
model if due, re-score leads.

Each step is its own job run (own lock, own record); a failed step is reported and the next steps still
run on the last good state (a failed re-cluster leaves the previous segmentation current, so attaching
offers against it is still right).

The nightly run's record lists its stages as they end (`report["stages"]`: name, status, rows, seconds, error,
the step's own run), so a run that dies half way still shows how far it got; `counts["steps"]` keeps each
step's one-word result for the dashboard.

The run goes through its steps in order in one worker; a step that is a chunked stage (the re-score, see
core.chunks) spreads its chunks over every worker and comes back when all are done, so more workers make the
nightly run shorter without nested chords, and with one worker the same steps run in turn.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from core.job_runs import job_create, job_running
from core.models import JobRun

logger = logging.getLogger(__name__)

# a step returns (rows it handled, the id of the job run it recorded or None)
Step = Callable[[], tuple[int | None, int | None]]


def _steps() -> list[tuple[str, Step]]:
    from campaigns.services import offers_attach
    from leads.services import lead_model_train_if_due, leads_rescore
    from segmentation.services import customers_recluster, segment_history_prune

    def recluster():
        run = customers_recluster(trigger=JobRun.Trigger.CHAIN)
        return run.n_customers, run.job_id

    def attach():
        job = offers_attach(trigger=JobRun.Trigger.CHAIN)
        return job.counts.get("customers", 0), job.pk

    def retrain():
        model = lead_model_train_if_due(trigger=JobRun.Trigger.CHAIN)
        return (None, None) if model is None else (model.training_rows, model.job_id)

    def rescore():
        job = leads_rescore(trigger=JobRun.Trigger.CHAIN)
        return job.counts.get("scored", 0), job.pk

    return [
        ("re-cluster customers", recluster),
        ("prune segment history", lambda: (segment_history_prune(), None)),
        ("attach offers", attach),
        ("retrain lead model if due", retrain),
        ("re-score leads", rescore),
    ]


def nightly_run(*, trigger: str = JobRun.Trigger.SCHEDULE, job: JobRun | None = None, user=None) -> JobRun:
    job = job or job_create(kind=JobRun.Kind.NIGHTLY, trigger=trigger, user=user)
    with job_running(job) as tracker:
        steps = _steps()
        results: dict[str, str] = {}
        job.report = {"stages": []}
        for index, (name, step) in enumerate(steps):
            tracker.progress(name, index / len(steps))
            started = time.perf_counter()
            stage = {"name": name, "status": JobRun.Status.SUCCEEDED, "rows": None, "seconds": None, "error": "",
                     "job": None}
            try:
                stage["rows"], stage["job"] = step()
                results[name] = "succeeded"
            except Exception as exc:  # one failed step must not stop the others
                logger.warning("nightly step %s failed: %s", name, exc)
                results[name] = f"failed: {exc}"
                stage.update(status=JobRun.Status.FAILED, error=str(exc),
                             job=getattr(getattr(exc, "stopped_run", None), "pk", None))
            stage["seconds"] = round(time.perf_counter() - started, 3)
            job.report["stages"].append(stage)
            JobRun.objects.filter(pk=job.pk).update(report=job.report, counts={"steps": results})
        job.counts = {"steps": results}
        if any(value.startswith("failed") for value in results.values()):
            job.status = JobRun.Status.PARTIAL
    job.refresh_from_db()
    return job
