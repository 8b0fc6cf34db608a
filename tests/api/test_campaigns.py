"""Campaigns and offers (marketers), responses, the lift report and the formula-safe audience export."""
import pytest

from campaigns.models import Campaign, Offer, OfferAssignment, OfferTemplate
from segmentation.personas import PERSONAS
from tests.factories import AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(as_role):
    return as_role("marketer")


def test_created_campaign_belongs_to_the_marketer(marketer):
    response = marketer.post("/api/v1/campaigns/", {"name": "Spring", "control_share": 0.2, "channel": "sms"},
                             format="json")

    assert response.status_code == 201
    campaign = Campaign.objects.get()
    assert (campaign.name, campaign.control_share, campaign.channel, campaign.owner) == (
        "Spring", 0.2, "sms", marketer.user)
    assert response.json()["id"] == campaign.pk
    assert "with_default_offers" not in response.json()


def test_campaign_with_default_offers_gets_one_offer_per_persona(marketer):
    assert OfferTemplate.objects.count() == len(PERSONAS)  # seeded by a data migration

    response = marketer.post("/api/v1/campaigns/", {"name": "Spring", "with_default_offers": True}, format="json")

    assert response.status_code == 201
    assert sorted(p for offer in Offer.objects.all() for p in offer.target_personas) == sorted(PERSONAS)


def test_campaign_can_be_renamed_and_deleted(marketer):
    campaign = CampaignFactory(name="Old")

    renamed = marketer.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "New"}, format="json")
    deleted = marketer.delete(f"/api/v1/campaigns/{campaign.pk}/")

    assert (renamed.status_code, renamed.json()["name"]) == (200, "New")
    assert deleted.status_code == 204
    assert not Campaign.objects.exists()


def test_offer_with_valid_eligibility_is_created(marketer):
    campaign = CampaignFactory()

    response = marketer.post("/api/v1/offers/", {
        "campaign": campaign.pk, "name": "Family bundle", "offer_type": "bundle", "value": "25.50",
        "target_personas": ["value_family"], "eligibility": {"requires_children": True, "max_recency_days": 60},
    }, format="json")

    assert response.status_code == 201
    offer = Offer.objects.get()
    assert (offer.eligibility, offer.target_personas, str(offer.value)) == (
        {"requires_children": True, "max_recency_days": 60}, ["value_family"], "25.50")


def test_offers_filter_by_campaign(marketer):
    wanted = OfferFactory()
    OfferFactory()

    body = marketer.get(f"/api/v1/offers/?campaign={wanted.campaign_id}").json()

    assert [row["id"] for row in body["results"]] == [wanted.pk]


def test_assignments_filter_by_status(marketer):
    accepted = AssignmentFactory(status=OfferAssignment.Status.ACCEPTED)
    AssignmentFactory()

    body = marketer.get("/api/v1/assignments/?status=accepted").json()

    assert [(row["id"], row["customer_external_id"]) for row in body["results"]] == [
        (accepted.pk, accepted.customer.external_id)]


def test_recorded_response_updates_the_assignment(marketer):
    assignment = AssignmentFactory()

    response = marketer.post("/api/v1/responses/", {"assignment": assignment.pk, "status": "accepted"}, format="json")

    assert response.status_code == 201
    assignment.refresh_from_db()
    assert (response.json()["status"], assignment.status) == ("accepted", "accepted")
    assert assignment.responded_at is not None


def test_response_the_service_refuses_is_a_400_with_its_reason(marketer):
    assignment = AssignmentFactory(is_control=True, offer=None, campaign=CampaignFactory())

    response = marketer.post("/api/v1/responses/", {"assignment": assignment.pk, "status": "sent"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "control customers are held out: they are never sent an offer"


def test_response_with_an_unknown_status_is_refused(marketer):
    assignment = AssignmentFactory()

    response = marketer.post("/api/v1/responses/", {"assignment": assignment.pk, "status": "expired"}, format="json")

    assert response.json()["error"]["fields"] == {"status": ['"expired" is not a valid choice.']}


def test_lift_report_counts_treated_and_control(marketer):
    offer = OfferFactory()
    for status in ("accepted", "accepted", "declined", "proposed"):
        AssignmentFactory(offer=offer, status=status)
    AssignmentFactory(offer=None, campaign=offer.campaign, is_control=True, status="accepted")
    AssignmentFactory(offer=None, campaign=offer.campaign, is_control=True)

    body = marketer.get(f"/api/v1/campaigns/{offer.campaign_id}/report/").json()

    assert (body["campaign"], body["treated"], body["accepted_treated"], body["control"], body["accepted_control"]) == (
        offer.campaign_id, 4, 2, 2, 1)
    assert body["lift"]["absolute"] == 0.0
    assert body["lift"]["small_sample"] is True
    assert [row["offer"] for row in body["by_offer"]] == [None, offer.pk]


def test_audience_export_streams_a_csv(marketer):
    offer = OfferFactory(name="Cellar evening", message="See you there")
    AssignmentFactory(offer=offer, customer=CustomerFactory(external_id="5524"))
    AssignmentFactory(offer=None, campaign=offer.campaign, is_control=True)

    response = marketer.get(f"/api/v1/campaigns/{offer.campaign_id}/audience.csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{offer.campaign_id}-audience.csv"'
    assert b"".join(response.streaming_content).decode() == (
        "customer_external_id,persona,offer,message\n5524,premium,Cellar evening,See you there\n")


def test_audience_export_escapes_spreadsheet_formulas(marketer):
    offer = OfferFactory(name="=HYPERLINK(\"http://evil\")", message="-50% today @home")
    AssignmentFactory(offer=offer, customer=CustomerFactory(external_id="+4412"))

    response = marketer.get(f"/api/v1/campaigns/{offer.campaign_id}/audience.csv")

    rows = b"".join(response.streaming_content).decode().splitlines()
    assert rows[1] == "'+4412,premium,\"'=HYPERLINK(\"\"http://evil\"\")\",'-50% today @home"


def test_audience_export_filters_by_offer(marketer):
    offer = OfferFactory(name="Wanted")
    other = OfferFactory(campaign=offer.campaign, name="Other")
    AssignmentFactory(offer=offer, customer=CustomerFactory(external_id="A1"))
    AssignmentFactory(offer=other, customer=CustomerFactory(external_id="B2"))

    response = marketer.get(f"/api/v1/campaigns/{offer.campaign_id}/audience.csv?offer={offer.pk}")

    assert b"".join(response.streaming_content).decode().splitlines()[1:] == [
        "A1,premium,Wanted,A tasting evening for our best customers"]


def test_audience_export_refuses_an_offer_of_another_campaign(marketer):
    campaign = CampaignFactory()

    response = marketer.get(f"/api/v1/campaigns/{campaign.pk}/audience.csv?offer={OfferFactory().pk}")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"offer": ["No such offer in this campaign."]}


def test_audience_export_of_a_missing_campaign_is_404(marketer):
    assert marketer.get("/api/v1/campaigns/987654/audience.csv").status_code == 404
