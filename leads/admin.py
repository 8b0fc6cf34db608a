"""Leads, their activity and score history, and sales reps in the admin; lead-scoring models are in
``leads.scoring_admin`` (imported here so the admin registers them).

A lead's page shows its factors in words and its score trend. Buttons and actions call services: re-scoring is
queued through ``core.jobs.job_enqueue``; assignment calls ``lead_assign`` and ``leads_assign_round_robin``. Dealing
leads needs ``leads.change_salesrep`` (admins); re-scoring needs ``leads.change_scoringmodel`` (analysts, admins).
The lead list stays fast on a million rows: no full count, owners joined, search by exact id.
"""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.models import JobRun
from leads import charts
from leads.admin_helpers import confirm, enqueue, table
from leads.models import Lead, LeadActivity, LeadScore, SalesRep
from leads.scoring_admin import MANAGE_MODELS  # also registers ScoringModelAdmin
from leads.selectors import champion_model, lead_score_history, sales_reps
from leads.services import lead_assign, lead_factors, leads_assign_round_robin

HISTORY_ROWS = 50
ASSIGN_BY_HAND_LIMIT = 500  # leads per by-hand assignment; a round robin deals any number
ASSIGN_LEADS = "leads.change_salesrep"


class AssignForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="sales rep")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = sales_reps().select_related("sales_rep").order_by("username")
        self.fields["rep"].label_from_instance = _rep_label


def _rep_label(user) -> str:
    capacity = getattr(getattr(user, "sales_rep", None), "capacity", None)
    return user.get_username() if capacity is None else f"{user.get_username()} (capacity {capacity})"


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    change_list_template = "admin/leads/lead/change_list.html"
    list_display = ("external_id", "score", "tier", "stage", "owner", "current_occupation", "first_interaction",
                    "profile_completed", "time_spent_on_website", "last_activity", "status", "scored_at")
    list_filter = ("tier", "stage", "status", "current_occupation", "first_interaction", "profile_completed",
                   "last_activity", "owner")
    search_fields = ("external_id", "owner__username")
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    show_full_result_count = False
    actions = ["assign_to_rep", "assign_round_robin", "rescore_open_leads"]
    fieldsets = (
        (None, {"fields": ("external_id", "owner", "stage", "status", "last_activity_at")}),
        ("Score", {"fields": ("score", "tier", "factors_in_words", "score_trend", "scoring_model", "scored_at",
                              "score_history")}),
        ("Profile", {"fields": ("age", "current_occupation", "first_interaction", "profile_completed",
                                "website_visits", "time_spent_on_website", "page_views_per_visit", "last_activity",
                                "print_media_type1", "print_media_type2", "digital_media", "educational_channels",
                                "referral")}),
        ("Record", {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("score", "tier", "factors_in_words", "score_trend", "scoring_model", "scored_at",
                       "score_history", "created_at", "updated_at")

    def get_search_results(self, request, queryset, search_term):
        """Exact external id or owner username: an index lookup, where ``icontains`` would scan a million rows."""
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(external_id=term) | Q(owner__username=term)), False

    def has_assign_permission(self, request) -> bool:
        return request.user.has_perm(ASSIGN_LEADS)

    def has_rescore_permission(self, request) -> bool:
        return request.user.has_perm(MANAGE_MODELS)

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

    @admin.action(description="Assign the selected leads to a rep…", permissions=["assign"])
    def assign_to_rep(self, request, queryset):
        count = queryset.count()
        if count > ASSIGN_BY_HAND_LIMIT:
            self.message_user(request, f"Select at most {ASSIGN_BY_HAND_LIMIT} leads to assign by hand "
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
        context = {**self.admin_site.each_context(request), "title": "Assign leads to a rep", "form": form,
                   "leads": queryset.select_related("owner")[:20], "count": count, "opts": self.model._meta,
                   "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                   "select_across": request.POST.get("select_across", "0"),
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/leads/lead/assign.html", context)

    @admin.action(description="Round-robin assign unowned open leads (selection ignored)", permissions=["assign"])
    def assign_round_robin(self, request, queryset):
        self._round_robin(request)

    @admin.action(description="Re-score all open leads (selection ignored)", permissions=["rescore"])
    def rescore_open_leads(self, request, queryset):
        enqueue(self, request, kind=JobRun.Kind.RESCORE_LEADS, what="Re-score", params={"full": True})

    def rescore_view(self, request):
        if not self.has_rescore_permission(request):
            return self._refuse(request, "You may not re-score leads.")
        if request.method != "POST":
            return confirm(self, request, title="Re-score open leads", button="Re-score now",
                            text=f"Scores every open lead with the champion ({champion_model() or 'none yet'}) and "
                                 "publishes the new scores, tiers and factors in one step.")
        enqueue(self, request, kind=JobRun.Kind.RESCORE_LEADS, what="Re-score", params={"full": True})
        return HttpResponseRedirect(reverse("admin:leads_lead_changelist"))

    def round_robin_view(self, request):
        if not self.has_assign_permission(request):
            return self._refuse(request, "You may not assign leads.")
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

    def _refuse(self, request, message: str) -> HttpResponseRedirect:
        self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:leads_lead_changelist"))


@admin.register(LeadActivity)
class LeadActivityAdmin(admin.ModelAdmin):
    list_display = ("lead", "kind", "stage", "user", "created_at")
    list_filter = ("kind", "stage")
    search_fields = ("lead__external_id", "user__username", "note")
    list_select_related = ("lead", "user")
    raw_id_fields = ("lead",)
    show_full_result_count = False


@admin.register(LeadScore)
class LeadScoreAdmin(admin.ModelAdmin):
    list_display = ("lead", "score", "tier", "scoring_model", "scored_at")
    list_filter = ("tier", "scoring_model")
    search_fields = ("lead__external_id",)
    list_select_related = ("lead", "scoring_model")
    raw_id_fields = ("lead",)
    show_full_result_count = False
    ordering = ("-id",)  # newest first by the primary key: the history holds millions of rows and no date index


@admin.register(SalesRep)
class SalesRepAdmin(admin.ModelAdmin):
    list_display = ("user", "capacity", "open_leads", "room", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def get_queryset(self, request):
        held = Count("user__leads", filter=~Q(user__leads__stage__in=["won", "lost"]))
        return super().get_queryset(request).annotate(held=held)

    @admin.display(description="open leads held", ordering="held")
    def open_leads(self, obj: SalesRep) -> int:
        return obj.held

    @admin.display(description="room")
    def room(self, obj: SalesRep) -> int:
        return max(obj.capacity - obj.held, 0)
