"""Bulk writes from DataFrames: the one place that knows which database backend is in use.

PostgreSQL: COPY (text format) into a temporary staging table, then one set-based statement
(`INSERT … ON CONFLICT` or `UPDATE … FROM`). At 1,000,000 rows this is 20–90× faster than per-row
`save()` or `bulk_update` (see ../shared/PERF-NOTES.md). SQLite, the embedded default, gets the same
statements with the staging table filled by `executemany`.

Frames passed here use database column names and Python/pandas values; booleans, dates, datetimes,
JSON (dict/list) and missing values (None/NaN/NaT) are converted for the backend here, once. On
PostgreSQL the rows are rendered to CSV by Arrow's C++ writer (~0.5 s per 1,000,000 rows).
"""
from __future__ import annotations

import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

STAGE_TABLE = "_bulk_stage"
COPY_CHUNK_ROWS = 200_000
# a first load of at least this many rows checks foreign keys and builds indexes once, after the COPY
FIRST_LOAD_DROP_ROWS = 10_000


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def quote(name: str) -> str:
    """A table or column name quoted for the current database: the one helper every raw SQL statement uses."""
    return connection.ops.quote_name(name)


def _distinct(left: str, right: str) -> str:
    """Null-safe 'differs' comparison in the current dialect."""
    if is_postgres():
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def _arrow_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table the CSV writer can render: JSON cells serialised, objects typed."""
    columns = {}
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object:
            sample = series.dropna().head(1).tolist()
            if sample and isinstance(sample[0], (dict, list)):
                present = series.notna().to_numpy()
                rendered = np.full(len(series), None, dtype=object)
                rendered[present] = [json.dumps(value, ensure_ascii=False) for value in series.to_numpy()[present]]
                series = pd.Series(rendered, index=series.index)
            elif sample and hasattr(sample[0], "isoformat") and not isinstance(sample[0], str):
                series = series.map(lambda v: None if v is None or v is pd.NaT else v.isoformat())
        columns[name] = pa.array(series, from_pandas=True)
    return pa.table(columns)  # column by column: no pandas frame, no block consolidation in between


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for COPY … (FORMAT csv): every value quoted, NULL as a bare empty field (so '' stays '')."""
    sink = io.BytesIO()
    pa_csv.write_csv(
        _arrow_table(frame), sink, write_options=pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    )
    return sink.getvalue()


def _python_rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain Python values for executemany (SQLite)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series):
            values = [None if pd.isna(v) else v.to_pydatetime() for v in series]
            if series.dt.tz is None:
                values = [None if v is None else v.date() for v in values]
        else:
            values = [_sqlite_value(v) for v in series.astype(object)]
        columns.append(values)
    return list(zip(*columns))


def _sqlite_value(value):
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, np.generic):
        return value.item()
    return value


def copy_frame(cursor, table: str, frame: pd.DataFrame) -> None:
    """Append the frame's rows to `table` (columns named as the frame's)."""
    if frame.empty:
        return
    columns = ", ".join(quote(c) for c in frame.columns)
    if is_postgres():
        with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, len(frame), COPY_CHUNK_ROWS):
                copy.write(_csv_bytes(frame.iloc[start : start + COPY_CHUNK_ROWS]))
        return
    placeholders = ", ".join(["%s"] * len(frame.columns))
    cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})", _python_rows(frame))


def create_stage(cursor, *, like_table: str, columns: list[str], name: str = STAGE_TABLE,
                 text_columns: tuple[str, ...] = ()) -> str:
    """A temporary table with the same column types as `like_table` (dropped first if left over); on PostgreSQL
    `text_columns` are staged as text (e.g. JSON compared as text before it is parsed)."""
    cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")
    as_text = set(text_columns) if is_postgres() else set()  # SQLite stores JSON as text anyway
    cols = ", ".join(f"{quote(c)}::text AS {quote(c)}" if c in as_text else quote(c) for c in columns)
    if is_postgres():
        cursor.execute(f"CREATE TEMP TABLE {quote(name)} AS SELECT {cols} FROM {quote(like_table)} WITH NO DATA")
    else:
        cursor.execute(f"CREATE TEMP TABLE {quote(name)} AS SELECT {cols} FROM {quote(like_table)} WHERE 0")
    return name


def drop_stage(cursor, name: str = STAGE_TABLE) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {quote(name)}")


