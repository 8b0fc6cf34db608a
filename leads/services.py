"""Writes and orchestration for leads."""
from __future__ import annotations

from pathlib import Path

from core.imports import file_import
from core.models import JobRun
from leads.importers import LEAD_SPEC
from leads.models import Lead


def leads_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None, trigger: str = JobRun.Trigger.COMMAND
) -> JobRun:
    """Upsert leads from an ExtraaLearn-format file by external id. An empty status means an open lead."""
    return file_import(
        kind=JobRun.Kind.IMPORT_LEADS, spec=LEAD_SPEC, model=Lead, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger,
    )


# --- models, scoring, queues ---------------------------------------------------------------------------------------

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.bulk import copy_frame, update_from_frame  # noqa: E402
from core.errors import UserError  # noqa: E402
from core.roles import ADMIN, user_roles  # noqa: E402
from core.services import job_create, job_running  # noqa: E402
from leads import ml  # noqa: E402
from leads.models import LeadActivity, LeadScore, SalesRep  # noqa: E402
from leads.registry import (  # noqa: E402,F401  (re-exported: the service names of the contract)
    ModelRefused,
    lead_model_promote,
    lead_model_rollback,
    lead_model_train,
    lead_model_train_if_due,
    leads_frame,
    model_load,
    thresholds,
)

EXPLAINED_PER_RUN = 20_000  # factors in words for the best-scored leads; explaining 1M leads costs ~50 s CPU


class LeadUnavailable(UserError):
    """The lead is held by someone else, closed, or not the user's to act on."""


def leads_rescore(*, trigger: str = JobRun.Trigger.COMMAND, user=None, job: JobRun | None = None) -> JobRun:
    """Score every open lead with the champion; publish scores, tiers, factors and history in one transaction."""
    from leads.selectors import champion_model

    job = job or job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=trigger, user=user)
    with job_running(job) as tracker:
        champion = champion_model()
        if champion is None:
            raise ModelRefused("no champion model yet: train one first (python manage.py train_lead_model)")
        tracker.progress("reading open leads", 0.05)
        frame = leads_frame("WHERE stage NOT IN ('won', 'lost')")
        tracker.progress("scoring", 0.3)
        batch = ml.score_leads(model_load(champion), frame, thresholds=thresholds(),
                               explain_top=min(EXPLAINED_PER_RUN, len(frame)))
        factors = np.full(len(frame), None, dtype=object)
        for position in batch.explained_positions:
            factors[position] = batch.factors(int(position))
        now = timezone.now()
        updates = pd.DataFrame({"id": frame["id"].to_numpy(), "score": batch.scores, "tier": batch.tiers,
                                "scoring_model_id": champion.pk, "scored_at": now,
                                "factors": [f if f is not None else {} for f in factors]})
        tracker.progress("publishing", 0.8)
        with transaction.atomic():
            update_from_frame(table=Lead._meta.db_table, frame=updates, key="id",
                              columns=["score", "tier", "scoring_model_id", "scored_at", "factors"])
            history = updates[["id", "score", "tier", "scoring_model_id", "scored_at"]].rename(columns={"id": "lead_id"})
            copy_frame_in_cursor(LeadScore._meta.db_table, history)
        tiers = pd.Series(batch.tiers).value_counts().to_dict()
        job.counts = {"scored": len(frame), "model_version": champion.version,
                      **{tier: int(tiers.get(tier, 0)) for tier in ("hot", "warm", "cold")}}
    job.refresh_from_db()
    return job


def copy_frame_in_cursor(table: str, frame: pd.DataFrame) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        copy_frame(cursor, table, frame)


def _held_by_other(lead: Lead, user) -> bool:
    return lead.owner_id is not None and lead.owner_id != user.pk and ADMIN not in user_roles(user)


def lead_claim(*, lead_id: int, user) -> Lead:
    """Take an unowned open lead. One conditional UPDATE: of concurrent claims exactly one wins."""
    won = Lead.objects.filter(pk=lead_id, owner__isnull=True).exclude(stage__in=["won", "lost"]).update(
        owner=user, last_activity_at=timezone.now())
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        raise LeadUnavailable("no such lead")
    if not won and lead.owner_id != user.pk:
        raise LeadUnavailable("this lead is already held by another rep or closed")
    LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.CLAIMED, user=user)
    return lead


@transaction.atomic
def lead_release(*, lead_id: int, user) -> Lead:
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None or lead.owner_id is None or _held_by_other(lead, user):
        raise LeadUnavailable("you do not hold this lead")
    lead.owner = None
    lead.save(update_fields=["owner", "updated_at"])
    LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.RELEASED, user=user)
    return lead


OUTCOME_STAGES = {Lead.Stage.CONTACTED, Lead.Stage.QUALIFIED, Lead.Stage.WON, Lead.Stage.LOST}


@transaction.atomic
def lead_log_outcome(*, lead_id: int, user, stage: str, note: str = "") -> Lead:
    """Contacted/qualified move the stage; won sets status converted, lost not converted (next training uses it)."""
    if stage not in OUTCOME_STAGES:
        raise UserError(f"stage must be one of {', '.join(sorted(OUTCOME_STAGES))}")
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None or _held_by_other(lead, user):
        raise LeadUnavailable("you do not hold this lead")
    lead.stage = stage
    if stage in (Lead.Stage.WON, Lead.Stage.LOST):
        lead.status = stage == Lead.Stage.WON
    lead.last_activity_at = timezone.now()
    lead.save(update_fields=["stage", "status", "last_activity_at", "updated_at"])
    LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.OUTCOME, stage=stage, user=user, note=note)
    return lead


@transaction.atomic
def lead_assign(*, lead: Lead, rep, user=None) -> Lead:
    lead.owner = rep
    lead.save(update_fields=["owner", "updated_at"])
    LeadActivity.objects.create(lead=lead, kind=LeadActivity.Kind.ASSIGNED, user=user, note=f"to {rep.get_username()}")
    return lead


@transaction.atomic
def leads_assign_round_robin(*, user=None) -> dict:
    """Unowned open leads, best first, dealt to active reps in turn while they have room (capacity − open leads)."""
    reps = list(SalesRep.objects.filter(is_active=True).select_related("user").annotate(
        held=Count("user__leads", filter=~Q(user__leads__stage__in=["won", "lost"]))).order_by("user_id"))
    room = {rep.user_id: max(rep.capacity - rep.held, 0) for rep in reps}
    unowned = list(Lead.objects.filter(owner__isnull=True).exclude(stage__in=["won", "lost"])
                   .order_by("-score", "id").values_list("id", flat=True)[: sum(room.values())])
    owners: dict[int, list[int]] = {rep_id: [] for rep_id in room}
    ring = [rep_id for rep_id in room if room[rep_id] > 0]
    for lead_id in unowned:
        ring = [rep_id for rep_id in ring if len(owners[rep_id]) < room[rep_id]]
        if not ring:
            break
        rep_id = ring[len(sum(owners.values(), [])) % len(ring)]
        owners[rep_id].append(lead_id)
    for rep_id, lead_ids in owners.items():
        Lead.objects.filter(pk__in=lead_ids, owner__isnull=True).update(owner_id=rep_id)
    return {"assigned": sum(len(ids) for ids in owners.values()),
            "per_rep": {rep.user.get_username(): len(owners[rep.user_id]) for rep in reps}}
