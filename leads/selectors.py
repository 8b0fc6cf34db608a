"""Reads for leads: queues, visibility, score history, the champion model, lead frames for models, factors in
words (computed on demand, never written) and the export rows."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.bulk import is_postgres, quote
from core.bulk_read import read_frame
from core.models import CustomAttribute, JobRun
from core.roles import OWN_OR_CLAIMABLE, SALES_REP, register_row_rule, rows_for
from leads import ml
from leads.ml.features import CATEGORY, DATE, FLAG, NUMBER
from leads.models import CLOSED_STAGES, Lead, LeadActivity, LeadScore, ScoringModel

logger = logging.getLogger(__name__)

TIER_ORDER = Case(
    When(tier=Lead.Tier.HOT, then=Value(0)),
    When(tier=Lead.Tier.WARM, then=Value(1)),
    When(tier=Lead.Tier.COLD, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def open_leads() -> QuerySet[Lead]:
    return Lead.objects.exclude(stage__in=CLOSED_STAGES)


def rep_queue(*, user) -> QuerySet[Lead]:
    """The rep's open leads: hot before warm before cold, then highest score, freshest activity (never-touched
    leads after touched ones), oldest id."""
    return (
        open_leads()
        .filter(owner=user)
        .annotate(tier_rank=TIER_ORDER)
        .order_by("tier_rank", F("score").desc(nulls_last=True), F("last_activity_at").desc(nulls_last=True), "id")
    )


def sales_reps() -> QuerySet:
    """Users leads may be given to: active, and in the sales_rep group or with an active capacity."""
    reps = Q(groups__name=SALES_REP) | Q(sales_rep__is_active=True)
    return get_user_model().objects.filter(reps, is_active=True).distinct()


def own_or_claimable(user, via: str = "") -> Q:
    """Leads the user holds and unowned ones they may claim; `via` reaches them from a related model."""
    return Q(**{f"{via}owner": user}) | Q(**{f"{via}owner__isnull": True})


def register_row_rules() -> None:
    """What core.roles' OWN_OR_CLAIMABLE means for leads and the rows hanging off them (LeadsConfig.ready)."""
    register_row_rule("leads.lead", OWN_OR_CLAIMABLE, own_or_claimable)
    for model in ("leads.leadactivity", "leads.leadscore"):
        register_row_rule(model, OWN_OR_CLAIMABLE, lambda user: own_or_claimable(user, via="lead__"))


def leads_visible_to(*, user, action: str = "view") -> QuerySet[Lead]:
    """The leads the user may see (or take `action` on) by the role table: reps their own and unowned ones they
    may claim, marketers, analysts and admins every lead, anyone else none."""
    return rows_for(user, "leads.lead", Lead.objects.all(), action)


def lead_score_history(*, lead) -> QuerySet[LeadScore]:
    return LeadScore.objects.filter(lead=lead).select_related("scoring_model").order_by("-scored_at")


def champion_model() -> ScoringModel | None:
    return ScoringModel.objects.filter(is_champion=True).first()


def lead_tier_counts() -> dict[str, int]:
    """Open leads per tier ("" for unscored)."""
    rows = open_leads().order_by().values("tier").annotate(n=Count("id")).values_list("tier", "n")
    return {tier: n for tier, n in rows}


# --- the rep's workspace pages (leads.views) ---------------------------------------------------------------------

QUEUE_ROW_FIELDS = ("id", "external_id", "score", "tier", "stage", "factors", "created_at", "last_activity_at")
QUEUE_PAGE_ROWS = 200  # a rep holds at most their capacity of open leads (50 by default)
CLAIMABLE_ROWS = 25
CLAIMABLE_CANDIDATES = 500
CLAIMABLE_CANDIDATES_SECONDS = 3600  # a backstop: re-scores, imports and releases are followed as they happen


def rep_queue_rows(*, user, tier: str = "") -> list[dict]:
    """The rep's queue as plain rows for the queue page, in the queue's order: one query by the owner index."""
    rows = rep_queue(user=user)
    if tier:
        rows = rows.filter(tier=tier)
    return list(rows.values(*QUEUE_ROW_FIELDS)[:QUEUE_PAGE_ROWS])


