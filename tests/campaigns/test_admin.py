"""The campaigns admin: lift report on the campaign page, attach and export actions, response actions."""
import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from campaigns.models import Offer, OfferAssignment
from core.roles import MARKETER
from segmentation.personas import PREMIUM
from tests.factories import AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = OfferAssignment.Status


@pytest.fixture
def marketer_client(client):
    user = UserFactory(username="marketer", is_staff=True)
    user.groups.add(Group.objects.get(name=MARKETER))
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_campaign_page_shows_the_lift_report_with_chart_and_verdicts(admin_client):
    campaign = CampaignFactory()
    offer = OfferFactory(campaign=campaign, name="Cellar tasting")
    AssignmentFactory(offer=offer, status=Status.ACCEPTED)
    AssignmentFactory(offer=offer, is_control=True)

    page = admin_client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])).content.decode()

    assert "Lift report: treated vs control" in page
    assert "<svg" in page and "Cellar tasting (#" in page
    assert "too few to tell (p = 1.000)" in page  # 1/1 vs 0/1: the same verdict as the report's
    assert "100.0%" in page  # the treated arm's acceptance rate


def test_attach_offers_action_gives_the_campaigns_customers_their_offers(
        marketer_client, django_capture_on_commit_callbacks):
    customers = CustomerFactory.create_batch(3, persona=PREMIUM)
    campaign = CampaignFactory(control_share=0.0)
    OfferFactory(campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        response = marketer_client.post(reverse("admin:campaigns_campaign_changelist"),
                                        {"action": "attach_offers_now", "_selected_action": [campaign.pk]},
                                        follow=True)

    given = set(OfferAssignment.objects.filter(campaign=campaign).values_list("customer_id", flat=True))
    assert given == {customer.pk for customer in customers}
    assert "Attach offers, job #" in response.content.decode()


def test_attach_button_on_the_campaign_page_attaches_that_campaign(admin_client, django_capture_on_commit_callbacks):
    CustomerFactory(persona=PREMIUM)
    campaign = CampaignFactory(control_share=0.0)
    OfferFactory(campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:campaigns_campaign_attach", args=[campaign.pk]))

    assert response.status_code == 302
    assert OfferAssignment.objects.filter(campaign=campaign).count() == 1


def test_attach_button_refuses_a_get_request(admin_client):
    campaign = CampaignFactory()

    assert admin_client.get(reverse("admin:campaigns_campaign_attach", args=[campaign.pk])).status_code == 405


def test_export_audience_action_returns_a_formula_safe_csv(marketer_client):
    offer = OfferFactory(campaign=CampaignFactory(name="Autumn"), name="Tasting", message="@SUM(A1)")
    given = AssignmentFactory(offer=offer)
    AssignmentFactory(offer=offer, is_control=True)

    response = marketer_client.post(reverse("admin:campaigns_campaign_changelist"),
                                    {"action": "export_audience_csv", "_selected_action": [offer.campaign_id]})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_rows(response) == [["campaign", "customer_external_id", "persona", "offer", "message"],
                                  ["Autumn", given.customer.external_id, PREMIUM, "Tasting", "'@SUM(A1)"]]


def test_audience_link_on_the_campaign_page_downloads_its_csv(admin_client):
    given = AssignmentFactory(offer__message="-10% today")

    response = admin_client.get(reverse("admin:campaigns_campaign_audience", args=[given.campaign_id]))

    assert csv_rows(response)[1][-1] == "'-10% today"


def test_mark_accepted_action_records_the_responses(marketer_client):
    chosen = AssignmentFactory.create_batch(2)
    untouched = AssignmentFactory()

    marketer_client.post(reverse("admin:campaigns_offerassignment_changelist"),
                         {"action": "mark_accepted", "_selected_action": [a.pk for a in chosen]})

    statuses = dict(OfferAssignment.objects.values_list("id", "status"))
    assert statuses == {chosen[0].pk: Status.ACCEPTED, chosen[1].pk: Status.ACCEPTED, untouched.pk: Status.PROPOSED}


def test_mark_sent_on_a_control_row_is_refused_with_the_reason(marketer_client):
    control = AssignmentFactory(is_control=True)

    response = marketer_client.post(reverse("admin:campaigns_offerassignment_changelist"),
                                    {"action": "mark_sent", "_selected_action": [control.pk]}, follow=True)

    assert OfferAssignment.objects.get(pk=control.pk).status == Status.PROPOSED
    assert "1 not changed: control customers are held out" in response.content.decode()


def test_offer_with_an_unknown_eligibility_rule_is_refused_by_the_form(admin_client):
    campaign = CampaignFactory()
    data = {"campaign": campaign.pk, "name": "Bad", "target_personas": '["premium"]', "target_segment_keys": "[]",
            "offer_type": Offer.Type.DISCOUNT, "value": "10", "message": "", "eligibility": '{"min_age": 30}',
            "priority": "100", "frequency_cap": "1", "is_active": "on"}

    response = admin_client.post(reverse("admin:campaigns_offer_add"), data)

    assert response.status_code == 200
    assert "unknown eligibility rule(s) [&#x27;min_age&#x27;]" in response.content.decode()
    assert not Offer.objects.filter(name="Bad").exists()


def test_new_campaign_made_in_the_admin_is_owned_by_its_author(marketer_client):
    marketer_client.post(reverse("admin:campaigns_campaign_add"), {
        "name": "From the admin", "objective": "cross_sell", "channel": "email", "status": "active",
        "control_share": "0.1", "offers-TOTAL_FORMS": "0", "offers-INITIAL_FORMS": "0",
    })

    from campaigns.models import Campaign
    assert Campaign.objects.get(name="From the admin").owner.username == "marketer"
