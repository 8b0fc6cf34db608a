"""Writes and orchestration for leads: import, scoring and explanations, claims, outcomes, assignment."""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from threadpoolctl import threadpool_limits

from core.chunks import spread_over_workers
from core.errors import ConflictError, UserError
from core.import_runs import file_import
from core.job_runs import job_create, job_fence, job_running
from core.models import JobRun
from core.roles import ADMIN, user_roles
from leads import ml
from leads.importers import LEAD_SPEC
from leads.models import CLOSED_STAGES, CLOSED_STAGES_SQL, Lead, LeadActivity, SalesRep, ScoringModel
from leads.registry import (  # noqa: F401  (re-exported: the service names of the contract)
    ModelRefused,
    lead_model_promote,
    lead_model_rollback,
    model_load,
)
from leads.rescore import rescore_in_chunks
from leads.score_writer import ScoreWriter
from leads.selectors import factors_in_words as _factors_in_words  # noqa: F401  (leads.rescore reads them here)
from leads.selectors import leads_frame, thresholds
from leads.selectors import model_cached as _model_cached  # noqa: F401
from leads.training import lead_model_train, lead_model_train_if_due  # noqa: F401  (re-exported)


def leads_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None,
    trigger: str = JobRun.Trigger.COMMAND, mapping=None, save_mapping_as: str = "",
) -> JobRun:
    """Upsert leads by external id from an ExtraaLearn-format file or any file a mapping reads. An empty status
    means an open lead; a known outcome closes the lead (won / lost) in the same upsert, so it is never queued
    or assigned but still trains the model."""
    return file_import(
        kind=JobRun.Kind.IMPORT_LEADS, spec=LEAD_SPEC, model=Lead, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger, mapping=mapping,
        save_mapping_as=save_mapping_as, derived=_stage_from_outcome,
    )


def _stage_from_outcome(valid: pd.DataFrame) -> dict[str, tuple[pd.Series, str]]:
    if "status" not in valid.columns:
        return {}
    stage = valid["status"].map({True: Lead.Stage.WON.value, False: Lead.Stage.LOST.value})
    return {"stage": (stage, Lead.Stage.NEW.value)}


# --- scoring -------------------------------------------------------------------------------------------------------

CURRENT_SCORE_COLUMNS = ("score AS current_score", "tier AS current_tier", "scoring_model_id AS current_model",
                         "factors <> '{}' AS has_factors", "owner_id IS NOT NULL AS owned")
# Factors in words for the best-scored leads and every lead in a rep's queue; explaining 1M leads costs ~50 s CPU.
# Any other lead is explained when it is looked at (``lead_factors``).
EXPLAINED_PER_RUN = 20_000


class LeadUnavailable(ConflictError):
    """The lead is held by someone else, closed, or not the user's to act on."""


def leads_rescore(*, full: bool = False, trigger: str = JobRun.Trigger.COMMAND, user=None,
                  job: JobRun | None = None) -> JobRun:
    """Score open leads with the champion; publish what changed (scores, tiers, factors, history) atomically.

    Incremental unless ``full``: when the champion and the tier thresholds are those of the last successful
    re-score, only leads that could score differently are read: unscored ones, ones scored by another model,
    ones updated since that re-score began (imports, the API and the admin stamp ``updated_at``), and queue
    leads still without factors. A score depends on nothing else, so the rest would come out the same.

    A lead whose score, tier and model are unchanged keeps its row, its ``scored_at`` and its history: history
    holds one row per change, which is the trend a rep reads. Factors in words are computed for the
    ``EXPLAINED_PER_RUN`` best-scored leads read and every lead in a rep's queue.
    """
    from leads.selectors import champion_model, lead_tier_counts

    job = job or job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=trigger, user=user, params={"full": full})
    with job_running(job) as tracker:
        champion = champion_model()
        if champion is None:
            raise ModelRefused("no champion model yet: train one first (python manage.py train_lead_model)")
        current = thresholds()
        since = None if full or job.params.get("full") else _unchanged_since(champion, current, job)
        tracker.progress("reading open leads" + (f" changed since {since:%Y-%m-%d %H:%M}" if since else ""), 0.05)
        if spread_over_workers():
            done = rescore_in_chunks(job=job, champion=champion, current=current, since=since, tracker=tracker)
        else:
            done = _rescore_in_process(job=job, champion=champion, current=current, since=since, tracker=tracker)
        # A full run has just scored every open lead: count its tiers rather than scan the table again.
        tiers = lead_tier_counts() if since else done["tiers"]
        job.counts = {"scored": done["scored"], "open": sum(tiers.values()), "changed": done["changed"],
                      "incremental": since is not None, "model_version": champion.version,
                      "model_checksum": champion.checksum,
                      "thresholds": [current.hot, current.warm],
                      **{tier: tiers.get(tier, 0) for tier in ("hot", "warm", "cold")}}
    job.refresh_from_db()
    return job


