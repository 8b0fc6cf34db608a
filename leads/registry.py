"""The model registry: train, store (joblib + sha256, never in git), compare with the champion, promote.
The leads a model reads come from the selectors (``leads_frame``)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from core.errors import UserError
from core.models import JobRun
from core.services import job_create, job_running
from leads import ml
from leads.models import CLOSED_STAGES, LeadActivity, ScoringModel
from leads.selectors import lead_feature_candidates, leads_frame, thresholds  # noqa: F401  (leads.rescore reads here)

CHAMPION_TOLERANCE = 0.005


class ModelRefused(UserError):
    """Training or promotion cannot proceed (too little data, no earlier model, ...)."""


def training_config(*, candidates: tuple[ml.FeatureColumn, ...] = ml.DEFAULT_SPEC.columns,
                    keep_columns: tuple[str, ...] = ()) -> ml.TrainingConfig:
    """Candidates from settings (LEAD_MODEL_ALGORITHMS); a bad name is refused with the list of valid ones."""
    return ml.TrainingConfig(thresholds=thresholds(), algorithms=tuple(settings.LEAD_MODEL_ALGORITHMS),
                             candidates=candidates, keep_columns=keep_columns)


def model_load(model: ScoringModel):
    return ml.load_model(Path(settings.MEDIA_ROOT) / model.artifact, model.checksum)


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
        model = _register(report, frame, job)
        job.counts = {"version": model.version, "champion": model.is_champion,
                      "holdout_roc_auc": round(report.holdout_roc_auc, 4), "training_rows": report.training_rows}
    return model


def _store_artifact(model, version: int) -> tuple[Path, str]:
    """Write the model under a name carrying its checksum: a file is never overwritten, even when two databases
    (a bench, a fresh demo) share the media folder and both reach version 1."""
    folder = Path(settings.MEDIA_ROOT) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".lead-model-v{version}-{uuid.uuid4().hex}.joblib"
    checksum = ml.save_model(model, draft)
    relative = Path("models") / f"lead-model-v{version}-{checksum[:12]}.joblib"
    draft.replace(Path(settings.MEDIA_ROOT) / relative)
    return relative, checksum


def _register(report: ml.TrainingReport, frame: pd.DataFrame, job: JobRun) -> ScoringModel:
    version = (ScoringModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    relative, checksum = _store_artifact(report.model, version)
    champion = ScoringModel.objects.filter(is_champion=True).first()
    promote, decision = True, f"first model: champion ({report.decision})"
    if champion is not None:
        holdout = report.holdout_frame(frame)
        champion_auc = ml.evaluate_on(model_load(champion), holdout)["roc_auc"]
        promote = report.holdout_roc_auc >= champion_auc - CHAMPION_TOLERANCE
        verdict = "replaces" if promote else "stays challenger to"
        decision = (f"held-out ROC AUC {report.holdout_roc_auc:.4f} vs champion v{champion.version} "
                    f"{champion_auc:.4f} on the same leads: {verdict} the champion. {report.decision}")
    with transaction.atomic():
        if promote:
            ScoringModel.objects.filter(is_champion=True).update(is_champion=False)
        return ScoringModel.objects.create(
            version=version, algorithm=report.champion, features=list(report.features), params=report.params,
            metrics=report.metrics(), drivers=report.drivers, training_rows=report.training_rows,
            training_window_start=frame["created_at"].min() if len(frame) else None,
            training_window_end=frame["created_at"].max() if len(frame) else None,
            artifact=str(relative), checksum=checksum, is_champion=promote, decision=decision, job=job,
        )


def lead_model_train_if_due(*, trigger: str = JobRun.Trigger.COMMAND) -> ScoringModel | None:
    """Train when there is no champion or enough new outcomes arrived since it was trained."""
    champion = ScoringModel.objects.filter(is_champion=True).first()
    if champion is not None:
        new = LeadActivity.objects.filter(kind=LeadActivity.Kind.OUTCOME, stage__in=CLOSED_STAGES,
                                          created_at__gt=champion.created_at).count()
        if new < settings.LEAD_RETRAIN_MIN_NEW_OUTCOMES:
            return None
    return lead_model_train(trigger=trigger)


@transaction.atomic
def lead_model_promote(*, model: ScoringModel, user=None) -> ScoringModel:
    ScoringModel.objects.filter(is_champion=True).exclude(pk=model.pk).update(is_champion=False)
    model.is_champion = True
    model.decision = f"{model.decision}\nPromoted by hand by {getattr(user, 'username', 'system')}."
    model.save(update_fields=["is_champion", "decision"])
    return model


@transaction.atomic
def lead_model_rollback(*, user=None) -> ScoringModel:
    current = ScoringModel.objects.filter(is_champion=True).first()
    earlier = ScoringModel.objects.filter(version__lt=current.version).first() if current else None
    if earlier is None:
        raise ModelRefused("there is no earlier model to roll back to")
    return lead_model_promote(model=earlier, user=user)
