from django.contrib import admin

from segmentation.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "persona", "segment", "income", "year_birth", "education", "marital_status",
                    "kidhome", "teenhome", "recency", "total_spend", "response")
    list_filter = ("persona", "education", "marital_status", "kidhome", "teenhome", "response", "complain")
    search_fields = ("external_id",)
    list_select_related = ("segment",)
    readonly_fields = ("segment", "persona", "unsegmented_reason", "created_at", "updated_at")
    show_full_result_count = False
