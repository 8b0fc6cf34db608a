"""Thin Celery wrappers for campaigns: find the run this delivery executes, call one service, return a small dict."""
from celery import shared_task

from campaigns.models import Campaign
from campaigns.services import offers_attach
from core.errors import UserError
from core.jobs import job_task_options, job_task_run
from core.models import JobRun


@shared_task(name="campaigns.attach_offers", **job_task_options("long"))
def attach_offers(self, job_id: int | None = None, campaign_id: int | None = None,
                  trigger: str = JobRun.Trigger.SCHEDULE) -> dict:
    """Attach offers for one campaign (or every running one); a refused run (UserError) is recorded, not retried."""
    campaign = Campaign.objects.get(pk=campaign_id) if campaign_id else None

    def run(job: JobRun) -> dict:
        try:
            job = offers_attach(campaign=campaign, trigger=trigger, job=job)
        except UserError as exc:
            job.refresh_from_db()
            return {"job": job.pk, "status": job.status, "error": str(exc)}
        return {"job": job.pk, "status": job.status, "counts": job.counts}

    return job_task_run(self, kind=JobRun.Kind.ATTACH_OFFERS, job_id=job_id, trigger=trigger,
                        params={"campaign_id": campaign_id}, run=run)
