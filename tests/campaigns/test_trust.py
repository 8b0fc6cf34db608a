"""What a user reads about a campaign is true and the same everywhere: one verdict (command text and JSON, admin
page, API), offers that reach nobody are flagged, "treated" is one number in the list and the report."""
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import OfferAssignment
from campaigns.selectors import campaign_lift_report
from campaigns.services import campaign_create, offer_response_record, offers_attach
from core.roles import MARKETER
from segmentation.models import Customer
from segmentation.personas import DEAL_ORIENTED, PREMIUM
from segmentation.services import customers_import, customers_recluster
from tests.api.factories import role_user
from tests.factories import (
    AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory, SegmentationRunFactory, SegmentFactory,
)
from tests.shared_data import CUSTOMERS_FILE, shared_data_path

pytestmark = pytest.mark.django_db
Status = OfferAssignment.Status


@pytest.fixture
def marketer_client(client):
    client.force_login(role_user(MARKETER, is_staff=True))
    return client


def command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def significant_campaign():
    """10 treated customers who all accepted, 10 held out who did not: Newcombe [0.6075, 1], Fisher p = 1.1e-05."""
    offer = OfferFactory(campaign=CampaignFactory(name="Clear winner"), name="Tasting")
    AssignmentFactory.create_batch(10, offer=offer, status=Status.ACCEPTED)
    AssignmentFactory.create_batch(10, offer=offer, is_control=True)
    return offer.campaign


def test_the_verdict_is_the_same_in_the_command_the_json_the_admin_and_the_api(significant_campaign, marketer_client):
    expected = "significant (p < 0.001)"
    campaign = significant_campaign

    text = command_output("campaign_report", str(campaign.pk))
    as_json = json.loads(command_output("campaign_report", str(campaign.pk), "--json"))
    page = marketer_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()
    api = marketer_client.get(f"/api/v1/campaigns/{campaign.pk}/report/").json()

    assert next(line for line in text.splitlines() if line.startswith("All offers")).endswith(expected)
    assert (as_json["lift"]["verdict"], as_json["lift"]["verdict_label"]) == ("significant", "significant")
    assert (api["lift"]["verdict"], api["lift"]["significant"], api["lift"]["p_value"]) == (
        "significant", True, pytest.approx(2 / 184756))
    assert "<td>significant (p &lt; 0.001)</td>" in page
    assert "+100.0 pp [+60.8, +100.0] significant (p &lt; 0.001)" in page  # the chart's label


def test_the_issues_campaign_is_significant_in_campaign_report_json():
    # Issue #17: 5,331 treated (100 accepted) vs 615 control (none): was "+1.9 pp [+1.5, +2.2], significant: false"
    campaign = CampaignFactory(name="Issue 17")
    offer = OfferFactory(campaign=campaign)
    customers = Customer.objects.bulk_create(CustomerFactory.build_batch(5331 + 615, persona=PREMIUM))
    OfferAssignment.objects.bulk_create(
        OfferAssignment(campaign=campaign, offer=offer, customer=customer, persona=PREMIUM, is_control=index >= 5331,
                        status=Status.ACCEPTED if index < 100 else Status.PROPOSED, rank=1)
        for index, customer in enumerate(customers))

    report = json.loads(command_output("campaign_report", "Issue 17", "--json"))

    assert (report["treated"], report["accepted_treated"], report["control"], report["accepted_control"]) == (
        5331, 100, 615, 0)
    assert (round(report["lift"]["ci_low"], 4), round(report["lift"]["ci_high"], 4)) == (0.0117, 0.0228)
    assert report["lift"]["p_value"] < 0.001
    assert (report["lift"]["significant"], report["lift"]["verdict"]) == (True, "significant")


def test_a_campaign_without_answers_reads_no_responses_yet_everywhere(marketer_client):
    offer = OfferFactory(campaign=CampaignFactory(name="Fresh"))
    AssignmentFactory.create_batch(3, offer=offer)
    AssignmentFactory(offer=offer, is_control=True)

    text = command_output("campaign_report", "Fresh")
    page = marketer_client.get(reverse("admin:campaigns_campaign_change", args=[offer.campaign_id])).content.decode()

    assert next(line for line in text.splitlines() if line.startswith("All offers")).endswith("no responses yet")
    assert "<td>no responses yet</td>" in page
    assert "not significant" not in page


# --- offers that reach nobody ----------------------------------------------------------------------------------

@pytest.fixture
def campaign_with_an_unreachable_offer():
    """The current segmentation has premium customers only; the campaign also offers 20 % off to deal-oriented."""
    run = SegmentationRunFactory(is_current=True)
    segment = SegmentFactory(run=run, key=0, persona=PREMIUM)
    CustomerFactory.create_batch(3, persona=PREMIUM, segment=segment)
    campaign = CampaignFactory(name="Autumn", control_share=0.0)
    OfferFactory(campaign=campaign, name="Tasting", target_personas=[PREMIUM])
    weekend = OfferFactory(campaign=campaign, name="20 % off", target_personas=[DEAL_ORIENTED])
    return campaign, weekend


