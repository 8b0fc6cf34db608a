"""Start jobs from anywhere (API, admin, schedule): record a queued run, then dispatch its task after commit.

The task receives the run's id and executes it; the caller reads progress from the JobRun row. A message may be
delivered more than once (a worker killed before acknowledging it, a retry): `job_task_run` decides from the
run's record what each delivery does, so no run is done twice to effect.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, transaction
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.job_runs import JobNotRun, job_abandoned_by_worker, job_create, job_release_ended_attempt, jobs_release_stale
from core.models import JobRun
from core.registry import TasksByKind

logger = logging.getLogger(__name__)

HOUR = 3600
# Soft limit: the task gets SoftTimeLimitExceeded and its run is recorded failed; hard limit (5 minutes later):
# the worker kills the process. The broker's visibility timeout (settings) must stay above the longest.
TIME_LIMITS = {
    "nightly": 6 * HOUR,
    "long": 2 * HOUR,
    "short": 10 * 60,
}


def job_task_options(length: str) -> dict:
    """Options every job task declares: acknowledged when done, put back if its worker dies, time limits, and
    retries with backoff while the database or Redis is briefly away (the retry finds the run by its record)."""
    soft = TIME_LIMITS[length]
    return {
        "bind": True,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "soft_time_limit": soft,
        "time_limit": soft + 300,
        "autoretry_for": (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError),
        "retry_backoff": 2,
        "retry_backoff_max": 120,
        "retry_jitter": True,
        "max_retries": 6,
    }


def job_for_delivery(*, kind: str, job_id: int | None, task_id: str | None, trigger: str,
                     params: dict | None = None) -> JobRun:
    """The run this delivery of a task is to execute, or `JobNotRun` when there is nothing to do.

    - a queued run: that run (unless a newer run of the same job and parameters already ran or is running);
    - a run started by an earlier delivery of this very message (a retry, a redelivery after its worker was
      lost): that attempt is over, so the run is released and started again under a new version;
    - a run whose worker was found dead or stopped: started again under a new version (`params["restart_of"]`),
      once, however many deliveries ask;
    - a run still alive in another worker, or finished: nothing.
    A task with no run (a schedule) gets one per message, found again by the message id when redelivered."""
    params = params or {}
    if job_id is None:
        job = JobRun.objects.filter(kind=kind, celery_task_id=task_id).order_by("-pk").first() if task_id else None
        if job is None:
            return job_create(kind=kind, trigger=trigger, params=params, celery_task_id=task_id or "")
    else:
        job = JobRun.objects.get(pk=job_id)
    while True:
        if job.status == JobRun.Status.QUEUED:
            _not_superseded(job, skip=True)
            if task_id and job.celery_task_id != task_id:
                JobRun.objects.filter(pk=job.pk).update(celery_task_id=task_id)
            return job
        if job.status == JobRun.Status.RUNNING:
            if task_id and job.celery_task_id == task_id:
                job_release_ended_attempt(job)
            else:
                jobs_release_stale(kind=job.kind)
            job.refresh_from_db()
            if job.status == JobRun.Status.RUNNING:
                raise JobNotRun(f"run #{job.pk} is running in another worker: this delivery does nothing")
        if not job_abandoned_by_worker(job):
            raise JobNotRun(f"run #{job.pk} already {job.status}: this delivery does nothing")
        restarted = JobRun.objects.filter(kind=job.kind, params__restart_of=job.pk).order_by("pk").first()
        if restarted is None:
            _not_superseded(job, skip=False)
            logger.warning("run #%s was stopped (%s): starting it again", job.pk, job.error)
            return job_create(kind=job.kind, trigger=job.trigger, params={**job.params, "restart_of": job.pk},
                              user=job.created_by, celery_task_id=task_id or "")
        job = restarted


def _same_params(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k != "restart_of"} == {k: v for k, v in b.items() if k != "restart_of"}


def _not_superseded(job: JobRun, *, skip: bool) -> None:
    """A newer run of the same job with the same parameters that succeeded or is running makes this one late."""
    newer = JobRun.objects.filter(kind=job.kind, pk__gt=job.pk, status__in=(
        JobRun.Status.RUNNING, JobRun.Status.SUCCEEDED, JobRun.Status.PARTIAL)).order_by("-pk")
    for run in newer.only("pk", "params"):
        if _same_params(run.params, job.params):
            message = f"superseded by run #{run.pk}: this older run does nothing"
            if skip:
                JobRun.objects.filter(pk=job.pk, status=JobRun.Status.QUEUED).update(
                    status=JobRun.Status.SKIPPED, error=message)
            raise JobNotRun(message)


def job_task_run(task, *, kind: str, job_id: int | None, trigger: str, params: dict | None,
                 run: Callable[[JobRun], dict]) -> dict:
    """A job task's body: find the run this delivery executes and `run` it; a delivery with nothing to do
    returns why (it is acknowledged, not retried)."""
    try:
        job = job_for_delivery(kind=kind, job_id=job_id, task_id=task.request.id, trigger=trigger, params=params)
        return run(job)
    except JobNotRun as exc:
        logger.info("%s: %s", task.name, exc)
        return {"job": job_id, "status": JobRun.Status.SKIPPED, "error": str(exc)}


# kind -> Celery task name, as the apps registered them (core.registry), read live
TASK_FOR_KIND = TasksByKind()


def job_enqueue(*, kind: str, params: dict | None = None, user=None, trigger: str = JobRun.Trigger.API) -> JobRun:
    """Queue a job. With no broker configured (embedded default) the task runs in-process before this returns."""
    from celery import current_app as app  # the project app (config.celery), without core importing config

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
