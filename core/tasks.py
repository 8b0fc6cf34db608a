"""Thin Celery wrappers for job housekeeping and chunked stages (the nightly pipeline's task lives in operations.tasks)."""
from celery import shared_task

from core.chunks import chunks_work
from core.job_runs import jobs_release_stale
from core.jobs import job_task_options


@shared_task(name="core.release_stale_jobs", **job_task_options("short"))
def release_stale_jobs(self) -> dict:
    """Mark runs whose worker died as failed so the next run of that job can take the lock."""
    return {"released": jobs_release_stale()}



@shared_task(name="core.work_chunks", **job_task_options("long"))
def work_chunks(self, run_id: int, stage: str) -> dict:
    """Help a running job with its chunked stage (core.chunks): do chunks until none is left to claim."""
    return {"run": run_id, "stage": stage, "chunks": chunks_work(run_id=run_id, stage=stage)}
