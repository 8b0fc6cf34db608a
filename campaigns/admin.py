from django.contrib import admin

from campaigns.models import Campaign, Offer, OfferAssignment, OfferTemplate, ResponseRecord


class OfferInline(admin.StackedInline):
    model = Offer
    extra = 0
    fields = ("name", "target_personas", "target_segment_keys", "offer_type", "value", "message", "eligibility",
              "priority", "frequency_cap", "is_active")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "objective", "channel", "starts_on", "ends_on", "control_share", "audience_cap",
                    "owner")
    list_filter = ("status", "objective", "channel")
    search_fields = ("name",)
    inlines = [OfferInline]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "offer_type", "value", "target_personas", "priority", "is_active")
    list_filter = ("offer_type", "is_active", "campaign")
    search_fields = ("name", "message", "campaign__name")


@admin.register(OfferTemplate)
class OfferTemplateAdmin(admin.ModelAdmin):
    list_display = ("persona", "name", "offer_type", "value")


@admin.register(OfferAssignment)
class OfferAssignmentAdmin(admin.ModelAdmin):
    list_display = ("customer", "campaign", "offer", "persona", "is_control", "status", "score", "rank", "created_at")
    list_filter = ("status", "is_control", "persona", "campaign")
    search_fields = ("customer__external_id",)
    raw_id_fields = ("customer", "offer", "segmentation_run")
    show_full_result_count = False


@admin.register(ResponseRecord)
class ResponseRecordAdmin(admin.ModelAdmin):
    list_display = ("external_id", "age", "segment", "recency", "prior_interest", "did_purchase")
    list_filter = ("segment", "recency", "prior_interest", "did_purchase")
    search_fields = ("external_id",)
    show_full_result_count = False
