"""Thin Celery wrappers for job housekeeping (the nightly pipeline's task lives in operations.tasks)."""
from celery import shared_task

from core.jobs import job_task_options
from core.services import jobs_release_stale


@shared_task(name="core.release_stale_jobs", **job_task_options("short"))
def release_stale_jobs(self) -> dict:
    """Mark runs whose worker died as failed so the next run of that job can take the lock."""
    return {"released": jobs_release_stale()}

