from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse

from campaigns.charts import display_rows, lift_chart_svg, report_notes
from campaigns.models import Campaign, Offer, OfferAssignment, OfferTemplate, ResponseRecord
from campaigns.selectors import campaign_arm_totals, campaign_audience_rows, campaign_lift_report
from campaigns.services import offer_response_record, offer_rules_check
from core.admin_display import attributes_display
from core.errors import UserError
from core.exports import csv_lines
from core.jobs import job_enqueue
from core.models import JobRun
from segmentation.models import SegmentationRun

AUDIENCE_HEADER = ["campaign", "customer_external_id", "persona", "offer", "message"]
MOST_RESPONSES_PER_ACTION = 1000


class EligibilityRulesForm(forms.ModelForm):
    """Eligibility rules checked with the same validation the attach job uses, shown as a field error."""

    def clean_eligibility(self):
        rules = self.cleaned_data.get("eligibility")
        try:
            return offer_rules_check(rules=rules, label="eligibility")
        except UserError as exc:
            raise forms.ValidationError(str(exc)) from None


class OfferForm(EligibilityRulesForm):
    class Meta:
        model = Offer
        fields = "__all__"


class OfferTemplateForm(EligibilityRulesForm):
    class Meta:
        model = OfferTemplate
        fields = "__all__"


class OfferInline(admin.StackedInline):
    model = Offer
    form = OfferForm
    extra = 0
    fields = ("name", "target_personas", "target_segment_keys", "offer_type", "value", "message", "eligibility",
              "priority", "frequency_cap", "is_active")


