"""Writes and orchestration for campaigns, offers, offer attachment and responses."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.attach import BASE_COLUMN, AttachRun, CampaignTarget, plan_campaign
from campaigns.attach_chunks import plans_in_chunks, staged_clear
from campaigns.attach_propensity import base_propensity
from campaigns.frames import (assignments_frame, customers_frame, offers_frame, plan_publish,
                              recorded_responses_frame, response_targets_frame, responses_publish)
from campaigns.importers import RESPONSE_SPEC
from campaigns.ml.ranking import validate_rules
from campaigns.ml.simulation import simulated_responses
from campaigns.ml.smoothing import acceptance_rates
from campaigns.models import Campaign, Offer, OfferAssignment, OfferTemplate, ResponseRecord
from campaigns.response_files import NEXT_STATUSES, match_assignments, parse_lines
from campaigns.selectors import campaigns_running
from core.chunks import spread_over_workers
from core.errors import UserError
from core.import_runs import file_import
from core.import_validation import LINE_COLUMN, MAX_REPORTED_ERRORS, Column, ImportSpec, map_columns, read_table
from core.job_runs import JobTracker, job_create, job_fence, job_running
from core.models import JobRun
from segmentation.models import SegmentationRun

Status = OfferAssignment.Status
RESPONSE_FILE_SPEC = ImportSpec(name="offer responses", key_field="customer", columns=(
    Column("customer", "customer_id"), Column("campaign", "campaign"), Column("status", "status"),
    Column("offer", "offer", required=False),
))


def responses_import(
    *, source: str | Path | bytes, source_name: str = "", strict: bool = False, user=None,
    trigger: str = JobRun.Trigger.COMMAND, mapping=None, save_mapping_as: str = "",
) -> JobRun:
    """Upsert response-history records (personalisation dataset, CSV or xlsx, or any file a mapping reads) by
    customer id."""
    return file_import(
        kind=JobRun.Kind.IMPORT_RESPONSES, spec=RESPONSE_SPEC, model=ResponseRecord, source=source,
        source_name=source_name, strict=strict, user=user, trigger=trigger, mapping=mapping,
        save_mapping_as=save_mapping_as,
    )


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


def offer_rules_check(*, rules: dict | None, label: str) -> dict:
    """Eligibility rules as given, or a UserError saying what is wrong with them."""
    rules = rules or {}
    if not isinstance(rules, dict):
        raise UserError(f"{label}: eligibility rules must be an object such as {{\"min_income\": 50000}}")
    try:
        validate_rules(rules)
    except ValueError as exc:
        raise UserError(f"{label}: {exc}") from None
    return rules


@transaction.atomic
def campaign_create(
    *, name: str, control_share: float = 0.10, with_default_offers: bool = False, owner=None,
    get_existing: bool = False, **fields,
) -> Campaign:
    """An active campaign (unless ``status`` is given), optionally with each persona's default offer.

    ``get_existing=True`` returns the campaign of that name if there is one (scripts run twice); otherwise a
    taken name is a UserError.
    """
    name = (name or "").strip()
    if not name:
        raise UserError("a campaign needs a name")
    existing = Campaign.objects.filter(name=name).first()
    if existing is not None:
        if get_existing:
            return existing
        raise UserError(f"a campaign named {name!r} already exists (#{existing.pk})")
    fields.setdefault("status", Campaign.Status.ACTIVE)
    campaign = Campaign(name=name, control_share=control_share, owner=owner, **fields)
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise UserError("the campaign cannot end before it starts")
    try:
        campaign.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise UserError(f"campaign {name!r}: {_validation_message(exc)}") from None
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        if get_existing:
            return Campaign.objects.get(name=name)
        raise UserError(f"a campaign named {name!r} already exists") from None
    if with_default_offers:
        offers_from_templates(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    """Change a campaign's fields (the API's PUT and PATCH, validated by its serializer)."""
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save()
    return campaign


def offers_from_templates(*, campaign: Campaign) -> list[Offer]:
    """Copy each persona's offer template into ``campaign`` as an offer targeting that persona."""
    templates = list(OfferTemplate.objects.order_by("persona"))
    if not templates:
        raise UserError("there are no offer templates to copy: add one per persona in the admin")
    offers = []
    for template in templates:
        rules = offer_rules_check(rules=template.eligibility, label=f"offer template {template.name!r}")
        offers.append(Offer.objects.create(
            campaign=campaign, name=template.name, target_personas=[template.persona], offer_type=template.offer_type,
            value=template.value, message=template.message, eligibility=rules,
        ))
    return offers