def test_attach_offers_prints_the_offer_that_reaches_nobody_and_why(campaign_with_an_unreachable_offer):
    campaign, weekend = campaign_with_an_unreachable_offer

    out = command_output("attach_offers", "--campaign", str(campaign.pk))

    assert (f"  offer '20 % off' (#{weekend.pk}) reaches nobody: it is aimed at persona deal_oriented, which no "
            "segment of the current segmentation has") in out.splitlines()


def test_attach_job_reports_offers_without_customers_per_campaign(campaign_with_an_unreachable_offer):
    campaign, weekend = campaign_with_an_unreachable_offer

    job = offers_attach(campaign=campaign)

    assert job.counts["offers_without_customers"] == 1
    assert [row["offer"] for row in job.report["campaigns"][str(campaign.pk)]["offers_without_customers"]] == [
        weekend.pk]


def test_attach_says_when_the_frequency_cap_leaves_an_offer_nobody(campaign_with_an_unreachable_offer):
    campaign, _ = campaign_with_an_unreachable_offer
    offers_attach(campaign=campaign)
    tasting = campaign.offers.get(name="Tasting")
    for assignment in OfferAssignment.objects.filter(offer=tasting):
        offer_response_record(assignment=assignment, status=Status.DECLINED)

    report = offers_attach(campaign=campaign).report["campaigns"][str(campaign.pk)]

    reasons = {row["name"]: row["reason"] for row in report["offers_without_customers"]}
    assert reasons["Tasting"] == "every customer it targets (3) has had it 1 time(s) already (frequency cap)"


def test_attach_says_when_the_eligibility_rules_leave_an_offer_nobody(campaign_with_an_unreachable_offer):
    campaign, _ = campaign_with_an_unreachable_offer
    campaign.offers.filter(name="Tasting").update(eligibility={"min_income": 10_000_000})

    report = offers_attach(campaign=campaign).report["campaigns"][str(campaign.pk)]

    reasons = {row["name"]: row["reason"] for row in report["offers_without_customers"]}
    assert reasons["Tasting"] == "no customer it targets passes its eligibility rules"


def test_campaign_page_flags_the_offer_that_reaches_nobody(campaign_with_an_unreachable_offer, marketer_client):
    campaign, weekend = campaign_with_an_unreachable_offer
    offers_attach(campaign=campaign)

    page = marketer_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()

    assert (f"Offer “20 % off” (#{weekend.pk}) reaches nobody: it is aimed at persona deal_oriented, which no "
            "segment of the current segmentation has.") in page


def test_campaign_report_text_flags_the_offer_that_reaches_nobody(campaign_with_an_unreachable_offer):
    campaign, weekend = campaign_with_an_unreachable_offer
    offers_attach(campaign=campaign)

    out = command_output("campaign_report", str(campaign.pk))

    assert f"offer '20 % off' (#{weekend.pk}) reaches nobody: it is aimed at persona deal_oriented, which no " \
           "segment of the current segmentation has" in out.splitlines()


# --- one meaning of "treated" ------------------------------------------------------------------------------

def test_assignments_list_and_lift_report_count_the_same_treated_customers_after_a_recluster(marketer_client):
    customers_import(source=shared_data_path(*CUSTOMERS_FILE))
    first = customers_recluster(k=2)
    campaign = campaign_create(name="Autumn", with_default_offers=True)
    offers_attach()
    for assignment in OfferAssignment.objects.filter(campaign=campaign, is_control=False).order_by("id")[:40]:
        offer_response_record(assignment=assignment, status=Status.SENT)
    second = customers_recluster(k=3)
    offers_attach()
    changelist = reverse("admin:campaigns_offerassignment_changelist")

    summary = marketer_client.get(changelist, {"campaign__id__exact": campaign.pk}).context
    counted = marketer_client.get(changelist, {"campaign__id__exact": campaign.pk, "counted": "yes",
                                               "is_control__exact": "0"}).context
    every_row = marketer_client.get(changelist, {"campaign__id__exact": campaign.pk, "is_control__exact": "0"}).context
    report = campaign_lift_report(campaign=campaign)

    counted_customers = {row.customer_id for row in counted["cl"].queryset}
    assert summary["lift_counts"]["treated"] == report["treated"] == len(counted_customers)
    assert counted["cl"].result_count == summary["lift_counts"]["treated_rows"]
    assert every_row["cl"].result_count > counted["cl"].result_count  # expired rows: listed, not counted
    assert (report["segmentation_runs"], report["current_segmentation_run"]) == ([first.pk, second.pk], second.pk)
    assert f"counts <strong>{report['treated']}</strong> treated customers" in " ".join(
        marketer_client.get(changelist, {"campaign__id__exact": campaign.pk}).content.decode().split())


def test_segmentation_run_filter_splits_the_rows_by_run(marketer_client):
    current, earlier = SegmentationRunFactory(is_current=True), SegmentationRunFactory()
    offer = OfferFactory()
    AssignmentFactory.create_batch(2, offer=offer, segmentation_run=current)
    AssignmentFactory(offer=offer, segmentation_run=earlier)
    changelist = reverse("admin:campaigns_offerassignment_changelist")

    counts = [marketer_client.get(changelist, {"run": value}).context["cl"].result_count
              for value in ("current", "earlier")]

    assert counts == [2, 1]
