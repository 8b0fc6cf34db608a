"""Campaign services: creating campaigns, attaching offers (the nightly job) and recording responses."""
import datetime

import factory
import pytest
from django.utils import timezone

from campaigns.frames import recorded_responses_frame
from campaigns.models import Campaign, Offer, OfferAssignment, OfferTemplate
from campaigns.selectors import campaign_lift_report
from campaigns.services import (campaign_create, offer_response_record, offer_responses_import,
                                offer_responses_simulate, offers_attach)
from campaigns.tasks import attach_offers
from core.errors import UserError
from core.job_runs import JobAlreadyRunning
from core.jobs import job_enqueue
from core.models import JobRun
from segmentation.models import Customer, Segment, SegmentationRun
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from segmentation.services import customers_import, customers_recluster
from tests.campaigns.factories import import_generated_customers, personas_by_income_tercile
from tests.factories import AssignmentFactory, CampaignFactory, CustomerFactory, OfferFactory
from tests.shared_data import CUSTOMERS_FILE, shared_data_path

pytestmark = pytest.mark.django_db
Status = OfferAssignment.Status
Source = OfferAssignment.ResponseSource


def live_rows(campaign):
    return OfferAssignment.objects.filter(campaign=campaign).exclude(status=Status.EXPIRED)


# --- creating campaigns -------------------------------------------------------------------------------------

def test_campaign_create_makes_an_active_campaign_with_the_given_control_share():
    campaign = campaign_create(name="Spring", control_share=0.2)

    assert (campaign.status, campaign.control_share, campaign.offers.count()) == (Campaign.Status.ACTIVE, 0.2, 0)


def test_default_offers_copy_each_personas_template_into_an_offer_for_that_persona():
    campaign = campaign_create(name="Spring", with_default_offers=True)

    offers = sorted((o.target_personas, o.offer_type, o.value, o.name) for o in campaign.offers.all())
    assert offers == [
        ([DEAL_ORIENTED], Offer.Type.DISCOUNT, 25, "20% off this weekend"),
        ([PREMIUM], Offer.Type.PREMIUM_PRODUCT, 120, "Cellar tasting evening"),
        ([VALUE_FAMILY], Offer.Type.BUNDLE, 60, "Family value bundle"),
    ]


def test_edited_template_is_what_new_campaigns_get():
    OfferTemplate.objects.filter(persona=PREMIUM).update(name="Chef's table", value=200)

    campaign = campaign_create(name="Spring", with_default_offers=True)

    assert campaign.offers.get(target_personas=[PREMIUM]).name == "Chef's table"


def test_a_taken_campaign_name_is_refused():
    campaign_create(name="Spring")

    with pytest.raises(UserError, match="a campaign named 'Spring' already exists"):
        campaign_create(name="Spring")


def test_get_existing_returns_the_campaign_of_that_name_without_adding_offers():
    first = campaign_create(name="Demo", with_default_offers=True)

    again = campaign_create(name="Demo", with_default_offers=True, get_existing=True)

    assert (again.pk, again.offers.count()) == (first.pk, 3)


def test_template_with_an_unknown_eligibility_rule_is_refused_and_nothing_is_created():
    OfferTemplate.objects.filter(persona=PREMIUM).update(eligibility={"min_age": 30})

    with pytest.raises(UserError, match=r"offer template 'Cellar tasting evening': unknown eligibility rule"):
        campaign_create(name="Spring", with_default_offers=True)
    assert Campaign.objects.count() == 0


def test_control_share_above_ninety_percent_is_refused():
    with pytest.raises(UserError, match="control_share"):
        campaign_create(name="Spring", control_share=0.95)


# --- attaching offers on real and generated customers --------------------------------------------------------

@pytest.fixture
def real_customers():
    job = customers_import(source=shared_data_path(*CUSTOMERS_FILE))
    assert job.status == JobRun.Status.SUCCEEDED
    personas_by_income_tercile()


def test_every_eligible_real_customer_gets_the_offer_of_its_persona(real_customers):
    campaign = campaign_create(name="Autumn", with_default_offers=True)

    offers_attach()

    eligible = dict(Customer.objects.exclude(persona="").filter(complain=False).values_list("id", "persona"))
    given = {row.customer_id: row.offer.target_personas for row in live_rows(campaign).select_related("offer")}
    assert len(eligible) == 2195
    assert given == {customer: [persona] for customer, persona in eligible.items()}


