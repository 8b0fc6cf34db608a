"""Start jobs from anywhere (API, admin, schedule): record a queued run, then dispatch its task after commit.

The task receives the run's id and executes it; the caller reads progress from the JobRun row.
"""
from __future__ import annotations

from django.db import transaction

from core.models import JobRun
from core.services import job_create

TASK_FOR_KIND = {
    JobRun.Kind.RECLUSTER: "segmentation.recluster_customers",
    JobRun.Kind.RESCORE_LEADS: "leads.rescore_leads",
    JobRun.Kind.TRAIN_LEADS: "leads.retrain_lead_model",
    JobRun.Kind.ATTACH_OFFERS: "campaigns.attach_offers",
    JobRun.Kind.NIGHTLY: "core.nightly_run",
}


def job_enqueue(*, kind: str, params: dict | None = None, user=None, trigger: str = JobRun.Trigger.API) -> JobRun:
    """Queue a job. With no broker configured (embedded default) the task runs in-process before this returns."""
    from config.celery import app

    if kind not in TASK_FOR_KIND:
        raise ValueError(f"unknown job kind {kind!r}; choose one of {', '.join(TASK_FOR_KIND)}")
    app.loader.import_default_modules()  # in-process (no worker) the apps' task modules are not autodiscovered yet
    job = job_create(kind=kind, trigger=trigger, params=params or {}, user=user)

    def dispatch() -> None:
        result = app.send_task(TASK_FOR_KIND[kind], kwargs={"job_id": job.pk, **(params or {})}) \
            if not app.conf.task_always_eager else app.tasks[TASK_FOR_KIND[kind]].apply(
                kwargs={"job_id": job.pk, **(params or {})})
        JobRun.objects.filter(pk=job.pk).update(celery_task_id=result.id or "")

    transaction.on_commit(dispatch)
    job.refresh_from_db()
    return job
