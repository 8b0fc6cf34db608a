"""Thin Celery wrappers: load the run, call one service, return a small dict."""
from celery import shared_task

from core.models import JobRun
from leads.services import lead_model_train, lead_model_train_if_due, leads_rescore


@shared_task(name="leads.rescore_leads", acks_late=True, time_limit=3 * 3600)
def rescore_leads(job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE, full: bool = False) -> dict:
    job = leads_rescore(full=full, trigger=trigger, job=JobRun.objects.get(pk=job_id) if job_id else None)
    return {"job": job.pk, "status": job.status, "counts": job.counts}


@shared_task(name="leads.retrain_lead_model", acks_late=True, time_limit=3 * 3600)
def retrain_lead_model(job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE, only_if_due: bool = False,
                       keep_columns: list[str] | None = None) -> dict:
    job = JobRun.objects.get(pk=job_id) if job_id else None
    model = (lead_model_train_if_due(trigger=trigger) if only_if_due and job is None
             else lead_model_train(trigger=trigger, job=job, keep_columns=tuple(keep_columns or ())))
    return {"model": model.version if model else None, "champion": bool(model and model.is_champion)}
