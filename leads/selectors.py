"""Reads for leads: queues, visibility, score history, the champion model."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.models import JobRun
from core.roles import OWN_OR_CLAIMABLE, SALES_REP, register_row_rule, rows_for
from leads.models import CLOSED_STAGES, Lead, LeadActivity, LeadScore, ScoringModel

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
