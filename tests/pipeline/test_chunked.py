"""A re-score spread over real worker processes (core.chunks): two workers share the chunks, and a worker
SIGKILLed while it holds a chunk leaves the previous scores current until the run publishes once, with one
history row per changed lead, after the run took the dead worker's chunk over."""
import time

import pytest
from django.db import connection
from django.db.models import Count

from core import chunks
from core.job_runs import job_create
from core.models import JobRun
from leads.models import Lead, LeadScore
from leads.services import leads_rescore
from leads.training import lead_model_train
from tests.factories import import_generated_leads
from tests.pipeline.conftest import wait_for

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

READ_A_CHUNK = "leads.rescore:leads_frame"  # each chunk reads its leads through it; a held worker stops there


@pytest.fixture
def scored_leads(tmp_path, settings, monkeypatch):
    """Leads scored once (in-process); the workers then re-score with a lower hot threshold, so tiers change."""
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    import_generated_leads(tmp_path, leads=1200, open_share=0.9)
    lead_model_train()
    leads_rescore(full=True)
    monkeypatch.setenv("JOB_CHUNKS", "6")
    monkeypatch.setenv("LEAD_TIER_HOT", "50")


def chunk_workers(run_id: int) -> list[str]:
    """The process (host:pid) that did each chunk of the run's re-score."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT worker FROM {chunks.LEDGER} WHERE run_id = %s AND status = %s ORDER BY number",
                       [run_id, chunks.DONE])
        return [worker.rsplit(":", 1)[0] for (worker,) in cursor.fetchall()]


def history_per_lead() -> dict[int, int]:
    return dict(Lead.objects.annotate(n=Count("score_history")).values_list("pk", "n"))


def test_two_workers_share_the_chunks_of_one_rescore(scored_leads, pipeline):
    history_before = LeadScore.objects.count()
    pipeline.worker(pause=READ_A_CHUNK, pause_seconds=1)
    pipeline.worker(pause=READ_A_CHUNK, pause_seconds=1)
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.SCHEDULE, params={"full": True})

    pipeline.send("leads.rescore_leads", job_id=job.pk, full=True)
    job = pipeline.wait_finished(job.pk, timeout=120)

    assert job.status == JobRun.Status.SUCCEEDED, (job.error, pipeline.logs())
    workers = chunk_workers(job.pk)
    assert len(workers) == 6 and len(set(workers)) == 2, workers
    assert job.counts["changed"] > 0
    assert LeadScore.objects.count() == history_before + job.counts["changed"]
    assert not Lead.objects.filter(scored_at__gte=job.started_at, score__gte=50).exclude(tier="hot").exists()


def test_a_worker_killed_holding_a_chunk_leaves_the_scores_until_the_run_takes_its_chunk_over(scored_leads,
                                                                                           pipeline):
    before = sorted(Lead.objects.values_list("pk", "score", "tier", "scored_at"))
    history_before = LeadScore.objects.count()
    # takes the run, then one chunk at a time, slowly enough for the second worker to start and take one
    pipeline.worker(pause=READ_A_CHUNK, pause_seconds=6)
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.SCHEDULE, params={"full": True})
    pipeline.send("leads.rescore_leads", job_id=job.pk, full=True)
    wait_for(lambda: chunk_workers(job.pk) or None, timeout=60, what="the run's first chunk")
    helper = pipeline.worker(pause=READ_A_CHUNK)  # takes a chunk and holds it until killed
    pipeline.wait_held()
    wait_for(lambda: _held_by_other(job.pk), timeout=60,
             what="the second worker to hold a chunk")
    helper.kill()
    started = time.monotonic()

    assert sorted(Lead.objects.values_list("pk", "score", "tier", "scored_at")) == before
    assert LeadScore.objects.count() == history_before
    job = pipeline.wait_finished(job.pk, timeout=120)

    assert job.status == JobRun.Status.SUCCEEDED, (job.error, pipeline.logs())
    assert time.monotonic() - started < 120
    assert len(set(chunk_workers(job.pk))) == 1, "the run took the dead worker's chunk over"
    assert LeadScore.objects.count() == history_before + job.counts["changed"] > history_before
    assert max(history_per_lead().values()) <= 2, "at most the first scoring and this one"


def _held_by_other(run_id: int) -> bool:
    """A chunk of the run is held (running) by a process other than the one that did its first chunk."""
    done = chunk_workers(run_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT worker FROM {chunks.LEDGER} WHERE run_id = %s AND status = %s",
                       [run_id, chunks.RUNNING])
        running = [worker.rsplit(":", 1)[0] for (worker,) in cursor.fetchall()]
    return any(worker not in done[:1] for worker in running)
