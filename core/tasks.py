"""Thin Celery wrappers for the nightly pipeline and job housekeeping."""
from celery import shared_task

from core.jobs import job_task_options, job_task_run
from core.models import JobRun
from core.nightly import nightly_run as nightly_run_service
from core.services import jobs_release_stale


@shared_task(name="core.release_stale_jobs", **job_task_options("short"))
def release_stale_jobs(self) -> dict:
    """Mark runs whose worker died as failed so the next run of that job can take the lock."""
    return {"released": jobs_release_stale()}


@shared_task(name="core.nightly_run", **job_task_options("nightly"))
def nightly_run(self, job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE) -> dict:
    def run(job: JobRun) -> dict:
        job = nightly_run_service(trigger=trigger, job=job)
        return {"job": job.pk, "status": job.status, "steps": job.counts.get("steps", {})}

    return job_task_run(self, kind=JobRun.Kind.NIGHTLY, job_id=job_id, trigger=trigger, params={}, run=run)
