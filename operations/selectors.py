"""Reads for the marketer's dashboard: each app's own selectors and reports, put side by side.

Nothing is recomputed here: segment sizes and churn come from the current segmentation run, lift from
``campaigns.selectors.campaign_lift_report`` (with the admin's own wording of the verdict), tiers from
``leads.selectors.lead_tier_counts``, stage timings from the job runs each nightly stage records.
"""
from __future__ import annotations

import datetime

from django.db.models import Count
from django.utils import timezone

from campaigns.charts import display_row, report_notes
from campaigns.selectors import campaign_lift_report, campaigns_running
from core.models import JobRun
from core.roles import user_roles
from leads.models import Lead, LeadActivity
from leads.selectors import lead_tier_counts
from segmentation.models import SegmentationRun
from segmentation.personas import PERSONA_LABELS
from segmentation.selectors import current_run, run_segments

RUN_NOW = (
    (JobRun.Kind.RECLUSTER, "Re-cluster customers"),
    (JobRun.Kind.RESCORE_LEADS, "Re-score leads"),
    (JobRun.Kind.ATTACH_OFFERS, "Attach offers"),
    (JobRun.Kind.NIGHTLY, "Nightly run"),
)
# The nightly pipeline's steps in the order operations.nightly runs them (its record keeps no order: jsonb sorts keys),
# and the kind of job run each step records.
NIGHTLY_STEPS = ("re-cluster customers", "prune segment history", "attach offers", "retrain lead model if due",
                 "re-score leads")
NIGHTLY_STEP_KINDS = {
    "re-cluster customers": JobRun.Kind.RECLUSTER,
    "attach offers": JobRun.Kind.ATTACH_OFFERS,
    "retrain lead model if due": JobRun.Kind.TRAIN_LEADS,
    "re-score leads": JobRun.Kind.RESCORE_LEADS,
}
TIER_ORDER = (Lead.Tier.HOT, Lead.Tier.WARM, Lead.Tier.COLD)


UNSEGMENTED = "unsegmented"


def segmentation_summary() -> dict | None:
    """The current run: when it ran, its segments and customers per persona, churn since the run before it."""
    run = current_run()
    if run is None:
        return None
    segments = list(run_segments(run=run).values("key", "label", "persona", "size", "share"))
    previous = (SegmentationRun.objects.filter(status=SegmentationRun.Status.SUCCEEDED, started_at__lt=run.started_at)
                .order_by("-started_at", "-id").only("id", "finished_at", "started_at").first())
    return {"run": run, "segments": segments, "previous": previous, "personas": customers_per_persona(run, segments)}


def customers_per_persona(run: SegmentationRun, segments: list[dict]) -> list[tuple[str, int]]:
    """(bar, customers), largest first: a persona's segments together under the persona's name; a segment with
    no persona (the data had no evidence for one) under its own descriptive label; customers the run left in no
    segment as "unsegmented"."""
    bars: dict[str, int] = {}
    for segment in segments:
        bar = PERSONA_LABELS.get(segment["persona"], segment["persona"]) or segment["label"]
        bars[bar] = bars.get(bar, 0) + segment["size"]
    if run.n_unsegmented:
        bars[UNSEGMENTED] = bars.get(UNSEGMENTED, 0) + run.n_unsegmented
    return sorted(bars.items(), key=lambda item: -item[1])


def week_start(now: datetime.datetime) -> datetime.datetime:
    """Monday 00:00 of ``now``'s week, in the site's time zone."""
    local = timezone.localtime(now)
    return (local - datetime.timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)


def lead_summary(*, now: datetime.datetime) -> dict:
    """Open leads per tier, and the outcomes reps logged since Monday (won = converted)."""
    tiers = lead_tier_counts()
    since = week_start(now)
    outcomes = dict(LeadActivity.objects.filter(kind=LeadActivity.Kind.OUTCOME, created_at__gte=since)
                    .order_by().values("stage").annotate(n=Count("id")).values_list("stage", "n"))
    won, lost = outcomes.get(Lead.Stage.WON, 0), outcomes.get(Lead.Stage.LOST, 0)
    return {
        "tiers": [(tier.label, tiers.get(tier.value, 0)) for tier in TIER_ORDER] + [("Unscored", tiers.get("", 0))],
        "open": sum(tiers.values()), "since": since, "won": won, "lost": lost,
        "contacted": outcomes.get(Lead.Stage.CONTACTED, 0), "qualified": outcomes.get(Lead.Stage.QUALIFIED, 0),
        "conversion": won / (won + lost) if won + lost else None,
    }


def campaign_summaries() -> list[dict]:
    """Each running campaign's lift report (all offers together), the admin's wording of it and what it counts."""
    summaries = []
    for campaign in campaigns_running().order_by("name", "id"):
        report = campaign_lift_report(campaign=campaign)
        summaries.append({"campaign": campaign, "report": report, "display": display_row(campaign.name, report),
                          "notes": report_notes(report)})
    return summaries


def last_nightly() -> dict | None:
    """The newest nightly run and its stages: each step's result and the job run it recorded (status, seconds)."""
    nightly = JobRun.objects.filter(kind=JobRun.Kind.NIGHTLY).order_by("-created_at", "-id").first()
    if nightly is None:
        return None
    began = nightly.started_at or nightly.created_at
    runs = list(JobRun.objects.filter(trigger=JobRun.Trigger.CHAIN, created_at__gte=began,
                                      created_at__lte=nightly.finished_at or timezone.now())
                .exclude(kind=JobRun.Kind.NIGHTLY).order_by("created_at", "id"))
    by_kind = {run.kind: run for run in runs}
    stages = []
    steps = ((nightly.counts or {}).get("steps") or {}).items()
    for name, result in sorted(steps, key=lambda step: (NIGHTLY_STEPS + (step[0],)).index(step[0])):
        run = by_kind.pop(NIGHTLY_STEP_KINDS.get(name), None)
        stages.append(_stage(name, result, run))
    stages += [_stage(run.get_kind_display().lower(), run.status, run) for run in by_kind.values()]
    return {"job": nightly, "stages": stages}


def _stage(name: str, result: str, run: JobRun | None) -> dict:
    status, _, message = str(result).partition(": ")
    if run is not None:
        status, message = run.status, run.error or message
    return {"name": name, "status": status, "error": message, "seconds": run.duration_seconds if run else None,
            "job": run}


def runnable_jobs(*, user) -> list[dict]:
    """The "Run now" buttons and whether the user's role may start each (the API's rule: the roles the kind's app
    registered)."""
    roles = user_roles(user)
    return [{"kind": kind, "label": label, "allowed": bool(roles & JobRun.Kind[kind].roles)}
            for kind, label in RUN_NOW]


def job_status(*, job_id: int) -> JobRun | None:
    return JobRun.objects.filter(pk=job_id).first()


def job_started(*, kind: str, user, since: datetime.datetime) -> JobRun | None:
    """The run of ``kind`` the user started at or after ``since`` (to show a run whose start raised)."""
    return (JobRun.objects.filter(kind=kind, created_by=user, created_at__gte=since)
            .order_by("-created_at", "-id").first())
