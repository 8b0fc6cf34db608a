"""The model registry: store a trained model (joblib + sha256, never in git), compare it with the champion on the
same held-out leads, promote, roll back. Training lives in leads.training; the leads a model reads come from the
selectors (``leads_frame``)."""
from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from core.errors import UserError
from core.models import JobRun
from leads import ml
from leads.models import ScoringModel

CHAMPION_TOLERANCE = 0.005


class ModelRefused(UserError):
    """Training or promotion cannot proceed (too little data, no earlier model, ...)."""


def model_load(model: ScoringModel):
    return ml.load_model(Path(settings.MEDIA_ROOT) / model.artifact, model.checksum)


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


def model_register(report: ml.TrainingReport, frame: pd.DataFrame, job: JobRun) -> ScoringModel:
    """Store the trained model as the next version; it becomes champion when its held-out ROC AUC is within
    CHAMPION_TOLERANCE of the champion's on the same held-out leads (or when there is no champion)."""
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