def test_real_customers_without_persona_or_eligible_offer_are_counted(real_customers):
    campaign_create(name="Autumn", with_default_offers=True)

    job = offers_attach()

    assert (job.counts["unsegmented"], job.counts["without_eligible_offer"]) == (24, 21)


def test_attach_reports_the_propensity_models_held_out_roc_auc(real_customers):
    campaign_create(name="Autumn", with_default_offers=True)

    report = offers_attach().report["propensity"]

    assert report["model"] in report["held_out_roc_auc_by_candidate"]
    assert report["held_out_roc_auc"] == report["held_out_roc_auc_by_candidate"][report["model"]]
    assert report["held_out_roc_auc"] > 0.8
    assert report["training_rows"] == 2240


def test_offers_follow_the_personas_and_segments_published_by_a_recluster():
    customers_import(source=shared_data_path(*CUSTOMERS_FILE))
    run = customers_recluster()
    campaign = campaign_create(name="Autumn", with_default_offers=True)

    offers_attach()

    eligible = Customer.objects.exclude(persona="").filter(complain=False).select_related("segment")
    expected = {c.pk: (c.persona, c.segment.key if c.segment else None, run.pk) for c in eligible}
    given = {row[0]: row[1:] for row in live_rows(campaign).values_list(
        "customer_id", "persona", "segment_key", "segmentation_run_id")}
    assert len(expected) > 2000
    assert given == expected


@pytest.mark.slow
def test_control_share_on_100000_generated_customers_is_within_one_point():
    import_generated_customers(100_000)
    campaign = campaign_create(name="Big", with_default_offers=True, control_share=0.10)

    counts = offers_attach(campaign=campaign).counts

    assert abs(counts["control"] / counts["audience"] - 0.10) <= 0.01


def test_control_group_is_the_same_customers_on_a_second_run():
    import_generated_customers(3000)
    campaign = campaign_create(name="Big", with_default_offers=True)
    offers_attach()
    first = set(live_rows(campaign).filter(is_control=True).values_list("customer_id", flat=True))

    offers_attach()

    assert set(live_rows(campaign).filter(is_control=True).values_list("customer_id", flat=True)) == first


def test_second_run_with_the_same_inputs_writes_nothing():
    import_generated_customers(3000)
    campaign = campaign_create(name="Big", with_default_offers=True)
    offers_attach()
    before = list(OfferAssignment.objects.order_by("id").values_list("id", "status", "score", "rank", "updated_at"))

    counts = offers_attach().counts

    assert [counts[k] for k in ("offers_proposed", "control_rows_added", "rescored", "expired")] == [0, 0, 0, 0]
    assert list(OfferAssignment.objects.order_by("id").values_list(
        "id", "status", "score", "rank", "updated_at")) == before
    assert counts["kept"] == live_rows(campaign).count()


# --- attaching offers: small, hand-checkable cases ------------------------------------------------------------

@pytest.fixture
def shoppers():
    """Four premium and four deal-oriented customers; half the premium ones answered the last campaign."""
    premium = [CustomerFactory(persona=PREMIUM, response=index < 2, income=90000) for index in range(4)]
    deal = [CustomerFactory(persona=DEAL_ORIENTED, income=30000, response=False) for _ in range(4)]
    return premium, deal


def no_control(**fields):
    return CampaignFactory(control_share=0.0, **fields)


def test_without_a_model_p_accept_is_the_personas_smoothed_response_rate(shoppers):
    campaign = no_control()
    premium_offer = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=120)
    deal_offer = OfferFactory(campaign=campaign, target_personas=[DEAL_ORIENTED], offer_type=Offer.Type.DISCOUNT,
                              value=30)

    offers_attach()

    # overall rate 2/8; premium (2 + 20 x 0.25) / (4 + 20), deal (0 + 5) / 24
    assert set(OfferAssignment.objects.filter(offer=premium_offer).values_list("p_accept", "score")) == {
        (0.291667, 35.0)}
    assert set(OfferAssignment.objects.filter(offer=deal_offer).values_list("p_accept", "score")) == {
        (0.208333, 6.25)}


