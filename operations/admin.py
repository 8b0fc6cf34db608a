"""Job and import runs in the admin, with the import flow.

Runs are created only by running something: the job list has no add form, and the import runs' "Add" leads to
the import flow: upload a file -> its first rows and the suggested mapping -> validate (a dry run: rows,
rejected rows with row number, column and reason, unknown category values) -> import, which creates the run
and shows its report. Every step calls core.import_runs, which dispatches to the dataset's app as the app registered
it; the file waits between steps as core.forms keeps it. The models and their admin URLs are core's
(admin:core_jobrun_*, admin:core_importrun_*).
"""
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from core.admin_display import job_chunks, job_stages, progress_bar
from core.errors import UserError
from core.forms import (
    ImportMappingForm, ImportUploadForm, MappingForm, dataset_choices, stash_discard, stash_path, stash_state, stash_update,
    stash_upload, value_rows,
)
from core.import_runs import (
    file_check, file_preview, import_entity, import_mapping_resolve, import_template_csv, mapping_to_import,
)
from core.mapping import Mapping
from core.models import ImportMapping, ImportRun, JobRun


class JobRunAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "progress_display", "stage", "trigger", "source_name", "created_by",
                    "created_at", "duration")
    list_filter = ("kind", "status", "trigger")
    search_fields = ("source_name", "error", "celery_task_id")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in JobRun._meta.fields] + ["errors_table", job_stages, job_chunks]
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


def may_import(request) -> bool:
    """The roles that may add import runs (core/roles.py) may run the import flow."""
    return request.user.has_perm("core.add_importrun") or request.user.has_perm("core.add_jobrun")


