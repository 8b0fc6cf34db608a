"""The offer attach spread over workers (campaigns.attach_chunks on core.chunks), run here in-process chunk by
chunk: the same assignments, counts and report as the one-pass attach on the same data, and the attach tests hold
for it too."""
import pytest
from django.db import connection, transaction

from campaigns.models import Offer, OfferAssignment
from campaigns.services import campaign_create, offers_attach
from core import chunks
from core.models import JobRun
from segmentation.models import Customer
from segmentation.personas import PREMIUM
from tests.campaigns.factories import import_generated_customers
from tests.campaigns.test_byod_offers import (  # noqa: F401  (the tests run again, chunked)
    shop_segments,
    test_a_descriptive_segments_historic_response_rate_is_its_own,
    test_descriptive_segment_customers_get_the_offers_aimed_at_their_segment_key,
    test_without_any_response_history_p_accept_is_unknown_and_offers_rank_by_value,
)
from tests.campaigns.test_services import (  # noqa: F401
    shoppers,
    test_audience_cap_keeps_the_customers_with_the_highest_expected_value,
    test_control_customer_gets_a_control_row_with_the_offer_it_would_have_got_first,
    test_control_customer_who_moved_persona_is_held_out_from_the_new_offer_with_history_kept,
    test_customer_who_moved_persona_has_the_old_offer_expired_and_the_new_one_proposed,
    test_failed_run_publishes_nothing_for_any_campaign,
    test_frequency_cap_of_two_proposes_the_offer_again_after_an_answer,
    test_frequency_cap_stops_an_offer_the_customer_already_answered,
    test_recorded_acceptances_set_p_accept_of_that_persona_and_offer_type,
    test_sent_offer_is_kept_when_the_customer_moves_persona,
    test_without_a_model_p_accept_is_the_personas_smoothed_response_rate,
)
from tests.campaigns.test_trust import (  # noqa: F401
    campaign_with_an_unreachable_offer,
    test_attach_job_reports_offers_without_customers_per_campaign,
    test_attach_says_when_the_eligibility_rules_leave_an_offer_nobody,
    test_attach_says_when_the_frequency_cap_leaves_an_offer_nobody,
)
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db
Status = OfferAssignment.Status
COUNTED = ("campaigns", "customers", "unsegmented", "without_eligible_offer", "capped", "audience", "treated",
           "control", "offers_proposed", "control_rows_added", "kept", "rescored", "expired",
           "offers_without_customers")


@pytest.fixture(autouse=True)
def chunked(monkeypatch, settings):
    """Every attach takes the chunked path, in at least five chunks."""
    monkeypatch.setattr("campaigns.services.spread_over_workers", lambda: True)
    settings.JOB_CHUNKS = 5


@pytest.fixture
def two_campaigns():
    """2,000 generated customers (a propensity model trains on their history); one campaign with a control group
    and an audience cap, its premium offer for high incomes only and offered up to twice; one plain campaign."""
    import_generated_customers(2000)
    capped = campaign_create(name="Capped", with_default_offers=True, control_share=0.2, audience_cap=700)
    capped.offers.filter(target_personas=[PREMIUM]).update(eligibility={"min_income": 70000}, frequency_cap=2)
    OfferFactory(campaign=capped, name="Second premium offer", target_personas=[PREMIUM],
                 offer_type=Offer.Type.DISCOUNT, value=40)
    plain = campaign_create(name="Plain", with_default_offers=True, control_share=0.1)
    return capped, plain


def assignments() -> list[tuple]:
    return sorted(OfferAssignment.objects.values_list(
        "campaign_id", "customer_id", "offer_id", "status", "is_control", "p_accept", "score", "rank", "persona",
        "segment_key"))


def outcome(job: JobRun) -> tuple:
    report = {key: job.report[key] for key in ("campaigns", "propensity", "recorded_responses")}
    return assignments(), {key: job.counts.get(key) for key in COUNTED}, report


def chunks_of(job: JobRun) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {chunks.LEDGER} WHERE run_id = %s AND stage = %s "
                       "ORDER BY number",
                       [job.pk, "campaigns.attach"])
        return [status for (status,) in cursor.fetchall()]


def attach_both_ways(monkeypatch, chunk_count: int = 5) -> tuple[tuple, tuple]:
    """The outcome of a chunked attach (in ``chunk_count`` chunks), then (from the same state: the chunked one is
    rolled back) of the one-pass attach."""
    with transaction.atomic():
        job = offers_attach()
        assert chunks_of(job) == [chunks.DONE] * chunk_count
        chunked = outcome(job)
        transaction.set_rollback(True)
    monkeypatch.setattr("campaigns.services.spread_over_workers", lambda: False)
    job = offers_attach()
    assert chunks_of(job) == []
    monkeypatch.setattr("campaigns.services.spread_over_workers", lambda: True)
    return chunked, outcome(job)


