"""Saved import mappings and custom attribute definitions in the admin. The job and import runs' admin, with the
import flow, is operations.admin (it dispatches to the apps)."""
from django.contrib import admin

from core.forms import ImportMappingForm
from core.models import CustomAttribute, ImportMapping


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    """Saved mappings: listed, and edited as JSON checked against the dataset's fields. One is added by an import
    ("Save this mapping as"), not here."""

    form = ImportMappingForm
    list_display = ("name", "entity", "column_count", "created_by", "updated_at")
    list_filter = ("entity",)
    search_fields = ("name",)
    fields = ("entity", "name", "columns", "values", "units", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description="columns")
    def column_count(self, obj: ImportMapping) -> int:
        return len(obj.columns or {})


@admin.register(CustomAttribute)
class CustomAttributeAdmin(admin.ModelAdmin):
    """The extra columns ever imported, per dataset: read-only (an import defines them)."""

    list_display = ("label", "entity", "key", "kind", "created_at")
    list_filter = ("entity", "kind")
    search_fields = ("label", "key")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