@admin.register(ImportRun)
class ImportRunAdmin(JobRunAdmin):
    """Import runs, and the flow that makes them: upload, map, validate, import."""

    change_list_template = "admin/core/importrun/change_list.html"
    readonly_fields = [*(f for f in JobRunAdmin.readonly_fields if f != "report"), "mapping_table", "warnings_table"]

    @admin.display(description="mapping used")
    def mapping_table(self, obj):
        report = obj.report or {}
        if report.get("sample_layout"):
            return "the dataset's own layout (imported as the sample dataset is)"
        columns = report.get("columns", [])
        if not columns:
            return "-"
        saved = report.get("saved_mapping")
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (c["column"], c["target"] or "ignored", c["kind"]) for c in columns))
        return format_html("{}<table><tr><th>column</th><th>stored as</th><th>kind</th></tr>{}</table>",
                           format_html("<p>saved as “{}”</p>", saved) if saved else "", rows)

    @admin.display(description="warnings")
    def warnings_table(self, obj):
        warnings = (obj.report or {}).get("warnings", [])
        if not warnings:
            return "none"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (w["column"], w["value"], w["rows"], w["message"]) for w in warnings))
        return format_html("<table><tr><th>column</th><th>value</th><th>rows</th><th></th></tr>{}</table>", rows)

    def has_add_permission(self, request):
        return may_import(request)

    def add_view(self, request, form_url="", extra_context=None):
        """No empty run from a Save: "Add" is the upload form."""
        return redirect("admin:core_importrun_upload")

    def get_urls(self):
        flow = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="core_importrun_upload"),
            path("upload/template/<str:dataset>/", self.admin_site.admin_view(self.template_view),
                 name="core_importrun_template"),
            path("upload/<str:token>/", self.admin_site.admin_view(self.map_view), name="core_importrun_map"),
        ]
        return [*flow, *super().get_urls()]

    def _context(self, request, title: str, **extra):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **extra}

    def _refuse(self, request):
        messages.error(request, "You may not import data.")
        return redirect("admin:core_importrun_changelist")

    def upload_view(self, request):
        if not self.has_add_permission(request):
            return self._refuse(request)
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            dataset = form.cleaned_data["dataset"]
            token = stash_upload(request.session, form.cleaned_data["file"], dataset=dataset,
                                 strict=form.cleaned_data["strict"])
            try:
                suggested = file_preview(spec=import_entity(dataset).spec, source=stash_path(token), rows=0)
            except UserError as exc:
                stash_discard(request.session, token)
                form.add_error("file", str(exc))
            else:
                stash_update(request.session, token, suggested=suggested.mapping.to_json(),
                             sample_layout=suggested.sample_layout, mapping=suggested.mapping.to_json())
                return redirect("admin:core_importrun_map", token=token)
        return TemplateResponse(request, "admin/core/importrun/upload.html", self._context(
            request, "Import a file", form=form, datasets=dataset_choices()))

    def template_view(self, request, dataset: str):
        if not self.has_add_permission(request):
            return self._refuse(request)
        try:
            spec = import_entity(dataset).spec
        except UserError:
            raise Http404("no such dataset") from None
        response = HttpResponse(import_template_csv(spec), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{dataset}-template.csv"'
        return response

    def map_view(self, request, token: str):
        """The preview and mapping form (GET; ?saved=NAME applies a saved mapping), its dry run (POST validate)
        and the import (POST import). The file is read once per step (twice for a dry run: its check and the
        preview of the mapping checked)."""
        if not self.has_add_permission(request):
            return self._refuse(request)
        state = stash_state(request.session, token)
        if state is None:
            messages.error(request, "That upload is no longer here (imported, or left too long): upload it again.")
            return redirect("admin:core_importrun_upload")
        entity = import_entity(state["dataset"])
        source = stash_path(token)
        if request.method == "GET" or "headers" not in state:  # a post before the page was shown: show it
            return self._mapping_page(request, token, state, Mapping.from_json(state["mapping"]))
        form = MappingForm(request.POST, entity=entity.spec.name, headers=state["headers"],
                           mapping=Mapping.from_json(state["mapping"]), attribute_kinds=state["attribute_kinds"],
                           value_rows=[tuple(row) for row in state["value_rows"]])
        if not form.is_valid():
            return self._mapping_page(request, token, state, Mapping.from_json(state["mapping"]), form=form)
        to_import = mapping_to_import(chosen=form.chosen, suggested=Mapping.from_json(state["suggested"]),
                                      sample_layout=state["sample_layout"])
        if "import" in request.POST:
            job = entity.run(source=source, source_name=state["name"], strict=state["strict"], user=request.user,
                             trigger=JobRun.Trigger.ADMIN, mapping=to_import,
                             save_mapping_as=form.cleaned_data["save_as"])
            stash_discard(request.session, token)
            level = {JobRun.Status.SUCCEEDED: messages.SUCCESS, JobRun.Status.PARTIAL: messages.WARNING}.get(
                job.status, messages.ERROR)
            messages.add_message(request, level, upload_message(job))
            return redirect(reverse("admin:core_importrun_change", args=[job.pk]))
        check, problem = None, ""
        try:
            check = file_check(spec=entity.spec, source=source, mapping=to_import)
        except UserError as exc:
            problem = str(exc)
        return self._mapping_page(request, token, state, form.chosen, check=check, problem=problem,
                                  save_as=form.cleaned_data["save_as"])

    def _mapping_page(self, request, token: str, state: dict, mapping: Mapping, *, form: MappingForm | None = None,
                      check=None, problem: str = "", save_as: str = ""):
        """The map-and-validate page for `mapping` (with a check's results); remembers what the form shows."""
        entity = import_entity(state["dataset"])
        saved_name = request.GET.get("saved", "").strip() if request.method == "GET" else ""
        if saved_name:
            try:
                mapping = import_mapping_resolve(entity=entity.spec.name, name_or_json=saved_name)
            except UserError as exc:
                messages.error(request, str(exc))
        try:
            preview = file_preview(spec=entity.spec, source=stash_path(token), mapping=mapping)
        except UserError as exc:
            messages.error(request, f"The file cannot be used: {exc}")
            stash_discard(request.session, token)
            return redirect("admin:core_importrun_upload")
        if form is None:
            rows = value_rows(preview.mapping, check.warnings if check else [])
            form = MappingForm(entity=entity.spec.name, headers=preview.headers, mapping=preview.mapping,
                               attribute_kinds=preview.attribute_kinds, value_rows=rows, initial={"save_as": save_as})
            stash_update(request.session, token, mapping=preview.mapping.to_json(), headers=preview.headers,
                         attribute_kinds=preview.attribute_kinds, value_rows=[list(row) for row in rows])
        saved = ImportMapping.objects.filter(entity=entity.spec.name).values_list("name", flat=True)
        return TemplateResponse(request, "admin/core/importrun/map.html", self._context(
            request, f"Import {state['name']} as {entity.spec.name}", form=form, preview=preview, check=check,
            problem=problem, saved=list(saved), saved_name=saved_name, state=state,
            importable=check.total_rows - check.rejected_rows if check else None,
            preview_rows=[[row.get(h, "") for h in preview.headers] for row in preview.rows],
            column_rows=[(header, field, preview.kinds.get(header, "")) for header, field in form.column_fields()],
        ))


def upload_message(job: JobRun) -> str:
    c = job.counts or {}
    if job.status == JobRun.Status.FAILED and job.error:
        return f"Nothing imported: {job.error}"
    return (
        f"{c.get('rows', 0)} rows read: {c.get('inserted', 0)} inserted, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, {c.get('rejected', 0)} rejected."
    )
