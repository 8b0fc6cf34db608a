"""The marketer's dashboard and the job progress page (operations.views) through Django's test client."""
import datetime

import pytest
from django.utils import timezone

from core.models import JobRun
from leads.models import LeadActivity
from operations.selectors import customers_per_persona, last_nightly, lead_summary, segmentation_summary, week_start
from tests.api.factories import role_user
from tests.factories import LeadFactory, SegmentationRunFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketer(client):
    user = role_user("marketer", username="marketer")
    client.force_login(user)
    return user


def test_anonymous_visitor_is_sent_to_the_admin_login(client):
    assert client.get("/dashboard/")["Location"] == "/admin/login/?next=/dashboard/"


def test_dashboard_is_refused_to_sales_reps(client):
    client.force_login(role_user("sales_rep"))

    assert client.get("/dashboard/").status_code == 403


def test_empty_dashboard_says_what_is_missing(client, marketer):
    page = client.get("/dashboard/").content.decode()

    assert "No segmentation yet" in page and "No campaign is running today." in page and "No nightly run yet." in page


def test_dashboard_shows_the_current_runs_personas_and_churn(client, marketer):
    previous = SegmentationRunFactory(started_at=timezone.now() - datetime.timedelta(days=1))
    run = SegmentationRunFactory(is_current=True, churn=0.25)
    SegmentFactory(run=run, key=0, persona="premium", label="premium · catalog", size=300)
    SegmentFactory(run=run, key=1, persona="deal_oriented", label="deal-oriented · web", size=500)

    page = client.get("/dashboard/").content.decode()

    assert f"Churn since the previous run (#{previous.pk}): <strong>25 %</strong>" in page
    assert "premium · catalog" in page and "deal-oriented · web" in page
    assert "<title>Customers per persona (current segmentation)</title>" in page
    assert ">Deal-oriented</text>" in page and ">500</text>" in page


def test_descriptive_segments_are_charted_by_their_label_and_unsegmented_customers_apart():
    run = SegmentationRunFactory(is_current=True, n_customers=707, n_unsegmented=7)
    SegmentFactory(run=run, key=0, persona="premium", label="premium · catalog", size=300)
    SegmentFactory(run=run, key=1, persona="", label="high income · low spending score", size=250)
    SegmentFactory(run=run, key=2, persona="premium", label="premium · store", size=100)
    SegmentFactory(run=run, key=3, persona="", label="low age", size=50)

    bars = segmentation_summary()["personas"]

    assert bars == [("Premium", 400), ("high income · low spending score", 250), ("low age", 50),
                    ("unsegmented", 7)]


def test_a_run_that_left_no_customer_unsegmented_has_no_unsegmented_bar():
    run = SegmentationRunFactory(is_current=True, n_unsegmented=0)
    segments = [{"persona": "", "label": "low age", "size": 5}]

    assert customers_per_persona(run, segments) == [("low age", 5)]


def test_dashboard_charts_a_descriptive_segment_by_its_label(client, marketer):
    run = SegmentationRunFactory(is_current=True, n_unsegmented=3)
    SegmentFactory(run=run, key=0, persona="", label="high age · more Female", size=40)

    page = client.get("/dashboard/").content.decode()

    assert ">high age · more Female</text>" in page and ">unsegmented</text>" in page
    assert "<td>none (described by its profile)</td>" in page


def test_run_now_buttons_follow_the_job_roles(client, marketer):
    page = client.get("/dashboard/").content.decode()

    assert 'id="run-recluster" >' in page and 'id="run-attach_offers" >' in page
    assert 'id="run-nightly" disabled' in page and 'id="run-rescore_leads" disabled' in page
    assert client.post("/dashboard/run/nightly/").status_code == 403
    assert client.post("/dashboard/run/no-such-job/").status_code == 404
    assert not JobRun.objects.exists()


