"""Campaign reads: the lift report, a customer's next best offers, the audience export, finding a campaign."""
import math

import pytest

from campaigns.models import Campaign, Offer, OfferAssignment
from campaigns.selectors import (campaign_audience_rows, campaign_find, campaign_lift_report,
                                 customer_next_best_offers)
from core.errors import UserError
from core.personas import DEAL_ORIENTED, PREMIUM
from segmentation.models import Customer
from tests.campaigns.factories import AssignmentFactory
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

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


def test_lift_report_matches_the_hand_computed_two_proportion_interval(measured_campaign):
    report = campaign_lift_report(campaign=measured_campaign)

    # p_t = 20/100, p_c = 5/50; se = sqrt(.2 x .8 / 100 + .1 x .9 / 50) = sqrt(.0034); 95 % margin = 1.959964 se
    margin = 1.959963984540054 * math.sqrt(0.0034)
    assert (report["treated"], report["accepted_treated"], report["control"], report["accepted_control"]) == (
        100, 20, 50, 5)
    assert report["lift"]["absolute"] == pytest.approx(0.1)
    assert report["lift"]["ci_low"] == pytest.approx(0.1 - margin)
    assert report["lift"]["ci_low"] == pytest.approx(-0.014284, abs=1e-6)
    assert report["lift"]["ci_high"] == pytest.approx(0.214284, abs=1e-6)
    assert report["lift"]["relative"] == pytest.approx(1.0)
    assert report["incremental_conversions"] == pytest.approx(10.0)
    assert (report["lift"]["significant"], report["lift"]["small_sample"]) == (False, False)


def test_lift_report_has_the_keys_the_api_and_command_promise(measured_campaign):
    report = campaign_lift_report(campaign=measured_campaign)

    assert {"campaign", "treated", "control", "accepted_treated", "accepted_control", "lift",
            "incremental_conversions", "by_offer", "by_segment"} <= set(report)
    assert set(report["lift"]) == {"absolute", "ci_low", "ci_high", "relative", "significant", "small_sample"}
    assert report["campaign"] == measured_campaign.pk


def test_lift_report_per_offer_compares_customers_given_it_with_control_customers_it_would_have_gone_to(
        measured_campaign):
    by_offer = {row["name"]: row for row in campaign_lift_report(campaign=measured_campaign)["by_offer"]}

    tasting = by_offer["Tasting"]
    assert (tasting["treated"], tasting["accepted_treated"], tasting["control"], tasting["accepted_control"]) == (
        60, 12, 30, 5)
    assert tasting["lift"]["absolute"] == pytest.approx(12 / 60 - 5 / 30)


def test_lift_report_labels_a_small_segment_instead_of_hiding_it(measured_campaign):
    by_segment = {row["persona"]: row for row in campaign_lift_report(campaign=measured_campaign)["by_segment"]}

    assert (by_segment[DEAL_ORIENTED]["control"], by_segment[DEAL_ORIENTED]["lift"]["small_sample"]) == (20, True)
    assert by_segment[DEAL_ORIENTED]["lift"]["significant"] is False
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
