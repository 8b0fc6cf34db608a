"""Thin Celery wrappers for the nightly pipeline and job housekeeping."""
from celery import shared_task

from core.models import JobRun
from core.nightly import nightly_run as nightly_run_service
from core.services import jobs_release_stale


@shared_task(name="core.release_stale_jobs")
def release_stale_jobs() -> dict:
    """Mark runs whose worker died as failed so the next run of that job can take the lock."""
    return {"released": jobs_release_stale()}


@shared_task(name="core.nightly_run", acks_late=True, time_limit=6 * 3600)
def nightly_run(job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE) -> dict:
    job = JobRun.objects.get(pk=job_id) if job_id else None
    job = nightly_run_service(trigger=trigger, job=job)
    return {"job": job.pk, "status": job.status, "steps": job.counts.get("steps", {})}