def audience_response(campaigns, filename: str) -> StreamingHttpResponse:
    """Treated customers of each campaign as a streamed, formula-safe CSV."""
    rows = ((campaign.name, *row) for campaign in campaigns for row in campaign_audience_rows(campaign=campaign))
    response = StreamingHttpResponse(csv_lines(AUDIENCE_HEADER, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def attach_message(job: JobRun) -> tuple[int, str]:
    if job.status == JobRun.Status.SUCCEEDED:
        counts = job.counts
        unreached = counts.get("offers_without_customers", 0)
        return messages.WARNING if unreached else messages.SUCCESS, (
            f"Attach offers, job #{job.pk} succeeded: {counts.get('treated', 0)} customers given offers, "
            f"{counts.get('control', 0)} held out, {counts.get('offers_proposed', 0)} new offers, "
            f"{counts.get('expired', 0)} expired"
            + (f"; {unreached} offer(s) reach nobody (see the campaign page)." if unreached else "."))
    if job.is_finished:
        return messages.ERROR, f"Attach offers, job #{job.pk} {job.get_status_display().lower()}: {job.error}"
    return messages.INFO, f"Attach offers, job #{job.pk} is queued; follow it under Job runs."


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "objective", "channel", "starts_on", "ends_on", "control_share", "audience_cap",
                    "owner")
    list_filter = ("status", "objective", "channel")
    search_fields = ("name",)
    inlines = [OfferInline]
    actions = ["attach_offers_now", "export_audience_csv"]
    change_form_template = "admin/campaigns/campaign/change_form.html"

    def save_model(self, request, obj, form, change):
        if not change and obj.owner_id is None:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        urls = [
            path("<path:object_id>/attach/", self.admin_site.admin_view(self.attach_view),
                 name="campaigns_campaign_attach"),
            path("<path:object_id>/audience.csv", self.admin_site.admin_view(self.audience_view),
                 name="campaigns_campaign_audience"),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        campaign = self.get_object(request, unquote(object_id))
        if campaign is not None:
            report = campaign_lift_report(campaign=campaign)
            extra_context.update(lift_report=report, lift_rows=display_rows(report), lift_chart=lift_chart_svg(report),
                                 lift_notes=report_notes(report), assignments_url=assignments_url(campaign))
        return super().change_view(request, object_id, form_url, extra_context)

    def _campaign(self, request, object_id) -> Campaign:
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None:
            raise Http404("No such campaign.")
        return campaign

    def attach_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = self._campaign(request, object_id)
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        self._enqueue_attach(request, campaign)
        return redirect(reverse("admin:campaigns_campaign_change", args=[campaign.pk]))

    def audience_view(self, request, object_id):
        campaign = self._campaign(request, object_id)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return audience_response([campaign], f"campaign-{campaign.pk}-audience.csv")

    def _enqueue_attach(self, request, campaign: Campaign) -> None:
        job = job_enqueue(kind=JobRun.Kind.ATTACH_OFFERS, params={"campaign_id": campaign.pk}, user=request.user,
                          trigger=JobRun.Trigger.ADMIN)
        level, message = attach_message(job)
        self.message_user(request, f"{campaign.name}: {message}", level)

    @admin.action(description="Attach offers now", permissions=["change"])
    def attach_offers_now(self, request, queryset):
        for campaign in queryset.order_by("id"):
            self._enqueue_attach(request, campaign)

    @admin.action(description="Export audience CSV (customers given an offer)", permissions=["view"])
    def export_audience_csv(self, request, queryset):
        campaigns = list(queryset.order_by("id"))
        name = f"campaign-{campaigns[0].pk}-audience.csv" if len(campaigns) == 1 else "campaign-audiences.csv"
        return audience_response(campaigns, name)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferForm
    list_display = ("name", "campaign", "offer_type", "value", "target_personas", "priority", "is_active")
    list_filter = ("offer_type", "is_active", "campaign")
    search_fields = ("name", "message", "campaign__name")


@admin.register(OfferTemplate)
class OfferTemplateAdmin(admin.ModelAdmin):
    form = OfferTemplateForm
    list_display = ("persona", "name", "offer_type", "value", "eligibility")


def assignments_url(campaign: Campaign) -> str:
    """The assignments list showing exactly the campaign's rows its lift report counts."""
    return (f"{reverse('admin:campaigns_offerassignment_changelist')}?campaign__id__exact={campaign.pk}"
            f"&{CountedFilter.parameter_name}=yes")


class CountedFilter(admin.SimpleListFilter):
    """The rows the lift report counts (``campaigns.selectors.lift_counted_rows``): every row that did not expire."""

    title = "counted in the lift report"
    parameter_name = "counted"

    def lookups(self, request, model_admin):
        return (("yes", "Yes (not expired)"), ("no", "No (expired)"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(status=OfferAssignment.Status.EXPIRED)
        if self.value() == "no":
            return queryset.filter(status=OfferAssignment.Status.EXPIRED)
        return queryset


class SegmentationRunFilter(admin.SimpleListFilter):
    title = "segmentation run"
    parameter_name = "run"

    def lookups(self, request, model_admin):
        return (("current", "Current run"), ("earlier", "Earlier runs"))

    def queryset(self, request, queryset):
        current = SegmentationRun.objects.filter(is_current=True).values_list("id", flat=True)
        if self.value() == "current":
            return queryset.filter(segmentation_run__in=current)
        if self.value() == "earlier":
            return queryset.exclude(segmentation_run__in=current)
        return queryset


@admin.register(OfferAssignment)
class OfferAssignmentAdmin(admin.ModelAdmin):
    """Assignments are written by the attach job and by responses; the form is read-only, actions record responses.

    The list counts rows (one per offer given, plus one per held-out customer); the lift report counts customers.
    Filtered to one campaign, the list says how many treated and control customers its lift report counts, from
    which segmentation runs (``campaigns.selectors.campaign_arm_totals``, the report's own numbers).
    """

    list_display = ("customer_external_id", "campaign", "offer", "persona", "segment_key", "is_control", "status",
                    "p_accept", "score", "rank", "run", "created_at", "responded_at",
                    "response_source")
    list_filter = ("status", CountedFilter, "is_control", SegmentationRunFilter, "response_source", "persona",
                   "campaign", "offer__offer_type", "created_at")
    list_select_related = ("customer", "campaign", "offer")
    ordering = ("-id",)  # newest first by primary key: no sort of a million rows per page
    search_fields = ("customer__external_id",)
    raw_id_fields = ("customer", "offer", "segmentation_run")
    show_full_result_count = False
    actions = ["mark_sent", "mark_accepted", "mark_declined"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        campaign_id = request.GET.get("campaign__id__exact", "")
        campaign = (Campaign.objects.filter(pk=int(campaign_id)).first()
                    if campaign_id.isdigit() and len(campaign_id) < 18 else None)
        if campaign is not None:
            extra_context.update(lift_campaign=campaign, lift_counts=campaign_arm_totals(campaign=campaign),
                                 counted_url=assignments_url(campaign))
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    @admin.display(description="segmentation run", ordering="segmentation_run_id")
    def run(self, obj):
        return obj.segmentation_run_id

    @admin.display(description="customer", ordering="customer__external_id")
    def customer_external_id(self, obj):
        return obj.customer.external_id

    def _record(self, request, queryset, status: str) -> None:
        chosen = list(queryset.order_by("id")[: MOST_RESPONSES_PER_ACTION + 1])
        if len(chosen) > MOST_RESPONSES_PER_ACTION:
            self.message_user(request, f"Select at most {MOST_RESPONSES_PER_ACTION:,} assignments at a time.",
                              messages.ERROR)
            return
        refused: dict[str, int] = {}
        for assignment in chosen:
            try:
                offer_response_record(assignment=assignment, status=status, user=request.user)
            except UserError as exc:
                refused[str(exc)] = refused.get(str(exc), 0) + 1
        recorded = len(chosen) - sum(refused.values())
        self.message_user(request, f"{recorded} assignment(s) marked {status}.", messages.SUCCESS)
        for reason, count in refused.items():
            self.message_user(request, f"{count} not changed: {reason}", messages.WARNING)

    @admin.action(description="Mark selected offers sent", permissions=["change"])
    def mark_sent(self, request, queryset):
        self._record(request, queryset, OfferAssignment.Status.SENT)

    @admin.action(description="Mark selected offers accepted (control: converted anyway)", permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._record(request, queryset, OfferAssignment.Status.ACCEPTED)

    @admin.action(description="Mark selected offers declined", permissions=["change"])
    def mark_declined(self, request, queryset):
        self._record(request, queryset, OfferAssignment.Status.DECLINED)


@admin.register(ResponseRecord)
class ResponseRecordAdmin(admin.ModelAdmin):
    list_display = ("external_id", "age", "segment", "recency", "prior_interest", "did_purchase")
    list_filter = ("segment", "recency", "prior_interest", "did_purchase")
    search_fields = ("external_id",)
    exclude = ("attributes",)
    readonly_fields = ("custom_attributes",)
    custom_attributes = attributes_display("responses")
    show_full_result_count = False