def claimable_rows(*, user, tier: str = "") -> list[dict]:
    """The best-scored open leads nobody holds that the user may claim, as plain rows.

    No index holds the score (re-scores update leads in place), so finding the best unowned leads reads the whole
    table: ~1 s at a million leads. That is done once, and again after each re-score or lead import; the ids of the
    best ``CLAIMABLE_CANDIDATES`` are kept in the cache. A page reads those by primary key together with the leads
    released since (the only way a lead becomes unowned between re-scores), checking owner, stage and score as they
    are now: a lead claimed a moment ago has left the list, a lead released a moment ago is in it.
    """
    from django.core.cache import cache

    key = f"leads:claimable-candidates:{tier or 'all'}"
    candidates = cache.get(key)
    if candidates is None or _scores_changed_since(candidates["as_of"]):
        as_of = timezone.now()
        unowned = open_leads().filter(owner__isnull=True)
        if tier:
            unowned = unowned.filter(tier=tier)
        ids = list(unowned.order_by(F("score").desc(nulls_last=True), "id")
                   .values_list("id", flat=True)[:CLAIMABLE_CANDIDATES])
        candidates = {"ids": ids, "as_of": as_of}
        cache.set(key, candidates, CLAIMABLE_CANDIDATES_SECONDS)
    released = LeadActivity.objects.filter(kind=LeadActivity.Kind.RELEASED, created_at__gte=candidates["as_of"])
    ids = candidates["ids"] + list(released.values_list("lead_id", flat=True)[:CLAIMABLE_CANDIDATES])
    rows = leads_visible_to(user=user).filter(pk__in=ids, owner__isnull=True).exclude(stage__in=CLOSED_STAGES)
    if tier:
        rows = rows.filter(tier=tier)
    return list(rows.order_by(F("score").desc(nulls_last=True), "id").values(*QUEUE_ROW_FIELDS)[:CLAIMABLE_ROWS])


def _scores_changed_since(moment) -> bool:
    """Did a re-score or a lead import finish after ``moment``? (A handful of job rows, by the kind index.)"""
    return JobRun.objects.filter(kind__in=(JobRun.Kind.RESCORE_LEADS, JobRun.Kind.IMPORT_LEADS),
                                 finished_at__gte=moment).exists()


def next_queue_lead_id(*, user) -> int | None:
    """The lead at the top of the rep's queue, the one to work next."""
    return rep_queue(user=user).values_list("id", flat=True).first()


def lead_activity_history(*, lead, limit: int = 50) -> list:
    """The lead's claims, releases, assignments and outcomes, newest first, with who did each."""
    return list(LeadActivity.objects.filter(lead=lead).select_related("user").order_by("-created_at", "-id")[:limit])


# --- lead frames for models, factors in words, the export ------------------------------------------------------

LEAD_COLUMNS = ("id", "external_id", "status", "created_at")
LEAD_ENTITY = "leads"  # the CustomAttribute entity of lead columns (the import spec's name)
ATTRIBUTE_KINDS = {CustomAttribute.Kind.NUMBER: NUMBER, CustomAttribute.Kind.BOOLEAN: FLAG,
                   CustomAttribute.Kind.CATEGORY: CATEGORY, CustomAttribute.Kind.DATE: DATE}


def thresholds() -> ml.TierThresholds:
    return ml.TierThresholds(hot=settings.LEAD_TIER_HOT, warm=settings.LEAD_TIER_WARM)


def leads_frame(where: str = "", extra_columns: tuple[str, ...] = (), params: list | tuple = (), *,
                columns: tuple[str, ...] = LEAD_COLUMNS,
                features: Iterable[ml.FeatureColumn] = ml.DEFAULT_SPEC.columns) -> pd.DataFrame:
    """Leads in id order: ``columns`` (by default ids, outcome, creation time) and the ``features`` a model reads,
    fields as they are and custom attributes out of ``attributes`` (typed by kind, named ``attr:<key>``), so a
    re-score reads only what its model needs. ``extra_columns`` are further SELECT expressions."""
    selected, feature_params = _feature_select(features)
    columns = ", ".join((*columns, *selected, *extra_columns))
    return read_frame(f"SELECT {columns} FROM {Lead._meta.db_table} {where} ORDER BY id",
                      [*feature_params, *params])


def _feature_select(features: Iterable[ml.FeatureColumn]) -> tuple[list[str], list[str]]:
    """SELECT expressions of the features and their parameters (attribute keys). A value whose JSON type does not
    match the kind (written before the attribute's kind changed) reads as missing rather than failing the read."""
    selected, params = [], []
    for feature in features:
        if not feature.is_attribute:
            selected.append(feature.name)
            continue
        key = feature.attribute_key
        if is_postgres():
            if feature.kind in (NUMBER, FLAG):
                json_type, cast = ("number", "float8") if feature.kind == NUMBER else ("boolean", "boolean")
                expression = (f"CASE WHEN jsonb_typeof(attributes -> %s) = '{json_type}' "
                              f"THEN (attributes ->> %s)::{cast} END")
                params += [key, key]
            else:
                expression = "attributes ->> %s"
                params.append(key)
        else:
            expression = "json_extract(attributes, %s)"
            params.append('$."' + key.replace('"', '""') + '"')
        selected.append(f"{expression} AS {quote(feature.name)}")
    return selected, params


