"""The marketer's dashboard and the progress page of a job started from it. Thin: reads in operations.selectors,
charts in operations.charts, jobs started through core.jobs.job_enqueue (the API's and the admin's way)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from core.jobs import job_enqueue
from core.models import JobRun
from core.pages import admin_framed, role_page
from core.roles import ADMIN, ANALYST, MARKETER
from operations import charts, selectors

DASHBOARD_ROLES = {MARKETER, ANALYST, ADMIN}


dashboard_page = role_page(DASHBOARD_ROLES, "the dashboard is for marketers, analysts and admins")


def _svg(markup: str):
    return mark_safe(markup)  # noqa: S308 (operations.charts escapes every text it draws)


@dashboard_page
@require_GET
def dashboard(request):
    now = timezone.now()
    segmentation = selectors.segmentation_summary()
    leads = selectors.lead_summary(now=now)
    campaigns = selectors.campaign_summaries()
    nightly = selectors.last_nightly()
    chart = {
        "personas": _svg(charts.bar_chart(
            title="Customers per persona (current segmentation)", bars=segmentation["personas"],
            x_label="customers (count)", y_label="persona")) if segmentation else "",
        "tiers": _svg(charts.bar_chart(title="Open leads per tier", bars=leads["tiers"], x_label="open leads (count)",
                                       y_label="tier")) if leads["open"] else "",
        "lift": _svg(charts.interval_chart(
            title="Lift per active campaign, with its 95 % interval",
            rows=[(item["campaign"].name, *_points(item["report"]["lift"])) for item in campaigns],
            x_label="lift: treated minus control acceptance (percentage points)", y_label="campaign")),
        "nightly": _svg(charts.bar_chart(
            title="Last nightly run: seconds per stage",
            bars=[(stage["name"], stage["seconds"]) for stage in nightly["stages"] if stage["seconds"] is not None],
            x_label="duration (seconds)", y_label="stage", value_format=lambda value: f"{value:,.1f}", whole=False))
        if nightly else "",
    }
    return admin_framed(request, "operations/dashboard.html", "Dashboard", segmentation=segmentation,
                        leads=leads, campaigns=campaigns, nightly=nightly, chart=chart,
                        jobs=selectors.runnable_jobs(user=request.user))


def _points(lift: dict) -> tuple:
    """Lift and interval as fractions → percentage points (None stays None)."""
    return tuple(None if lift.get(key) is None else 100 * lift[key] for key in ("absolute", "ci_low", "ci_high"))


@dashboard_page
@require_POST
def run_now(request, kind: str):
    allowed = {job["kind"]: job for job in selectors.runnable_jobs(user=request.user)}
    if kind not in allowed:
        raise Http404("no such job")
    if not allowed[kind]["allowed"]:
        raise PermissionDenied(f"your role may not start {allowed[kind]['label'].lower()}")
    started = timezone.now()
    try:
        job = job_enqueue(kind=kind, user=request.user, trigger=JobRun.Trigger.ADMIN)
    except Exception as exc:  # noqa: BLE001 (without a broker the job runs in-process: its failure is on its record)
        job = selectors.job_started(kind=kind, user=request.user, since=started)
        if job is None:
            messages.error(request, f"{allowed[kind]['label']} refused: {exc}")
            return redirect("operations:dashboard")
    return redirect("operations:job", job_id=job.pk)


@dashboard_page
@require_GET
def job_page(request, job_id: int):
    job = selectors.job_status(job_id=job_id)
    if job is None:
        raise Http404("no such job")
    return admin_framed(request, "operations/job.html", f"{job.get_kind_display()} #{job.pk}", job=job,
                        state=_state(job))


@dashboard_page
@require_GET
def job_state(request, job_id: int):
    """What the progress bar polls: status, stage, percent and the error of a failed run."""
    job = selectors.job_status(job_id=job_id)
    if job is None:
        return JsonResponse({"detail": "no such job"}, status=404)
    return JsonResponse(_state(job))


def _state(job: JobRun) -> dict:
    progress = 1.0 if job.status == JobRun.Status.SUCCEEDED else job.progress
    return {"id": job.pk, "kind": job.kind, "status": job.status, "status_label": job.get_status_display(),
            "stage": job.stage, "percent": round(100 * progress), "error": job.error, "finished": job.is_finished}
