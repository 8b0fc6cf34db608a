"""Campaign reads: the lift report, a customer's next best offers, the audience export, finding a campaign."""
import math

import pytest

from campaigns.models import Campaign, Offer, OfferAssignment
from campaigns.selectors import (campaign_audience_rows, campaign_find, campaign_lift_report,
                                 customer_next_best_offers)
from core.errors import UserError
from segmentation.models import Customer
from segmentation.personas import DEAL_ORIENTED, PREMIUM
from tests.factories import (AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory, SegmentationRunFactory,
                             SegmentFactory)

pytestmark = pytest.mark.django_db
Status = OfferAssignment.Status


def arm(campaign, offer, persona, size, accepted, is_control):
    """``size`` customers of ``persona`` in one arm, the first ``accepted`` of them accepting."""
    customers = Customer.objects.bulk_create(CustomerFactory.build_batch(size, persona=persona))
    OfferAssignment.objects.bulk_create(
        OfferAssignment(campaign=campaign, offer=offer, customer=customer, persona=persona, is_control=is_control,
                        status=Status.ACCEPTED if index < accepted else Status.PROPOSED, rank=1)
        for index, customer in enumerate(customers))
    return customers


@pytest.fixture
def measured_campaign():
    """Treated 100 (20 accepted), control 50 (5 accepted), split over a premium and a deal-oriented offer:
    premium 60 (12) vs 30 (5), deal-oriented 40 (8) vs 20 (0)."""
    campaign = CampaignFactory(name="Hand computed")
    premium = OfferFactory(campaign=campaign, name="Tasting", target_personas=[PREMIUM])
    deal = OfferFactory(campaign=campaign, name="Weekend", target_personas=[DEAL_ORIENTED],
                        offer_type=Offer.Type.DISCOUNT)
    arm(campaign, premium, PREMIUM, 60, 12, is_control=False)
    arm(campaign, deal, DEAL_ORIENTED, 40, 8, is_control=False)
    arm(campaign, premium, PREMIUM, 30, 5, is_control=True)
    arm(campaign, deal, DEAL_ORIENTED, 20, 0, is_control=True)
    return campaign


def test_lift_report_matches_the_hand_computed_newcombe_interval(measured_campaign):
    report = campaign_lift_report(campaign=measured_campaign)

    # p_t = 20/100, Wilson [0.1333669, 0.2888292]; p_c = 5/50, Wilson [0.0434758, 0.2136023]
    # low = 0.1 - sqrt(0.0666331^2 + 0.1136023^2) = -0.0317021; high = 0.1 + sqrt(0.0888292^2 + 0.0565242^2)
    assert (report["treated"], report["accepted_treated"], report["control"], report["accepted_control"]) == (
        100, 20, 50, 5)
    assert report["lift"]["absolute"] == pytest.approx(0.1)
    assert report["lift"]["ci_low"] == pytest.approx(0.1 - math.hypot(0.2 - 0.1333669, 0.2136023 - 0.1), abs=1e-6)
    assert report["lift"]["ci_high"] == pytest.approx(0.1 + math.hypot(0.2888292 - 0.2, 0.1 - 0.0434758), abs=1e-6)
    assert report["lift"]["p_value"] == pytest.approx(0.1637415, abs=1e-7)
    assert report["lift"]["relative"] == pytest.approx(1.0)
    assert report["incremental_conversions"] == pytest.approx(10.0)
    assert (report["lift"]["significant"], report["lift"]["small_sample"]) == (False, False)
    assert (report["lift"]["verdict"], report["lift"]["verdict_label"]) == ("not_significant", "not significant")


def test_lift_report_has_the_keys_the_api_and_command_promise(measured_campaign):
    report = campaign_lift_report(campaign=measured_campaign)

    assert {"campaign", "treated", "control", "accepted_treated", "accepted_control", "lift",
            "incremental_conversions", "by_offer", "by_segment", "segmentation_runs", "current_segmentation_run",
            "simulated_responses", "offers_without_customers"} <= set(report)
    assert set(report["lift"]) == {"absolute", "ci_low", "ci_high", "relative", "significant", "small_sample",
                                   "p_value", "verdict", "verdict_label"}
    assert report["campaign"] == measured_campaign.pk


