"""Chunked stages: one job's work split by id range and shared by every worker, published in one transaction.

How an app uses it (leads' re-score is the example, ``leads/rescore.py``):

1. At import of the app's service module, declare the stage with the function that does one chunk::

       RESCORE = chunk_stage("leads.rescore", work=_rescore_chunk)

   ``work(chunk)`` computes the rows of ids ``chunk.low``..``chunk.high`` (inclusive) from ``chunk.params`` and
   writes them with ``staging_replace(table, chunk, frame)``; it returns a small JSON-able dict. It runs inside a
   transaction that also records the chunk done, so a chunk's staged rows and its "done" commit together, and a
   chunk run twice (redelivered, taken over from a dead worker) rewrites its own range only.
2. In the service, inside ``job_running(job)``: ``staging_create(table, columns)`` (empties it: rows of dead runs
   go), ``ranges = id_ranges(ids)`` (or ``id_ranges_of(table, where, params)``), then
   ``results = chunks_run(job=job, stage=RESCORE, ranges=ranges, params={...})``: the chunk results in range order.
3. Publish in one ``transaction.atomic()``: ``job_fence(job)``, then set-based statements reading
   ``staging WHERE run_id = job.pk``, then ``staging_clear(table)``.

``chunks_run`` records one row per chunk in the ledger (``core.models.JobChunk``, migrated like any model and written
here with SQL), sends one Celery group of ``core.work_chunks`` messages when a broker is configured, and works on
chunks itself until none is left, then waits for the ones other workers hold. Every worker (and the run itself)
claims the next pending chunk, so with one worker, or none (``CELERY_TASK_ALWAYS_EAGER``: no message is sent), the
same code runs every chunk in order in the run's own process and nothing waits for a worker that does not exist (a
chord would wait). A chunk whose worker stopped beating for ``JOB_STALE_SECONDS`` is taken over; a chunk that failed
fails the run, which then publishes nothing. A chunk message of an older run (redelivered late, the run failed or
replaced) finds no running run and does nothing. The run's own heartbeat keeps beating while it waits, so the run is
alive exactly while its process is.

The staging tables, unlike the ledger, have no model or migration: each is an unlogged scratch table that its stage
creates at run time (``staging_create``) with the columns it needs and that holds nothing once a run has published.

Settings: ``JOB_CHUNKS`` (at least this many chunks, default 4) and ``JOB_CHUNK_ROWS`` (at most this many rows in
one, default 250,000). This module imports no app.
"""
from __future__ import annotations

import json
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.bulk import copy_frame, is_postgres, quote
from core.job_runs import BeatingThread
from core.models import JobChunk, JobRun

logger = logging.getLogger(__name__)

LEDGER = JobChunk._meta.db_table
PENDING, RUNNING, DONE, FAILED = (JobChunk.Status.PENDING.value, JobChunk.Status.RUNNING.value,
                                   JobChunk.Status.DONE.value, JobChunk.Status.FAILED.value)
WAIT_SECONDS = 0.2


class ChunkFailed(Exception):
    """A chunk of the run failed in some worker: the run publishes nothing."""


@dataclass(frozen=True)
class Chunk:
    run_id: int
    stage: str
    number: int
    low: int
    high: int
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkStage:
    name: str
    work: Callable[[Chunk], dict]


_STAGES: dict[str, ChunkStage] = {}


def chunk_stage(name: str, *, work: Callable[[Chunk], dict]) -> ChunkStage:
    """Declare (and register, so a worker finds it by name) a chunked stage."""
    stage = ChunkStage(name=name, work=work)
    _STAGES[name] = stage
    return stage


def registered_stage(name: str) -> ChunkStage:
    if name not in _STAGES:
        raise LookupError(f"no chunked stage {name!r} is registered (is its app's task module imported?)")
    return _STAGES[name]


# --- ranges ---------------------------------------------------------------------------------------------------------

def chunk_count(rows: int) -> int:
    """How many chunks ``rows`` rows make: at least JOB_CHUNKS, more when a chunk would exceed JOB_CHUNK_ROWS."""
    if rows <= 0:
        return 0
    return min(rows, max(settings.JOB_CHUNKS, math.ceil(rows / settings.JOB_CHUNK_ROWS)))


