"""A marketer's morning in the browser: personas, lift with its interval, the last nightly run, and a re-cluster
started from the dashboard watched to the end."""
import datetime
import re

import pytest
from django.utils import timezone

from campaigns.models import OfferAssignment
from core.models import JobRun
from operations.synthetic import generate_customers
from segmentation.models import Customer, SegmentationRun
from segmentation.services import customers_import, customers_recluster
from tests.browser.conftest import log_in, screenshot, staff_user
from tests.factories import AssignmentFactory, CampaignFactory, LeadFactory, OfferFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("#content img, #content svg, #content canvas")).map(
    (chart) => chart.tagName === "IMG" ? chart.naturalWidth * chart.naturalHeight
             : chart.tagName === "CANVAS" ? chart.width * chart.height : chart.childElementCount)"""


def _nightly_with_stages() -> JobRun:
    """A finished nightly run and the job runs its stages recorded (re-cluster 12 s, re-score 30 s)."""
    start = timezone.now() - datetime.timedelta(hours=3)
    nightly = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, status=JobRun.Status.PARTIAL, started_at=start,
                                    finished_at=start + datetime.timedelta(seconds=60), counts={"steps": {
                                        "re-cluster customers": "succeeded", "prune segment history": "succeeded",
                                        "attach offers": "failed: no active campaign",
                                        "re-score leads": "succeeded"}})
    for kind, offset, seconds, status in ((JobRun.Kind.RECLUSTER, 1, 12, "succeeded"),
                                          (JobRun.Kind.ATTACH_OFFERS, 14, 1, "failed"),
                                          (JobRun.Kind.RESCORE_LEADS, 16, 30, "succeeded")):
        run = JobRun.objects.create(kind=kind, trigger=JobRun.Trigger.CHAIN, status=status,
                                    started_at=start + datetime.timedelta(seconds=offset),
                                    finished_at=start + datetime.timedelta(seconds=offset + seconds),
                                    error="no active campaign" if status == "failed" else "")
        JobRun.objects.filter(pk=run.pk).update(created_at=start + datetime.timedelta(seconds=offset))
    return nightly


def _campaign_with_responses(name: str) -> None:
    """60 customers given the offer (15 accepted) and 40 held out (2 accepted without it)."""
    offer = OfferFactory(campaign=CampaignFactory(name=name), name="Wine tasting")
    customers = list(Customer.objects.order_by("id")[:100])
    for index, customer in enumerate(customers):
        control = index >= 60
        accepted = index < 15 or 60 <= index < 62
        AssignmentFactory(offer=offer, customer=customer, is_control=control, persona=customer.persona,
                          status=OfferAssignment.Status.ACCEPTED if accepted else OfferAssignment.Status.SENT)


@pytest.fixture
def morning():
    """300 customers segmented twice (so churn is known), a running campaign with responses, leads in each tier,
    last night's run."""
    customers_import(source=generate_customers(300, 5).to_csv(sep="\t", index=False).encode(),
                     source_name="customers.csv")
    customers_recluster(k=3)
    run = customers_recluster(k=3)
    _campaign_with_responses("Spring wine")
    for score, tier in ((85.0, "hot"), (55.0, "warm"), (52.0, "warm"), (20.0, "cold")):
        LeadFactory(score=score, tier=tier)
    staff_user("marketer", "marketer")
    return {"run": run, "nightly": _nightly_with_stages()}


def test_dashboard_shows_personas_lift_and_the_nightly_run_with_every_chart_drawn(browser_page, morning):
    page = browser_page
    log_in(page, "marketer", next_path="/dashboard/")

    personas = page.locator("#personas").inner_text()
    for segment in morning["run"].segments.all():
        assert segment.label in personas
    assert "Churn since the previous run" in page.locator("#churn").inner_text()
    lift_row = page.locator("#lift tbody tr").first.inner_text()
    assert "Spring wine" in lift_row and "+20.0 pp" in lift_row  # 15/60 = 25.0 % against 2/40 = 5.0 %
    assert "25.0%" in lift_row and "5.0%" in lift_row
    stages = page.locator("#stages").inner_text()
    assert "re-score leads\tsucceeded\t30.0" in stages and "attach offers\tfailed\t1.0\tno active campaign" in stages
    titles = page.locator("#content svg > title").all_text_contents()
    assert titles == ["Customers per persona (current segmentation)", "Open leads per tier",
                      "Lift per active campaign, with its 95 % interval", "Last nightly run: seconds per stage"]
    drawn = page.evaluate(CHARTS_DRAWN)
    assert len(drawn) == 4 and all(size > 0 for size in drawn), drawn
    screenshot(page, "marketer-dashboard")
    assert page.recorder.errors == [] and page.recorder.outside_requests() == []


def test_marketer_starts_a_recluster_and_watches_it_succeed(browser_page, morning):
    page = browser_page
    log_in(page, "marketer", next_path="/dashboard/")
    assert page.locator("#run-nightly").is_disabled()  # marketers may re-cluster and attach offers only

    page.click("#run-recluster")

    page.wait_for_url(re.compile(r"/dashboard/jobs/\d+/$"))
    page.wait_for_function("document.getElementById('job-status').textContent === 'succeeded'")
    assert page.locator("#job-percent").inner_text() == "100 %"
    assert page.locator(".progress").get_attribute("aria-valuenow") == "100"
    screenshot(page, "marketer-recluster-progress")
    job = JobRun.objects.get(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.ADMIN)
    assert page.url.endswith(f"/dashboard/jobs/{job.pk}/")
    assert job.status == JobRun.Status.SUCCEEDED
    assert SegmentationRun.objects.get(is_current=True).job_id == job.pk
    assert page.recorder.errors == []
