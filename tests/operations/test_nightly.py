"""The nightly run (operations.nightly) in-process on generated data: every step in order, each recorded with its
own run; a step that fails is recorded with its error, the run is partial and the later steps still run."""
import pytest

from campaigns.models import OfferAssignment
from core.models import JobRun
from leads.models import Lead
from operations.nightly import nightly_run
from segmentation.models import Customer, SegmentationRun
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from tests.campaigns.factories import import_generated_customers
from tests.factories import CampaignFactory, OfferFactory, import_generated_leads

pytestmark = pytest.mark.django_db

STEPS = ["re-cluster customers", "prune segment history", "attach offers", "retrain lead model if due",
         "re-score leads"]


@pytest.fixture
def customers_leads_and_a_campaign(tmp_path, settings, monkeypatch):
    """Small generated data, tasks in-process (no chunk messages), a quick candidate for the first model."""
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    for service in ("leads.services", "segmentation.services", "campaigns.services"):
        monkeypatch.setattr(f"{service}.spread_over_workers", lambda: False)
    import_generated_customers(400)
    import_generated_leads(tmp_path, leads=500)
    campaign = CampaignFactory(name="Spring")
    for persona in (DEAL_ORIENTED, VALUE_FAMILY, PREMIUM):
        OfferFactory(campaign=campaign, target_personas=[persona])


def test_a_nightly_run_does_every_step_in_order_and_records_each_with_its_run(customers_leads_and_a_campaign):
    job = nightly_run(trigger=JobRun.Trigger.COMMAND)

    assert job.status == JobRun.Status.SUCCEEDED
    stages = job.report["stages"]
    assert [stage["name"] for stage in stages] == STEPS
    assert {stage["status"] for stage in stages} == {JobRun.Status.SUCCEEDED}
    assert job.counts["steps"] == {name: "succeeded" for name in STEPS}
    by_name = {stage["name"]: stage for stage in stages}
    recluster = JobRun.objects.get(pk=by_name["re-cluster customers"]["job"])
    assert (recluster.kind, recluster.trigger) == (JobRun.Kind.RECLUSTER, JobRun.Trigger.CHAIN)
    assert by_name["re-cluster customers"]["rows"] == Customer.objects.count() == 400
    assert SegmentationRun.objects.get(is_current=True).job_id == recluster.pk
    assert JobRun.objects.get(pk=by_name["attach offers"]["job"]).kind == JobRun.Kind.ATTACH_OFFERS
    assert OfferAssignment.objects.filter(is_control=False).exists()
    assert by_name["retrain lead model if due"]["job"] is not None  # no champion yet: the model is trained
    assert JobRun.objects.get(pk=by_name["re-score leads"]["job"]).kind == JobRun.Kind.RESCORE_LEADS
    open_leads = Lead.objects.filter(status__isnull=True)
    assert open_leads.exists() and not open_leads.filter(score__isnull=True).exists()


def test_a_failed_step_is_recorded_and_the_later_steps_still_run(customers_leads_and_a_campaign, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("segmentation.services.customers_recluster", broken)

    job = nightly_run(trigger=JobRun.Trigger.COMMAND)

    assert job.status == JobRun.Status.PARTIAL
    stages = {stage["name"]: stage for stage in job.report["stages"]}
    assert list(stages) == STEPS
    assert (stages["re-cluster customers"]["status"], stages["re-cluster customers"]["error"]) == (
        JobRun.Status.FAILED, "disk full")
    assert job.counts["steps"]["re-cluster customers"] == "failed: disk full"
    assert all(stages[name]["status"] == JobRun.Status.SUCCEEDED for name in STEPS[1:])
    assert not SegmentationRun.objects.exists()
    assert OfferAssignment.objects.exists()  # attached against the customers' last personas (the factory's)
    assert not Lead.objects.filter(status__isnull=True, score__isnull=True).exists()  # leads scored all the same
