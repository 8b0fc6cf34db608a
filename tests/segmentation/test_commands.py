"""Entry points: the recluster and export_segments commands and the Celery task."""
from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.job_runs import job_create
from core.models import JobRun
from segmentation import services
from segmentation.models import SegmentationRun
from segmentation.tasks import recluster_customers
from tests.factories import CustomerFactory
from tests.segmentation.factories import REAL_CUSTOMERS, import_real_customers

pytestmark = pytest.mark.django_db


def run_command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_recluster_prints_chosen_k_metrics_table_and_segments():
    import_real_customers()

    output = run_command("recluster").splitlines()

    run = SegmentationRun.objects.get(is_current=True)
    assert output[0] == f"segmentation run #{run.pk} (kmeans): k = 3, 2,240 customers, 0 unsegmented"
    assert output[1:10] == [
        "    k  silhouette  calinski_harabasz  davies_bouldin",
        "    2      0.1697              497.3           1.989",
        "*   3      0.1841              479.4           1.782",
        "    4      0.1292              396.2           2.016",
        "    5      0.1184              333.8           2.097",
        "    6      0.1163              296.0           2.123",
        "    7      0.1143              268.8           2.193",
        "    8      0.1090              250.5           2.156",
        "  key  persona          customers   share  label",
    ]
    assert output[10:13] == [
        "    0  deal_oriented          991   44.2%  deal-oriented · families",
        "    1  premium                736   32.9%  premium · catalog",
        "    2  value_family           513   22.9%  value / family · fruit & fish",
    ]
    assert output[13] == "churn since the previous run: none (first run)"


def test_recluster_again_prints_churn():
    import_real_customers()
    run_command("recluster", "--k", "3")

    output = run_command("recluster", "--k", "3", "--seed", "42")

    assert "churn since the previous run: 0.0% of customers changed segment" in output


def test_recluster_without_customers_exits_with_a_clear_message():
    with pytest.raises(CommandError, match="re-cluster refused: there are no customers to segment yet") as error:
        run_command("recluster")

    assert error.value.returncode == 1


def test_recluster_while_another_runs_exits_with_a_clear_message():
    CustomerFactory()
    now = timezone.now()
    JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, lock_key="recluster",
                          started_at=now, heartbeat_at=now)

    with pytest.raises(CommandError, match="re-cluster refused: another run of this job is in progress"):
        run_command("recluster")


def test_export_segments_writes_one_row_per_customer(tmp_path):
    import_real_customers()
    run_command("recluster", "--k", "3")
    path = tmp_path / "segments.csv"

    output = run_command("export_segments", "--out", str(path))

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    run = SegmentationRun.objects.get(is_current=True)
    assert rows[0] == ["external_id", "segment", "persona", "run"]
    assert len(rows) == REAL_CUSTOMERS + 1
    assert len({row[0] for row in rows[1:]}) == REAL_CUSTOMERS
    assert rows[1] == ["5524", "premium · catalog", "premium", str(run.pk)]
    assert output.strip() == f"2,240 customers of segmentation run #{run.pk} written to {path}"


def test_export_segments_escapes_formula_like_ids(tmp_path):
    CustomerFactory(external_id="=HYPERLINK(\"http://x\")")
    CustomerFactory(external_id="+1555", income=90000.0, mnt_wines=1200)
    CustomerFactory(external_id="@SUM(A1)", income=20000.0, mnt_wines=5)
    CustomerFactory(external_id="-7", income=40000.0, kidhome=2)
    run_command("recluster", "--k", "2")
    path = tmp_path / "segments.csv"

    run_command("export_segments", "--out", str(path))

    with path.open(newline="", encoding="utf-8") as handle:
        ids = [row[0] for row in csv.reader(handle)][1:]
    assert ids == ["'=HYPERLINK(\"http://x\")", "'+1555", "'@SUM(A1)", "'-7"]


def test_export_segments_before_any_run_exits_with_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="no segmentation run has finished yet"):
        run_command("export_segments", "--out", str(tmp_path / "segments.csv"))


def test_task_queues_offer_attachment_after_a_successful_run():
    import_real_customers()

    result = recluster_customers.delay(k=3).get()

    attach = JobRun.objects.get(kind=JobRun.Kind.ATTACH_OFFERS)
    run = SegmentationRun.objects.get(is_current=True)
    assert result == {"job": run.job_id, "run": run.pk, "k": 3, "churn": None, "attach_job": attach.pk}
    assert (attach.trigger, attach.status) == (JobRun.Trigger.CHAIN, JobRun.Status.QUEUED)
    assert run.job.trigger == JobRun.Trigger.SCHEDULE


def test_task_leaves_offers_alone_when_told_not_to_attach():
    import_real_customers()

    result = recluster_customers.delay(k=3, then_attach=False).get()

    assert result["attach_job"] is None
    assert not JobRun.objects.filter(kind=JobRun.Kind.ATTACH_OFFERS).exists()


def test_failed_task_does_not_queue_offer_attachment(monkeypatch):
    import_real_customers()

    def broken(**kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(services, "customers_follow_run", broken)
    with pytest.raises(RuntimeError):
        recluster_customers.delay(k=3)

    assert not JobRun.objects.filter(kind=JobRun.Kind.ATTACH_OFFERS).exists()
    assert SegmentationRun.objects.get().status == SegmentationRun.Status.FAILED


def test_task_runs_the_job_it_is_given():
    import_real_customers()
    job = job_create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.ADMIN, params={"k": 3})

    result = recluster_customers.delay(job_id=job.pk, k=3, then_attach=False).get()

    job.refresh_from_db()
    assert result["job"] == job.pk
    assert (job.status, job.trigger) == (JobRun.Status.SUCCEEDED, JobRun.Trigger.ADMIN)
    assert job.counts["run"] == result["run"]