def test_a_campaign_nobody_has_answered_says_no_responses_yet():
    offer = OfferFactory()
    AssignmentFactory.create_batch(3, offer=offer)
    AssignmentFactory.create_batch(2, offer=offer, is_control=True)

    lift = campaign_lift_report(campaign=offer.campaign)["lift"]

    assert (lift["absolute"], lift["verdict"], lift["verdict_label"], lift["significant"]) == (
        0.0, "no_responses", "no responses yet", False)


def test_declined_offers_are_responses():
    offer = OfferFactory()
    AssignmentFactory.create_batch(3, offer=offer, status=Status.DECLINED)
    AssignmentFactory.create_batch(2, offer=offer, is_control=True)

    assert campaign_lift_report(campaign=offer.campaign)["lift"]["verdict_label"] == "too few to tell"


def test_treated_acceptances_against_a_control_arm_with_none_are_significant():
    offer = OfferFactory()
    AssignmentFactory.create_batch(10, offer=offer, status=Status.ACCEPTED)
    AssignmentFactory.create_batch(10, offer=offer, is_control=True)

    lift = campaign_lift_report(campaign=offer.campaign)["lift"]

    # Newcombe (1998) example h, 10/10 vs 0/10: [0.6075, 1.0000]; Fisher p = 2 / C(20, 10) = 1.0825e-05
    assert (round(lift["ci_low"], 4), round(lift["ci_high"], 4)) == (0.6075, 1.0)
    assert lift["p_value"] == pytest.approx(2 / 184756)
    assert (lift["verdict"], lift["significant"]) == ("significant", True)


def test_lift_report_lists_an_offer_aimed_at_a_persona_no_segment_has():
    run = SegmentationRunFactory(is_current=True)
    SegmentFactory(run=run, key=0, persona=PREMIUM)
    campaign = CampaignFactory()
    tasting = OfferFactory(campaign=campaign, name="Tasting", target_personas=[PREMIUM])
    weekend = OfferFactory(campaign=campaign, name="20 % off", target_personas=[DEAL_ORIENTED])
    AssignmentFactory(offer=tasting, segmentation_run=run)

    report = campaign_lift_report(campaign=campaign)

    assert report["offers_without_customers"] == [{
        "offer": weekend.pk, "name": "20 % off",
        "reason": "it is aimed at persona deal_oriented, which no segment of the current segmentation has"}]
    assert (report["segmentation_runs"], report["current_segmentation_run"]) == ([run.pk], run.pk)


def test_lift_report_gives_a_reachable_offer_without_rows_the_rules_as_the_reason():
    SegmentFactory(run=SegmentationRunFactory(is_current=True), key=0, persona=PREMIUM)
    offer = OfferFactory(target_personas=[PREMIUM])

    rows = campaign_lift_report(campaign=offer.campaign)["offers_without_customers"]

    assert [row["reason"] for row in rows] == [
        "no customer it targets passed its eligibility rules and frequency cap at the last attach"]


def test_lift_report_counts_simulated_responses():
    offer = OfferFactory()
    AssignmentFactory(offer=offer, status=Status.ACCEPTED, response_source=OfferAssignment.ResponseSource.SIMULATION)
    AssignmentFactory(offer=offer, status=Status.ACCEPTED, response_source=OfferAssignment.ResponseSource.PERSON)

    assert campaign_lift_report(campaign=offer.campaign)["simulated_responses"] == 1


def test_lift_report_per_offer_compares_customers_given_it_with_control_customers_it_would_have_gone_to(
        measured_campaign):
    by_offer = {row["name"]: row for row in campaign_lift_report(campaign=measured_campaign)["by_offer"]}

    tasting = by_offer["Tasting"]
    assert (tasting["treated"], tasting["accepted_treated"], tasting["control"], tasting["accepted_control"]) == (
        60, 12, 30, 5)
    assert tasting["lift"]["absolute"] == pytest.approx(12 / 60 - 5 / 30)


def test_lift_report_labels_a_small_segment_instead_of_hiding_it(measured_campaign):
    by_segment = {row["persona"]: row for row in campaign_lift_report(campaign=measured_campaign)["by_segment"]}

    # deal-oriented 8/40 vs 0/20: small (control under 30), yet the interval [0.0130, 0.3476] and p = 0.043 agree
    assert (by_segment[DEAL_ORIENTED]["control"], by_segment[DEAL_ORIENTED]["lift"]["small_sample"]) == (20, True)
    assert by_segment[DEAL_ORIENTED]["lift"]["verdict"] == "significant"
    assert round(by_segment[DEAL_ORIENTED]["lift"]["ci_low"], 4) == 0.0130
    assert by_segment[PREMIUM]["lift"]["small_sample"] is False


