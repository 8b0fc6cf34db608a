"""Reads for campaigns: which run today, their lift report, a customer's next best offers, the audience to export."""
from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.ml.lift import LiftResult, measure_lift
from campaigns.ml.reach import offer_reach_reason
from campaigns.models import Campaign, Offer, OfferAssignment
from core.compiled import CompiledQuery, compiled_reads_enabled
from core.errors import UserError
from segmentation.models import Segment, SegmentationRun

Status = OfferAssignment.Status


def campaigns_running(*, on: datetime.date | None = None) -> QuerySet[Campaign]:
    """Active campaigns whose dates include ``on`` (today by default); open-ended dates always do."""
    on = on or timezone.localdate()
    return Campaign.objects.filter(status=Campaign.Status.ACTIVE).filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def campaign_find(*, reference: str | int) -> Campaign:
    """A campaign by id or by exact name (for commands); a UserError when there is none."""
    text = str(reference).strip()
    campaign = Campaign.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 18 else None
    campaign = campaign or Campaign.objects.filter(name=text).first()
    if campaign is None:
        raise UserError(f"no campaign with id or name {text!r}")
    return campaign


def campaign_id_check(campaign_id: int) -> None:
    """Refuse an id no campaign has (the API's check of an attach job's ``campaign_id``, registered with core)."""
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise UserError(f"no campaign with id {campaign_id}")


def _lift_fields(result: LiftResult) -> dict:
    return {
        "treated": result.treated,
        "control": result.control,
        "accepted_treated": result.treated_accepted,
        "accepted_control": result.control_accepted,
        "treated_rate": result.treated_rate,
        "control_rate": result.control_rate,
        "lift": {
            "absolute": result.absolute_lift,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
            "relative": result.relative_lift,
            "significant": result.significant,
            "small_sample": result.small_sample,
            "p_value": result.p_value,
            "verdict": result.verdict,
            "verdict_label": result.verdict_label,
        },
        "incremental_conversions": result.incremental_conversions,
    }


ANSWERED = (Status.ACCEPTED, Status.DECLINED)
EMPTY_ARMS = {"treated": 0, "treated_accepted": 0, "control": 0, "control_accepted": 0, "responded": 0}


def _arm_counts(rows: QuerySet, group: tuple[str, ...]) -> dict[tuple, dict[str, int]]:
    """Distinct customers, accepting customers per (group..., arm), and responding customers of both arms."""
    counted = rows.values(*group, "is_control").annotate(
        customers=Count("customer", distinct=True),
        accepted=Count("customer", distinct=True, filter=Q(status=Status.ACCEPTED)),
        responded=Count("customer", distinct=True, filter=Q(status__in=ANSWERED)),
    ).order_by()
    arms: dict[tuple, dict[str, int]] = {}
    for row in counted:
        key = tuple(row[name] for name in group)
        arm = arms.setdefault(key, dict(EMPTY_ARMS))
        prefix = "control" if row["is_control"] else "treated"
        arm[prefix] += row["customers"]
        arm[f"{prefix}_accepted"] += row["accepted"]
        arm["responded"] += row["responded"]
    return arms


def _measured(arm: dict[str, int]) -> LiftResult:
    return measure_lift(arm["treated"], arm["treated_accepted"], arm["control"], arm["control_accepted"],
                        responded=arm["responded"])


def lift_counted_rows(*, campaign: Campaign) -> QuerySet[OfferAssignment]:
    """The rows the lift report counts: every assignment of the campaign that did not expire, whichever
    segmentation run proposed it (an offer sent before a re-cluster was still sent). Re-attaching expires the
    pending rows a re-cluster made unwanted, so these are the current run's offers plus the answered ones."""
    return OfferAssignment.objects.filter(campaign=campaign).exclude(status=Status.EXPIRED)


