"""The rep's workspace: "My queue" and a lead's page, for sales reps (and admins).

Thin views: reads go through ``leads.selectors`` and writes through the leads services, the same ones the API calls.
A lead is looked up in ``leads_visible_to(user=...)`` on every page and button, so another rep's lead answers 404
here exactly as it does in the API.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_POST

from core.errors import UserError
from core.pages import admin_framed, role_page
from core.roles import ADMIN, user_roles
from leads import charts
from leads.models import CLOSED_STAGES, Lead
from leads.roles import LEAD_WORKERS
from leads.selectors import (
    claimable_rows, lead_activity_history, lead_factors, lead_score_history, leads_visible_to, next_queue_lead_id,
    rep_queue_rows,
)
from leads.services import OUTCOME_STAGES, lead_claim, lead_log_outcome, lead_release

WORKSPACE_ROLES = LEAD_WORKERS  # the role table: who claims, releases and logs outcomes (as the API asks)
TREND_POINTS = 60
PROFILE_FIELDS = (
    "external_id", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
    "time_spent_on_website", "page_views_per_visit", "last_activity", "print_media_type1", "print_media_type2",
    "digital_media", "educational_channels", "referral", "created_at", "updated_at",
)
OUTCOME_ORDER = (Lead.Stage.CONTACTED, Lead.Stage.QUALIFIED, Lead.Stage.WON, Lead.Stage.LOST)


class OutcomeForm(forms.Form):
    stage = forms.ChoiceField(choices=[(stage.value, stage.label) for stage in OUTCOME_ORDER
                                       if stage in OUTCOME_STAGES])
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))


rep_page = role_page(WORKSPACE_ROLES, "the lead queue is for sales reps")


def _queue_row(row: dict, now) -> dict:
    factors = row["factors"] or {}
    return {**row, "reasons": factors.get("up", [])[:2], "reasons_down": factors.get("down", [])[:1],
            "age": timesince(row["created_at"], now), "touched": row["last_activity_at"]}


@rep_page
@require_GET
def queue(request):
    tier = request.GET.get("tier", "")
    tier = tier if tier in Lead.Tier.values else ""
    now = timezone.now()
    mine = [_queue_row(row, now) for row in rep_queue_rows(user=request.user, tier=tier)]
    claimable = [_queue_row(row, now) for row in claimable_rows(user=request.user, tier=tier)]
    return admin_framed(request, "leads/queue.html", "My queue", mine=mine, claimable=claimable, tier=tier,
                        tiers=Lead.Tier.choices)


def _visible_lead(request, lead_id: int) -> Lead:
    return get_object_or_404(leads_visible_to(user=request.user).select_related("owner"), pk=lead_id)


def _profile(lead: Lead) -> list[tuple[str, object]]:
    rows = []
    for name in PROFILE_FIELDS:
        field = Lead._meta.get_field(name)
        value = getattr(lead, name)
        if field.choices and value:
            value = getattr(lead, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        rows.append((field.verbose_name, "—" if value in (None, "") else value))
    return rows


@rep_page
@require_GET
def lead_page(request, lead_id: int):
    lead = _visible_lead(request, lead_id)
    history = list(lead_score_history(lead=lead)[:TREND_POINTS])[::-1]
    points = [(row.scored_at, row.score) for row in history]
    if not points and lead.score is not None:
        points = [(lead.scored_at or lead.updated_at, lead.score)]
    trend = charts.score_trend_svg(points, hot=settings.LEAD_TIER_HOT, warm=settings.LEAD_TIER_WARM)
    factors = lead_factors(lead) or {}
    acts_for_all = ADMIN in user_roles(request.user)
    holds = lead.owner_id == request.user.pk or acts_for_all
    return admin_framed(
        request, "leads/lead.html", f"Lead {lead.external_id}", lead=lead,
        trend=mark_safe(trend),  # noqa: S308 (dates and numbers only, drawn by leads.charts)
        up=factors.get("up", []), down=factors.get("down", []), profile=_profile(lead),
        attributes=sorted((getattr(lead, "attributes", None) or {}).items()),
        activities=lead_activity_history(lead=lead), history=history[::-1],
        can_claim=lead.owner_id is None and lead.is_open,
        can_release=holds and lead.owner_id is not None and lead.is_open, can_log=holds and lead.is_open,
        outcome_form=OutcomeForm(),
    )


@rep_page
@require_POST
def claim(request, lead_id: int):
    lead = _visible_lead(request, lead_id)
    try:
        lead_claim(lead_id=lead.pk, user=request.user)
    except UserError as exc:
        messages.error(request, f"Could not claim {lead}: {exc}.")
    else:
        messages.success(request, f"{lead} is in your queue.")
    return redirect("leads:lead", lead_id=lead.pk)


@rep_page
@require_POST
def release(request, lead_id: int):
    lead = _visible_lead(request, lead_id)
    try:
        lead_release(lead_id=lead.pk, user=request.user)
    except UserError as exc:
        messages.error(request, f"Could not release {lead}: {exc}.")
        return redirect("leads:lead", lead_id=lead.pk)
    messages.success(request, f"{lead} released: any rep may claim it now.")
    return redirect("leads:queue")


@rep_page
@require_POST
def outcome(request, lead_id: int):
    """Log an outcome; after won or lost the lead leaves the queue and the next one opens."""
    lead = _visible_lead(request, lead_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an outcome: contacted, qualified, won or lost.")
        return redirect("leads:lead", lead_id=lead.pk)
    stage = form.cleaned_data["stage"]
    try:
        lead_log_outcome(lead_id=lead.pk, user=request.user, stage=stage, note=form.cleaned_data["note"])
    except UserError as exc:
        messages.error(request, f"Could not log the outcome of {lead}: {exc}.")
        return redirect("leads:lead", lead_id=lead.pk)
    messages.success(request, f"{lead}: {Lead.Stage(stage).label.lower()} logged.")
    if stage not in CLOSED_STAGES:
        return redirect("leads:lead", lead_id=lead.pk)
    next_id = next_queue_lead_id(user=request.user)
    if next_id is None:
        messages.info(request, "Your queue is empty: claim a lead below.")
        return redirect("leads:queue")
    return redirect("leads:lead", lead_id=next_id)
