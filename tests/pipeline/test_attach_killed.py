"""SIGKILL the worker in the middle of an offer attach spread over chunks (campaigns.attach_chunks), after some
chunks staged their scored customers and while another is in flight: the previous assignments stay current and
nothing of the dead run is visible; a new worker and a new trigger complete the attach within two minutes, with no
manual repair, and propose exactly what an undisturbed attach proposes."""
import time

import pytest
from django.db import connection, transaction

from campaigns import attach_chunks
from campaigns.models import OfferAssignment
from campaigns.services import offers_attach
from core import chunks
from core.job_runs import STALE_ERROR, job_create
from core.models import JobRun
from segmentation.models import Customer
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from tests.campaigns.factories import import_generated_customers
from tests.factories import CampaignFactory, OfferFactory
from tests.pipeline.conftest import STALE_SECONDS, wait_for

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

STAGE_A_CHUNK = "campaigns.attach_chunks:staging_replace"  # every chunk stages its scored customers through it
CHUNKS = 4


@pytest.fixture
def attached_then_moved(monkeypatch):
    """1,500 customers given offers once (in-process, one pass); then a tenth of them move persona, so the next
    attach expires and proposes offers."""
    monkeypatch.setattr("campaigns.services.spread_over_workers", lambda: False)
    import_generated_customers(1500)
    campaign = CampaignFactory(name="Spring", control_share=0.2, audience_cap=800)
    for persona, value in ((DEAL_ORIENTED, 25), (VALUE_FAMILY, 60), (PREMIUM, 120)):
        OfferFactory(campaign=campaign, target_personas=[persona], value=value)
    offers_attach()
    following = {PREMIUM: DEAL_ORIENTED, DEAL_ORIENTED: VALUE_FAMILY, VALUE_FAMILY: PREMIUM}
    every_tenth = Customer.objects.exclude(persona="").order_by("id").values_list("id", "persona")[::10]
    for persona, new_persona in following.items():
        Customer.objects.filter(pk__in=[pk for pk, old in every_tenth if old == persona]).update(persona=new_persona)
    monkeypatch.setenv("JOB_CHUNKS", str(CHUNKS))


def published() -> list[tuple]:
    """What users see: every assignment row as it is stored."""
    return sorted(OfferAssignment.objects.values_list("pk", "customer_id", "offer_id", "status", "is_control",
                                                      "p_accept", "score", "rank", "updated_at"))


def proposed() -> list[tuple]:
    """What an attach decides, without row ids and times."""
    return sorted(OfferAssignment.objects.values_list("campaign_id", "customer_id", "offer_id", "status",
                                                      "is_control", "p_accept", "score", "rank", "persona"))


def undisturbed_attach() -> list[tuple]:
    """The assignments an attach from this state gives when nothing fails (in-process, then rolled back)."""
    with transaction.atomic():
        assert offers_attach().status == JobRun.Status.SUCCEEDED
        expected = proposed()
        transaction.set_rollback(True)
    return expected


def ledger(run_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {chunks.LEDGER} WHERE run_id = %s AND stage = %s ORDER BY number",
                       [run_id, attach_chunks.SCORE.name])
        return [status for (status,) in cursor.fetchall()]


def staged_rows(run_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {attach_chunks.SCORE_TABLE} WHERE run_id = %s", [run_id])
        return cursor.fetchone()[0]


def test_worker_killed_while_chunks_are_in_flight_leaves_the_assignments_and_the_next_trigger_completes(
        attached_then_moved, pipeline):
    expected = undisturbed_attach()
    before = published()
    assert expected != proposed()  # the attach has rows to change
    killed = job_create(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.SCHEDULE)

    # each chunk waits two seconds once staged: the test kills the worker after two chunks, holding the third
    worker = pipeline.worker(pause=STAGE_A_CHUNK, pause_seconds=2)
    pipeline.send("campaigns.attach_offers", job_id=killed.pk)
    pipeline.wait_held()
    wait_for(lambda: ledger(killed.pk).count(chunks.DONE) >= 2, timeout=60, what="two chunks of the attach done")
    worker.kill()

    states = ledger(killed.pk)
    assert len(states) == CHUNKS and 2 <= states.count(chunks.DONE) < CHUNKS, states
    assert staged_rows(killed.pk) > 0  # the dead run's chunks staged their customers ...
    assert published() == before  # ... and none of it is visible
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.RUNNING  # as the dead worker left it, until someone looks

    started = time.monotonic()
    pipeline.worker()
    time.sleep(STALE_SECONDS + 1)  # a trigger inside the stale window is refused as "in progress"
    retry = job_create(kind=JobRun.Kind.ATTACH_OFFERS, trigger=JobRun.Trigger.SCHEDULE)
    pipeline.send("campaigns.attach_offers", job_id=retry.pk)
    retry = pipeline.wait_finished(retry.pk, timeout=120)

    assert retry.status == JobRun.Status.SUCCEEDED, (retry.error, pipeline.logs())
    assert time.monotonic() - started < 120
    killed.refresh_from_db()
    assert (killed.status, killed.error, killed.lock_key) == (JobRun.Status.FAILED, STALE_ERROR, None)
    assert ledger(retry.pk) == [chunks.DONE] * CHUNKS  # the new run was spread over chunks too
    assert proposed() == expected
    assert retry.counts["expired"] > 0 and retry.counts["offers_proposed"] > 0
    assert staged_rows(killed.pk) == staged_rows(retry.pk) == 0
