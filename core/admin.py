from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin_display import progress_bar
from core.forms import ImportUploadForm
from core.models import ImportRun, JobRun


class JobRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress_display", "stage", "trigger", "source_name", "created_by",
                    "created_at", "duration")
    list_filter = ("kind", "status", "trigger")
    search_fields = ("source_name", "error", "celery_task_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in JobRun._meta.fields] + ["errors_table"]
    exclude = ("report",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress_display(self, obj):
        return progress_bar(obj.progress, obj.stage)

    @admin.display(description="seconds")
    def duration(self, obj):
        return None if obj.duration_seconds is None else round(obj.duration_seconds, 1)

    @admin.display(description="rejected rows (first 1,000)")
    def errors_table(self, obj):
        errors = (obj.report or {}).get("errors", [])
        counts = (obj.report or {}).get("error_counts", {})
        if not errors:
            return "none"
        summary = format_html_join("", "<li>{}: {}</li>", ((k, v) for k, v in counts.items()))
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e["row"], e["column"], e["value"], e["reason"]) for e in errors),
        )
        return format_html(
            "<ul>{}</ul><table><tr><th>row</th><th>column</th><th>value</th><th>reason</th></tr>{}</table>",
            summary, rows,
        )


admin.site.register(JobRun, JobRunAdmin)


@admin.register(ImportRun)
class ImportRunAdmin(JobRunAdmin):
    """Import runs, with an upload form for each dataset."""

    change_list_template = "admin/core/importrun/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind__in=ImportRun.IMPORT_KINDS)

    def has_add_permission(self, request):
        return request.user.has_perm("core.add_importrun") or request.user.has_perm("core.add_jobrun")

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="core_importrun_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            messages.error(request, "You may not import data.")
            return redirect("admin:core_importrun_changelist")
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = run_upload(form, request.user)
            level = {JobRun.Status.SUCCEEDED: messages.SUCCESS, JobRun.Status.PARTIAL: messages.WARNING}.get(
                job.status, messages.ERROR
            )
            messages.add_message(request, level, upload_message(job))
            return redirect(reverse("admin:core_importrun_change", args=[job.pk]))
        context = {**self.admin_site.each_context(request), "form": form, "title": "Import a file", "opts": self.model._meta}
        return TemplateResponse(request, "admin/core/importrun/upload.html", context)


def run_upload(form: ImportUploadForm, user) -> JobRun:
    from campaigns.services import responses_import
    from leads.services import leads_import
    from segmentation.services import customers_import

    service = {"customers": customers_import, "leads": leads_import, "responses": responses_import}[
        form.cleaned_data["dataset"]
    ]
    upload = form.cleaned_data["file"]
    return service(
        source=upload.read(), source_name=upload.name, strict=form.cleaned_data["strict"], user=user,
        trigger=JobRun.Trigger.ADMIN,
    )


def upload_message(job: JobRun) -> str:
    c = job.counts or {}
    if job.status == JobRun.Status.FAILED and job.error:
        return f"Nothing imported: {job.error}"
    return (
        f"{c.get('rows', 0)} rows read: {c.get('inserted', 0)} inserted, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('rejected', 0)} rejected."
    )
