"""Writes of a re-score: staged chunks applied in set-based statements inside the caller's transaction.

On PostgreSQL the statements run on one background thread sharing the transaction's connection (psycopg
connections are thread-safe; the caller makes no query meanwhile), so the database applies one chunk while Python
scores the next: on two cores a million-lead re-score where every score changes takes about a third less time.
On SQLite they run inline.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
from django.db import connection

from core.bulk import copy_frame, create_stage, drop_stage, quote
from leads.models import Lead, LeadScore

logger = logging.getLogger(__name__)

SCORES_STAGE = "_rescore_scores"
FACTORS_STAGE = "_rescore_factors"
# Memory for joining a staged chunk with the lead table. With PostgreSQL's default 4 MB the hash is split into
# batches and the lead table is updated in scattered order: each page is then read and written several times
# (at 1M leads in one statement 5.6 s instead of 3.8 s). Local to the publishing transaction.
PUBLISH_WORK_MEM = "256MB"


class ScoreWriter:
    """Publishes re-scored leads chunk by chunk, then their factors in words, in the open transaction.

    ``write_scores(rows)`` takes (id, score, tier) of leads whose score, tier or model changed (best in id order,
    so the lead table is updated page after page): each gets the new values, the run's ``scored_at``, no factors
    yet, and a history row. ``write_factors(rows)`` takes (id, factors) of explained leads. Use as a context
    manager inside ``transaction.atomic()``; leaving it waits for the last write, and a write's error is raised
    there (so the transaction rolls back).
    """

    def __init__(self, *, model_id: int, scored_at):
        if not connection.in_atomic_block:
            raise RuntimeError("ScoreWriter publishes inside transaction.atomic()")
        self.rescored = 0
        self._values = {"model": model_id, "now": scored_at}
        self._postgres = connection.vendor == "postgresql"
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future | None = None

    def __enter__(self) -> ScoreWriter:
        lead = Lead._meta.db_table
        with connection.cursor() as cursor:
            create_stage(cursor, like_table=lead, columns=["id", "score", "tier"], name=SCORES_STAGE)
            create_stage(cursor, like_table=lead, columns=["id", "factors"], name=FACTORS_STAGE)
            if self._postgres:
                cursor.execute(f"SET LOCAL work_mem = '{PUBLISH_WORK_MEM}'")
                self._raw = connection.connection
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="score-writer")
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            self._wait(raise_error=exc is None)
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
        if exc is None:  # after an error the rollback takes the stages away (they were created in the transaction)
            with connection.cursor() as cursor:
                drop_stage(cursor, SCORES_STAGE)
                drop_stage(cursor, FACTORS_STAGE)

    @property
    def busy(self) -> bool:
        """Whether a write is running beside the caller right now."""
        return self._pending is not None and not self._pending.done()

    def write_scores(self, rows: pd.DataFrame) -> None:
        if not rows.empty:
            self._submit(self._apply_scores, rows)

    def publish_staged(self, table: str, *, run_id: int) -> None:
        """Apply the scores a chunked re-score staged in ``table`` (core.chunks: ``run_id``, id, score, tier) as
        ``write_scores`` applies a chunk's: the new values and a history row per lead."""
        self._submit(self._apply_staged, (table, run_id))

    def write_factors(self, rows: pd.DataFrame) -> None:
        if not rows.empty:
            self._submit(self._apply_factors, rows)

    def _submit(self, write, rows: pd.DataFrame) -> None:
        self._wait(raise_error=True)
        if self._executor is None:
            write(rows)
        else:
            self._pending = self._executor.submit(write, rows)

    def _wait(self, *, raise_error: bool) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if raise_error:
            pending.result()
        elif pending.exception() is not None:  # the caller's own error is the one to raise
            logger.warning("score write abandoned with the failed re-score: %s", pending.exception())

    def _cursor(self):
        return self._raw.cursor() if self._postgres else connection.cursor()

    def _apply_scores(self, rows: pd.DataFrame) -> None:
        lead, history, stage = quote(Lead._meta.db_table), quote(LeadScore._meta.db_table), quote(SCORES_STAGE)
        # The id range lets PostgreSQL find a dense chunk's leads by primary key instead of scanning the table; a
        # sparse chunk (a nightly's scattered changes) is analysed so that it is hashed and the table read once.
        low, high = int(rows["id"].min()), int(rows["id"].max())
        values = {**self._values, "low": low, "high": high}
        with self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {stage}" if self._postgres else f"DELETE FROM {stage}")
            copy_frame(cursor, SCORES_STAGE, rows)
            if self._postgres and high - low + 1 > 2 * len(rows):
                cursor.execute(f"ANALYZE {stage}")
            cursor.execute(
                f"INSERT INTO {history} (lead_id, score, tier, scoring_model_id, scored_at) "
                f"SELECT id, score, tier, %(model)s, %(now)s FROM {stage}", values)
            cursor.execute(
                f"UPDATE {lead} AS l SET score = s.score, tier = s.tier, scoring_model_id = %(model)s, "
                f"scored_at = %(now)s, factors = '{{}}' FROM {stage} s "
                f"WHERE l.id = s.id AND l.id BETWEEN %(low)s AND %(high)s", values)
        self.rescored += len(rows)

    def _apply_staged(self, source: tuple[str, int]) -> None:
        lead, history = quote(Lead._meta.db_table), quote(LeadScore._meta.db_table)
        table, values = quote(source[0]), {**self._values, "run": source[1]}
        with self._cursor() as cursor:
            if self._postgres:
                cursor.execute(f"ANALYZE {table}")
            cursor.execute(
                f"INSERT INTO {history} (lead_id, score, tier, scoring_model_id, scored_at) "
                f"SELECT id, score, tier, %(model)s, %(now)s FROM {table} WHERE run_id = %(run)s", values)
            cursor.execute(
                f"UPDATE {lead} AS l SET score = s.score, tier = s.tier, scoring_model_id = %(model)s, "
                f"scored_at = %(now)s, factors = '{{}}' FROM {table} s WHERE l.id = s.id AND s.run_id = %(run)s",
                values)
            self.rescored += cursor.rowcount

    def _apply_factors(self, rows: pd.DataFrame) -> None:
        lead, stage = quote(Lead._meta.db_table), quote(FACTORS_STAGE)
        with self._cursor() as cursor:
            copy_frame(cursor, FACTORS_STAGE, rows)
            if self._postgres:
                cursor.execute(f"ANALYZE {stage}")
            cursor.execute(f"UPDATE {lead} AS l SET factors = s.factors FROM {stage} s WHERE l.id = s.id")