def _is_empty(cursor, quoted_table: str) -> bool:
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {quoted_table})")
    return cursor.fetchone()[0]


def _plain(value):
    """A database-prepared constant (psycopg Jsonb/Int4 wrappers, choices enums) as a plain value for CSV."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()  # a text column: Arrow's CSV writer formats a zoned timestamp ~1 s per million
    if hasattr(value, "obj") and type(value).__name__ == "Jsonb":
        return json.dumps(value.obj, ensure_ascii=False)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    return value


def upsert_frame(
    *,
    table: str,
    frame: pd.DataFrame,
    key: str,
    compare_columns: list[str],
    insert_defaults: dict[str, object] | None = None,
    touch_column: str | None = None,
    touch_value=None,
    fallback_columns: dict[str, object] | None = None,
    merge_json_columns: tuple[str, ...] = (),
) -> UpsertCounts:
    """Insert new keys, update changed rows, leave identical rows untouched; report which was which.

    Two set-based statements (an UPDATE … FROM of the changed rows, then an INSERT of the new keys) under
    a table lock that keeps other writers out but lets readers in. Into an empty PostgreSQL table (a first
    load) the rows are copied straight in: no staging table, no join. Measured faster than one
    INSERT … ON CONFLICT, whose per-row speculative insertion costs most when nothing changed.
    `insert_defaults` fills NOT NULL columns the frame does not carry (e.g. created_at) on insert only;
    `touch_column` (e.g. updated_at) is set to `touch_value` on inserted and changed rows.
    `fallback_columns` {column: default}: a NULL in the frame keeps the row's current value (an inserted row
    gets the default). `merge_json_columns`: JSON objects merged into the current one key by key (a file's
    custom attributes leave the attributes of other files alone).
    Call inside a transaction.
    """
    if frame.empty:
        return UpsertCounts(0, 0, 0)
    columns = [key, *compare_columns]
    extra = dict(insert_defaults or {})
    fallback = dict(fallback_columns or {})
    if touch_column:
        extra[touch_column] = touch_value
    t, k = quote(table), quote(key)
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(f"LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE")
            if _is_empty(cursor, t):
                filled = {c: frame[c].fillna(_plain(d)) if frame[c].hasnans else frame[c] for c, d in fallback.items()}
                rows = frame[columns].assign(**filled, **{c: _plain(v) for c, v in extra.items()})
                with _foreign_keys_checked_after(cursor, table, len(frame)), \
                        _indexes_built_after(cursor, table, len(frame)):
                    copy_frame(cursor, table, rows)
                return UpsertCounts(inserted=len(frame), updated=0, unchanged=0)
        stage = quote(create_stage(cursor, like_table=table, columns=columns, text_columns=merge_json_columns))
        copy_frame(cursor, STAGE_TABLE, frame[columns])  # no ANALYZE: the planner sizes the stage from its pages
        new_values = {c: _new_value(t, c, fallback, merge_json_columns) for c in compare_columns}
        assignments = [f"{quote(c)} = {value}" for c, value in new_values.items()]
        params: list[object] = []
        if touch_column:
            assignments.append(f"{quote(touch_column)} = %s")
            params.append(touch_value)
        updated = 0  # a frame of keys alone has nothing that could change: its known keys are all unchanged
        if compare_columns:
            changed = " OR ".join(_changed(t, c, value, merge_json_columns) for c, value in new_values.items())
            cursor.execute(
                f"UPDATE {t} SET {', '.join(assignments)} FROM {stage} s WHERE {t}.{k} = s.{k} AND ({changed})", params
            )
            updated = cursor.rowcount
        target_cols = ", ".join(quote(c) for c in [*columns, *extra])
        select_cols = [_inserted_value(c, fallback, merge_json_columns) for c in columns]
        cursor.execute(
            f"INSERT INTO {t} ({target_cols}) SELECT {', '.join(select_cols + ['%s'] * len(extra))} FROM {stage} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE {t}.{k} = s.{k})",
            [_plain(fallback[c]) for c in columns if c in fallback] + list(extra.values()),
        )
        inserted = cursor.rowcount
        drop_stage(cursor)
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=len(frame) - inserted - updated)


@contextmanager
def _foreign_keys_checked_after(cursor, table: str, rows: int):
    """Around a large first load (PostgreSQL, in the caller's transaction): the table's foreign keys dropped and
    added back, each checked once over the whole table. A deferred foreign key otherwise queues one trigger event
    per inserted row and runs them all at commit, which cost as much as a third of the COPY itself at 200,000
    rows. The drop takes the table's ACCESS EXCLUSIVE lock until commit (readers of the empty table wait)."""
    if rows < FIRST_LOAD_DROP_ROWS:
        yield
        return
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", [quote(table)])
    keys = cursor.fetchall()
    for name, _ in keys:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    for name, definition in keys:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


@contextmanager
def _indexes_built_after(cursor, table: str, rows: int):
    """Around a large first load (PostgreSQL, in the caller's transaction): the table's indexes other than its
    primary key (and any that a foreign key leans on) dropped and built again after the COPY, each in one sorted
    pass. Into the lead table at 1,000,000 sample-layout rows the COPY with its three indexes took 7-8 s, with the
    primary key alone 4.1 s plus 1.7 s to build the other two (quiet machine). A duplicate key (validation rejects
    them first) then fails the build instead of the COPY, in the same transaction. Holds the table's ACCESS
    EXCLUSIVE lock until commit, as dropping its foreign keys does."""
    if rows < FIRST_LOAD_DROP_ROWS:
        yield
        return
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, c.conname, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(c.oid) "
        "FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid) ORDER BY 1",
        [quote(table)],
    )
    indexes = cursor.fetchall()
    for index, constraint, _, _ in indexes:
        if constraint:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
        else:
            cursor.execute(f"DROP INDEX {index}")  # regclass text: already quoted where it needs to be
    yield
    for _, constraint, index_definition, constraint_definition in indexes:
        if constraint:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraint_definition}")
        else:
            cursor.execute(index_definition)