def campaign_arm_totals(*, campaign: Campaign) -> dict:
    """Treated and control customers as the lift report counts them (``lift_counted_rows``), the rows behind
    them, and the segmentation runs those rows come from: the one definition of "treated" every screen shows."""
    rows = lift_counted_rows(campaign=campaign)
    arms = _arm_counts(rows, ()).get((), dict(EMPTY_ARMS))
    per_arm = dict(rows.values_list("is_control").annotate(n=Count("id")).order_by())
    runs = sorted(run for run in rows.values_list("segmentation_run", flat=True).distinct().order_by() if run)
    current = SegmentationRun.objects.filter(is_current=True).values_list("id", flat=True).first()
    return {"treated": arms["treated"], "control": arms["control"], "treated_rows": per_arm.get(False, 0),
            "control_rows": per_arm.get(True, 0), "segmentation_runs": runs, "current_segmentation_run": current,
            "arms": arms}


def campaign_offers_without_customers(*, campaign: Campaign, counted: QuerySet | None = None) -> list[dict]:
    """Active offers of the campaign that reach nobody (no counted row), each with the reason
    (``campaigns.ml.reach``), read against the current segmentation's segments."""
    counted = lift_counted_rows(campaign=campaign) if counted is None else counted
    reached = set(counted.values_list("offer", flat=True).distinct().order_by())
    offers = [offer for offer in campaign.offers.filter(is_active=True).order_by("priority", "id")
              if offer.pk not in reached]
    if not offers:
        return []
    segments = Segment.objects.filter(run__is_current=True).values_list("persona", "key")
    present_personas = {persona for persona, _ in segments if persona}
    present_keys = {key for _, key in segments}
    return [{"offer": offer.pk, "name": offer.name, "reason": offer_reach_reason(
        target_personas=offer.target_personas, target_segment_keys=offer.target_segment_keys,
        present_personas=present_personas, present_keys=present_keys, frequency_cap=offer.frequency_cap)}
        for offer in offers]


def campaign_lift_report(*, campaign: Campaign) -> dict:
    """Treated vs control acceptance for the campaign, per offer and per segment: Newcombe's 95 % interval,
    Fisher's exact test and the verdict derived from both (``campaigns.ml.lift``).

    Counted per customer over ``lift_counted_rows`` (rows that did not expire, of any segmentation run; the runs
    are listed in ``segmentation_runs``): treated = customers given an offer, accepted_treated = those who
    accepted one; control = held-out customers, accepted_control = those whose control row is marked accepted
    (converted without an offer). Per offer, the treated arm is the customers given that offer and the control
    arm the held-out customers it would have gone to first. Small arms are labelled, not left out. Offers that
    reach nobody are listed in ``offers_without_customers`` with the reason; ``simulated_responses`` counts
    the answers the demo made up.
    """
    rows = lift_counted_rows(campaign=campaign)
    totals = campaign_arm_totals(campaign=campaign)
    offers = {offer.pk: offer for offer in Offer.objects.filter(campaign=campaign)}
    by_offer = []
    for (offer_id,), arm in sorted(_arm_counts(rows, ("offer",)).items(), key=lambda item: item[0][0] or 0):
        offer = offers.get(offer_id)
        by_offer.append({"offer": offer_id, "name": offer.name if offer else "",
                         "offer_type": offer.offer_type if offer else "", **_lift_fields(_measured(arm))})
    by_segment = []
    segment_arms = _arm_counts(rows, ("persona", "segment_key"))
    for (persona, segment_key), arm in sorted(segment_arms.items(), key=lambda item: (item[0][0], item[0][1] or -1)):
        by_segment.append({"persona": persona, "segment_key": segment_key, **_lift_fields(_measured(arm))})
    simulated = rows.filter(response_source=OfferAssignment.ResponseSource.SIMULATION).count()
    return {"campaign": campaign.pk, "campaign_name": campaign.name, **_lift_fields(_measured(totals["arms"])),
            "by_offer": by_offer, "by_segment": by_segment,
            "segmentation_runs": totals["segmentation_runs"],
            "current_segmentation_run": totals["current_segmentation_run"],
            "simulated_responses": simulated,
            "offers_without_customers": campaign_offers_without_customers(campaign=campaign, counted=rows)}


