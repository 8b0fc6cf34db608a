"""Reads for leads: queues, visibility, score history, the champion model."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from core.roles import ADMIN, ANALYST, MARKETER, SALES_REP, user_roles
from leads.models import Lead, LeadScore, ScoringModel

CLOSED_STAGES = (Lead.Stage.WON, Lead.Stage.LOST)
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


def leads_visible_to(*, user) -> QuerySet[Lead]:
    """Reps see leads they own and unowned ones they may claim; other roles see every lead."""
    if user_roles(user) & {ADMIN, ANALYST, MARKETER}:
        return Lead.objects.all()
    return Lead.objects.filter(Q(owner=user) | Q(owner__isnull=True))


def lead_score_history(*, lead) -> QuerySet[LeadScore]:
    return LeadScore.objects.filter(lead=lead).select_related("scoring_model").order_by("-scored_at")


def champion_model() -> ScoringModel | None:
    return ScoringModel.objects.filter(is_champion=True).first()


def lead_tier_counts() -> dict[str, int]:
    """Open leads per tier ("" for unscored)."""
    rows = open_leads().order_by().values("tier").annotate(n=Count("id")).values_list("tier", "n")
    return {tier: n for tier, n in rows}
