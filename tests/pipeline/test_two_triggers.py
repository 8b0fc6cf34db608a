"""Two triggers of the nightly run at the same moment, taken by two real worker processes: exactly one run, and
the other recorded as skipped."""
import pytest

from core.job_runs import job_create
from core.models import JobRun
from operations.selectors import NIGHTLY_STEPS
from tests.pipeline.test_worker_killed import with_customers

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


def test_two_workers_given_two_nightly_triggers_at_once_make_exactly_one_run(pipeline, tmp_path):
    with_customers(tmp_path)
    # each worker holds its run 3 s inside the first step, so the two surely overlap
    pipeline.worker(pause="operations.nightly:_steps", pause_seconds=3)
    pipeline.worker(pause="operations.nightly:_steps", pause_seconds=3)
    triggers = [job_create(kind=JobRun.Kind.NIGHTLY, trigger=JobRun.Trigger.SCHEDULE) for _ in range(2)]

    for job in triggers:
        pipeline.send("core.nightly_run", job_id=job.pk)
    finished = [pipeline.wait_finished(job.pk, timeout=120) for job in triggers]

    assert sorted(job.status for job in finished) in (
        [JobRun.Status.PARTIAL, JobRun.Status.SKIPPED], [JobRun.Status.SKIPPED, JobRun.Status.SUCCEEDED]), \
        pipeline.logs()
    skipped = next(job for job in finished if job.status == JobRun.Status.SKIPPED)
    ran = next(job for job in finished if job.status != JobRun.Status.SKIPPED)
    # refused by the lock, or (the older trigger, delivered second) found late behind the newer run
    assert skipped.error in (f"superseded by run #{ran.pk}: this older run does nothing",) or \
        skipped.error.startswith(f"another run of this job is in progress (run #{ran.pk},"), skipped.error
    assert JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.CHAIN).count() == 1
    assert [stage["name"] for stage in ran.report["stages"]] == list(NIGHTLY_STEPS)
