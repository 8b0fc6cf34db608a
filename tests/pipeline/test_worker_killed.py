"""SIGKILL the worker in the middle of a re-score, a re-cluster and an offer attach (inside the transaction that
publishes): the previous results stay current, nothing half-written is visible, no history row is duplicated;
a new worker and a new trigger complete the run within two minutes, with no manual repair."""
import time

import pytest

from campaigns.models import OfferAssignment
from campaigns.services import offers_attach
from core.job_runs import STALE_ERROR, job_create
from core.models import JobRun
from leads.models import Lead, LeadScore
from leads.services import leads_rescore
from leads.training import lead_model_train
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from segmentation.services import customers_recluster
from tests.campaigns.factories import import_generated_customers
from tests.factories import CampaignFactory, OfferFactory, import_generated_leads
from tests.pipeline.conftest import STALE_SECONDS

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def segmentation_state():
    return {"current": list(SegmentationRun.objects.filter(is_current=True).values_list("pk", flat=True)),
            "segments": Segment.objects.count(), "memberships": SegmentMembership.objects.count(),
            "customers": sorted(Customer.objects.values_list("pk", "segment_id", "persona"))}


def scores_state():
    return {"leads": sorted(Lead.objects.values_list("pk", "score", "tier", "scored_at")),
            "history": LeadScore.objects.count()}


def offers_state():
    return {"assignments": sorted(OfferAssignment.objects.values_list(
        "pk", "customer_id", "offer_id", "status", "is_control", "updated_at"))}


def with_customers(tmp_path):
    import_generated_customers(300)
    customers_recluster(k=3)


def with_offers(tmp_path):
    with_customers(tmp_path)
    campaign = CampaignFactory(name="Spring")
    for persona in (DEAL_ORIENTED, VALUE_FAMILY, PREMIUM):
        OfferFactory(campaign=campaign, target_personas=[persona])
    offers_attach()


def with_scores(tmp_path):
    import_generated_leads(tmp_path, leads=600)
    lead_model_train()
    leads_rescore(full=True)


CASES = {
    # kind: (set-up with a first good run, task, its arguments, where the worker is held, the users' view)
    "recluster": (with_customers, "segmentation.recluster_customers", {"k": 3, "then_attach": False},
                  "core.bulk:copy_frame", segmentation_state),
    "rescore_leads": (with_scores, "leads.rescore_leads", {"full": True},
                      "leads.score_writer:ScoreWriter.publish_staged", scores_state),
    "attach_offers": (with_offers, "campaigns.attach_offers", {}, "campaigns.services:plan_publish", offers_state),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_worker_killed_while_publishing_leaves_the_previous_results_and_the_next_trigger_completes(
        kind, pipeline, tmp_path, settings):
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    set_up, task, arguments, hold_at, users_view = CASES[kind]
    set_up(tmp_path)
    before = users_view()
    killed = job_create(kind=kind, trigger=JobRun.Trigger.SCHEDULE, params=arguments)

    worker = pipeline.worker(pause=hold_at)
    pipeline.send(task, job_id=killed.pk, **arguments)
    pipeline.wait_held()
    worker.kill()

    killed.refresh_from_db()
    assert killed.status == JobRun.Status.RUNNING  # as the dead worker left it, until someone looks
    assert users_view() == before

    started = time.monotonic()
    pipeline.worker()
    # The dead run's heartbeat stopped with its worker; a trigger inside the stale window is refused as "in
    # progress" (single flight), so the new trigger comes once the window has passed, as the next one would.
    time.sleep(STALE_SECONDS + 1)
    retry = job_create(kind=kind, trigger=JobRun.Trigger.SCHEDULE, params=arguments)
    pipeline.send(task, job_id=retry.pk, **arguments)
    retry = pipeline.wait_finished(retry.pk, timeout=120)

    killed.refresh_from_db()
    assert retry.status == JobRun.Status.SUCCEEDED, (retry.error, pipeline.logs())
    assert time.monotonic() - started < 120
    assert (killed.status, killed.error, killed.lock_key) == (JobRun.Status.FAILED, STALE_ERROR, None)
    after = users_view()
    if kind == "recluster":  # a new current run with every customer's membership; the killed one left nothing
        new_run = SegmentationRun.objects.get(is_current=True)
        assert new_run.job_id == retry.pk
        assert after["memberships"] == before["memberships"] + Customer.objects.count()
        assert SegmentationRun.objects.get(job=killed).status == SegmentationRun.Status.FAILED
        assert SegmentMembership.objects.filter(run__job=killed).count() == 0
    else:  # same inputs: the run changes nothing and adds no history row
        assert after == before