def test_recorded_acceptances_set_p_accept_of_that_persona_and_offer_type(shoppers):
    premium, deal = shoppers
    earlier = CampaignFactory(status=Campaign.Status.ENDED)
    for index, customer in enumerate(premium):
        AssignmentFactory(offer__campaign=earlier, customer=customer,
                          status=Status.ACCEPTED if index < 3 else Status.DECLINED)
    for index, customer in enumerate(deal):
        AssignmentFactory(offer__campaign=earlier, offer__offer_type=Offer.Type.DISCOUNT, customer=customer,
                          persona=DEAL_ORIENTED, status=Status.ACCEPTED if index < 1 else Status.DECLINED)
    campaign = no_control()
    offer = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=100)

    job = offers_attach()

    # overall 4/8 accepted; premium x premium product smoothed (3 + 20 x 0.5) / (4 + 20)
    assert set(OfferAssignment.objects.filter(offer=offer).values_list("p_accept", flat=True)) == {0.541667}
    assert job.report["recorded_responses"] == 8


def test_offers_are_ranked_by_expected_value_for_each_customer(shoppers):
    campaign = no_control()
    small = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=50)
    large = OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=80)

    offers_attach()

    ranks = set(OfferAssignment.objects.filter(campaign=campaign).values_list("offer_id", "rank"))
    assert ranks == {(large.pk, 1), (small.pk, 2)}


