"""Training the lead model: read every lead with a known outcome, train the candidates (leads.ml), hand the result
to the registry (leads.registry), which stores it and decides whether it replaces the champion."""
from __future__ import annotations

from django.conf import settings

from core.job_runs import job_create, job_running
from core.models import JobRun
from leads import ml
from leads.models import CLOSED_STAGES, LeadActivity, ScoringModel
from leads.registry import ModelRefused, model_register
from leads.selectors import lead_feature_candidates, leads_frame, thresholds


def training_config(*, candidates: tuple[ml.FeatureColumn, ...] = ml.DEFAULT_SPEC.columns,
                    keep_columns: tuple[str, ...] = ()) -> ml.TrainingConfig:
    """Candidates from settings (LEAD_MODEL_ALGORITHMS); a bad name is refused with the list of valid ones."""
    return ml.TrainingConfig(thresholds=thresholds(), algorithms=tuple(settings.LEAD_MODEL_ALGORITHMS),
                             candidates=candidates, keep_columns=keep_columns)



def lead_model_train(*, trigger: str = JobRun.Trigger.COMMAND, user=None, job: JobRun | None = None,
                     keep_columns: tuple[str, ...] = ()) -> ScoringModel:
    """Train candidates on every lead with a known outcome; the new model replaces the champion only if its
    held-out ROC AUC is not worse than the champion's on the same held-out leads by more than 0.005.

    The model learns from the fields and custom attributes the leads have; identifier-like columns are left out, and
    so are columns flagged as likely leakage unless named in ``keep_columns`` (labels; a queued job passes them in
    its params). The training report (``metrics["features"]``) says which and why."""
    job = job or job_create(kind=JobRun.Kind.TRAIN_LEADS, trigger=trigger, user=user,
                            params={"keep_columns": list(keep_columns)} if keep_columns else None)
    keep_columns = tuple(keep_columns or (job.params or {}).get("keep_columns", ()))
    with job_running(job) as tracker:
        tracker.progress("reading leads", 0.05)
        candidates = lead_feature_candidates()
        frame = leads_frame("WHERE status IS NOT NULL", features=candidates)
        frame["status"] = frame["status"].astype(int)
        tracker.progress("training candidates", 0.1)
        try:
            report = ml.train_lead_model(frame, training_config(candidates=candidates, keep_columns=keep_columns))
        except (ml.TrainingDataError, ValueError) as exc:
            raise ModelRefused(str(exc)) from exc
        tracker.progress("comparing with the champion", 0.85)
        model = model_register(report, frame, job)
        job.counts = {"version": model.version, "champion": model.is_champion,
                      "holdout_roc_auc": round(report.holdout_roc_auc, 4), "training_rows": report.training_rows}
    return model


def lead_model_train_if_due(*, trigger: str = JobRun.Trigger.COMMAND) -> ScoringModel | None:
    """Train when there is no champion or enough new outcomes arrived since it was trained."""
    champion = ScoringModel.objects.filter(is_champion=True).first()
    if champion is not None:
        new = LeadActivity.objects.filter(kind=LeadActivity.Kind.OUTCOME, stage__in=CLOSED_STAGES,
                                          created_at__gt=champion.created_at).count()
        if new < settings.LEAD_RETRAIN_MIN_NEW_OUTCOMES:
            return None
    return lead_model_train(trigger=trigger)
