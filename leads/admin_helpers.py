"""Display and button helpers shared by the leads admins: number formats, tables, confirmations, queued jobs."""
from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.errors import UserError
from core.jobs import job_enqueue
from core.models import JobRun


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
