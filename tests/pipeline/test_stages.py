"""The nightly run's record lists each stage (status, rows, seconds, error, the step's run) as it ends; the admin
shows them and the dashboard still reads the run."""
import pytest
from django.urls import reverse

from core.job_runs import job_create
from core.models import JobRun
from operations import nightly
from operations.selectors import last_nightly

pytestmark = [pytest.mark.pipeline, pytest.mark.django_db]


@pytest.fixture
def two_steps(monkeypatch):
    step_run = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.CHAIN)
    seen = []

    def broken():
        seen.append(JobRun.objects.get(kind=JobRun.Kind.NIGHTLY).report["stages"])  # written as the first ended
        raise RuntimeError("model file missing")

    monkeypatch.setattr(nightly, "_steps", lambda: [("re-score leads", lambda: (120, step_run.pk)),
                                                    ("attach offers", broken)])
    return step_run, seen


def test_each_stage_is_recorded_with_status_rows_seconds_error_and_its_run(two_steps):
    step_run, seen = two_steps

    job = nightly.nightly_run(trigger=JobRun.Trigger.COMMAND)

    stages = job.report["stages"]
    assert [{k: v for k, v in stage.items() if k != "seconds"} for stage in stages] == [
        {"name": "re-score leads", "status": "succeeded", "rows": 120, "error": "", "job": step_run.pk},
        {"name": "attach offers", "status": "failed", "rows": None, "error": "model file missing", "job": None},
    ]
    assert all(isinstance(stage["seconds"], float) and stage["seconds"] >= 0 for stage in stages)
    assert [stage["name"] for stage in seen[0]] == ["re-score leads"]
    assert job.status == JobRun.Status.PARTIAL
    assert job.counts == {"steps": {"re-score leads": "succeeded", "attach offers": "failed: model file missing"}}


def test_the_admin_change_page_shows_the_stages(two_steps, admin_client):
    job = nightly.nightly_run(trigger=JobRun.Trigger.COMMAND)

    page = admin_client.get(reverse("admin:core_jobrun_change", args=[job.pk])).content.decode()

    assert "<th>stage</th><th>status</th><th>rows</th>" in page
    assert "<td>re-score leads</td><td>succeeded</td><td>120</td>" in page
    assert "<td>attach offers</td><td>failed</td><td></td>" in page and "model file missing" in page


def test_the_dashboard_reads_the_stages_of_the_last_nightly_run(two_steps):
    job = nightly.nightly_run(trigger=JobRun.Trigger.COMMAND)

    last = last_nightly()

    assert last["job"].pk == job.pk
    assert [(stage["name"], stage["status"], stage["error"]) for stage in last["stages"]] == [
        ("attach offers", "failed", "model file missing"), ("re-score leads", "succeeded", "")]