def id_ranges(ids: np.ndarray, chunks: int | None = None) -> list[tuple[int, int]]:
    """(low, high) id ranges, inclusive, holding as equal shares of the sorted ``ids`` as they can."""
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    count = chunk_count(len(ids)) if chunks is None else min(chunks, len(ids))
    if count == 0:
        return []
    edges = np.linspace(0, len(ids), count + 1).astype(int)
    return [(int(ids[start]), int(ids[end - 1])) for start, end in zip(edges[:-1], edges[1:]) if end > start]


def id_ranges_of(table: str, where: str = "", params: list | tuple = (), chunks: int | None = None):
    """The id ranges of the rows of ``table`` that ``where`` selects."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {quote(table)} {where}", list(params))
        ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
    return id_ranges(ids, chunks)


# --- staging --------------------------------------------------------------------------------------------------------

def staging_create(table: str, columns: dict[str, str]) -> None:
    """Create the stage's staging table (``run_id`` plus ``columns``: name -> SQL type) if missing, and empty it.
    Unlogged on PostgreSQL: it is rebuilt by the next run, so it need not survive a crash. Call it from the run
    (one run of a job at a time), never from a chunk."""
    body = ", ".join(["run_id bigint NOT NULL", *(f"{quote(name)} {kind}" for name, kind in columns.items())])
    unlogged = "UNLOGGED " if is_postgres() else ""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_ddl(cursor, table)
        cursor.execute(f"CREATE {unlogged}TABLE IF NOT EXISTS {quote(table)} ({body})")
        cursor.execute(f"DELETE FROM {quote(table)}" if not is_postgres() else f"TRUNCATE {quote(table)}")


def staging_replace(table: str, chunk: Chunk, frame: pd.DataFrame) -> None:
    """Replace the chunk's rows in ``table`` (by ``frame["id"]`` within the chunk's range) with ``frame``."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(table)} WHERE run_id = %s AND id BETWEEN %s AND %s",
                       [chunk.run_id, chunk.low, chunk.high])
        if not frame.empty:
            copy_frame(cursor, table, frame.assign(run_id=chunk.run_id))


def staging_clear(table: str) -> None:
    """Empty the staging table (inside the publishing transaction, so a rolled-back publish keeps it)."""
    name = quote(table)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {name}" if is_postgres() else f"DELETE FROM {name}")
        if is_postgres():
            cursor.execute(f"ANALYZE {name}")


def _lock_ddl(cursor, name: str) -> None:
    """Serialise CREATE TABLE IF NOT EXISTS of one table between runs of different jobs (PostgreSQL can fail two
    concurrent ones on its catalogue's unique index)."""
    if is_postgres():
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


# --- running --------------------------------------------------------------------------------------------------------

def chunks_run(*, job: JobRun, stage: ChunkStage, ranges: list[tuple[int, int]], params: dict | None = None,
               progress: Callable[[int, int], None] | None = None) -> list[dict]:
    """Run ``stage`` over ``ranges`` for the running ``job``, spread over every worker; the chunk results in
    range order once every chunk is done. Raises ``ChunkFailed`` if one failed."""
    params_text = json.dumps(params or {})
    with transaction.atomic(), connection.cursor() as cursor:
        # the rows of earlier runs of the stage go (one run of a job at a time): their late messages find nothing
        cursor.execute(f"DELETE FROM {LEDGER} WHERE stage = %s", [stage.name])
        cursor.executemany(
            f"INSERT INTO {LEDGER} (run_id, stage, number, low, high, status, params) VALUES (%s, %s, %s, %s, %s, "
            "%s, %s)", [(job.pk, stage.name, number, low, high, PENDING, params_text)
                        for number, (low, high) in enumerate(ranges)])
    if len(ranges) > 1:
        _dispatch(job.pk, stage.name, helpers=len(ranges) - 1)
    while True:
        chunks_work(run_id=job.pk, stage=stage.name)
        states = _states(job.pk, stage.name)
        if progress is not None and states:
            progress(sum(status == DONE for status, _, _ in states), len(states))
        failed = [error for status, _, error in states if status == FAILED]
        if failed:
            raise ChunkFailed(f"a chunk of {stage.name} failed: {failed[0]}")
        if all(status == DONE for status, _, _ in states):
            return [json.loads(result) for _, result, _ in states]
        time.sleep(WAIT_SECONDS)


