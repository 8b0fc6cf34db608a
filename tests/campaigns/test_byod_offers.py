"""Offers on a company's own customer file (#12): descriptive segments (persona "") are reached by their segment
key, counts and flags the file lacks are unknown (not zero), and with no response history P(accept) is unknown."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from campaigns.frames import customers_frame
from campaigns.ml.features import customer_features
from campaigns.ml.ranking import eligibility_mask
from campaigns.models import OfferAssignment
from campaigns.services import offers_attach
from core.models import JobRun
from operations.synthetic import write_foreign_dataset
from segmentation.models import Customer, Segment, SegmentationRun
from segmentation.personas import PREMIUM
from segmentation.services import customers_import, customers_recluster
from tests.factories import CampaignFactory, CustomerFactory, OfferFactory

pytestmark = pytest.mark.django_db

SHOP_PROFILE = "high income · low spending score"
UNKNOWN_COUNTS = dict(year_birth=None, kidhome=None, teenhome=None, recency=None, mnt_wines=None, mnt_fruits=None,
                      mnt_meat_products=None, mnt_fish_products=None, mnt_sweet_products=None, mnt_gold_prods=None,
                      num_deals_purchases=None, num_web_purchases=None, num_catalog_purchases=None,
                      num_store_purchases=None, num_web_visits_month=None, dt_customer=None)


def shop_customer(**fields) -> Customer:
    """A customer of a file with only an id and income: every count, date and flag unknown."""
    return CustomerFactory(**{**UNKNOWN_COUNTS, **fields})


@pytest.fixture
def shop_segments():
    """Current run: key 0 descriptive (3 customers), key 1 premium (2); one customer with no segment at all."""
    run = SegmentationRun.objects.create(status=SegmentationRun.Status.SUCCEEDED, is_current=True)
    described = Segment.objects.create(run=run, key=0, persona="", label=SHOP_PROFILE, size=3)
    premium = Segment.objects.create(run=run, key=1, persona=PREMIUM, label="premium", size=2)
    customers = {
        "described": [shop_customer(segment=described, persona="") for _ in range(3)],
        "premium": [shop_customer(segment=premium, persona=PREMIUM) for _ in range(2)],
        "unsegmented": [shop_customer(persona="")],
    }
    return run, customers


def offered(offer) -> set[int]:
    return set(OfferAssignment.objects.filter(offer=offer, is_control=False).values_list("customer_id", flat=True))


def ids(customers) -> set[int]:
    return {customer.pk for customer in customers}


def test_customers_frame_keeps_counts_and_flags_the_file_lacks_unknown():
    shop_customer(income=None)
    CustomerFactory(kidhome=2, complain=False, response=True)

    frame = customers_frame()

    assert frame["kidhome"].tolist()[1] == 2.0
    assert np.isnan(frame["kidhome"].tolist()[0])  # unknown, not 0
    assert frame["complain"].isna().tolist() == [True, False]
    assert frame["response"].tolist()[1] is True


def test_descriptive_segment_customers_get_the_offers_aimed_at_their_segment_key(shop_segments):
    _, customers = shop_segments
    campaign = CampaignFactory(control_share=0.0)
    by_key = OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=[0], value=10)
    by_persona = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=10)

    job = offers_attach()

    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert offered(by_key) == ids(customers["described"])
    assert offered(by_persona) == ids(customers["premium"])
    assert [job.counts[name] for name in ("customers", "unsegmented", "without_eligible_offer", "treated")] == [
        6, 1, 0, 5]


def test_a_persona_offer_never_reaches_a_descriptive_segment(shop_segments):
    campaign = CampaignFactory(control_share=0.0)
    by_persona = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=10)

    job = offers_attach()

    assert len(offered(by_persona)) == 2
    assert (job.counts["unsegmented"], job.counts["without_eligible_offer"]) == (1, 3)


def test_without_any_response_history_p_accept_is_unknown_and_offers_rank_by_value(shop_segments):
    _, customers = shop_segments
    campaign = CampaignFactory(control_share=0.0)
    small = OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=[0], value=10)
    large = OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=[0], value=30)

    job = offers_attach()

    rows = OfferAssignment.objects.filter(campaign=campaign)
    assert set(rows.filter(offer=large).values_list("rank", "p_accept", "score")) == {(1, None, None)}
    assert set(rows.filter(offer=small).values_list("rank", "p_accept", "score")) == {(2, None, None)}
    assert job.report["propensity"]["source"] == "none"


def test_a_descriptive_segments_historic_response_rate_is_its_own(shop_segments):
    run, _ = shop_segments
    other = Segment.objects.create(run=run, key=2, persona="", label="low income · high spending score", size=4)
    described = Segment.objects.get(run=run, key=0)
    responders = [shop_customer(segment=described, response=index < 2) for index in range(4)]
    quiet = [shop_customer(segment=other, response=False) for _ in range(4)]
    campaign = CampaignFactory(control_share=0.0)
    offer = OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=[0, 2], value=100)

    offers_attach()

    # 8 customers with a known response, 2 responded: overall 0.25; key 0 (2 + 20 x 0.25) / (4 + 20),
    # key 2 (0 + 5) / 24; key 0's customers with no known response get key 0's rate.
    p_accept = dict(OfferAssignment.objects.filter(offer=offer).values_list("customer_id", "p_accept"))
    assert {p_accept[customer.pk] for customer in responders} == {0.291667}
    assert {p_accept[customer.pk] for customer in quiet} == {0.208333}
    assert {p for customer, p in p_accept.items() if customer not in ids(responders + quiet)} == {0.291667}


def test_the_shops_file_gets_offers_for_every_segment_it_is_aimed_at(tmp_path):
    shop_file = write_foreign_dataset(tmp_path, customers=200, leads=0, seed=42)["customers"]
    assert customers_import(source=shop_file).status == JobRun.Status.SUCCEEDED
    run = customers_recluster()
    keys = sorted(run.segments.values_list("key", flat=True))
    campaign = CampaignFactory(control_share=0.0)
    offer = OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=keys[:2], value=10)

    job = offers_attach()

    in_targeted = Customer.objects.filter(segment__run=run, segment__key__in=keys[:2]).count()
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert set(run.segments.values_list("persona", flat=True)) == {""}
    assert (job.counts["unsegmented"], job.counts["offers_proposed"]) == (0, in_targeted)
    assert len(offered(offer)) == in_targeted > 0


def test_unknown_values_fail_the_rules_that_need_them():
    customers = pd.DataFrame({
        "income": [np.nan, 60000.0, 60000.0, 60000.0],
        "kidhome": [np.nan, np.nan, 0.0, np.nan],
        "teenhome": [np.nan, 1.0, 0.0, np.nan],
        "recency": [10.0, np.nan, 10.0, 10.0],
        "complain": pd.array([pd.NA, False, True, pd.NA], dtype="boolean"),
    })

    assert eligibility_mask(customers, {"min_income": 1}).tolist() == [False, True, True, True]
    assert eligibility_mask(customers, {"requires_children": True}).tolist() == [False, True, False, False]
    assert eligibility_mask(customers, {"max_recency_days": 30}).tolist() == [True, False, True, True]
    assert eligibility_mask(customers, {"exclude_complainers": True}).tolist() == [False, True, False, False]


def test_propensity_features_of_a_file_without_spend_or_campaign_columns_are_unknown_not_zero():
    customers = pd.DataFrame({"income": [50000.0, 80000.0], "dt_customer": pd.to_datetime(["2014-01-01", None])})

    features = customer_features(customers)

    assert features["income_log"].round(4).tolist() == [10.8198, 11.2898]
    for name in ("total_spend_log", "purchases_total", "prior_acceptances", "age", "complained", "recency_days"):
        assert features[name].isna().all(), name
    assert features["tenure_days"].tolist()[0] == 0.0
