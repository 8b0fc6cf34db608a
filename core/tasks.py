"""Thin Celery wrappers for job housekeeping."""
from celery import shared_task

from core.services import jobs_release_stale


@shared_task(name="core.release_stale_jobs", ignore_result=False)
def release_stale_jobs() -> dict:
    """Mark runs whose worker died as failed so the next run of that job can take the lock."""
    return {"released": jobs_release_stale()}
