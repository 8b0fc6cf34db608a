"""Customers, segmentation runs and segments for marketers: charts to look at, two buttons to press.

Everything is read-only here: runs are records, written only by ``customers_recluster``. Re-clustering is
queued through ``core.jobs.job_enqueue`` (the same task the schedule runs); the CSV download streams
``segment_export_rows``.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin_display import attributes_display, progress_bar
from core.errors import UserError
from core.exports import csv_lines
from core.jobs import job_enqueue
from core.models import JobRun
from segmentation import charts
from segmentation.ml import ALGORITHMS
from segmentation.ml.profiles import FEATURE_LABELS
from segmentation.models import Customer, Segment, SegmentationRun
from segmentation.selectors import (
    EXPORT_HEADER, current_run, customer_segment_history, recluster_feature_choices, recluster_in_progress,
    run_feature_lines, run_segments, segment_export_rows,
)

HISTORY_ROWS = 20


def _image(data_uri: str | None, alt: str) -> str:
    if data_uri is None:
        return "no data yet"
    return format_html('<img src="{}" alt="{}" style="max-width:100%">', data_uri, alt)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "persona", "segment", "income", "year_birth", "education", "marital_status",
                    "kidhome", "teenhome", "recency", "total_spend", "response")
    list_filter = ("persona", "education", "marital_status", "kidhome", "teenhome", "response", "complain")
    search_fields = ("external_id",)
    list_select_related = ("segment",)
    readonly_fields = ("segment", "persona", "unsegmented_reason", "segment_history", "custom_attributes",
                       "created_at", "updated_at")
    exclude = ("attributes",)
    show_full_result_count = False
    custom_attributes = attributes_display("customers")

    @admin.display(description=f"segment history (last {HISTORY_ROWS} runs)")
    def segment_history(self, obj: Customer) -> str:
        history = list(customer_segment_history(customer=obj)[:HISTORY_ROWS]) if obj.pk else []
        if not history:
            return "not segmented yet"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (membership.run_id, f"{membership.run.started_at:%Y-%m-%d %H:%M}",
             membership.segment.label if membership.segment else "-", membership.persona or "-",
             membership.unsegmented_reason or "-")
            for membership in history
        ))
        return format_html(
            "<table><tr><th>run</th><th>started</th><th>segment</th><th>persona</th><th>unsegmented because</th>"
            "</tr>{}</table>", rows,
        )


class ReclusterForm(forms.Form):
    algorithm = forms.ChoiceField(choices=[(name, name) for name in ALGORITHMS], initial="kmeans")
    k = forms.IntegerField(min_value=1, max_value=20, required=False, help_text="empty: chosen from 2 to 8")
    features = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text="none ticked: every field and custom attribute most customers have (identifier-like and "
                  "constant columns left out)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["features"].choices = recluster_feature_choices()


@admin.register(SegmentationRun)
class SegmentationRunAdmin(admin.ModelAdmin):
    change_list_template = "admin/segmentation/segmentationrun/change_list.html"
    list_display = ("id", "status", "progress", "is_current", "algorithm", "chosen_k", "churn_display",
                    "segment_sizes", "n_customers", "n_unsegmented", "trigger", "started_at", "seconds")
    list_display_links = ("id", "status")
    list_filter = ("status", "is_current", "algorithm", "trigger")
    list_select_related = ("job",)
    date_hierarchy = "started_at"
    actions = ["recluster_like_selected", "download_segments_csv"]
    fieldsets = (
        (None, {"fields": ("status", "is_current", "algorithm", "chosen_k", "churn_display", "n_customers",
                           "n_unsegmented", "trigger", "job", "started_at", "finished_at", "error")}),
        ("Quality and features", {"fields": ("quality", "features_used", "persona_note")}),
        ("Choosing k", {"fields": ("metrics_chart", "metrics_table")}),
        ("Segments", {"fields": ("sizes_chart", "segments_table")}),
        ("Settings", {"classes": ("collapse",), "fields": ("params", "feature_names")}),
    )
    readonly_fields = ("status", "is_current", "algorithm", "chosen_k", "churn_display", "n_customers",
                       "n_unsegmented", "trigger", "job", "started_at", "finished_at", "error", "quality",
                       "features_used", "persona_note", "metrics_chart", "metrics_table", "sizes_chart",
                       "segments_table", "params", "feature_names")

    def get_queryset(self, request):
        sizes = Segment.objects.only("run_id", "key", "persona", "label", "size").order_by("-size", "key")
        return super().get_queryset(request).prefetch_related(Prefetch("segments", queryset=sizes))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a run holds a million memberships: never through the admin's per-object delete

    def has_recluster_permission(self, request) -> bool:
        return request.user.has_perm("segmentation.change_segmentationrun") or request.user.has_perm("core.add_jobrun")

    def get_urls(self):
        extra = [
            path("recluster/", self.admin_site.admin_view(self.recluster_view), name="segmentation_recluster"),
            path("current.csv", self.admin_site.admin_view(self.current_csv_view),
                 name="segmentation_current_segments_csv"),
        ]
        return [*extra, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_recluster": self.has_recluster_permission(request),
                         "current_run": current_run()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="progress")
    def progress(self, obj: SegmentationRun) -> str:
        if obj.status != SegmentationRun.Status.RUNNING or obj.job is None:
            return "-"
        return progress_bar(obj.job.progress, obj.job.stage)

    @admin.display(description="churn", ordering="churn")
    def churn_display(self, obj: SegmentationRun) -> str:
        return _percent(obj.churn)

    @admin.display(description="segments (customers)")
    def segment_sizes(self, obj: SegmentationRun) -> str:
        return format_html_join(" · ", '<span title="{}">{} {}</span>', (
            (segment.label, segment.get_persona_display() or segment.label, f"{segment.size:,}")
            for segment in obj.segments.all()
        )) or "-"

    @admin.display(description="clustering quality")
    def quality(self, obj: SegmentationRun) -> str:
        warning = obj.params.get("warning")
        if warning:
            return format_html('<p class="errornote">{}</p>', warning)
        return "no warning" if obj.status == SegmentationRun.Status.SUCCEEDED else "-"

    @admin.display(description="features")
    def features_used(self, obj: SegmentationRun) -> str:
        lines = run_feature_lines(obj)
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines))) \
            if lines else "-"

    @admin.display(description="personas")
    def persona_note(self, obj: SegmentationRun) -> str:
        return obj.params.get("persona_note") or "named from income, spend and deal fields"

    @admin.display(description="seconds")
    def seconds(self, obj: SegmentationRun):
        return round((obj.finished_at - obj.started_at).total_seconds(), 1) if obj.finished_at else None

    @admin.display(description="quality per k")
    def metrics_chart(self, obj: SegmentationRun) -> str:
        return _image(charts.metrics_chart(obj.metrics, obj.chosen_k), "segment quality per number of segments")

    @admin.display(description="metrics")
    def metrics_table(self, obj: SegmentationRun) -> str:
        rows = format_html_join("", "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (row["k"], " (chosen)" if row["k"] == obj.chosen_k else "", _fixed(row.get("silhouette"), 4),
             _fixed(row.get("calinski_harabasz"), 1), _fixed(row.get("davies_bouldin"), 3))
            for row in obj.metrics
        ))
        return format_html("<table><tr><th>k</th><th>silhouette</th><th>Calinski-Harabasz</th>"
                           "<th>Davies-Bouldin</th></tr>{}</table>", rows)

    @admin.display(description="customers per segment")
    def sizes_chart(self, obj: SegmentationRun) -> str:
        segments = [(segment.label, segment.persona, segment.size) for segment in obj.segments.all()]
        return _image(charts.segment_sizes_chart(segments), "customers per segment")

    @admin.display(description="segments")
    def segments_table(self, obj: SegmentationRun) -> str:
        rows = format_html_join("", '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
                                    "<td>{}</td></tr>", (
            (segment.key, reverse("admin:segmentation_segment_change", args=[segment.pk]), segment.label,
             segment.get_persona_display() or "-", f"{segment.size:,}", _percent(segment.share))
            for segment in run_segments(run=obj)
        ))
        return format_html("<table><tr><th>key</th><th>segment</th><th>persona</th><th>customers</th>"
                           "<th>share</th></tr>{}</table>", rows)

    @admin.action(description="Re-cluster now with the selected run's algorithm, k and features",
                  permissions=["recluster"])
    def recluster_like_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one run to copy its settings.", messages.WARNING)
            return None
        run = queryset.get()
        self._enqueue(request, algorithm=run.algorithm, k=run.params.get("k"), features=run.params.get("requested"))
        return None

    @admin.action(description="Download segments CSV of the selected run")
    def download_segments_csv(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one run to download.", messages.WARNING)
            return None
        return _csv_response(queryset.get())

    def current_csv_view(self, request):
        if not self.has_view_permission(request):
            self.message_user(request, "You may not download segments.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:index"))
        run = current_run()
        if run is None:
            self.message_user(request, "No segmentation run has finished yet.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:segmentation_segmentationrun_changelist"))
        return _csv_response(run)

    def recluster_view(self, request):
        changelist = reverse("admin:segmentation_segmentationrun_changelist")
        if not self.has_recluster_permission(request):
            self.message_user(request, "You may not start a re-cluster.", messages.ERROR)
            return HttpResponseRedirect(changelist)
        form = ReclusterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._enqueue(request, algorithm=form.cleaned_data["algorithm"], k=form.cleaned_data["k"],
                          features=form.cleaned_data["features"] or None)
            return HttpResponseRedirect(changelist)
        context = {**self.admin_site.each_context(request), "form": form, "title": "Re-cluster customers",
                   "opts": self.model._meta, "current_run": current_run(), "running": recluster_in_progress()}
        return TemplateResponse(request, "admin/segmentation/segmentationrun/recluster.html", context)

    def _enqueue(self, request, *, algorithm: str, k: int | None, features: list[str] | None = None) -> None:
        running = recluster_in_progress()
        if running is not None:
            self.message_user(request, f"A re-cluster is already running (job #{running.pk}); try again when it "
                                       "has finished.", messages.WARNING)
            return
        try:
            params = {"algorithm": algorithm, "k": k} | ({"features": list(features)} if features else {})
            job = job_enqueue(kind=JobRun.Kind.RECLUSTER, params=params, user=request.user,
                              trigger=JobRun.Trigger.ADMIN)
        except UserError as exc:
            self.message_user(request, f"Re-cluster refused: {exc}", messages.ERROR)
            return
        except Exception as exc:  # run in-process without a broker: its failure is recorded on the run
            self.message_user(request, f"Re-cluster failed ({exc}); the previous segmentation stays current.",
                              messages.ERROR)
            return
        job.refresh_from_db()
        link = reverse("admin:core_jobrun_change", args=[job.pk])
        self.message_user(request, format_html('Re-cluster job <a href="{}">#{}</a>: {}.', link, job.pk,
                                               job.get_status_display().lower()), messages.SUCCESS)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("label", "persona", "key", "run", "size", "share_display")
    list_filter = ("persona", "run__is_current")
    list_select_related = ("run",)
    search_fields = ("label",)
    fields = ("run", "key", "persona", "label", "size", "share_display", "highlights", "profile_chart",
              "profile_table", "fields_used", "data_flags")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # segments go with their run

    @admin.display(description="share", ordering="share")
    def share_display(self, obj: Segment) -> str:
        return _percent(obj.share)

    @admin.display(description="why this segment")
    def highlights(self, obj: Segment) -> str:
        items = obj.profile.get("highlights", [])
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((item,) for item in items))) \
            if items else "-"

    @admin.display(description="compared with all customers")
    def profile_chart(self, obj: Segment) -> str:
        title = f"{obj.label}: {obj.size:,} customers ({_percent(obj.share)})"
        return _image(charts.profile_chart(obj.profile, title), "segment profile against all customers")

    @admin.display(description="profile")
    def profile_table(self, obj: Segment) -> str:
        features = obj.profile.get("features", {})
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (stats.get("label") or FEATURE_LABELS.get(name, name), _fixed(stats.get("mean"), 2),
             _fixed(stats.get("median"), 2),
             _fixed(stats.get("overall_mean"), 2), _fixed(stats.get("ratio"), 2), _fixed(stats.get("z"), 2))
            for name, stats in features.items()
        ))
        return format_html("<table><tr><th>feature</th><th>segment mean</th><th>segment median</th>"
                           "<th>all customers</th><th>ratio</th><th>sd from all</th></tr>{}</table>", rows)

    @admin.display(description="fields clustered on")
    def fields_used(self, obj: Segment) -> str:
        return ", ".join(obj.profile.get("fields", [])) or "-"

    @admin.display(description="imputed or corrected values")
    def data_flags(self, obj: Segment) -> str:
        flags = obj.profile.get("data_flags", {})
        return ", ".join(f"{name}: {count:,}" for name, count in flags.items()) or "none"


def _csv_response(run: SegmentationRun) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(EXPORT_HEADER, segment_export_rows(run=run)),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="segments-run-{run.pk}.csv"'
    return response


def _fixed(value: float | None, decimals: int) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}"

