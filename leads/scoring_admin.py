"""Lead-scoring models in the admin: their quality on one page, and train / promote / roll back buttons.

Models are records written only by ``lead_model_train``, so they are read-only here; their quality is shown as
charts and tables from what the registry stored (``metrics``, ``drivers``). Training is queued through
``core.jobs.job_enqueue`` (the task the schedule runs); promote and roll back call the registry services. Who reads
models (marketers, analysts, admins) and who manages them (``MANAGE``: analysts, admins) is the role table of
core/roles.py, which the API reads too.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe

from core.models import JobRun
from core.roles import MANAGE
from leads import charts
from leads.admin_helpers import RoleAdmin, confirm, enqueue, fixed, image, percent, table
from leads.models import ScoringModel
from leads.selectors import champion_model
from leads.services import ModelRefused, lead_model_promote, lead_model_rollback

@admin.register(ScoringModel)
class ScoringModelAdmin(RoleAdmin):
    change_list_template = "admin/leads/scoringmodel/change_list.html"
    change_form_template = "admin/leads/scoringmodel/change_form.html"
    list_display = ("version", "algorithm", "is_champion", "holdout_roc_auc", "brier", "training_rows", "created_at",
                    "decision_short")
    list_display_links = ("version", "algorithm")
    list_filter = ("is_champion", "algorithm")
    actions = ["promote_selected", "roll_back"]
    fieldsets = (
        (None, {"fields": ("version", "algorithm", "is_champion", "decision_text", "tier_thresholds", "training_rows",
                           "class_balance", "training_window_start", "training_window_end", "job", "created_at")}),
        ("Candidates on the held-out leads", {"fields": ("candidates_table", "tiers_table", "calibration_chart",
                                                         "tiers_chart")}),
        ("What drives conversion", {"fields": ("importance_chart", "importance_table", "converter_summary",
                                               "converter_table")}),
        ("Columns the model reads", {"fields": ("features_used", "features_left_out")}),
        ("Settings", {"classes": ("collapse",), "fields": ("params", "features", "artifact", "checksum")}),
    )
    readonly_fields = ("version", "algorithm", "is_champion", "decision_text", "tier_thresholds", "training_rows",
                       "class_balance", "training_window_start", "training_window_end", "job", "created_at",
                       "candidates_table", "tiers_table", "calibration_chart", "tiers_chart", "importance_chart",
                       "importance_table", "converter_summary", "converter_table", "features_used",
                       "features_left_out", "params", "features", "artifact", "checksum")

    def has_add_permission(self, request):
        return False  # models come from training only

    def has_change_permission(self, request, obj=None):
        return False  # a model is a record; promote/roll back below

    def has_delete_permission(self, request, obj=None):
        return False  # its scores and history refer to it

    def has_manage_permission(self, request) -> bool:
        return self.may(request, MANAGE)

    def get_urls(self):
        extra = [
            path("train/", self.admin_site.admin_view(self.train_view), name="leads_scoringmodel_train"),
            path("rollback/", self.admin_site.admin_view(self.rollback_view), name="leads_scoringmodel_rollback"),
            path("<int:pk>/promote/", self.admin_site.admin_view(self.promote_view),
                 name="leads_scoringmodel_promote"),
        ]
        return [*extra, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_manage": self.has_manage_permission(request),
                         "champion": champion_model()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_manage": self.has_manage_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    # list columns
    @admin.display(description="held-out ROC AUC")
    def holdout_roc_auc(self, obj: ScoringModel) -> str:
        return fixed(obj.metrics.get("holdout_roc_auc"), 4)

    @admin.display(description="Brier")
    def brier(self, obj: ScoringModel) -> str:
        return fixed(_chosen(obj).get("brier"), 4)

    @admin.display(description="decision")
    def decision_short(self, obj: ScoringModel) -> str:
        first = obj.decision.split("\n")[0]
        short = first if len(first) <= 90 else f"{first[:89]}…"
        by_hand = " · promoted by hand" if "Promoted by hand" in obj.decision else ""
        return format_html('<span title="{}">{}{}</span>', obj.decision, short, by_hand)

    # detail
    @admin.display(description="champion / challenger decision")
    def decision_text(self, obj: ScoringModel) -> str:
        return mark_safe(linebreaks(obj.decision, autoescape=True)) if obj.decision else "-"

    @admin.display(description="tiers")
    def tier_thresholds(self, obj: ScoringModel) -> str:
        levels = obj.metrics.get("thresholds", {})
        return f"hot ≥ {levels.get('hot', '-')}, warm ≥ {levels.get('warm', '-')}, cold below" if levels else "-"

    @admin.display(description="leads with an outcome")
    def class_balance(self, obj: ScoringModel) -> str:
        balance = obj.metrics.get("class_balance", {})
        if not balance:
            return "-"
        return (f"{balance['converted']:,} converted, {balance['not_converted']:,} not "
                f"({balance['conversion_rate']:.1%} conversion); {obj.metrics.get('holdout_rows', 0):,} held out")

    @admin.display(description="candidates")
    def candidates_table(self, obj: ScoringModel) -> str:
        rows = []
        for name, candidate in _candidates(obj).items():
            held = candidate.get("holdout", {})
            cv = f"{fixed(candidate.get('cv_roc_auc_mean'), 4)} ± {fixed(candidate.get('cv_roc_auc_std'), 4)}"
            rows.append((f"{name} (chosen)" if name == obj.algorithm else name, cv,
                         fixed(held.get("roc_auc"), 4), fixed(held.get("pr_auc"), 4),
                         f"{fixed(held.get('brier'), 4)} (base rate {fixed(held.get('brier_base_rate'), 4)})",
                         fixed(held.get("log_loss"), 4), f"{held.get('leads', 0):,}"))
        if not rows:
            return "-"
        return table(("algorithm", "CV ROC AUC", "ROC AUC", "PR AUC", "Brier", "log loss", "held-out leads"), rows)

    @admin.display(description="precision and recall per tier")
    def tiers_table(self, obj: ScoringModel) -> str:
        rows = [
            (f"{name} (chosen)" if name == obj.algorithm else name, tier, f"{stats.get('leads', 0):,}",
             percent(stats.get("precision")), percent(stats.get("recall")))
            for name, candidate in _candidates(obj).items()
            for tier, stats in candidate.get("holdout", {}).get("tiers", {}).items()
        ]
        if not rows:
            return "-"
        return table(("algorithm", "tier", "held-out leads", "converted (precision)", "of all converters (recall)"),
                      rows)

    @admin.display(description="calibration curve")
    def calibration_chart(self, obj: ScoringModel) -> str:
        curves = {name: c.get("holdout", {}).get("calibration", []) for name, c in _candidates(obj).items()}
        return image(charts.calibration_chart(curves, obj.algorithm), "calibration curve of each candidate")

    @admin.display(description="chosen model per tier")
    def tiers_chart(self, obj: ScoringModel) -> str:
        return image(charts.tier_chart(_chosen(obj).get("tiers", {})), "precision and recall per tier")

    @admin.display(description="global drivers (permutation importance)")
    def importance_chart(self, obj: ScoringModel) -> str:
        return image(charts.importance_chart(obj.drivers.get("permutation_importance", [])),
                      "drop in ROC AUC when each field is shuffled")

    @admin.display(description="drivers")
    def importance_table(self, obj: ScoringModel) -> str:
        rows = [(row.get("label", row["feature"]), fixed(row["auc_drop"], 4), fixed(row.get("auc_drop_std"), 4))
                for row in obj.drivers.get("permutation_importance", [])]
        return table(("field", "ROC AUC drop", "± (over repeats)"), rows) if rows else "-"

    @admin.display(description="likely converters")
    def converter_summary(self, obj: ScoringModel) -> str:
        profile = obj.drivers.get("converter_profile", {})
        if not profile:
            return "-"
        head = format_html("<p>The {} best-scored leads (top {}) average a score of {} against {} for the other {}."
                           "</p>", f"{profile.get('top_leads', 0):,}", percent(profile.get("top_share")),
                           fixed(profile.get("top_mean_score"), 0), fixed(profile.get("other_mean_score"), 0),
                           f"{profile.get('other_leads', 0):,}")
        items = format_html_join("", "<li>{}</li>", ((sentence,) for sentence in profile.get("summary", [])))
        return format_html("{}<ul>{}</ul>", head, items)

    @admin.display(description="converter profile")
    def converter_table(self, obj: ScoringModel) -> str:
        profile = obj.drivers.get("converter_profile", {})
        labels = profile.get("labels", {})
        rows = [(labels.get(field, field), category, percent(share.get("top")), percent(share.get("rest")))
                for field, categories in profile.get("category_shares", {}).items()
                for category, share in categories.items()]
        rows += [(labels.get(field, field), "average", fixed(mean.get("top"), 1), fixed(mean.get("rest"), 1))
                 for field, mean in profile.get("means", {}).items()]
        return table(("field", "value", "top leads", "the rest"), rows) if rows else "-"

    @admin.display(description="used")
    def features_used(self, obj: ScoringModel) -> str:
        report = obj.metrics.get("features", {})
        rows = [(column["label"], column["kind"],
                 f"{len(column['grouped'])} rare value(s) read as 'other'" if column.get("grouped") else "")
                for column in report.get("used", [])]
        rows += [(item["label"], "kept despite a leakage flag", item["text"]) for item in report.get("kept", [])]
        if report.get("reference_date"):
            rows.append(("dates", "read as days before", report["reference_date"]))
        return table(("column", "read as", "note"), rows) if rows else "-"

    @admin.display(description="left out")
    def features_left_out(self, obj: ScoringModel) -> str:
        rows = [(item["label"], item["reason"], item["text"].split(": ", 1)[-1])
                for item in obj.metrics.get("features", {}).get("left_out", [])]
        return table(("column", "why", "figures"), rows) if rows else "-"

    # buttons and actions
    @admin.action(description="Promote the selected model to champion", permissions=["manage"])
    def promote_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one model to promote.", messages.WARNING)
            return None
        self._promote(request, queryset.get())
        return None

    @admin.action(description="Roll back to the champion before the current one (selection ignored)",
                  permissions=["manage"])
    def roll_back(self, request, queryset):
        self._roll_back(request)

    def train_view(self, request):
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not train lead models.")
        if request.method != "POST":
            return confirm(self, request, title="Train a new lead model", button="Train now",
                            text="Trains every candidate on the leads with a known outcome. The new model replaces "
                                 "the champion only if its held-out ROC AUC is not worse on the same leads.")
        enqueue(self, request, kind=JobRun.Kind.TRAIN_LEADS, what="Training")
        return HttpResponseRedirect(reverse("admin:leads_scoringmodel_changelist"))

    def rollback_view(self, request):
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not roll back lead models.")
        if request.method != "POST":
            champion = champion_model()
            return confirm(self, request, title="Roll back the lead model", button="Roll back",
                            text=f"Makes the model before the champion (now {champion or 'none'}) the champion. "
                                 "Open leads keep their scores until the next re-score.")
        self._roll_back(request)
        return HttpResponseRedirect(reverse("admin:leads_scoringmodel_changelist"))

    def promote_view(self, request, pk: int):
        if not self.has_manage_permission(request):
            raise PermissionDenied("You may not promote lead models.")
        model = ScoringModel.objects.filter(pk=pk).first()
        if model is None:
            raise Http404("No such lead model.")
        if request.method != "POST":
            return confirm(self, request, title=f"Promote {model}", button="Promote",
                            text=f"Makes v{model.version} the champion that scores leads from the next re-score on.")
        self._promote(request, model)
        return HttpResponseRedirect(reverse("admin:leads_scoringmodel_change", args=[model.pk]))

    def _promote(self, request, model: ScoringModel) -> None:
        if model.is_champion:
            self.message_user(request, f"Model v{model.version} is already the champion.", messages.WARNING)
            return
        previous = champion_model()
        lead_model_promote(model=model, user=request.user)
        was = f" (was v{previous.version})" if previous else ""
        self.message_user(request, f"Model v{model.version} is now the champion{was}; re-score open leads to publish "
                                   "its scores.", messages.SUCCESS)

    def _roll_back(self, request) -> None:
        previous = champion_model()
        try:
            model = lead_model_rollback(user=request.user)
        except ModelRefused as exc:
            self.message_user(request, f"Roll back refused: {exc}.", messages.ERROR)
            return
        self.message_user(request, f"Rolled back from v{previous.version} to v{model.version}; re-score open leads "
                                   "to publish its scores.", messages.SUCCESS)


def _candidates(model: ScoringModel) -> dict:
    return model.metrics.get("candidates", {})


def _chosen(model: ScoringModel) -> dict:
    return _candidates(model).get(model.algorithm, {}).get("holdout", {})
