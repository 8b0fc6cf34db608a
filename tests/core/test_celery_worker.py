"""A real Celery worker executes a product task through the real broker (Redis in CI)."""
import os
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app
from core.models import JobRun
from core.tasks import release_stale_jobs


@pytest.fixture
def real_broker():
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL must be set in CI: the worker test needs the real broker")
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against (CI sets it)")
    return settings.REDIS_URL


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_release_stale_jobs_through_the_broker(real_broker):
    long_ago = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES + 5)
    stale = JobRun.objects.create(kind=JobRun.Kind.RESCORE_LEADS, status=JobRun.Status.RUNNING, lock_key="rescore_leads",
                                  heartbeat_at=long_ago, started_at=long_ago)
    assert app.conf.broker_url.startswith("redis://")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = release_stale_jobs.delay().get(timeout=60)

    stale.refresh_from_db()
    assert result == {"released": 1}
    assert (stale.status, stale.lock_key) == (JobRun.Status.FAILED, None)
