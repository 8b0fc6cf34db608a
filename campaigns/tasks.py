"""Thin Celery wrappers for campaigns: load by id, call one service, return a small dict."""
from celery import shared_task

from campaigns.models import Campaign
from campaigns.services import offers_attach
from core.errors import UserError
from core.models import JobRun


@shared_task(name="campaigns.attach_offers", acks_late=True, time_limit=2 * 3600)
def attach_offers(job_id: int | None = None, campaign_id: int | None = None,
                  trigger: str = JobRun.Trigger.SCHEDULE) -> dict:
    """Attach offers for one campaign (or every running one); a refused run (UserError) is recorded, not retried."""
    job = JobRun.objects.get(pk=job_id) if job_id else None
    campaign = Campaign.objects.get(pk=campaign_id) if campaign_id else None
    try:
        job = offers_attach(campaign=campaign, trigger=trigger, job=job)
    except UserError as exc:
        if job is None:
            return {"job": None, "status": JobRun.Status.FAILED, "error": str(exc)}
        job.refresh_from_db()
        return {"job": job.pk, "status": job.status, "error": str(exc)}
    return {"job": job.pk, "status": job.status, "counts": job.counts}