def _rescore_in_process(*, job: JobRun, champion: ScoringModel, current: ml.TierThresholds, since,
                        tracker) -> dict:
    """Read, score and publish in one pass in this process (no broker: no other worker to share chunks with)."""
    model = model_load(champion)
    where, params = _leads_to_score(champion, since)
    frame = leads_frame(where, extra_columns=CURRENT_SCORE_COLUMNS, params=params, columns=("id",),
                        features=ml.feature_spec_of(model).columns)
    tracker.progress(f"scoring and publishing {len(frame):,} leads", 0.3)
    changed, tiers_scored = _score_and_publish(model, frame, thresholds=current, model_id=champion.pk, job=job)
    return {"scored": len(frame), "changed": changed, "tiers": _counted(tiers_scored)}


def _counted(tiers: np.ndarray) -> dict[str, int]:
    names, counts = np.unique(tiers, return_counts=True)
    return {str(name): int(count) for name, count in zip(names, counts)}


def _unchanged_since(champion: ScoringModel, current: ml.TierThresholds, job: JobRun):
    """When the last successful re-score began, if it used this champion and these thresholds; else None."""
    previous = (JobRun.objects.filter(kind=JobRun.Kind.RESCORE_LEADS, status=JobRun.Status.SUCCEEDED)
                .exclude(pk=job.pk).order_by("-started_at").first())
    if previous is None or previous.started_at is None:
        return None
    same_model = previous.counts.get("model_checksum") == champion.checksum
    same_thresholds = previous.counts.get("thresholds") == [current.hot, current.warm]
    return previous.started_at if same_model and same_thresholds else None


def _leads_to_score(champion: ScoringModel, since) -> tuple[str, list]:
    where = f"WHERE {CLOSED_STAGES_SQL}"
    if since is None:
        return where, []
    return (where + " AND (score IS NULL OR scoring_model_id IS NULL OR scoring_model_id <> %s OR updated_at >= %s"
            " OR (owner_id IS NOT NULL AND factors = '{}'))", [champion.pk, since])


RESCORE_CHUNK_ROWS = 100_000


def _score_and_publish(model, frame: pd.DataFrame, *, thresholds: ml.TierThresholds,
                       model_id: int, job: JobRun | None = None) -> tuple[int, np.ndarray]:
    """Score the frame chunk by chunk and publish each chunk's changes while the next is scored, then explain the
    best-scored and queued leads and publish their factors, all in one transaction.

    Returns (leads re-scored, the frame's tiers). A lead is re-scored when its score, tier or model is new; a lead
    explained now that had no factors gets its factors only. Comparing with the values read with the frame is
    safe: only the re-score job writes scores, and it never runs twice at once (``job_running`` holds its lock).
    """
    probabilities = np.empty(len(frame))
    tiers = np.empty(len(frame), dtype=object)
    rescored = np.zeros(len(frame), dtype=bool)
    ids = frame["id"].to_numpy()
    with transaction.atomic(), ScoreWriter(model_id=model_id, scored_at=timezone.now()) as writer:
        if job is not None:
            job_fence(job)  # a run found dead and replaced meanwhile publishes nothing
        for start in range(0, len(frame), RESCORE_CHUNK_ROWS):
            chunk = frame.iloc[start:start + RESCORE_CHUNK_ROWS]
            with _one_thread_if(writer.busy):
                batch = ml.score_leads(model, chunk, thresholds=thresholds)
            span = slice(start, start + len(chunk))
            probabilities[span], tiers[span] = batch.probabilities, batch.tiers
            rescored[span] = changed = _rescored(chunk, batch, model_id)
            writer.write_scores(pd.DataFrame({"id": ids[span][changed], "score": batch.scores[changed],
                                              "tier": batch.tiers[changed]}))
        explained = np.union1d(ml.best_scored(probabilities, min(EXPLAINED_PER_RUN, len(frame))),
                               np.flatnonzero(frame["owned"].astype(bool).to_numpy()))
        explained = explained[rescored[explained] | ~frame["has_factors"].astype(bool).to_numpy()[explained]]
        with _one_thread_if(writer.busy):
            factors = _factors_in_words(model, frame, explained, thresholds)
        writer.write_factors(pd.DataFrame({"id": ids[explained], "factors": factors}))
    return writer.rescored, tiers


def _rescored(chunk: pd.DataFrame, batch: ml.ScoreBatch, model_id: int) -> np.ndarray:
    """Which leads of the chunk have a new score, tier or model."""
    return ((chunk["current_score"].to_numpy() != batch.scores) | (chunk["current_tier"].to_numpy() != batch.tiers)
            | (chunk["current_model"].to_numpy() != model_id))


def _one_thread_if(writing: bool):
    """Score on one thread while the database writes on the other core: OpenMP threads (gradient boosting) that
    share a core with the database spin at every barrier, which made scoring about three times slower."""
    return threadpool_limits(limits=1) if writing else nullcontext()


def _held_by_other(lead: Lead, user) -> bool:
    return lead.owner_id is not None and lead.owner_id != user.pk and ADMIN not in user_roles(user)