def _campaigns_to_attach(campaign: Campaign | None) -> list[Campaign]:
    running = campaigns_running()
    if campaign is None:
        return list(running.order_by("id"))
    if not running.filter(pk=campaign.pk).exists():
        raise UserError(
            f"campaign {campaign.name!r} is not running today (status {campaign.get_status_display().lower()}, "
            f"dates {campaign.starts_on or '-'} to {campaign.ends_on or '-'}); only active campaigns get offers"
        )
    return [campaign]


def offers_attach(*, campaign: Campaign | None = None, trigger: str = JobRun.Trigger.COMMAND, user=None,
                  job: JobRun | None = None) -> JobRun:
    """Give every eligible customer of the current segmentation the offers of its persona, in every running
    campaign (or just ``campaign``), as one job run whose changes are published in one transaction.

    How customers, offers, control groups and caps combine is described in ``campaigns.attach``; the P(accept)
    behind the ranking in ``campaigns.attach_propensity.base_propensity``. Re-running with the same inputs writes nothing.
    """
    job = job or job_create(kind=JobRun.Kind.ATTACH_OFFERS, trigger=trigger, user=user,
                            params={"campaign_id": campaign.pk if campaign else None})
    timings: dict[str, float] = {}
    with job_running(job) as tracker:
        campaigns = _campaigns_to_attach(campaign)
        job.counts = {"campaigns": len(campaigns)}
        job.report = {"campaigns": {}, "timings": timings}
        if campaigns:
            _attach(job, campaigns, tracker, timings)
    return job


def _attach(job: JobRun, campaigns: list[Campaign], tracker: JobTracker, timings: dict[str, float]) -> None:
    started = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal started
        timings[stage] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()

    chunked = spread_over_workers()  # through a broker every worker scores chunks of the customers
    planned = (plans_in_chunks(job=job, campaigns=campaigns, tracker=tracker, lap=lap) if chunked
               else _plans_in_one_pass(campaigns, tracker, lap))
    tracker.progress("publishing", 0.85)
    run = SegmentationRun.objects.filter(is_current=True).first()
    moment = timezone.now()
    with transaction.atomic():
        job_fence(job)  # a run found dead and replaced meanwhile publishes nothing
        written = [plan_publish(plan, segmentation_run_id=run.pk if run else None, moment=moment)
                   for plan in planned.plans]
        if chunked:
            staged_clear()
    lap("publish")
    # Customer-level facts are the same for every campaign; the rest add up over campaigns.
    plans = planned.plans
    totals = {"campaigns": len(campaigns), "customers": planned.customers,
              "unsegmented": plans[0].counts["unsegmented"]}
    for plan, rows in zip(plans, written):
        counts = {**plan.counts, "expired": rows["expired"], "rescored": rows["rescored"]}
        for key, value in counts.items():
            if key not in ("customers", "unsegmented"):
                totals[key] = totals.get(key, 0) + value
        job.report["campaigns"][str(plan.campaign_id)] = {**counts,
                                                          "offers_without_customers": list(plan.unreached)}
        totals["offers_without_customers"] = totals.get("offers_without_customers", 0) + len(plan.unreached)
    job.counts = totals
    job.report.update(propensity=planned.propensity, recorded_responses=planned.recorded,
                      segmentation_run=run.pk if run else None)


def _plans_in_one_pass(campaigns: list[Campaign], tracker: JobTracker, lap) -> AttachRun:
    """Every campaign's plan from every customer in memory at once (no broker: tasks run in-process)."""
    tracker.progress("reading customers", 0.02)
    customers = customers_frame()
    recorded = recorded_responses_frame()
    rates = acceptance_rates(recorded) if len(recorded) else None
    lap("read customers and responses")
    tracker.progress("scoring propensity", 0.15)
    customers[BASE_COLUMN], propensity = base_propensity(customers, rates)
    lap("train and score propensity")
    plans = []
    for index, campaign in enumerate(campaigns):
        tracker.progress(f"planning campaign #{campaign.pk}", 0.35 + 0.45 * index / len(campaigns))
        target = CampaignTarget(campaign.pk, campaign.control_share, campaign.audience_cap)
        plans.append(plan_campaign(campaign=target, customers=customers, offers=offers_frame(campaign),
                                   existing=assignments_frame(campaign), rates=rates))
    lap("plan campaigns")
    return AttachRun(plans=plans, customers=len(customers), propensity=propensity, recorded=len(recorded))


