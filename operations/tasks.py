"""Thin Celery wrapper for the nightly pipeline (operations.nightly).

The task keeps its name "core.nightly_run" from when the pipeline lived in core: beat schedules stored in the
database (django-celery-beat) and messages already queued name it, so renaming it would orphan them."""
from celery import shared_task

from core.jobs import job_task_options, job_task_run
from core.models import JobRun
from operations.nightly import nightly_run as nightly_run_service


@shared_task(name="core.nightly_run", **job_task_options("nightly"))
def nightly_run(self, job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE) -> dict:
    def run(job: JobRun) -> dict:
        job = nightly_run_service(trigger=trigger, job=job)
        return {"job": job.pk, "status": job.status, "steps": job.counts.get("steps", {})}

    return job_task_run(self, kind=JobRun.Kind.NIGHTLY, job_id=job_id, trigger=trigger, params={}, run=run)
