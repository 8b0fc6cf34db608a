"""SIGKILL the worker in the middle of a re-cluster spread over chunks (segmentation.recluster_chunks: fit on a
sample, customers assigned by id range): after some chunks staged their customers and while another is in flight,
the previous segmentation stays current and nothing of the dead run is visible; a new worker and a new trigger
complete the re-cluster within two minutes, with no manual repair, again in chunks."""
import time

import pytest
from django.db import connection

from core import chunks
from core.job_runs import STALE_ERROR, job_create
from core.models import JobRun
from segmentation import recluster_chunks
from segmentation.models import Customer, SegmentationRun, SegmentMembership
from segmentation.services import customers_recluster
from tests.campaigns.factories import import_generated_customers
from tests.pipeline.conftest import STALE_SECONDS, wait_for
from tests.pipeline.test_worker_killed import segmentation_state

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

STAGE_A_CHUNK = "segmentation.recluster_chunks:staging_replace"  # every chunk stages its customers through it
CHUNKS = 4
ARGUMENTS = {"k": 3, "then_attach": False}


@pytest.fixture
def segmented(monkeypatch):
    """900 customers segmented once (in-process, one pass); the workers then fit on a sample of 300 (fewer than
    the customers, so the run is spread over chunks) and assign in at least four chunks."""
    monkeypatch.setattr("segmentation.services._spread_over_workers", lambda: False)
    import_generated_customers(900)
    customers_recluster(k=3)
    monkeypatch.setenv("RECLUSTER_FIT_SAMPLE", "300")
    monkeypatch.setenv("JOB_CHUNKS", str(CHUNKS))


def ledger(run_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {chunks.LEDGER} WHERE run_id = %s AND stage = %s ORDER BY number",
                       [run_id, recluster_chunks.ASSIGN.name])
        return [status for (status,) in cursor.fetchall()]


def test_worker_killed_while_assigning_chunks_leaves_the_segmentation_and_the_next_trigger_completes(
        segmented, pipeline):
    before = segmentation_state()
    killed = job_create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.SCHEDULE, params=ARGUMENTS)

    # each chunk waits two seconds once staged: the test kills the worker after two chunks, holding the third
    worker = pipeline.worker(pause=STAGE_A_CHUNK, pause_seconds=2)
    pipeline.send("segmentation.recluster_customers", job_id=killed.pk, **ARGUMENTS)
    pipeline.wait_held()
    wait_for(lambda: ledger(killed.pk).count(chunks.DONE) >= 2, timeout=60, what="two chunks of the re-cluster done")
    worker.kill()

    states = ledger(killed.pk)
    assert len(states) >= CHUNKS and 2 <= states.count(chunks.DONE) < len(states), states
    assert segmentation_state() == before  # the staged chunks are not visible
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.RUNNING  # as the dead worker left it, until someone looks

    started = time.monotonic()
    pipeline.worker()
    time.sleep(STALE_SECONDS + 1)  # a trigger inside the stale window is refused as "in progress"
    retry = job_create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.SCHEDULE, params=ARGUMENTS)
    pipeline.send("segmentation.recluster_customers", job_id=retry.pk, **ARGUMENTS)
    retry = pipeline.wait_finished(retry.pk, timeout=120)

    assert retry.status == JobRun.Status.SUCCEEDED, (retry.error, pipeline.logs())
    assert time.monotonic() - started < 120
    killed.refresh_from_db()
    assert (killed.status, killed.error, killed.lock_key) == (JobRun.Status.FAILED, STALE_ERROR, None)
    retried = ledger(retry.pk)
    assert len(retried) >= CHUNKS and set(retried) == {chunks.DONE}  # the new run was spread over chunks too
    new_run = SegmentationRun.objects.get(is_current=True)
    assert new_run.job_id == retry.pk and new_run.n_customers == Customer.objects.count()
    assert SegmentMembership.objects.filter(run=new_run).count() == Customer.objects.count()
    assert SegmentationRun.objects.get(job=killed).status == SegmentationRun.Status.FAILED
    assert SegmentMembership.objects.filter(run__job=killed).count() == 0
    after = segmentation_state()
    assert after["memberships"] == before["memberships"] + Customer.objects.count()
