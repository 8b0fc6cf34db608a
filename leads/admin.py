"""Leads, their activity and score history, and sales reps in the admin; lead-scoring models are in
``leads.scoring_admin`` (imported here so the admin registers them).

A lead's page shows its factors in words and its score trend. Who sees and does what is the role table of
core/roles.py, read through ``RoleAdmin`` as the API reads it: a rep's list holds only their own and claimable leads,
another rep's lead is a 404, and a rep changes a lead only through the claim / release / log-an-outcome actions,
which call the same services as the API (so activities are recorded as the logged-in user); the imported fields are
read-only to them. Buttons and actions call services: re-scoring is queued through ``core.jobs.job_enqueue``
(``MANAGE`` on scoring models: analysts, admins); dealing calls ``lead_assign`` and ``leads_assign_round_robin``
(``ASSIGN``: admins). The lead list stays fast on a million rows: no full count, owners joined, search by exact id.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin_display import attributes_display
from core.errors import UserError
from core.models import JobRun
from core.roles import ASSIGN, MANAGE, WORK, user_may
from leads import charts
from leads import scoring_admin  # noqa: F401  (registers ScoringModelAdmin)
from leads.admin_helpers import RoleAdmin, confirm, enqueue, table
from leads.models import CLOSED_STAGES, Lead, LeadActivity, LeadScore, SalesRep
from leads.selectors import champion_model, lead_factors, lead_score_history, sales_reps
from leads.services import (
    OUTCOME_STAGES, lead_assign, lead_claim, lead_log_outcome, lead_release, leads_assign_round_robin,
)

HISTORY_ROWS = 50
BY_HAND_LIMIT = 500  # leads per by-hand action (assign, claim, release, outcome); a round robin deals any number


class AssignForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="sales rep")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = sales_reps().select_related("sales_rep").order_by("username")
        self.fields["rep"].label_from_instance = _rep_label


class OutcomeForm(forms.Form):
    stage = forms.ChoiceField(choices=[(stage.value, stage.label) for stage in Lead.Stage if stage in OUTCOME_STAGES],
                              help_text="won closes the lead as converted, lost as not")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _rep_label(user) -> str:
    capacity = getattr(getattr(user, "sales_rep", None), "capacity", None)
    return user.get_username() if capacity is None else f"{user.get_username()} (capacity {capacity})"


@admin.register(Lead)
class LeadAdmin(RoleAdmin):
    change_list_template = "admin/leads/lead/change_list.html"
    list_display = ("external_id", "score", "tier", "stage", "owner", "current_occupation", "first_interaction",
                    "profile_completed", "time_spent_on_website", "last_activity", "status", "scored_at")
    list_filter = ("tier", "stage", "status", "current_occupation", "first_interaction", "profile_completed",
                   "last_activity", "owner")
    search_fields = ("external_id", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    show_full_result_count = False
    actions = ["claim_selected", "release_selected", "log_outcome", "assign_to_rep", "assign_round_robin",
               "rescore_open_leads"]
    fieldsets = (
        (None, {"fields": ("external_id", "owner", "stage", "status", "last_activity_at")}),
        ("Score", {"fields": ("score", "tier", "factors_in_words", "score_trend", "scoring_model", "scored_at",
                              "score_history")}),
        ("Profile", {"fields": ("age", "current_occupation", "first_interaction", "profile_completed",
                                "website_visits", "time_spent_on_website", "page_views_per_visit", "last_activity",
                                "print_media_type1", "print_media_type2", "digital_media", "educational_channels",
                                "referral", "custom_attributes")}),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("score", "tier", "factors_in_words", "score_trend", "scoring_model", "scored_at",
                       "score_history", "custom_attributes", "created_at", "updated_at")
    custom_attributes = attributes_display("leads")

    def get_search_results(self, request, queryset, search_term):
        """Exact external id or owner username: an index lookup, where ``icontains`` would scan a million rows."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(external_id=term) | Q(owner__username=term)), False

    def has_work_permission(self, request) -> bool:
        return self.may(request, WORK)

    def has_assign_permission(self, request) -> bool:
        return self.may(request, ASSIGN)

    def has_rescore_permission(self, request) -> bool:
        return user_may(request.user, "leads.scoringmodel", MANAGE)

    def get_urls(self):
        extra = [
            path("rescore/", self.admin_site.admin_view(self.rescore_view), name="leads_lead_rescore"),
            path("round-robin/", self.admin_site.admin_view(self.round_robin_view), name="leads_lead_round_robin"),
        ]
        return [*extra, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_assign": self.has_assign_permission(request),
                         "can_rescore": self.has_rescore_permission(request)}
        return super().changelist_view(request, extra_context)

    @admin.display(description="factors")
    def factors_in_words(self, obj: Lead) -> str:
        factors = (lead_factors(obj) if obj.pk else obj.factors) or {}  # explained now if the re-score did not
        up, down = factors.get("up", []), factors.get("down", [])
        if not up and not down:
            return "not scored yet" if obj.scoring_model_id is None else "no factor moves the score by a point or more"
        lines = [("#2f8f6b", "raises the score", "▲", text) for text in up]
        lines += [("#c0392b", "lowers the score", "▼", text) for text in down]
        return format_html('<ul style="margin:0;padding-left:0;list-style:none">{}</ul>', format_html_join(
            "", '<li><span style="color:{}" title="{}">{}</span> {}</li>', lines))

    @admin.display(description="trend")
    def score_trend(self, obj: Lead) -> str:
        scores = [row.score for row in self._history(obj)][::-1]
        if len(scores) < 2:
            return "one score so far" if scores else "not scored yet"
        svg = charts.score_sparkline(scores, hot=settings.LEAD_TIER_HOT, warm=settings.LEAD_TIER_WARM)
        return format_html("{} <small>{} scores, oldest to newest; dashed: hot and warm thresholds</small>",
                           mark_safe(svg), len(scores))  # noqa: S308 (numbers only, drawn by leads.charts)

    @admin.display(description=f"score history (last {HISTORY_ROWS})")
    def score_history(self, obj: Lead) -> str:
        history = self._history(obj)
        if not history:
            return "not scored yet"
        return table(("scored at", "score", "tier", "model"), (
            (f"{row.scored_at:%Y-%m-%d %H:%M}", f"{row.score:.1f}", row.get_tier_display(),
             f"v{row.scoring_model.version}" if row.scoring_model else "-") for row in history))

    def _history(self, obj: Lead) -> list[LeadScore]:
        if not obj.pk:
            return []
        cached = getattr(obj, "_admin_history", None)
        if cached is None:  # the trend and the table read the same rows
            cached = obj._admin_history = list(lead_score_history(lead=obj)[:HISTORY_ROWS])
        return cached

    @admin.action(description="Claim the selected unowned leads", permissions=["work"])
    def claim_selected(self, request, queryset):
        self._each_lead(request, queryset, "claimed", lambda lead: lead_claim(lead_id=lead.pk, user=request.user))

    @admin.action(description="Release the selected leads you hold", permissions=["work"])
    def release_selected(self, request, queryset):
        self._each_lead(request, queryset, "released", lambda lead: lead_release(lead_id=lead.pk, user=request.user))

    @admin.action(description="Log an outcome for the selected leads you hold…", permissions=["work"])
    def log_outcome(self, request, queryset):
        if self._too_many(request, queryset):
            return None
        form = OutcomeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            stage, note = form.cleaned_data["stage"], form.cleaned_data["note"]
            self._each_lead(request, queryset, f"marked {stage}", lambda lead: lead_log_outcome(
                lead_id=lead.pk, user=request.user, stage=stage, note=note))
            return None
        return self._action_form(request, queryset, form, action="log_outcome", title="Log an outcome",
                                 button="Log outcome", intro="The outcome is recorded on each lead you hold, "
                                                             "as you:")

    def _each_lead(self, request, queryset, done: str, service) -> None:
        """Run a rep's service on each selected lead (the list holds only leads the user may see); the service
        refuses leads the user may not act on, and the message says how many and why."""
        if self._too_many(request, queryset):
            return
        refused: dict[str, int] = {}
        leads = list(queryset.order_by("id"))
        for lead in leads:
            try:
                service(lead)
            except UserError as exc:
                refused[str(exc)] = refused.get(str(exc), 0) + 1
        changed = len(leads) - sum(refused.values())
        self.message_user(request, f"{changed} lead{'' if changed == 1 else 's'} {done}.",
                          messages.SUCCESS if changed else messages.WARNING)
        for reason, count in refused.items():
            self.message_user(request, f"{count} not changed: {reason}.", messages.WARNING)

    def _too_many(self, request, queryset) -> bool:
        count = queryset.count()
        if count > BY_HAND_LIMIT:
            self.message_user(request, f"Select at most {BY_HAND_LIMIT} leads at a time ({count:,} selected).",
                              messages.WARNING)
        return count > BY_HAND_LIMIT

    def _action_form(self, request, queryset, form, *, action: str, title: str, button: str,
                     intro: str) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "intro": intro,
                   "action": action, "button": button, "leads": queryset.select_related("owner")[:20],
                   "count": queryset.count(), "opts": self.model._meta,
                   "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                   "select_across": request.POST.get("select_across", "0"),
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/leads/lead/action_form.html", context)

    @admin.action(description="Assign the selected leads to a rep…", permissions=["assign"])
    def assign_to_rep(self, request, queryset):
        count = queryset.count()
        if count > BY_HAND_LIMIT:
            self.message_user(request, f"Select at most {BY_HAND_LIMIT} leads to assign by hand "
                                       f"({count:,} selected); use the round robin for more.", messages.WARNING)
            return None
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            rep = form.cleaned_data["rep"]
            for lead in queryset.select_related("owner"):
                lead_assign(lead=lead, rep=rep, user=request.user)
            self.message_user(request, f"Assigned {count} lead{'' if count == 1 else 's'} to {rep.get_username()}.",
                              messages.SUCCESS)
            return None
        return self._action_form(request, queryset, form, action="assign_to_rep", title="Assign leads to a rep",
                                 button="Assign", intro=f"{count} lead{'' if count == 1 else 's'} will be given to "
                                                        "the rep you choose, whoever holds them now:")

    @admin.action(description="Round-robin assign unowned open leads (selection ignored)", permissions=["assign"])
    def assign_round_robin(self, request, queryset):
        self._round_robin(request)

    @admin.action(description="Re-score all open leads (selection ignored)", permissions=["rescore"])
    def rescore_open_leads(self, request, queryset):
        enqueue(self, request, kind=JobRun.Kind.RESCORE_LEADS, what="Re-score", params={"full": True})

    def rescore_view(self, request):
        if not self.has_rescore_permission(request):
            raise PermissionDenied("You may not re-score leads.")
        if request.method != "POST":
            return confirm(self, request, title="Re-score open leads", button="Re-score now",
                            text=f"Scores every open lead with the champion ({champion_model() or 'none yet'}) and "
                                 "publishes the new scores, tiers and factors in one step.")
        enqueue(self, request, kind=JobRun.Kind.RESCORE_LEADS, what="Re-score", params={"full": True})
        return HttpResponseRedirect(reverse("admin:leads_lead_changelist"))

    def round_robin_view(self, request):
        if not self.has_assign_permission(request):
            raise PermissionDenied("You may not assign leads.")
        if request.method != "POST":
            return confirm(self, request, title="Share unowned leads among reps", button="Assign",
                            text="Deals unowned open leads, best scored first, to active reps in proportion to their "
                                 "room (capacity minus the open leads they hold).")
        self._round_robin(request)
        return HttpResponseRedirect(reverse("admin:leads_lead_changelist"))

    def _round_robin(self, request) -> None:
        result = leads_assign_round_robin(user=request.user)
        if not result["per_rep"]:
            self.message_user(request, "No active sales reps to assign leads to.", messages.WARNING)
            return
        shares = ", ".join(f"{name} {count}" for name, count in result["per_rep"].items())
        self.message_user(request, f"Assigned {result['assigned']} leads: {shares}.",
                          messages.SUCCESS if result["assigned"] else messages.WARNING)