@transaction.atomic
def offer_response_record(*, assignment: OfferAssignment, status: str, user=None) -> OfferAssignment:
    """Record that an offer was sent, accepted or declined.

    A control row (a held-out customer) is never sent; marking it accepted records that the customer converted
    without an offer, which is how the control arm's conversions are counted in the lift report. An answer can be
    corrected (accepted <-> declined); an expired offer cannot be answered. Recording the same status twice
    changes nothing.
    """
    if status not in (Status.SENT, Status.ACCEPTED, Status.DECLINED):
        raise UserError(f"a response is sent, accepted or declined, not {str(status)!r}")
    locked = OfferAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status == status:
        return locked
    if locked.is_control and status == Status.SENT:
        raise UserError("control customers are held out: they are never sent an offer")
    if status not in NEXT_STATUSES[str(locked.status)]:
        raise UserError(f"this offer is {locked.get_status_display().lower()}: it cannot become {status}")
    locked.status = status
    if status in (Status.ACCEPTED, Status.DECLINED):
        locked.responded_at = timezone.now()
        locked.responded_by = user if getattr(user, "is_authenticated", False) else None
        locked.response_source = OfferAssignment.ResponseSource.PERSON
    locked.save(update_fields=["status", "responded_at", "responded_by", "response_source", "updated_at"])
    return locked


@transaction.atomic
def offer_responses_simulate(*, campaign: Campaign, seed: int = 0) -> dict[str, int]:
    """Demo only: made-up answers for the campaign's unanswered offers and control customers, stored with the
    response source "simulation" (how they are drawn: ``campaigns.ml.simulation``). Answered rows are left as
    they are, so running it again answers only rows added since. Returns counts per arm."""
    rows = pd.DataFrame(
        OfferAssignment.objects.filter(campaign=campaign, status__in=(Status.PROPOSED, Status.SENT))
        .order_by("id").values_list("id", "is_control", "p_accept", "rank"),
        columns=["id", "is_control", "p_accept", "rank"])
    answers = simulated_responses(rows, seed)
    control_ids = set(rows.loc[rows["is_control"].astype(bool), "id"].tolist())
    in_control = answers["id"].isin(control_ids)
    accepted = answers["status"] == Status.ACCEPTED
    responses_publish(answers, user_id=None, moment=timezone.now(), source=OfferAssignment.ResponseSource.SIMULATION)
    return {"treated_answered": int((~in_control).sum()), "treated_accepted": int((accepted & ~in_control).sum()),
            "control_answered": int(in_control.sum()), "control_converted": int((accepted & in_control).sum())}


def offer_responses_import(*, source: str | Path | bytes, user=None) -> dict:
    """Record responses from a file (customer_id, campaign, status[, offer]) in one transaction; which assignment
    each line answers is described in ``campaigns.response_files``. Bad lines are reported, the rest recorded.

    Returns counts (rows, recorded, unchanged, rejected) and up to 1,000 errors {row, column, value, reason}.
    """
    table, _ = read_table(source)
    mapped = map_columns(table, RESPONSE_FILE_SPEC)
    lines = mapped.assign(line=mapped[LINE_COLUMN] if LINE_COLUMN in mapped else range(2, len(mapped) + 2))
    campaign_ids = {str(pk): pk for pk in Campaign.objects.values_list("id", flat=True)}
    campaign_ids.update(Campaign.objects.values_list("name", "id"))
    typed, errors = parse_lines(lines, campaign_ids)
    targets = response_targets_frame(campaign_ids=sorted(typed["campaign_id"].unique().tolist()),
                                     customers=set(typed["customer"]))
    changes, match_errors = match_assignments(typed, targets)
    errors = sorted(errors + match_errors, key=lambda error: error["row"])
    with transaction.atomic():
        recorded = responses_publish(changes, user_id=user.pk if getattr(user, "is_authenticated", False) else None,
                                     moment=timezone.now(), source=OfferAssignment.ResponseSource.FILE)
    rejected = len({error["row"] for error in errors})
    return {"rows": len(lines), "recorded": recorded, "unchanged": len(lines) - recorded - rejected,
            "rejected": rejected, "errors": errors[:MAX_REPORTED_ERRORS]}
