"""core.chunks in-process (no broker: every chunk runs in the run's own process, in order): ranges, staging rows
keyed by run, a chunk done twice rewrites its own range, a failed chunk fails the run, a late run writes nothing."""
import numpy as np
import pandas as pd
import pytest
from django.db import connection

from core import chunks
from core.job_runs import job_create, job_running
from core.models import JobRun

pytestmark = [pytest.mark.pipeline, pytest.mark.django_db]

TABLE = "_test_chunk_stage"


def _square(chunk: chunks.Chunk) -> dict:
    ids = np.arange(chunk.low, chunk.high + 1)
    chunks.staging_replace(TABLE, chunk, pd.DataFrame({"id": ids, "value": ids * chunk.params["factor"]}))
    return {"rows": len(ids), "low": chunk.low}


def _broken(chunk: chunks.Chunk) -> dict:
    if chunk.number == 1:
        raise ValueError("bad row")
    return _square(chunk)


SQUARE = chunks.chunk_stage("test.square", work=_square)
BROKEN = chunks.chunk_stage("test.broken", work=_broken)


def _staged(run_id: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, value FROM {TABLE} WHERE run_id = %s ORDER BY id", [run_id])
        return cursor.fetchall()


def test_id_ranges_split_the_sorted_ids_into_equal_shares():
    assert chunks.id_ranges(np.array([9, 1, 5, 3, 7, 11, 13, 15]), 4) == [(1, 3), (5, 7), (9, 11), (13, 15)]
    assert chunks.id_ranges(np.array([4, 2]), 4) == [(2, 2), (4, 4)]
    assert chunks.id_ranges(np.array([], dtype=int), 4) == []


def test_chunk_count_is_at_least_job_chunks_and_caps_rows_per_chunk(settings):
    settings.JOB_CHUNKS, settings.JOB_CHUNK_ROWS = 4, 100
    assert [chunks.chunk_count(rows) for rows in (0, 3, 10, 400, 401)] == [0, 3, 4, 4, 5]


def test_a_run_without_broker_does_every_chunk_in_order_and_stages_its_rows():
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    with job_running(job):
        chunks.staging_create(TABLE, {"id": "bigint", "value": "bigint"})
        results = chunks.chunks_run(job=job, stage=SQUARE, ranges=[(1, 3), (4, 5)], params={"factor": 10})
        staged = _staged(job.pk)
    assert results == [{"rows": 3, "low": 1}, {"rows": 2, "low": 4}]
    assert staged == [(1, 10), (2, 20), (3, 30), (4, 40), (5, 50)]


def test_a_chunk_done_again_rewrites_only_its_own_range():
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    with job_running(job):
        chunks.staging_create(TABLE, {"id": "bigint", "value": "bigint"})
        chunks.chunks_run(job=job, stage=SQUARE, ranges=[(1, 2), (3, 4)], params={"factor": 1})
        chunks.staging_replace(TABLE, chunks.Chunk(job.pk, SQUARE.name, 0, 1, 2),
                               pd.DataFrame({"id": [1, 2], "value": [7, 8]}))
        staged = _staged(job.pk)
    assert staged == [(1, 7), (2, 8), (3, 3), (4, 4)]


def test_a_failed_chunk_fails_the_run():
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    with pytest.raises(ValueError, match="bad row"), job_running(job):
        chunks.staging_create(TABLE, {"id": "bigint", "value": "bigint"})
        chunks.chunks_run(job=job, stage=BROKEN, ranges=[(1, 2), (3, 4), (5, 6)], params={"factor": 1})
    job.refresh_from_db()
    assert job.status == JobRun.Status.FAILED


def test_a_chunk_message_of_a_run_no_longer_running_does_nothing():
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    with job_running(job):
        chunks.staging_create(TABLE, {"id": "bigint", "value": "bigint"})
        chunks.chunks_run(job=job, stage=SQUARE, ranges=[(1, 2)], params={"factor": 1})
    assert chunks.chunks_work(run_id=job.pk, stage=SQUARE.name) == 0