def _inserted_value(column: str, fallback: dict, merge_json: tuple[str, ...]) -> str:
    q = quote(column)
    if column in fallback:
        return f"COALESCE(s.{q}, %s)"
    if column in merge_json and is_postgres():
        return f"s.{q}::jsonb"
    return f"s.{q}"


def _new_value(t: str, column: str, fallback: dict, merge_json: tuple[str, ...]) -> str:
    """The value an UPDATE sets: the staged one, the current one where the stage has NULL (fallback columns),
    or the current JSON object with the staged keys merged in."""
    q = quote(column)
    if column in fallback:
        return f"COALESCE(s.{q}, {t}.{q})"
    if column in merge_json:
        return f"({t}.{q} || s.{q}::jsonb)" if is_postgres() else f"json_patch(json({t}.{q}), s.{q})"
    return f"s.{q}"


def _changed(t: str, column: str, new_value: str, merge_json: tuple[str, ...]) -> str:
    """Whether an UPDATE would change the column. A merged JSON object on PostgreSQL is staged as text (COPY then
    parses no JSON: a third less time for a mapped file's stage) and first compared as text with the stored
    object's printed form (a re-imported file's object, rendered as PostgreSQL prints jsonb, usually equals it;
    this costs what comparing two jsonb values did). Only a row whose text differs is parsed and merged, to tell
    a real change from another spelling of the same values or from keys other files added."""
    q = quote(column)
    if column in merge_json:
        if is_postgres():
            return f"({t}.{q}::text IS DISTINCT FROM s.{q} AND {new_value} IS DISTINCT FROM {t}.{q})"
        # SQLite's json_patch drops null members, so the current object is compared after the same patching
        return f"{new_value} IS NOT json_patch(json({t}.{q}), json({t}.{q}))"
    return _distinct(f"{t}.{q}", new_value)


def update_from_frame(*, table: str, frame: pd.DataFrame, key: str, columns: list[str]) -> int:
    """Set `columns` of the rows whose `key` appears in the frame, in one statement. Returns rows updated."""
    if frame.empty:
        return 0
    with connection.cursor() as cursor:
        stage = create_stage(cursor, like_table=table, columns=[key, *columns])
        copy_frame(cursor, stage, frame[[key, *columns]])
        if is_postgres():
            cursor.execute(f"ANALYZE {quote(stage)}")
        assignments = ", ".join(f"{quote(c)} = s.{quote(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {quote(table)} SET {assignments} FROM {quote(stage)} s "
            f"WHERE {quote(table)}.{quote(key)} = s.{quote(key)}"
        )
        updated = cursor.rowcount
        drop_stage(cursor)
    return updated
