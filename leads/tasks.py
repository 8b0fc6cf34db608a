"""Thin Celery wrappers: find the run this delivery executes, call one service, return a small dict."""
from celery import shared_task

from core.jobs import job_task_options, job_task_run
from core.models import JobRun
from leads.services import lead_model_train, lead_model_train_if_due, leads_rescore


@shared_task(name="leads.rescore_leads", **job_task_options("long"))
def rescore_leads(self, job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE, full: bool = False) -> dict:
    def run(job: JobRun) -> dict:
        job = leads_rescore(full=full, trigger=trigger, job=job)
        return {"job": job.pk, "status": job.status, "counts": job.counts}

    return job_task_run(self, kind=JobRun.Kind.RESCORE_LEADS, job_id=job_id, trigger=trigger, params={"full": full},
                        run=run)


@shared_task(name="leads.retrain_lead_model", **job_task_options("long"))
def retrain_lead_model(self, job_id: int | None = None, trigger: str = JobRun.Trigger.SCHEDULE,
                       only_if_due: bool = False, keep_columns: list[str] | None = None) -> dict:
    if only_if_due and job_id is None:  # most nights nothing is due: no run is recorded then
        model = lead_model_train_if_due(trigger=trigger)
        return {"model": model.version if model else None, "champion": bool(model and model.is_champion)}

    def run(job: JobRun) -> dict:
        model = lead_model_train(trigger=trigger, job=job, keep_columns=tuple(keep_columns or ()))
        return {"model": model.version if model else None, "champion": bool(model and model.is_champion)}

    return job_task_run(self, kind=JobRun.Kind.TRAIN_LEADS, job_id=job_id, trigger=trigger,
                        params={"keep_columns": list(keep_columns or ())} if keep_columns else {}, run=run)
