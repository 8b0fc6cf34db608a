"""Restart Redis while a run is publishing and more runs are queued: every run completes or fails with a recorded
error (and one stopped by the outage is started again once), and no task runs twice to effect."""
import time

import pytest
from django.db.models import Count

from campaigns.models import OfferAssignment
from core.job_runs import job_create
from core.models import JobRun
from segmentation.models import Customer, SegmentationRun, SegmentMembership
from tests.pipeline.test_worker_killed import with_offers

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

FINISHED = (JobRun.Status.SUCCEEDED, JobRun.Status.PARTIAL, JobRun.Status.FAILED, JobRun.Status.SKIPPED)


def settled(job: JobRun) -> JobRun | None:
    """The run's final record, following a restart of a run its worker lost; None while any is unfinished."""
    job.refresh_from_db()
    if job.status not in FINISHED:
        return None
    restarted = JobRun.objects.filter(params__restart_of=job.pk).first()
    return settled(restarted) if restarted else job


def test_redis_restarted_during_a_run_and_with_tasks_queued(pipeline, tmp_path):
    with_offers(tmp_path)
    arguments = {"k": 3, "then_attach": False}
    publishing = job_create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.SCHEDULE, params=arguments)
    queued = [job_create(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.SCHEDULE, params={"campaign_id": None}),
              job_create(kind=JobRun.Kind.RECLUSTER, trigger=JobRun.Trigger.API, params={**arguments, "k": 4})]
    pipeline.worker(pause="core.bulk:copy_frame", pause_seconds=4)
    pipeline.send("segmentation.recluster_customers", job_id=publishing.pk, **arguments)
    pipeline.send("campaigns.attach_offers", job_id=queued[0].pk)
    pipeline.send("segmentation.recluster_customers", job_id=queued[1].pk, k=4, then_attach=False)
    pipeline.wait_held()

    pipeline.redis.stop()
    time.sleep(2)
    pipeline.redis.start()

    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and not all(settled(job) for job in [publishing, *queued]):
        time.sleep(0.5)
    finals = [settled(job) for job in [publishing, *queued]]
    assert all(finals), pipeline.logs()
    print("outcomes:", [(job.pk, final.pk, final.status, final.error) for job, final in
                        zip([publishing, *queued], finals)])
    for final in finals:
        assert final.status == JobRun.Status.SUCCEEDED or final.error, final
    assert finals[1:] == queued  # the queued runs survived the restart and ran once each
    assert [final.status for final in finals[1:]] == [JobRun.Status.SUCCEEDED] * 2
    if finals[0].status == JobRun.Status.FAILED:  # cancelled with its broker connection: said so on the run
        assert finals[0].error.startswith(("stopped by the worker", "no heartbeat")), finals[0].error
    # no run published twice: one segmentation per successful re-cluster, one membership per customer in each
    published = SegmentationRun.objects.filter(status=SegmentationRun.Status.SUCCEEDED)
    recluster_runs = JobRun.objects.filter(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.SUCCEEDED)
    assert published.count() == recluster_runs.count()  # the set-up's first run included
    assert SegmentationRun.objects.filter(is_current=True).count() == 1
    assert set(published.annotate(n=Count("memberships")).values_list("n", flat=True)) == {Customer.objects.count()}
    assert SegmentMembership.objects.count() == published.count() * Customer.objects.count()
    live = OfferAssignment.objects.exclude(status=OfferAssignment.Status.EXPIRED)
    assert not live.values("customer_id", "offer_id").annotate(n=Count("id")).filter(n__gt=1).exists()
