"""Single flight and redelivery: two triggers at once give one run and one skip; a task delivered again for a run
that finished does nothing, for one that was abandoned starts it again once, for an older run than the current
one writes nothing; a run that lost its lock publishes nothing."""
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core.job_runs import REDELIVERED_ERROR, STALE_ERROR, JobSuperseded, job_create, job_fence, job_running
from core.models import JobRun
from operations import nightly
from operations.tasks import nightly_run
from tests.concurrency import run_at_once

pytestmark = pytest.mark.pipeline


@pytest.fixture
def one_step(monkeypatch):
    """The nightly run with one cheap step that counts how often it ran."""
    calls = []

    def step():
        calls.append(1)
        return 7, None

    monkeypatch.setattr(nightly, "_steps", lambda: [("count", step)])
    return calls


def deliver(job_id, task_id):
    return nightly_run.apply(kwargs={"job_id": job_id}, task_id=task_id).get()


@pytest.mark.django_db(transaction=True)
def test_two_triggers_at_the_same_moment_give_one_run_and_one_recorded_skip(monkeypatch):
    monkeypatch.setattr(nightly, "_steps", lambda: [("wait", lambda: (time.sleep(0.5), None) and (0, None))])
    jobs = [job_create(kind=JobRun.Kind.NIGHTLY) for _ in range(2)]

    def trigger(job):
        try:
            return nightly.nightly_run(job=job).status
        except Exception as exc:
            return type(exc).__name__

    results = run_at_once(trigger, jobs)

    assert sorted(results) == ["JobAlreadyRunning", JobRun.Status.SUCCEEDED]
    assert sorted(JobRun.objects.filter(kind=JobRun.Kind.NIGHTLY).values_list("status", flat=True)) == [
        JobRun.Status.SKIPPED, JobRun.Status.SUCCEEDED]


@pytest.mark.django_db
def test_a_redelivered_task_whose_run_finished_does_nothing(one_step):
    job = job_create(kind=JobRun.Kind.NIGHTLY)
    deliver(job.pk, "message-1")
    finished = JobRun.objects.get(pk=job.pk)

    again = deliver(job.pk, "message-1")

    assert again == {"job": job.pk, "status": "skipped",
                     "error": f"run #{job.pk} already succeeded: this delivery does nothing"}
    assert len(one_step) == 1
    assert JobRun.objects.get(pk=job.pk).finished_at == finished.finished_at
    assert JobRun.objects.filter(kind=JobRun.Kind.NIGHTLY).count() == 1


@pytest.mark.django_db
def test_a_redelivered_task_whose_run_is_alive_in_another_worker_does_nothing(one_step):
    now = timezone.now()
    job = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, status=JobRun.Status.RUNNING, lock_key="nightly",
                                started_at=now, heartbeat_at=now, celery_task_id="message-1")

    result = deliver(job.pk, "message-2")

    assert result["status"] == "skipped" and "running in another worker" in result["error"]
    assert (one_step, JobRun.objects.get(pk=job.pk).status) == ([], JobRun.Status.RUNNING)


@pytest.mark.django_db
def test_an_abandoned_run_is_started_again_once_under_a_new_version(one_step):
    long_ago = timezone.now() - timedelta(minutes=5)
    dead = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, status=JobRun.Status.RUNNING, lock_key="nightly",
                                 started_at=long_ago, heartbeat_at=long_ago, celery_task_id="message-0")

    first = deliver(dead.pk, "message-1")
    second = deliver(dead.pk, "message-1")

    dead.refresh_from_db()
    restarted = JobRun.objects.get(params__restart_of=dead.pk)
    assert (dead.status, dead.error) == (JobRun.Status.FAILED, STALE_ERROR)
    assert restarted.pk > dead.pk
    assert first == {"job": restarted.pk, "status": "succeeded", "steps": {"count": "succeeded"}}
    assert second["status"] == "skipped" and f"run #{restarted.pk} already succeeded" in second["error"]
    assert len(one_step) == 1


@pytest.mark.django_db
def test_the_same_message_delivered_again_releases_its_earlier_attempt_at_once(one_step):
    now = timezone.now()  # heartbeat fresh: only the message id says this attempt is over
    earlier = JobRun.objects.create(kind=JobRun.Kind.NIGHTLY, status=JobRun.Status.RUNNING, lock_key="nightly",
                                    started_at=now, heartbeat_at=now, celery_task_id="message-1")

    result = deliver(earlier.pk, "message-1")

    earlier.refresh_from_db()
    assert (earlier.status, earlier.error) == (JobRun.Status.FAILED, REDELIVERED_ERROR)
    assert result["status"] == JobRun.Status.SUCCEEDED and result["job"] > earlier.pk
    assert len(one_step) == 1


@pytest.mark.django_db
def test_a_late_delivery_for_an_older_run_than_the_current_one_writes_nothing(one_step):
    older = job_create(kind=JobRun.Kind.NIGHTLY)
    newer = job_create(kind=JobRun.Kind.NIGHTLY)
    deliver(newer.pk, "message-2")

    late = deliver(older.pk, "message-1")

    older.refresh_from_db()
    assert late["error"] == f"superseded by run #{newer.pk}: this older run does nothing"
    assert (older.status, older.report, older.counts, older.started_at) == (JobRun.Status.SKIPPED, {}, {}, None)
    assert len(one_step) == 1


@pytest.mark.django_db
def test_a_scheduled_message_delivered_twice_makes_one_run(one_step):
    first = nightly_run.apply(task_id="beat-1").get()
    second = nightly_run.apply(task_id="beat-1").get()

    assert first["status"] == JobRun.Status.SUCCEEDED
    assert second["status"] == "skipped"
    assert JobRun.objects.filter(kind=JobRun.Kind.NIGHTLY).count() == 1


@pytest.mark.django_db
def test_a_run_that_lost_its_lock_publishes_nothing_and_keeps_its_failed_record():
    job = job_create(kind=JobRun.Kind.RECLUSTER)

    with pytest.raises(JobSuperseded), job_running(job):
        # found dead by another trigger while it computed, and a newer run started
        JobRun.objects.filter(pk=job.pk).update(status=JobRun.Status.FAILED, lock_key=None, error=STALE_ERROR)
        job_fence(job)

    job.refresh_from_db()
    assert (job.status, job.error) == (JobRun.Status.FAILED, STALE_ERROR)


@pytest.mark.django_db
def test_a_run_holding_its_lock_passes_the_fence():
    job = job_create(kind=JobRun.Kind.RECLUSTER)

    with job_running(job):
        job_fence(job)

    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.SUCCEEDED
