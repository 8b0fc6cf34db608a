"""Liveness: a running job's heartbeat is written by a side thread whatever the job does; a run with no heartbeat
for JOB_STALE_SECONDS is released by the next trigger, which runs at once."""
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from core.job_runs import STALE_ERROR, job_create, job_running
from core.models import JobRun

pytestmark = pytest.mark.pipeline


def heartbeat_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.endswith("-heartbeat")]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_is_written_while_the_body_reports_nothing(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = job_create(kind=JobRun.Kind.RECLUSTER)

    with job_running(job):
        started = JobRun.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.6)  # busy without a word of progress
        during = JobRun.objects.get(pk=job.pk).heartbeat_at
        beating = heartbeat_threads()

    assert during - started >= timedelta(seconds=0.3)
    assert beating == [f"job-{job.pk}-heartbeat"]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_stops_when_the_job_ends(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = job_create(kind=JobRun.Kind.RECLUSTER)

    with pytest.raises(RuntimeError), job_running(job):
        raise RuntimeError("boom")

    assert heartbeat_threads() == []
    assert JobRun.objects.get(pk=job.pk).status == JobRun.Status.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize(("silent_for", "released"), [(61, True), (59, False)])
def test_next_trigger_releases_a_run_silent_for_a_minute_and_runs_at_once(silent_for, released):
    then = timezone.now() - timedelta(seconds=silent_for)
    dead = JobRun.objects.create(kind=JobRun.Kind.RESCORE_LEADS, status=JobRun.Status.RUNNING,
                                 lock_key=JobRun.Kind.RESCORE_LEADS, started_at=then, heartbeat_at=then)
    nxt = job_create(kind=JobRun.Kind.RESCORE_LEADS)

    if released:
        with job_running(nxt):
            pass
    else:
        with pytest.raises(Exception, match="another run of this job is in progress"), job_running(nxt):
            pass

    dead.refresh_from_db()
    nxt.refresh_from_db()
    if released:
        assert (dead.status, dead.lock_key, dead.error) == (JobRun.Status.FAILED, None, STALE_ERROR)
        assert nxt.status == JobRun.Status.SUCCEEDED
    else:
        assert (dead.status, nxt.status) == (JobRun.Status.RUNNING, JobRun.Status.SKIPPED)


@pytest.mark.parametrize(("env", "seconds"), [
    ({}, 60.0),
    ({"JOB_STALE_MINUTES": "2"}, 120.0),
    ({"JOB_STALE_SECONDS": "30", "JOB_STALE_MINUTES": "2"}, 30.0),
])
def test_stale_seconds_default_to_one_minute_and_still_read_the_old_minutes_variable(env, seconds):
    base = {key: value for key, value in os.environ.items() if key not in ("JOB_STALE_SECONDS", "JOB_STALE_MINUTES")}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; import django; django.setup(); "
                               "print(settings.JOB_STALE_SECONDS, settings.JOB_HEARTBEAT_SECONDS)"],
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "config.settings"}, cwd=django_settings.BASE_DIR,
        capture_output=True, text=True, check=True,
    ).stdout.split()

    assert out == [str(seconds), "5.0"]