def test_chunked_and_one_pass_attach_propose_the_same_offers(two_campaigns, monkeypatch):
    chunked, one_pass = attach_both_ways(monkeypatch)

    assert chunked == one_pass
    rows, counts, report = one_pass
    assert report["propensity"]["source"] == "customer campaign model"
    assert counts["capped"] > 0 and counts["control"] > 0 and counts["treated"] > 1000
    assert {status for _, _, _, status, *_ in rows} == {Status.PROPOSED}


def test_chunked_and_one_pass_attach_train_the_propensity_on_the_same_sample(two_campaigns, monkeypatch):
    monkeypatch.setattr("campaigns.attach_propensity.PROPENSITY_TRAINING_ROWS", 700)

    chunked, one_pass = attach_both_ways(monkeypatch)

    assert chunked == one_pass
    _, _, report = one_pass
    assert (report["propensity"]["training_rows"], report["propensity"]["customers"]) == (700, 2000)


def test_chunked_and_one_pass_attach_change_the_same_rows_after_responses_and_moves(two_campaigns, monkeypatch):
    """Recorded answers (acceptance rates, frequency caps) and customers moving persona (expiries, re-scores)."""
    capped, _ = two_campaigns
    offers_attach()
    treated = OfferAssignment.objects.filter(campaign=capped, is_control=False).order_by("id")
    answered = list(treated.values_list("id", "persona"))[::3]
    accepted = [pk for pk, persona in answered if persona == PREMIUM]  # P(accept) moves apart by persona
    declined = [pk for pk, persona in answered if persona != PREMIUM]
    treated.filter(pk__in=accepted).update(status=Status.ACCEPTED, response_source="person")
    treated.filter(pk__in=declined).update(status=Status.DECLINED, response_source="person")
    moved = Customer.objects.filter(persona=PREMIUM).order_by("id")[:150]
    Customer.objects.filter(pk__in=list(moved.values_list("pk", flat=True))).update(persona="deal_oriented")

    chunked, one_pass = attach_both_ways(monkeypatch)

    assert chunked == one_pass
    _, counts, report = one_pass
    assert report["recorded_responses"] == len(answered) > 100
    assert counts["expired"] > 0 and counts["rescored"] > 0 and counts["offers_proposed"] > 0


def test_chunked_attach_run_again_with_the_same_inputs_writes_nothing(two_campaigns):
    offers_attach()
    before = list(OfferAssignment.objects.order_by("id").values_list("id", "status", "p_accept", "score", "rank",
                                                                     "is_control", "updated_at"))

    job = offers_attach()

    assert [job.counts[k] for k in ("offers_proposed", "control_rows_added", "rescored", "expired")] == [0] * 4
    assert job.counts["kept"] == len(before)
    assert list(OfferAssignment.objects.order_by("id").values_list(
        "id", "status", "p_accept", "score", "rank", "is_control", "updated_at")) == before


def test_a_failed_chunk_publishes_nothing_and_fails_the_run(two_campaigns, monkeypatch):
    from campaigns import attach_chunks

    score = attach_chunks._score_chunk

    def disk_full_on_chunk_two(chunk):
        if chunk.number == 2:
            raise RuntimeError("disk full")
        return score(chunk)

    failing = chunks.ChunkStage("campaigns.attach", disk_full_on_chunk_two)
    monkeypatch.setitem(chunks._STAGES, "campaigns.attach", failing)

    with pytest.raises(RuntimeError, match="disk full"):
        offers_attach()

    job = JobRun.objects.get(kind=JobRun.Kind.ATTACH_OFFERS)
    assert chunks_of(job) == [chunks.DONE, chunks.DONE, chunks.FAILED, chunks.PENDING, chunks.PENDING]
    assert job.status == JobRun.Status.FAILED
    assert not OfferAssignment.objects.exists()


def test_chunked_attach_with_no_customers_proposes_nothing_and_names_every_offer(monkeypatch):
    campaign = campaign_create(name="Empty", with_default_offers=True)

    chunked, one_pass = attach_both_ways(monkeypatch, chunk_count=0)

    assert chunked == one_pass
    rows, counts, report = one_pass
    assert (rows, counts["customers"], counts["offers_without_customers"]) == ([], 0, 3)
    assert len(report["campaigns"][str(campaign.pk)]["offers_without_customers"]) == 3


def test_staged_inputs_load_only_with_their_signature():
    """A worker unpickles the run's staged inputs only when their HMAC (keyed by SECRET_KEY) holds."""
    from campaigns.attach_chunks import _sealed, _unsealed

    sealed = _sealed({"offers": [1, 2]})
    assert _unsealed(sealed) == {"offers": [1, 2]}
    signature, _, encoded = sealed.partition(":")
    forged = f"{'0' * len(signature)}:{encoded}"
    with pytest.raises(ValueError, match="signature"):
        _unsealed(forged)
