"""Thin Celery wrappers around the segmentation services."""
from celery import shared_task

from core.jobs import job_enqueue
from core.models import JobRun
from segmentation.services import customers_recluster


@shared_task(name="segmentation.recluster_customers", acks_late=True, time_limit=3 * 3600)
def recluster_customers(
    job_id: int | None = None, algorithm: str = "kmeans", k: int | None = None,
    trigger: str = JobRun.Trigger.SCHEDULE, then_attach: bool = True, features: list[str] | None = None,
) -> dict:
    """Re-cluster every customer; on success, re-attach campaign offers to the new segments (unless told not to).

    The nightly pipeline calls the service itself and attaches offers as its own next step."""
    job = JobRun.objects.get(pk=job_id) if job_id else None
    run = customers_recluster(algorithm=algorithm, k=k, features=features, trigger=trigger, job=job)
    attach = job_enqueue(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.CHAIN) if then_attach else None
    return {"job": run.job_id, "run": run.pk, "k": run.chosen_k, "churn": run.churn,
            "attach_job": attach.pk if attach else None}