@transaction.atomic
def lead_claim(*, lead_id: int, user) -> Lead:
    """Take an unowned open lead. One conditional UPDATE: of concurrent claims exactly one wins. The claim and its
    activity are one transaction: a claim whose activity cannot be written leaves the lead unclaimed."""
    won = Lead.objects.filter(pk=lead_id, owner__isnull=True).exclude(stage__in=CLOSED_STAGES).update(
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
    if lead is None or (lead.owner_id != user.pk and ADMIN not in user_roles(user)):
        raise LeadUnavailable("you do not hold this lead")  # an unowned lead is claimed before its outcome
    lead.stage = stage
    if stage in CLOSED_STAGES:
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
def lead_create(**fields) -> Lead:
    """A new open lead entered through the API (admins); the next re-score scores it."""
    return Lead.objects.create(**fields)


@transaction.atomic
def lead_update(*, lead: Lead, **fields) -> Lead:
    """Change a lead's profile fields (admins). ``updated_at`` moves, so the next re-score reads the lead again."""
    for name, value in fields.items():
        setattr(lead, name, value)
    lead.save()
    return lead


ASSIGN_BATCH = 5_000  # leads per UPDATE and per activity insert (SQLite caps the variables of one statement)


@transaction.atomic
def leads_assign_round_robin(*, user=None) -> dict:
    """Deal unowned open leads, best scored first, to active reps in proportion to their room (capacity − open
    leads they hold): beside a rep with room 10, a rep with room 20 gets two of every three leads, interleaved, so
    both get hot leads. Nobody is dealt more than their room.

    The reps are locked first, so two runs cannot both fill the same room; the dealt leads are locked too (skipping
    any a rep is claiming at this moment) and only rows still unowned are updated. Each assignment is logged.
    """
    reps = list(SalesRep.objects.select_for_update(of=("self",)).filter(is_active=True).select_related("user")
                .order_by("user_id"))
    held = dict(Lead.objects.filter(owner_id__in=[rep.user_id for rep in reps]).exclude(stage__in=CLOSED_STAGES)
                .order_by().values("owner_id").annotate(open=Count("id")).values_list("owner_id", "open"))
    room = {rep.user_id: max(rep.capacity - held.get(rep.user_id, 0), 0) for rep in reps}
    unowned = (Lead.objects.select_for_update(skip_locked=True).filter(owner__isnull=True)
               .exclude(stage__in=CLOSED_STAGES).order_by(F("score").desc(nulls_last=True), "id")
               .values_list("id", flat=True))
    lead_ids = list(unowned[: sum(room.values())]) if any(room.values()) else []
    dealt: dict[int, list[int]] = {rep_id: [] for rep_id in room}
    for lead_id, rep_id in zip(lead_ids, _deal_order(room, len(lead_ids))):
        dealt[rep_id].append(lead_id)
    names = {rep.user_id: rep.user.get_username() for rep in reps}
    assigned = {rep_id: _assign_batch(lead_ids=ids, rep_id=rep_id, note=f"to {names[rep_id]} (round robin)",
                                      user=user) for rep_id, ids in dealt.items()}
    return {"assigned": sum(assigned.values()), "per_rep": {names[rep_id]: assigned[rep_id] for rep_id in room}}


def _deal_order(room: dict[int, int], count: int) -> list[int]:
    """The rep of each of the next ``count`` leads. A rep with room ``w`` takes its k-th lead at time (k + ½)/w;
    leads go out in time order (ties: larger room, then lower user id). O(total room · log) with numpy."""
    reps = np.array([rep_id for rep_id, free in room.items() if free > 0], dtype=np.int64)
    weights = np.array([free for free in room.values() if free > 0], dtype=np.int64)
    if not count or not len(reps):
        return []
    owners, per_slot = np.repeat(reps, weights), np.repeat(weights, weights)
    slot = np.arange(per_slot.size) - np.repeat(np.cumsum(weights) - weights, weights)
    order = np.lexsort((owners, -per_slot, (slot + 0.5) / per_slot))
    return owners[order[:count]].tolist()


def _assign_batch(*, lead_ids: list[int], rep_id: int, note: str, user=None) -> int:
    """Give still-unowned leads among ``lead_ids`` to the rep and log one ASSIGNED activity each; returns how many."""
    now, assigned = timezone.now(), 0
    for start in range(0, len(lead_ids), ASSIGN_BATCH):
        chunk = lead_ids[start:start + ASSIGN_BATCH]
        updated = Lead.objects.filter(pk__in=chunk, owner__isnull=True).update(owner_id=rep_id, updated_at=now)
        if updated != len(chunk):  # a concurrent claim got there first (possible only where rows cannot be locked)
            chunk = list(Lead.objects.filter(pk__in=chunk, owner_id=rep_id).values_list("id", flat=True))
        LeadActivity.objects.bulk_create(
            [LeadActivity(lead_id=lead_id, kind=LeadActivity.Kind.ASSIGNED, user=user, note=note) for lead_id in chunk],
            batch_size=ASSIGN_BATCH)
        assigned += len(chunk)
    return assigned
