"""Thin Celery wrappers around the segmentation services."""
from celery import shared_task

from core.jobs import job_enqueue, job_task_options, job_task_run
from core.models import JobRun
from segmentation.services import customers_recluster


@shared_task(name="segmentation.recluster_customers", **job_task_options("long"))
def recluster_customers(
    self, job_id: int | None = None, algorithm: str = "kmeans", k: int | None = None,
    trigger: str = JobRun.Trigger.SCHEDULE, then_attach: bool = True, features: list[str] | None = None,
) -> dict:
    """Re-cluster every customer; on success, re-attach campaign offers to the new segments (unless told not to).

    The nightly pipeline calls the service itself and attaches offers as its own next step."""

    def run(job: JobRun) -> dict:
        result = customers_recluster(algorithm=algorithm, k=k, features=features, trigger=trigger, job=job)
        attach = job_enqueue(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.CHAIN) if then_attach else None
        return {"job": result.job_id, "run": result.pk, "k": result.chosen_k, "churn": result.churn,
                "attach_job": attach.pk if attach else None}

    return job_task_run(self, kind=JobRun.Kind.RECLUSTER, job_id=job_id, trigger=trigger,
                        params={"algorithm": algorithm, "k": k, "features": features}, run=run)