def test_expired_offers_are_left_out_of_the_lift_report(measured_campaign):
    offer = measured_campaign.offers.get(name="Tasting")
    AssignmentFactory.create_batch(5, offer=offer, status=Status.EXPIRED)

    assert campaign_lift_report(campaign=measured_campaign)["treated"] == 100


def test_a_customer_given_two_offers_is_one_treated_customer():
    campaign = CampaignFactory()
    customer = CustomerFactory(persona=PREMIUM)
    AssignmentFactory(offer__campaign=campaign, customer=customer, status=Status.ACCEPTED)
    AssignmentFactory(offer__campaign=campaign, customer=customer, rank=2)

    report = campaign_lift_report(campaign=campaign)

    assert (report["treated"], report["accepted_treated"], len(report["by_offer"])) == (1, 1, 2)


def test_campaign_without_assignments_reports_empty_arms_and_no_lift():
    report = campaign_lift_report(campaign=CampaignFactory())

    assert (report["treated"], report["control"], report["lift"]["absolute"], report["by_offer"]) == (0, 0, None, [])


def test_next_best_offers_are_the_customers_pending_offers_best_expected_value_first():
    customer = CustomerFactory(persona=PREMIUM)
    campaign = CampaignFactory(name="Autumn")
    small = AssignmentFactory(offer__campaign=campaign, offer__name="Points", customer=customer, score=10.0, rank=2)
    large = AssignmentFactory(offer__campaign=campaign, offer__name="Tasting", offer__value=120,
                              offer__message="Taste it", customer=customer, p_accept=0.25, score=30.0, rank=1)

    offers = customer_next_best_offers(customer=customer)

    assert [offer["offer"] for offer in offers] == [large.offer_id, small.offer_id]
    assert offers[0] == {
        "assignment": large.pk, "offer": large.offer_id, "name": "Tasting", "offer_type": Offer.Type.PREMIUM_PRODUCT,
        "value": 120, "message": "Taste it", "p_accept": 0.25, "expected_value": 30.0, "rank": 1,
        "campaign_rank": 1, "campaign": campaign.pk, "campaign_name": "Autumn",
    }


def test_next_best_offers_leave_out_control_answered_and_ended_campaign_rows():
    customer = CustomerFactory(persona=PREMIUM)
    AssignmentFactory(customer=customer, is_control=True)
    AssignmentFactory(customer=customer, status=Status.ACCEPTED)
    AssignmentFactory(customer=customer, offer__campaign=CampaignFactory(status=Campaign.Status.ENDED))

    assert customer_next_best_offers(customer=customer) == []


def test_audience_lists_treated_pending_and_sent_offers_only():
    campaign = CampaignFactory()
    offer = OfferFactory(campaign=campaign, name="Tasting", message="Come taste")
    proposed = AssignmentFactory(offer=offer)
    sent = AssignmentFactory(offer=offer, status=Status.SENT)
    for status in (Status.ACCEPTED, Status.EXPIRED):
        AssignmentFactory(offer=offer, status=status)
    AssignmentFactory(offer=offer, is_control=True)

    rows = list(campaign_audience_rows(campaign=campaign))

    assert rows == [(proposed.customer.external_id, PREMIUM, "Tasting", "Come taste"),
                    (sent.customer.external_id, PREMIUM, "Tasting", "Come taste")]


def test_audience_of_one_offer_leaves_out_the_campaigns_other_offers():
    campaign = CampaignFactory()
    chosen = AssignmentFactory(offer__campaign=campaign)
    AssignmentFactory(offer__campaign=campaign)

    rows = list(campaign_audience_rows(campaign=campaign, offer=chosen.offer))

    assert [row[0] for row in rows] == [chosen.customer.external_id]


def test_campaign_is_found_by_id_or_by_name():
    campaign = CampaignFactory(name="Autumn")

    assert (campaign_find(reference=str(campaign.pk)), campaign_find(reference="Autumn")) == (campaign, campaign)


def test_unknown_campaign_is_a_user_error():
    with pytest.raises(UserError, match="no campaign with id or name 'Nope'"):
        campaign_find(reference="Nope")
