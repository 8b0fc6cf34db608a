"""A job that ends without finishing — stopped by a signal, its database connection lost, or found dead — is
recorded as failed with a one-line reason, releases its lock and closes its domain records."""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.job_runs import JobInterrupted, job_create, job_running, jobs_release_stale
from core.models import JobRun
from segmentation.models import SegmentationRun
from tests.factories import SegmentationRunFactory, import_generated_leads

PROJECT_ROOT = settings.BASE_DIR


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a second process (or connection) must reach the test database")


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def terminate_own_backend() -> None:
    """Lose this process's database connection for real: another connection has the server end it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with psycopg.connect(database_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def losing_the_connection(original):
    def step(*args, **kwargs):
        terminate_own_backend()
        return original(*args, **kwargs)

    return step


def run_command(*args) -> tuple[int, str]:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return exit_info.value.code, err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_import_losing_its_connection_ends_with_one_line_and_a_failed_run(tmp_path):
    postgres_only()
    path = tmp_path / "leads.csv"
    path.write_text(
        "ID,age,current_occupation,first_interaction,profile_completed,website_visits,time_spent_on_website,"
        "page_views_per_visit,last_activity,print_media_type1,print_media_type2,digital_media,educational_channels,"
        "referral,status\nEXT1,57,Unemployed,Website,High,7,1639,1.861,Website Activity,Yes,No,Yes,No,No,1\n"
    )
    from core import import_runs as imports

    with mock.patch.object(imports, "_upsert", losing_the_connection(imports._upsert)):
        status, stderr = run_command("import_leads", str(path))

    job = JobRun.objects.get(kind=JobRun.Kind.IMPORT_LEADS)
    assert status == 1
    assert stderr.splitlines() == [f"import run #{job.pk}: failed: {job.error}"]
    assert job.error.startswith("database connection lost (")
    assert (job.status, job.lock_key) == (JobRun.Status.FAILED, None)


@pytest.mark.django_db(transaction=True)
def test_rescore_losing_its_connection_ends_with_one_line_and_a_failed_run(settings, tmp_path):
    postgres_only()
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    import_generated_leads(tmp_path / "data", leads=400)
    call_command("train_lead_model", stdout=io.StringIO())
    from leads import services

    with mock.patch.object(services, "_score_and_publish", losing_the_connection(services._score_and_publish)):
        status, stderr = run_command("rescore_leads")

    job = JobRun.objects.get(kind=JobRun.Kind.RESCORE_LEADS)
    assert status == 1
    assert stderr.splitlines() == [f"re-score run #{job.pk}: failed: {job.error}"]
    assert job.error.startswith("database connection lost (")
    assert (job.status, job.lock_key) == (JobRun.Status.FAILED, None)


@pytest.mark.django_db(transaction=True)
def test_sigterm_to_a_command_fails_its_run_releases_its_lock_and_closes_its_segmentation_run(tmp_path):
    postgres_only()
    from operations.synthetic import write_dataset
    from segmentation.services import customers_import

    customers_import(source=write_dataset(tmp_path, customers=500, leads=0, responses=0, seed=3)["customers"])
    flag = tmp_path / "held"
    # the command is held inside the re-cluster's work (after its segmentation run started), so the signal lands
    # while the job certainly runs, however busy the machine is
    env = {**os.environ, "DATABASE_URL": database_url(), "HOLD": "segmentation.services:_segmented",
           "HOLD_FLAG": str(flag)}
    process = subprocess.Popen([sys.executable, "-m", "tests.core.held_command", "recluster"], cwd=PROJECT_ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the re-cluster never got going"
            time.sleep(0.05)
        assert SegmentationRun.objects.filter(status=SegmentationRun.Status.RUNNING).exists()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    job = JobRun.objects.get(kind=JobRun.Kind.RECLUSTER)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.splitlines()[-1] == f"re-cluster run #{job.pk}: failed: stopped by SIGTERM"
    assert "Traceback" not in stderr
    assert (job.status, job.lock_key, job.error) == (JobRun.Status.FAILED, None, "stopped by SIGTERM")
    assert list(SegmentationRun.objects.values_list("status", "is_current")) == [(SegmentationRun.Status.FAILED, False)]
    with job_running(job_create(kind=JobRun.Kind.RECLUSTER)):  # the next run starts at once
        pass


@pytest.mark.django_db
def test_stale_release_closes_the_dead_runs_segmentation_run():
    long_ago = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES + 5)
    job = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, lock_key="recluster",
                                heartbeat_at=long_ago, started_at=long_ago)
    dead = SegmentationRunFactory(job=job, status=SegmentationRun.Status.RUNNING, is_current=False)
    current = SegmentationRunFactory(is_current=True)

    released = jobs_release_stale()

    job.refresh_from_db()
    dead.refresh_from_db()
    current.refresh_from_db()
    assert released == 1
    assert (job.status, job.lock_key, job.error) == (JobRun.Status.FAILED, None, "no heartbeat: worker stopped")
    assert (dead.status, dead.is_current, dead.error) == (SegmentationRun.Status.FAILED, False,
                                                         "no heartbeat: worker stopped")
    assert (current.status, current.is_current) == (SegmentationRun.Status.SUCCEEDED, True)


@pytest.mark.django_db
def test_a_run_with_a_fresh_heartbeat_is_not_released():
    job = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.RUNNING, lock_key="recluster",
                                heartbeat_at=timezone.now(), started_at=timezone.now())
    running = SegmentationRunFactory(job=job, status=SegmentationRun.Status.RUNNING, is_current=False)

    assert jobs_release_stale() == 0
    running.refresh_from_db()
    assert running.status == SegmentationRun.Status.RUNNING


@pytest.mark.django_db
def test_ctrl_c_in_a_command_line_job_fails_the_run_releases_its_lock_and_restores_the_handlers():
    handlers_before = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS)

    with pytest.raises(JobInterrupted):
        with job_running(job):
            signal.raise_signal(signal.SIGINT)

    job.refresh_from_db()
    assert (job.status, job.lock_key, job.error) == (JobRun.Status.FAILED, None, "stopped by SIGINT")
    assert {signum: signal.getsignal(signum) for signum in handlers_before} == handlers_before


@pytest.mark.django_db
def test_a_stop_that_surfaces_as_another_error_is_still_reported_as_the_stop():
    from core.management.job_command import stopped_exit_status

    job = job_create(kind=JobRun.Kind.RECLUSTER)

    with pytest.raises(RuntimeError) as raised:
        with job_running(job):
            try:
                raise JobInterrupted(signal.SIGTERM)
            except JobInterrupted:
                raise RuntimeError("a library turned the stop into its own error")

    job.refresh_from_db()
    assert (job.status, job.lock_key, job.error) == (JobRun.Status.FAILED, None, "stopped by SIGTERM")
    assert raised.value.stopped_run.pk == job.pk
    assert stopped_exit_status(raised.value) == 143