def spread_over_workers() -> bool:
    """Whether tasks go through a broker, so that workers can take chunks (not in-process, eager)."""
    from celery import current_app as app  # the project's app (config.celery), without core importing config

    return not app.conf.task_always_eager


def _dispatch(run_id: int, stage: str, *, helpers: int) -> None:
    """One Celery group of chunk messages for other workers (none when tasks run in-process)."""
    from celery import current_app as app
    from celery import group

    if not spread_over_workers():
        return
    task = app.signature("core.work_chunks", kwargs={"run_id": run_id, "stage": stage})
    group(task.clone() for _ in range(helpers)).apply_async()


def _states(run_id: int, stage: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, result, error FROM {LEDGER} WHERE run_id = %s AND stage = %s ORDER BY number",
                       [run_id, stage])
        return cursor.fetchall()


def chunks_work(*, run_id: int, stage: str) -> int:
    """Claim and do chunks of the run's stage until none is left to claim; how many this call did. Nothing when
    the run is no longer running (a late message of an older run)."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    done = 0
    with _ClaimBeat(worker):
        while JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).exists():
            chunk = _claim(run_id, stage, worker)
            if chunk is None:
                break
            _work_one(chunk, worker)
            done += 1
    return done


def _claim(run_id: int, stage: str, worker: str) -> Chunk | None:
    """The first pending chunk, or one whose worker stopped beating, now held by ``worker``."""
    stale = timezone.now() - timezone.timedelta(seconds=settings.JOB_STALE_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number, low, high, params FROM {LEDGER} WHERE run_id = %s AND stage = %s AND "
                       "(status = %s OR (status = %s AND heartbeat_at < %s)) ORDER BY number",
                       [run_id, stage, PENDING, RUNNING, stale])
        for number, low, high, params in cursor.fetchall():
            cursor.execute(f"UPDATE {LEDGER} SET status = %s, worker = %s, heartbeat_at = %s WHERE run_id = %s AND "
                           "stage = %s AND number = %s AND (status = %s OR (status = %s AND heartbeat_at < %s))",
                           [RUNNING, worker, timezone.now(), run_id, stage, number, PENDING, RUNNING, stale])
            if cursor.rowcount == 1:
                return Chunk(run_id, stage, number, low, high, json.loads(params))
    return None


def _work_one(chunk: Chunk, worker: str) -> None:
    """Do the chunk and record it done in one transaction; a chunk taken over meanwhile rolls back."""
    try:
        with transaction.atomic():
            result = registered_stage(chunk.stage).work(chunk)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {LEDGER} SET status = %s, result = %s WHERE run_id = %s AND stage = %s AND "
                               "number = %s AND worker = %s AND status = %s",
                               [DONE, json.dumps(result), chunk.run_id, chunk.stage, chunk.number, worker, RUNNING])
                if cursor.rowcount != 1:
                    raise _ClaimLost()
    except _ClaimLost:
        logger.warning("chunk %s of %s (run #%s) was taken over: its rows were not kept", chunk.number,
                       chunk.stage, chunk.run_id)
    except Exception as exc:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {LEDGER} SET status = %s, error = %s WHERE run_id = %s AND stage = %s AND "
                           "number = %s AND worker = %s", [FAILED, f"{type(exc).__name__}: {exc}"[:2000],
                                                           chunk.run_id, chunk.stage, chunk.number, worker])
        raise


class _ClaimLost(Exception):
    pass


class _ClaimBeat(BeatingThread):
    """The heartbeat of the chunks ``worker`` holds, as ``core.job_runs.Heartbeat`` is a run's: a chunk busy in one
    long computation is not taken over."""

    name = "chunk-heartbeat"

    def __init__(self, worker: str):
        self.worker = worker
        super().__init__()

    def beat(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {LEDGER} SET heartbeat_at = %s WHERE worker = %s AND status = %s",
                           [timezone.now(), self.worker, RUNNING])
