"""The chunk ledger of core.chunks is a migrated model (JobChunk): the chunks a run records, its admin page lists
them, deleting the run deletes them, and a database whose old code created the ledger at run time migrates."""
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core import chunks
from core.job_runs import job_create, job_running
from core.models import JobChunk, JobRun

pytestmark = pytest.mark.django_db

# the ledger table as core.chunks created it at run time before it had a model
OLD_LEDGER = (
    "CREATE TABLE core_job_chunk (run_id bigint NOT NULL, stage varchar(100) NOT NULL, number integer NOT NULL, "
    "low bigint NOT NULL, high bigint NOT NULL, status varchar(16) NOT NULL, worker varchar(200) NOT NULL DEFAULT '', "
    "heartbeat_at timestamp with time zone, params text NOT NULL, result text NOT NULL DEFAULT '', "
    "error text NOT NULL DEFAULT '', PRIMARY KEY (run_id, stage, number))")


def _count(chunk: chunks.Chunk) -> dict:
    return {"ids": chunk.high - chunk.low + 1}


COUNT = chunks.chunk_stage("test.ledger_count", work=_count)


def _run_with_chunks(ranges: list[tuple[int, int]]) -> JobRun:
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    with job_running(job):
        chunks.chunks_run(job=job, stage=COUNT, ranges=ranges, params={"full": True})
    return job


def test_a_run_records_one_chunk_row_per_range_in_the_model_table():
    job = _run_with_chunks([(1, 3), (4, 9)])

    rows = list(JobChunk.objects.filter(run=job).values_list("stage", "number", "low", "high", "status", "params",
                                                                "result", "error"))
    assert rows == [
        ("test.ledger_count", 0, 1, 3, JobChunk.Status.DONE, '{"full": true}', '{"ids": 3}', ""),
        ("test.ledger_count", 1, 4, 9, JobChunk.Status.DONE, '{"full": true}', '{"ids": 6}', ""),
    ]
    assert all(JobChunk.objects.filter(run=job).values_list("worker", flat=True))


def test_deleting_a_run_deletes_its_chunks():
    job = _run_with_chunks([(1, 2), (3, 4)])
    assert JobChunk.objects.filter(run=job).count() == 2

    job.delete()

    assert not JobChunk.objects.exists()


def test_the_run_admin_page_lists_its_chunks(admin_client):
    job = _run_with_chunks([(1, 3), (4, 9)])

    page = admin_client.get(reverse("admin:core_jobrun_change", args=[job.pk])).content.decode()

    assert "<th>stage</th><th>chunk</th><th>ids</th><th>status</th><th>worker</th>" in page
    assert "<td>test.ledger_count</td><td>0</td><td>1–3</td><td>done</td>" in page
    assert "<td>test.ledger_count</td><td>1</td><td>4–9</td><td>done</td>" in page


def test_core_models_need_no_migration_that_is_not_written():
    call_command("makemigrations", "core", check=True, dry_run=True, verbosity=0)  # SystemExit(1) if one is


@pytest.mark.django_db(transaction=True)
def test_migrate_replaces_the_ledger_the_old_code_created_at_run_time():
    job = job_create(kind=JobRun.Kind.RESCORE_LEADS, trigger=JobRun.Trigger.COMMAND)
    call_command("migrate", "core", "0004", verbosity=0)
    try:
        with connection.cursor() as cursor:
            cursor.execute(OLD_LEDGER)
            cursor.execute("INSERT INTO core_job_chunk (run_id, stage, number, low, high, status, params) "
                           "VALUES (%s, 'old.stage', 0, 1, 2, 'done', '{}')", [job.pk])
    finally:
        call_command("migrate", "core", verbosity=0)

    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, "core_job_chunk")]
    assert columns[0] == "id" and set(columns) == {field.column for field in JobChunk._meta.fields}
    assert not JobChunk.objects.exists()
    job_done = _run_with_chunks([(1, 2)])
    assert list(JobChunk.objects.filter(run=job_done).values_list("number", "status")) == [(0, "done")]