def test_eligibility_rules_keep_out_customers_who_fail_them(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    OfferFactory(campaign=campaign, target_personas=[PREMIUM, DEAL_ORIENTED], eligibility={"min_income": 50000})

    offers_attach()

    assert set(live_rows(campaign).values_list("customer_id", flat=True)) == {c.pk for c in premium}


def test_offer_can_target_a_segment_key_instead_of_a_persona():
    run = SegmentationRun.objects.create(status=SegmentationRun.Status.SUCCEEDED, is_current=True)
    segment = Segment.objects.create(run=run, key=5, persona=VALUE_FAMILY, label="Young families")
    inside = CustomerFactory(persona=VALUE_FAMILY, segment=segment)
    CustomerFactory(persona=VALUE_FAMILY)
    campaign = no_control()
    OfferFactory(campaign=campaign, target_personas=[], target_segment_keys=[5])

    offers_attach()

    assert list(live_rows(campaign).values_list("customer_id", "segment_key", "segmentation_run_id")) == [
        (inside.pk, 5, run.pk)]


def test_customers_without_a_persona_get_nothing_and_are_counted():
    CustomerFactory(persona="")
    CustomerFactory(persona="", unsegmented_reason="too many unknown values")
    campaign = no_control()
    OfferFactory(campaign=campaign)

    job = offers_attach()

    assert (live_rows(campaign).count(), job.counts["unsegmented"]) == (0, 2)


def test_control_customer_gets_a_control_row_with_the_offer_it_would_have_got_first():
    CustomerFactory.create_batch(6, persona=PREMIUM, response=factory.Iterator([True, False]))
    campaign = CampaignFactory(control_share=0.9)
    OfferFactory(campaign=campaign, value=10)
    best = OfferFactory(campaign=campaign, value=90)

    offers_attach()

    control_rows = set(live_rows(campaign).filter(is_control=True).values_list("offer_id", "rank"))
    held_out = live_rows(campaign).filter(is_control=True).values("customer").distinct().count()
    assert control_rows == {(best.pk, 1)}
    assert held_out == live_rows(campaign).filter(is_control=True).count() >= 1


def test_customer_who_moved_persona_has_the_old_offer_expired_and_the_new_one_proposed(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    premium_offer = OfferFactory(campaign=campaign, target_personas=[PREMIUM])
    deal_offer = OfferFactory(campaign=campaign, target_personas=[DEAL_ORIENTED])
    offers_attach()
    mover = premium[0]
    Customer.objects.filter(pk=mover.pk).update(persona=DEAL_ORIENTED)

    offers_attach()

    history = list(OfferAssignment.objects.filter(customer=mover).order_by("id").values_list("offer_id", "status",
                                                                                            "persona"))
    assert history == [(premium_offer.pk, Status.EXPIRED, PREMIUM), (deal_offer.pk, Status.PROPOSED, DEAL_ORIENTED)]


def test_control_customer_who_moved_persona_is_held_out_from_the_new_offer_with_history_kept():
    customers = CustomerFactory.create_batch(6, persona=PREMIUM, response=factory.Iterator([True, False]))
    campaign = CampaignFactory(control_share=0.9)
    premium_offer = OfferFactory(campaign=campaign, target_personas=[PREMIUM])
    deal_offer = OfferFactory(campaign=campaign, target_personas=[DEAL_ORIENTED])
    offers_attach()
    held_out = set(live_rows(campaign).filter(is_control=True).values_list("customer_id", flat=True))
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(persona=DEAL_ORIENTED)

    offers_attach()

    control_history = set(OfferAssignment.objects.filter(is_control=True).values_list("customer_id", "offer_id",
                                                                                      "status"))
    assert held_out
    assert control_history == {(customer, premium_offer.pk, Status.EXPIRED) for customer in held_out} | {
        (customer, deal_offer.pk, Status.PROPOSED) for customer in held_out}


def test_sent_offer_is_kept_when_the_customer_moves_persona(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    OfferFactory(campaign=campaign, target_personas=[PREMIUM])
    offers_attach()
    sent = OfferAssignment.objects.get(customer=premium[0])
    offer_response_record(assignment=sent, status=Status.SENT)
    Customer.objects.filter(pk=premium[0].pk).update(persona=VALUE_FAMILY)

    offers_attach()

    assert OfferAssignment.objects.get(pk=sent.pk).status == Status.SENT


def test_customer_who_lost_its_persona_has_pending_offers_expired(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    OfferFactory(campaign=campaign, target_personas=[PREMIUM])
    offers_attach()
    Customer.objects.filter(pk=premium[0].pk).update(persona="")

    job = offers_attach()

    assert OfferAssignment.objects.get(customer=premium[0]).status == Status.EXPIRED
    assert job.counts["expired"] == 1


def test_audience_cap_keeps_the_customers_with_the_highest_expected_value(shoppers):
    premium, _ = shoppers
    campaign = no_control(audience_cap=3)
    OfferFactory(campaign=campaign, target_personas=[PREMIUM], value=200)
    OfferFactory(campaign=campaign, target_personas=[DEAL_ORIENTED], value=40)

    job = offers_attach()

    assert set(live_rows(campaign).values_list("customer_id", flat=True)) == {c.pk for c in premium[:3]}
    assert (job.counts["treated"], job.counts["capped"]) == (3, 5)


def test_frequency_cap_stops_an_offer_the_customer_already_answered(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    offer = OfferFactory(campaign=campaign, target_personas=[PREMIUM], frequency_cap=1)
    offers_attach()
    offer_response_record(assignment=OfferAssignment.objects.get(customer=premium[0]), status=Status.DECLINED)

    offers_attach()

    assert list(OfferAssignment.objects.filter(customer=premium[0], offer=offer).values_list("status", flat=True)) == [
        Status.DECLINED]


def test_frequency_cap_of_two_proposes_the_offer_again_after_an_answer(shoppers):
    premium, _ = shoppers
    campaign = no_control()
    OfferFactory(campaign=campaign, target_personas=[PREMIUM], frequency_cap=2)
    offers_attach()
    offer_response_record(assignment=OfferAssignment.objects.get(customer=premium[0]), status=Status.DECLINED)

    offers_attach()

    assert sorted(OfferAssignment.objects.filter(customer=premium[0]).values_list("status", flat=True)) == [
        Status.DECLINED, Status.PROPOSED]


def test_only_campaigns_running_today_get_offers(shoppers):
    today = timezone.localdate()
    running = no_control(starts_on=today, ends_on=today)
    draft = no_control(status=Campaign.Status.DRAFT)
    finished = no_control(ends_on=today - datetime.timedelta(days=1))
    for campaign in (running, draft, finished):
        OfferFactory(campaign=campaign)

    offers_attach()

    assert set(OfferAssignment.objects.values_list("campaign_id", flat=True)) == {running.pk}


def test_attaching_a_draft_campaign_is_refused_and_recorded():
    draft = CampaignFactory(status=Campaign.Status.DRAFT, name="Later")

    with pytest.raises(UserError, match="campaign 'Later' is not running today"):
        offers_attach(campaign=draft)
    assert JobRun.objects.get(kind=JobRun.Kind.ATTACH_OFFERS).status == JobRun.Status.FAILED


def test_offer_with_invalid_rules_fails_the_run_with_a_clear_message(shoppers):
    campaign = no_control()
    OfferFactory(campaign=campaign, name="Bad", eligibility={"min_income": "lots"})

    with pytest.raises(UserError, match="offer 'Bad'.*'min_income' must be a non-negative number"):
        offers_attach()
    assert OfferAssignment.objects.count() == 0


def test_failed_run_publishes_nothing_for_any_campaign(shoppers, monkeypatch):
    first, second = no_control(), no_control()
    OfferFactory(campaign=first)
    OfferFactory(campaign=second)
    import campaigns.services as services
    real_publish, calls = services.plan_publish, []

    def publish_then_fail(plan, **kwargs):
        calls.append(plan.campaign_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_publish(plan, **kwargs)

    monkeypatch.setattr(services, "plan_publish", publish_then_fail)

    with pytest.raises(RuntimeError):
        offers_attach()
    assert OfferAssignment.objects.count() == 0
    assert JobRun.objects.get(kind=JobRun.Kind.ATTACH_OFFERS).error == "RuntimeError: disk full"


def test_attach_while_another_attach_runs_is_refused():
    JobRun.objects.create(kind=JobRun.Kind.ATTACH_OFFERS, status=JobRun.Status.RUNNING, lock_key="attach_offers",
                          heartbeat_at=timezone.now())

    with pytest.raises(JobAlreadyRunning):
        offers_attach()


def test_task_runs_the_attach_job_enqueued_for_a_campaign(shoppers, django_capture_on_commit_callbacks):
    campaign = no_control()
    OfferFactory(campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind=JobRun.Kind.ATTACH_OFFERS, params={"campaign_id": campaign.pk})

    job.refresh_from_db()
    assert (job.status, job.counts["offers_proposed"]) == (JobRun.Status.SUCCEEDED, 4)


def test_task_records_a_refused_run_without_raising():
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    job = JobRun.objects.create(kind=JobRun.Kind.ATTACH_OFFERS)

    result = attach_offers(job_id=job.pk, campaign_id=draft.pk)

    assert (result["job"], result["status"]) == (job.pk, JobRun.Status.FAILED)


# --- responses -------------------------------------------------------------------------------------------------

def test_accepting_an_offer_records_status_time_and_who():
    from tests.factories import UserFactory
    marketer = UserFactory()
    assignment = AssignmentFactory()

    recorded = offer_response_record(assignment=assignment, status=Status.ACCEPTED, user=marketer)

    stored = OfferAssignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.responded_by, stored.responded_at is not None) == (Status.ACCEPTED, marketer, True)
    assert recorded.status == Status.ACCEPTED


def test_control_row_can_be_marked_accepted_when_the_customer_converted_anyway():
    control = AssignmentFactory(is_control=True)

    assert offer_response_record(assignment=control, status=Status.ACCEPTED).status == Status.ACCEPTED


def test_control_row_cannot_be_sent():
    control = AssignmentFactory(is_control=True)

    with pytest.raises(UserError, match="never sent an offer"):
        offer_response_record(assignment=control, status=Status.SENT)


def test_expired_offer_cannot_be_answered():
    expired = AssignmentFactory(status=Status.EXPIRED)

    with pytest.raises(UserError, match="this offer is expired"):
        offer_response_record(assignment=expired, status=Status.ACCEPTED)


def test_an_answer_can_be_corrected():
    assignment = AssignmentFactory(status=Status.ACCEPTED)

    assert offer_response_record(assignment=assignment, status=Status.DECLINED).status == Status.DECLINED


def test_a_status_that_is_not_a_response_is_refused():
    with pytest.raises(UserError, match="not 'expired'"):
        offer_response_record(assignment=AssignmentFactory(), status=Status.EXPIRED)


def test_an_answer_recorded_by_someone_is_from_a_person():
    assignment = offer_response_record(assignment=AssignmentFactory(), status=Status.ACCEPTED)

    assert OfferAssignment.objects.get(pk=assignment.pk).response_source == Source.PERSON


def test_sending_an_offer_records_no_response_source():
    assignment = offer_response_record(assignment=AssignmentFactory(), status=Status.SENT)

    assert OfferAssignment.objects.get(pk=assignment.pk).response_source == ""


# --- responses from a file -------------------------------------------------------------------------------------

@pytest.fixture
def answered_campaign():
    campaign = CampaignFactory(name="Autumn")
    first = AssignmentFactory(offer__campaign=campaign, customer__external_id="A1", rank=1)
    AssignmentFactory(offer__campaign=campaign, customer=first.customer, rank=2)
    control = AssignmentFactory(offer__campaign=campaign, customer__external_id="B2", is_control=True)
    return campaign, first, control


def test_response_file_answers_the_first_offer_and_the_control_row(answered_campaign):
    campaign, first, control = answered_campaign
    source = f"customer_id,campaign,status\nA1,Autumn,accepted\nB2,{campaign.pk},accepted\n".encode()

    result = offer_responses_import(source=source)

    statuses = dict(OfferAssignment.objects.filter(status=Status.ACCEPTED).values_list("id", "is_control"))
    assert (result["recorded"], result["rejected"], statuses) == (2, 0, {first.pk: False, control.pk: True})
    assert set(OfferAssignment.objects.filter(status=Status.ACCEPTED).values_list("response_source", flat=True)) == {
        Source.FILE}


def test_response_file_reports_each_line_it_cannot_use_with_the_reason(answered_campaign):
    source = (b"customer_id,campaign,status,offer\nA1,Nope,accepted,\nZZ,Autumn,accepted,\n"
              b"B2,Autumn,sent,\nA1,Autumn,maybe,\n")

    result = offer_responses_import(source=source)

    assert [(e["row"], e["column"], e["reason"]) for e in result["errors"]] == [
        (2, "campaign", "no campaign with this id or name"),
        (3, "customer_id", "no offer (or control row) of this customer in the campaign"),
        (4, "status", "control customers are held out: they are never sent an offer"),
        (5, "status", "must be one of sent, accepted, declined"),
    ]
    assert (result["recorded"], OfferAssignment.objects.exclude(status=Status.PROPOSED).count()) == (0, 0)


def test_response_file_can_name_the_offer_answered(answered_campaign):
    campaign, first, _ = answered_campaign
    second = OfferAssignment.objects.get(customer=first.customer, rank=2)

    offer_responses_import(source=f"customer_id,campaign,status,offer\nA1,Autumn,declined,{second.offer_id}\n".encode())

    assert OfferAssignment.objects.get(pk=second.pk).status == Status.DECLINED


# --- simulated responses (the demo) ----------------------------------------------------------------------------

@pytest.fixture
def simulated_campaign():
    import_generated_customers(3000)
    campaign = campaign_create(name="Demo", with_default_offers=True)
    offers_attach()
    return campaign, offer_responses_simulate(campaign=campaign, seed=42)


def test_simulated_responses_are_labelled_as_simulated(simulated_campaign):
    campaign, counts = simulated_campaign

    answered = OfferAssignment.objects.filter(campaign=campaign, status__in=(Status.ACCEPTED, Status.DECLINED))
    assert set(answered.values_list("response_source", flat=True)) == {Source.SIMULATION}
    assert answered.count() == counts["treated_answered"] + counts["control_answered"]
    assert campaign_lift_report(campaign=campaign)["simulated_responses"] == answered.count()


def test_simulated_responses_answer_each_treated_customers_first_offer(simulated_campaign):
    campaign, counts = simulated_campaign

    treated = OfferAssignment.objects.filter(campaign=campaign, is_control=False, rank=1)
    assert counts["treated_answered"] == treated.count() > 1000
    assert not treated.filter(status=Status.PROPOSED).exists()


def test_simulated_responses_give_the_demo_a_significant_lift(simulated_campaign):
    campaign, counts = simulated_campaign

    report = campaign_lift_report(campaign=campaign)

    assert (report["accepted_treated"], report["accepted_control"]) == (counts["treated_accepted"],
                                                                        counts["control_converted"])
    assert report["lift"]["absolute"] > 0
    assert report["lift"]["verdict"] == "significant"


def test_simulated_responses_are_left_alone_when_run_again(simulated_campaign):
    campaign, _ = simulated_campaign
    before = list(OfferAssignment.objects.filter(campaign=campaign).order_by("id").values_list("id", "status"))

    again = offer_responses_simulate(campaign=campaign, seed=42)

    assert again == {"treated_answered": 0, "treated_accepted": 0, "control_answered": 0, "control_converted": 0}
    assert list(OfferAssignment.objects.filter(campaign=campaign).order_by("id").values_list("id", "status")) == before


def test_simulated_responses_do_not_shape_p_accept(simulated_campaign):
    assert len(recorded_responses_frame()) == 0

