"""Celery is set for long jobs: late acknowledgement, put back when a worker dies, time limits on every job task
below the broker's visibility timeout, one message at a time, retries with backoff for a database or Redis away."""
import pytest
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from config.celery import app
from core.jobs import TASK_FOR_KIND

pytestmark = pytest.mark.pipeline

JOB_TASKS = sorted(set(TASK_FOR_KIND.values()))


@pytest.fixture(scope="module")
def tasks():
    app.loader.import_default_modules()
    return {name: app.tasks[name] for name in JOB_TASKS}


def test_worker_settings_fit_long_jobs():
    conf = app.conf

    assert (conf.task_acks_late, conf.task_reject_on_worker_lost) == (True, True)
    assert conf.worker_cancel_long_running_tasks_on_connection_loss is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_max_tasks_per_child == 20


@pytest.mark.parametrize("name", JOB_TASKS)
def test_every_job_task_declares_late_ack_limits_and_retries(tasks, name):
    task = tasks[name]

    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert 0 < task.soft_time_limit < task.time_limit < app.conf.broker_transport_options["visibility_timeout"]
    assert {OperationalError, RedisConnectionError} <= set(task.autoretry_for)
    assert task.retry_backoff and task.max_retries >= 3


def test_visibility_timeout_exceeds_the_longest_hard_limit(tasks):
    longest = max(task.time_limit for task in tasks.values())

    assert (longest, app.conf.broker_transport_options["visibility_timeout"]) == (6 * 3600 + 300, 8 * 3600)
