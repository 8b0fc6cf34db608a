from django.contrib import admin

from leads.models import Lead, LeadActivity, LeadScore, SalesRep


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ("external_id", "score", "tier", "stage", "owner", "current_occupation", "first_interaction",
                    "profile_completed", "time_spent_on_website", "last_activity", "status", "scored_at")
    list_filter = ("tier", "stage", "status", "current_occupation", "first_interaction", "profile_completed",
                   "last_activity", "owner")
    search_fields = ("external_id", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = ("score", "tier", "scoring_model", "scored_at", "factors", "created_at", "updated_at")
    raw_id_fields = ("owner",)
    show_full_result_count = False


@admin.register(LeadActivity)
class LeadActivityAdmin(admin.ModelAdmin):
    list_display = ("lead", "kind", "stage", "user", "created_at")
    list_filter = ("kind", "stage")
    search_fields = ("lead__external_id", "user__username", "note")
    raw_id_fields = ("lead",)


@admin.register(LeadScore)
class LeadScoreAdmin(admin.ModelAdmin):
    list_display = ("lead", "score", "tier", "scoring_model", "scored_at")
    list_filter = ("tier", "scoring_model")
    search_fields = ("lead__external_id",)
    raw_id_fields = ("lead",)
    show_full_result_count = False


@admin.register(SalesRep)
class SalesRepAdmin(admin.ModelAdmin):
    list_display = ("user", "capacity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("user__username",)