def lead_feature_candidates() -> tuple[ml.FeatureColumn, ...]:
    """What a lead model may read: the lead fields of the sample layout, then every custom attribute of leads."""
    attributes = CustomAttribute.objects.filter(entity=LEAD_ENTITY).order_by("key")
    return ml.DEFAULT_SPEC.columns + tuple(
        ml.FeatureColumn(f"{ml.features.ATTRIBUTE_PREFIX}{attribute.key}", ATTRIBUTE_KINDS[attribute.kind],
                         attribute.label)
        for attribute in attributes)


def lead_factors(lead: Lead) -> dict[str, list[str]]:
    """The lead's top factors up and down in words: as published by the last re-score, or, for a lead outside the
    explained few, computed now with the model that scored it (a few milliseconds; nothing is written)."""
    if lead.factors or lead.scoring_model_id is None:
        return lead.factors
    scoring_model = ScoringModel.objects.filter(pk=lead.scoring_model_id).first()
    if scoring_model is None:
        return {}
    try:
        model = model_cached(scoring_model.artifact, scoring_model.checksum)
    except (OSError, ml.ArtifactIntegrityError) as exc:  # a missing or altered artifact: show no factors, say why
        logger.warning("cannot explain lead %s with model v%s: %s", lead.pk, scoring_model.version, exc)
        return {}
    frame = leads_frame(f"WHERE id = {int(lead.pk)}", features=ml.feature_spec_of(model).columns)
    if frame.empty:
        return {}
    return ml.score_leads(model, frame, thresholds=thresholds(), explain=True).factors(0)


EXPORT_CHUNK_ROWS = 10_000


def lead_export_rows(*, explain_missing: bool = False, attribute_keys: tuple[str, ...] = ()) -> Iterator[tuple]:
    """(external_id as the file gave it, score, tier, model version, scored_at, factors up, factors down, then the
    custom attributes named by ``attribute_keys``) of every lead, in id order.

    With ``explain_missing``, leads scored outside the explained few are explained on the way, chunk by chunk
    (about a minute per million such leads); otherwise their factor columns are empty.
    """
    versions = dict(ScoringModel.objects.values_list("pk", "version"))
    last_id = 0
    while True:
        chunk = list(Lead.objects.filter(pk__gt=last_id).order_by("id").values_list(
            "id", "external_id", "score", "tier", "scoring_model_id", "scored_at", "factors",
            "attributes")[:EXPORT_CHUNK_ROWS])
        if not chunk:
            return
        last_id = chunk[-1][0]
        computed = _factors_of([(row[0], row[4]) for row in chunk if not row[6] and row[4]]) if explain_missing else {}
        for lead_id, external_id, score, tier, model_id, scored_at, factors, attributes in chunk:
            factors = factors or computed.get(lead_id, {})
            yield (external_id, score, tier, versions.get(model_id, ""), scored_at.isoformat() if scored_at else "",
                   "; ".join(factors.get("up", [])), "; ".join(factors.get("down", [])),
                   *(_attribute_text(attributes.get(key)) for key in attribute_keys))


def _attribute_text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value  # numbers stay numbers (a negative one is no formula)


def _factors_of(leads: list[tuple[int, int]]) -> dict[int, dict[str, list[str]]]:
    """Factors of (lead id, scoring model id) pairs, computed with the model that scored each lead."""
    by_model: dict[int, list[int]] = {}
    for lead_id, model_id in leads:
        by_model.setdefault(model_id, []).append(lead_id)
    factors = {}
    for scoring_model in ScoringModel.objects.filter(pk__in=by_model):
        ids = ", ".join(str(int(lead_id)) for lead_id in by_model[scoring_model.pk])
        model = model_cached(scoring_model.artifact, scoring_model.checksum)
        frame = leads_frame(f"WHERE id IN ({ids})", features=ml.feature_spec_of(model).columns)
        words = factors_in_words(model, frame, np.arange(len(frame)), thresholds())
        factors.update(zip(frame["id"].astype(int).tolist(), words))
    return factors


@lru_cache(maxsize=4)
def model_cached(artifact: str, checksum: str):
    """Artifacts never change once written (a new version is a new file), so a loaded model can be reused."""
    return ml.load_model(Path(settings.MEDIA_ROOT) / artifact, checksum)


def factors_in_words(model, frame: pd.DataFrame, positions: np.ndarray, thresholds) -> list[dict]:
    """Top factors up and down, in words, of the frame's leads at ``positions``."""
    if not len(positions):
        return []
    batch = ml.score_leads(model, frame.iloc[positions], thresholds=thresholds, explain=True)
    return [batch.factors(position) for position in range(len(positions))]