# A next best offer as the API documents it: key -> column read for it. `rank` (1 = best over every running
# campaign) is the row's position, numbered in Python.
NEXT_BEST_OFFER_COLUMNS = {
    "assignment": "id", "offer": "offer_id", "name": "offer__name", "offer_type": "offer__offer_type",
    "value": "offer__value", "message": "offer__message", "p_accept": "p_accept", "expected_value": "score",
    "campaign_rank": "rank", "campaign": "campaign_id", "campaign_name": "campaign__name",
}
_OFFER_KEYS = tuple(NEXT_BEST_OFFER_COLUMNS)


def _next_best_offer_rows(*, customer_id: int, on: datetime.date | None = None) -> QuerySet[OfferAssignment]:
    """Pending treated rows of running campaigns, best first. The campaign is filtered through the join (not
    `campaign_id IN (SELECT …)`), so PostgreSQL reads the customer's rows by the (customer, status) index and
    checks each one's campaign by primary key."""
    on = on or timezone.localdate()
    return (OfferAssignment.objects
            .filter(customer_id=customer_id, status=Status.PROPOSED, is_control=False,
                    campaign__status=Campaign.Status.ACTIVE)
            .filter(Q(campaign__starts_on__isnull=True) | Q(campaign__starts_on__lte=on),
                    Q(campaign__ends_on__isnull=True) | Q(campaign__ends_on__gte=on))
            .order_by("-score", "rank", "offer__priority", "offer_id"))


def _ranked(rows) -> list[dict]:
    return [{**dict(zip(_OFFER_KEYS, row)), "rank": position} for position, row in enumerate(rows, start=1)]


def customer_next_best_offers(*, customer) -> list[dict]:
    """The customer's pending offers in running campaigns, best first: expected value (P(accept) x value), then
    rank within the campaign, offer priority and id. Held-out (control) customers get none."""
    rows = _next_best_offer_rows(customer_id=customer.pk).values_list(*NEXT_BEST_OFFER_COLUMNS.values())
    return _ranked(rows)


OFFER_SHEET_COLUMNS = (*NEXT_BEST_OFFER_COLUMNS.values(), "customer__external_id", "customer__persona")
OFFER_SHEET = CompiledQuery(
    lambda customer_id, on: _next_best_offer_rows(customer_id=customer_id, on=on).values_list(*OFFER_SHEET_COLUMNS),
    customer_id=-7_000_002, on=datetime.date(1901, 1, 1),
)


def customer_offer_sheet(*, customer_id: int) -> dict | None:
    """The customer (id, external_id, persona) with their next best offers; None for no such customer.

    One query when the customer has offers (the customer's columns ride along on every offer row), a second,
    by primary key, only when there are none, to tell a customer without offers from an unknown id. On
    PostgreSQL the offers' SQL is compiled once per process (core.compiled): this is the API's hottest read."""
    from segmentation.models import Customer

    if compiled_reads_enabled():
        rows = OFFER_SHEET.tuples(customer_id=customer_id, on=timezone.localdate())
    else:
        rows = list(_next_best_offer_rows(customer_id=customer_id).values_list(*OFFER_SHEET_COLUMNS))
    if rows:
        external_id, persona = rows[0][-2:]
    else:
        found = Customer.objects.filter(pk=customer_id).values_list("external_id", "persona").first()
        if found is None:
            return None
        external_id, persona = found
    return {"customer": customer_id, "external_id": external_id, "persona": persona, "results": _ranked(rows)}


def campaign_audience_rows(*, campaign: Campaign, offer: Offer | None = None) -> Iterator[tuple]:
    """(customer external id, persona, offer name, message) for each offer to send: treated, proposed or sent.
    Streamed in customer order, then by the customer's rank, so a million rows never sit in memory."""
    rows = OfferAssignment.objects.filter(campaign=campaign, is_control=False,
                                          status__in=(Status.PROPOSED, Status.SENT))
    if offer is not None:
        rows = rows.filter(offer=offer)
    yield from rows.order_by("customer_id", "rank", "offer_id").values_list(
        "customer__external_id", "persona", "offer__name", "offer__message").iterator(chunk_size=5000)