@pytest.mark.django_db(transaction=True)  # the task runs in-process as soon as the run is committed, as in production
def test_a_run_that_fails_at_once_shows_its_message_on_the_progress_page(client, marketer):
    response = client.post("/dashboard/run/recluster/")  # no customers: the re-cluster refuses

    job = JobRun.objects.get(kind=JobRun.Kind.RECLUSTER)
    assert response["Location"] == f"/dashboard/jobs/{job.pk}/"
    state = client.get(f"/dashboard/jobs/{job.pk}/state/").json()
    assert (state["status"], state["finished"]) == ("failed", True)
    assert "no customers" in state["error"]
    assert "no customers" in client.get(response["Location"]).content.decode()


def test_job_state_reports_stage_and_percent(client, marketer):
    job = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, stage="clustering",
                                progress=0.416)

    state = client.get(f"/dashboard/jobs/{job.pk}/state/").json()

    assert state == {"id": job.pk, "kind": "recluster", "status": "running", "status_label": "Running",
                     "stage": "clustering", "percent": 42, "error": "", "finished": False}
    assert client.get("/dashboard/jobs/999999/state/").status_code == 404


def test_week_starts_on_monday_midnight():
    wednesday = datetime.datetime(2026, 12, 2, 15, 30, tzinfo=datetime.timezone.utc)

    assert week_start(wednesday) == datetime.datetime(2026, 11, 30, tzinfo=datetime.timezone.utc)


def test_lead_summary_counts_open_tiers_and_this_weeks_outcomes():
    for tier in ("hot", "hot", "warm", ""):
        LeadFactory(tier=tier, score=None if not tier else 50.0)
    won = LeadFactory(stage="won", status=True, tier="hot")
    LeadActivity.objects.create(lead=won, kind=LeadActivity.Kind.OUTCOME, stage="won")
    old = LeadActivity.objects.create(lead=won, kind=LeadActivity.Kind.OUTCOME, stage="lost")
    LeadActivity.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))

    summary = lead_summary(now=timezone.now())

    assert summary["tiers"] == [("Hot", 2), ("Warm", 1), ("Cold", 0), ("Unscored", 1)]
    assert (summary["open"], summary["won"], summary["lost"], summary["conversion"]) == (4, 1, 0, 1.0)


def test_last_nightly_lists_stages_in_run_order_with_their_durations():
    start = timezone.now() - datetime.timedelta(hours=1)
    nightly = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, status=JobRun.Status.PARTIAL, started_at=start,
                                    finished_at=start + datetime.timedelta(seconds=50), counts={"steps": {
                                        "re-score leads": "succeeded", "re-cluster customers": "succeeded",
                                        "attach offers": "failed: no offers"}})
    for kind, seconds in ((JobRun.Kind.RECLUSTER, 12), (JobRun.Kind.RESCORE_LEADS, 30)):
        stage = JobRun.objects.create(kind=kind, trigger=JobRun.Trigger.CHAIN, status="succeeded", started_at=start,
                                      finished_at=start + datetime.timedelta(seconds=seconds))
        JobRun.objects.filter(pk=stage.pk).update(created_at=start)
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.ADMIN, status="succeeded")

    stages = last_nightly()["stages"]

    assert last_nightly()["job"] == nightly
    assert [(s["name"], s["status"], s["seconds"], s["error"]) for s in stages] == [
        ("re-cluster customers", "succeeded", 12.0, ""), ("attach offers", "failed", None, "no offers"),
        ("re-score leads", "succeeded", 30.0, "")]


def test_admin_header_links_each_role_to_its_workspace(client):
    rep = role_user("sales_rep", username="rep1", is_staff=True)
    marketer = role_user("marketer", username="mk", is_staff=True)

    client.force_login(rep)
    rep_page = client.get("/admin/").content.decode()
    client.force_login(marketer)
    marketer_page = client.get("/admin/").content.decode()

    assert 'href="/queue/" class="workspace-link">My queue</a>' in rep_page and "/dashboard/" not in rep_page
    assert 'href="/dashboard/" class="workspace-link">Dashboard</a>' in marketer_page and "/queue/" not in marketer_page
