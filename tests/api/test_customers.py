"""Customers: filters, segment history, next best offers (hot: constant query count); runs and segments."""
import datetime

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from segmentation.personas import DEAL_ORIENTED, PREMIUM
from tests.factories import AssignmentFactory, MembershipFactory, SegmentationRunFactory, SegmentFactory
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(as_role):
    return as_role("marketer")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_customers_filter_by_persona(marketer):
    premium = CustomerFactory(persona=PREMIUM)
    CustomerFactory(persona=DEAL_ORIENTED)

    assert ids(marketer.get("/api/v1/customers/?persona=premium")) == [premium.pk]


def test_customers_filter_by_income_range(marketer):
    CustomerFactory(income=20000)
    middle = CustomerFactory(income=50000)
    CustomerFactory(income=90000)
    CustomerFactory(income=None)

    assert ids(marketer.get("/api/v1/customers/?income_min=40000&income_max=60000")) == [middle.pk]


def test_customers_filter_by_segment_and_segment_key(marketer):
    segment = SegmentFactory(key=3)
    inside = CustomerFactory(segment=segment)
    CustomerFactory(segment=SegmentFactory(key=4))

    assert ids(marketer.get(f"/api/v1/customers/?segment={segment.pk}")) == [inside.pk]
    assert ids(marketer.get("/api/v1/customers/?segment_key=3")) == [inside.pk]


def test_customers_search_matches_the_start_of_the_external_id(marketer):
    wanted = CustomerFactory(external_id="5524")
    CustomerFactory(external_id="1552")

    assert ids(marketer.get("/api/v1/customers/?search=552")) == [wanted.pk]


def test_customers_order_by_income_descending(marketer):
    low, high = CustomerFactory(income=10000), CustomerFactory(income=90000)

    assert ids(marketer.get("/api/v1/customers/?ordering=-income")) == [high.pk, low.pk]


def test_customer_detail_names_the_current_segment(marketer):
    segment = SegmentFactory(key=2, label="Deal hunters", persona=DEAL_ORIENTED)
    customer = CustomerFactory(segment=segment, persona=DEAL_ORIENTED)

    body = marketer.get(f"/api/v1/customers/{customer.pk}/").json()

    assert (body["segment"], body["segment_key"], body["segment_label"], body["persona"]) == (
        segment.pk, 2, "Deal hunters", DEAL_ORIENTED)
    assert body["total_spend"] == 560


def test_customer_list_pages_hold_fifty_rows(marketer):
    CustomerFactory.create_batch(51)

    body = marketer.get("/api/v1/customers/").json()

    assert (body["count"], len(body["results"])) == (51, 50)
    assert body["next"].endswith("/api/v1/customers/?page=2")


def test_unknown_and_impossible_customer_ids_are_404(marketer):
    assert marketer.get("/api/v1/customers/424242/").status_code == 404
    assert marketer.get("/api/v1/customers/424242/offers/").status_code == 404
    assert marketer.get("/api/v1/customers/-1/offers/").status_code == 404
    assert marketer.get("/api/v1/customers/99999999999999999999/segments/").status_code == 404


def test_segment_history_lists_runs_newest_first(marketer):
    customer = CustomerFactory()
    old_run = SegmentationRunFactory()
    new_run = SegmentationRunFactory(is_current=True)
    SegmentationRunFactory._meta.model.objects.filter(pk=old_run.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=1))
    MembershipFactory(customer=customer, segment=SegmentFactory(run=old_run, key=1, label="Old"))
    MembershipFactory(customer=customer, segment=SegmentFactory(run=new_run, key=1, label="New"))

    body = marketer.get(f"/api/v1/customers/{customer.pk}/segments/").json()

    assert [(row["run"], row["segment_label"], row["run_is_current"]) for row in body["results"]] == [
        (new_run.pk, "New", True), (old_run.pk, "Old", False)]


def test_next_best_offers_are_ranked_by_expected_value(marketer):
    customer = CustomerFactory()
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    low = AssignmentFactory(customer=customer, offer=OfferFactory(campaign=campaign, value=10), score=2.5)
    high = AssignmentFactory(customer=customer, offer=OfferFactory(campaign=campaign, value=100), score=25.0,
                             p_accept=0.25)

    body = marketer.get(f"/api/v1/customers/{customer.pk}/offers/").json()

    assert [(row["offer"], row["rank"]) for row in body["results"]] == [(high.offer_id, 1), (low.offer_id, 2)]
    assert body["results"][0] | {"assignment": 0} == {
        "assignment": 0, "offer": high.offer_id, "name": high.offer.name, "offer_type": "premium_product",
        "value": "100.00", "message": "A tasting evening for our best customers", "p_accept": 0.25,
        "expected_value": 25.0, "rank": 1, "campaign_rank": 1, "campaign": campaign.pk,
        "campaign_name": campaign.name}
    assert (body["customer"], body["external_id"]) == (customer.pk, customer.external_id)


@pytest.mark.parametrize("offers", [1, 20])
def test_next_best_offers_take_two_queries_however_many_offers(marketer, django_assert_num_queries, offers):
    customer = CustomerFactory()
    campaign = CampaignFactory(status=Campaign.Status.ACTIVE)
    for _ in range(offers):
        AssignmentFactory(customer=customer, offer=OfferFactory(campaign=campaign))

    # token with user and roles; offers with the customer's columns
    with django_assert_num_queries(2):
        response = marketer.get(f"/api/v1/customers/{customer.pk}/offers/")

    assert len(response.json()["results"]) == offers


def test_customer_without_offers_gets_an_empty_list_in_three_queries(marketer, django_assert_num_queries):
    customer = CustomerFactory()
    AssignmentFactory(customer=customer, is_control=True)

    # token with user and roles; no offer rows; the customer by primary key
    with django_assert_num_queries(3):
        response = marketer.get(f"/api/v1/customers/{customer.pk}/offers/")

    assert response.status_code == 200
    assert response.json() == {"customer": customer.pk, "external_id": customer.external_id,
                               "persona": customer.persona, "results": []}


def test_current_run_comes_with_its_segments(marketer):
    SegmentationRunFactory()
    current = SegmentationRunFactory(is_current=True, chosen_k=2)
    first, second = SegmentFactory(run=current, key=0), SegmentFactory(run=current, key=1)

    body = marketer.get("/api/v1/segmentation-runs/current/").json()

    assert (body["id"], body["chosen_k"]) == (current.pk, 2)
    assert [segment["id"] for segment in body["segments"]] == [first.pk, second.pk]


def test_current_run_is_404_before_any_run(marketer):
    assert marketer.get("/api/v1/segmentation-runs/current/").status_code == 404


def test_segments_filter_to_the_current_run(marketer):
    SegmentFactory(run=SegmentationRunFactory())
    current = SegmentFactory(run=SegmentationRunFactory(is_current=True), profile={"income": 71000.0})

    body = marketer.get("/api/v1/segments/?current=true").json()

    assert [(row["id"], row["profile"]) for row in body["results"]] == [(current.pk, {"income": 71000.0})]
