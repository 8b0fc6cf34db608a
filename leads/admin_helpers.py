"""Helpers shared by the leads admins: the role table as admin permissions, number formats, tables,
confirmations, queued jobs."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.errors import UserError
from core.jobs import job_enqueue
from core.models import JobRun
from core.roles import ADD, CHANGE, DELETE, VIEW_ACTION, is_row_limited, rows_for, user_may


class RoleAdmin(admin.ModelAdmin):
    """An admin that asks the role table of core/roles.py, as the API does: the list holds the rows the user's
    roles reach (a rep: own and claimable leads), each page and action needs the table's action, and a row out of
    reach answers 404 on every URL (change, history, delete), as it does in the API."""

    def model_label(self) -> str:
        return self.model._meta.label_lower

    def may(self, request, action: str, obj=None) -> bool:
        if not user_may(request.user, self.model_label(), action):
            return False
        if obj is None or obj.pk is None or not is_row_limited(request.user, self.model_label()):
            return True
        return rows_for(request.user, self.model_label(), self.model._default_manager.filter(pk=obj.pk),
                        action).exists()

    def get_queryset(self, request):
        return rows_for(request.user, self.model_label(), super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        if not self.has_view_permission(request):
            raise PermissionDenied  # no row of this model: refused as a whole, before any lookup
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id that you may see.")
        return obj

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and self.may(request, VIEW_ACTION)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may(request, VIEW_ACTION, obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return self.may(request, ADD)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.may(request, CHANGE, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.may(request, DELETE, obj)


def image(data_uri: str | None, alt: str) -> str:
    if data_uri is None:
        return "no data yet"
    return format_html('<img src="{}" alt="{}" style="max-width:100%">', data_uri, alt)


def fixed(value: float | None, decimals: int = 3) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def table(headers: tuple[str, ...], rows) -> str:
    cells = "<td>{}</td>" * len(headers)
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    return format_html("<table><tr>{}</tr>{}</table>", head, format_html_join("", f"<tr>{cells}</tr>", rows))


def confirm(model_admin: admin.ModelAdmin, request, *, title: str, text: str, button: str) -> TemplateResponse:
    context = {**model_admin.admin_site.each_context(request), "title": title, "text": text, "button": button,
               "opts": model_admin.model._meta}
    return TemplateResponse(request, "admin/leads/confirm.html", context)


def enqueue(model_admin: admin.ModelAdmin, request, *, kind: str, what: str,
            params: dict | None = None) -> JobRun | None:
    """Queue a job and tell the user its number and status (in-process without a broker, so maybe finished)."""
    running = JobRun.objects.filter(kind=kind, lock_key=kind).first()
    if running is not None:
        model_admin.message_user(request, f"{what} is already running (job #{running.pk}); try again when it has "
                                          "finished.", messages.WARNING)
        return None
    try:
        job = job_enqueue(kind=kind, params=params, user=request.user, trigger=JobRun.Trigger.ADMIN)
    except UserError as exc:
        model_admin.message_user(request, f"{what} refused: {exc}", messages.ERROR)
        return None
    except Exception as exc:  # run in-process without a broker: its failure is recorded on the job
        model_admin.message_user(request, f"{what} failed ({exc}); nothing changed.", messages.ERROR)
        return None
    job.refresh_from_db()
    link = reverse("admin:core_jobrun_change", args=[job.pk])
    level = messages.ERROR if job.status == JobRun.Status.FAILED else messages.SUCCESS
    error = f": {job.error}" if job.error else ""
    model_admin.message_user(request, format_html('{} job <a href="{}">#{}</a>: {}{}.', what, link, job.pk,
                                                  job.get_status_display().lower(), error), level)
    return job
