"""The nightly pipeline: re-cluster customers, prune old segment memberships, re-attach offers, retrain the lead
model if due, re-score leads.

Each step is its own job run (own lock, own record); a failed step is reported and the next steps still
run on the last good state (a failed re-cluster leaves the previous segmentation current, so attaching
offers against it is still right).
"""
from __future__ import annotations

import logging

from core.models import JobRun
from core.services import job_create, job_running

logger = logging.getLogger(__name__)


def _steps():
    from campaigns.services import offers_attach
    from leads.services import lead_model_train_if_due, leads_rescore
    from segmentation.services import customers_recluster, segment_history_prune

    return [
        ("re-cluster customers", lambda: customers_recluster(trigger=JobRun.Trigger.CHAIN)),
        ("prune segment history", segment_history_prune),
        ("attach offers", lambda: offers_attach(trigger=JobRun.Trigger.CHAIN)),
        ("retrain lead model if due", lambda: lead_model_train_if_due(trigger=JobRun.Trigger.CHAIN)),
        ("re-score leads", lambda: leads_rescore(trigger=JobRun.Trigger.CHAIN)),
    ]


def nightly_run(*, trigger: str = JobRun.Trigger.SCHEDULE, job: JobRun | None = None, user=None) -> JobRun:
    job = job or job_create(kind=JobRun.Kind.NIGHTLY, trigger=trigger, user=user)
    with job_running(job) as tracker:
        steps = _steps()
        results: dict[str, str] = {}
        for index, (name, step) in enumerate(steps):
            tracker.progress(name, index / len(steps))
            try:
                step()
                results[name] = "succeeded"
            except Exception as exc:  # one failed step must not stop the others
                logger.warning("nightly step %s failed: %s", name, exc)
                results[name] = f"failed: {exc}"
        job.counts = {"steps": results}
        if any(value.startswith("failed") for value in results.values()):
            job.status = JobRun.Status.PARTIAL
    job.refresh_from_db()
    return job