@admin.register(LeadActivity)
class LeadActivityAdmin(RoleAdmin):
    """Activities are written by the lead services (claim, release, outcome, assign) as the user who acted; here
    they are read, never added or edited (no form can name another user)."""

    list_display = ("lead", "kind", "stage", "user", "created_at")
    list_filter = ("kind", "stage")
    search_fields = ("lead__external_id", "user__username", "note")
    list_select_related = ("lead", "user")
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LeadScore)
class LeadScoreAdmin(RoleAdmin):
    list_display = ("lead", "score", "tier", "scoring_model", "scored_at")
    list_filter = ("tier", "scoring_model")
    search_fields = ("lead__external_id",)
    list_select_related = ("lead", "scoring_model")
    raw_id_fields = ("lead",)
    show_full_result_count = False
    ordering = ("-id",)  # newest first by the primary key: the history holds millions of rows and no date index

    def has_add_permission(self, request) -> bool:
        return False  # scores are written by re-scoring only

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SalesRep)
class SalesRepAdmin(RoleAdmin):
    list_display = ("user", "capacity", "open_leads", "room", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def get_queryset(self, request):
        held = Count("user__leads", filter=~Q(user__leads__stage__in=CLOSED_STAGES))
        return super().get_queryset(request).annotate(held=held)

    @admin.display(description="open leads held", ordering="held")
    def open_leads(self, obj: SalesRep) -> int:
        return obj.held

    @admin.display(description="room")
    def room(self, obj: SalesRep) -> int:
        return max(obj.capacity - obj.held, 0)
