"""Bulk writes from DataFrames: the one place that knows which database backend is in use.

PostgreSQL: COPY (text format) into a temporary staging table, then one set-based statement
(`INSERT … ON CONFLICT` or `UPDATE … FROM`). At 1,000,000 rows this is 20–90× faster than per-row
`save()` or `bulk_update` (see ../shared/PERF-NOTES.md). SQLite, the embedded default, gets the same
statements with the staging table filled by `executemany`.

Frames passed here use database column names and Python/pandas values; booleans, dates, datetimes,
JSON (dict/list) and missing values (None/NaN/NaT) are converted for the backend here, once.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import connection

STAGE_TABLE = "_bulk_stage"
COPY_CHUNK_ROWS = 200_000


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int
    unchanged: int


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _distinct(left: str, right: str) -> str:
    """Null-safe 'differs' comparison in the current dialect."""
    if is_postgres():
        return f"{left} IS DISTINCT FROM {right}"
    return f"{left} IS NOT {right}"


def _text_column(series: pd.Series) -> pd.Series:
    """Render one column for COPY's text format: \\N for NULL, backslash/tab/newline escaped."""
    missing = series.isna()
    if pd.api.types.is_bool_dtype(series):
        text = series.map({True: "t", False: "f"})
    elif pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z" if series.dt.tz is not None else "%Y-%m-%d")
    elif pd.api.types.is_integer_dtype(series):
        text = series.astype("Int64").astype(str)
    elif pd.api.types.is_float_dtype(series):
        text = series.map(repr)
    else:
        text = series.map(_python_value_to_text)
        text = (
            text.str.replace("\\", "\\\\", regex=False)
            .str.replace("\t", "\\t", regex=False)
            .str.replace("\n", "\\n", regex=False)
            .str.replace("\r", "\\r", regex=False)
        )
    return text.where(~missing, "\\N")


def _python_value_to_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


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
    columns = ", ".join(_quote(c) for c in frame.columns)
    if is_postgres():
        with cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy:
            for start in range(0, len(frame), COPY_CHUNK_ROWS):
                chunk = frame.iloc[start : start + COPY_CHUNK_ROWS]
                rendered = [_text_column(chunk[name]).astype(str) for name in chunk.columns]
                lines = rendered[0].str.cat(rendered[1:], sep="\t") if len(rendered) > 1 else rendered[0]
                copy.write("\n".join(lines.tolist()) + "\n")
        return
    placeholders = ", ".join(["%s"] * len(frame.columns))
    cursor.executemany(f"INSERT INTO {_quote(table)} ({columns}) VALUES ({placeholders})", _python_rows(frame))


def create_stage(cursor, *, like_table: str, columns: list[str]) -> str:
    """A temporary table with the same column types as `like_table` (dropped first if left over)."""
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(STAGE_TABLE)}")
    cols = ", ".join(_quote(c) for c in columns)
    if is_postgres():
        cursor.execute(f"CREATE TEMP TABLE {_quote(STAGE_TABLE)} AS SELECT {cols} FROM {_quote(like_table)} WITH NO DATA")
    else:
        cursor.execute(f"CREATE TEMP TABLE {_quote(STAGE_TABLE)} AS SELECT {cols} FROM {_quote(like_table)} WHERE 0")
    return STAGE_TABLE


def drop_stage(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {_quote(STAGE_TABLE)}")


def upsert_frame(
    *,
    table: str,
    frame: pd.DataFrame,
    key: str,
    compare_columns: list[str],
    insert_defaults: dict[str, object] | None = None,
    touch_column: str | None = None,
    touch_value=None,
) -> UpsertCounts:
    """Insert new keys, update changed rows, leave identical rows untouched; report which was which.

    `insert_defaults` fills NOT NULL columns the frame does not carry (e.g. created_at) on insert only;
    `touch_column` (e.g. updated_at) is set to `touch_value` on inserted and changed rows.
    Call inside a transaction: the staging table lives for the connection.
    """
    if frame.empty:
        return UpsertCounts(0, 0, 0)
    insert_defaults = dict(insert_defaults or {})
    columns = [key, *compare_columns]
    with connection.cursor() as cursor:
        stage = create_stage(cursor, like_table=table, columns=columns)
        copy_frame(cursor, stage, frame[columns])
        cursor.execute(
            f"SELECT COUNT(*) FROM {_quote(stage)} s WHERE NOT EXISTS "
            f"(SELECT 1 FROM {_quote(table)} t WHERE t.{_quote(key)} = s.{_quote(key)})"
        )
        inserted = cursor.fetchone()[0]
        extra = dict(insert_defaults)
        if touch_column:
            extra[touch_column] = touch_value
        target_cols = columns + list(extra)
        select_cols = [f"s.{_quote(c)}" for c in columns] + ["%s"] * len(extra)
        assignments = [f"{_quote(c)} = EXCLUDED.{_quote(c)}" for c in compare_columns]
        if touch_column:
            assignments.append(f"{_quote(touch_column)} = EXCLUDED.{_quote(touch_column)}")
        changed = " OR ".join(_distinct(f"{_quote(table)}.{_quote(c)}", f"EXCLUDED.{_quote(c)}") for c in compare_columns)
        cursor.execute(
            f"INSERT INTO {_quote(table)} ({', '.join(_quote(c) for c in target_cols)}) "
            f"SELECT {', '.join(select_cols)} FROM {_quote(stage)} s WHERE 1=1 "
            f"ON CONFLICT ({_quote(key)}) DO UPDATE SET {', '.join(assignments)} WHERE {changed}",
            list(extra.values()),
        )
        written = cursor.rowcount
        drop_stage(cursor)
    return UpsertCounts(inserted=inserted, updated=written - inserted, unchanged=len(frame) - written)


def update_from_frame(*, table: str, frame: pd.DataFrame, key: str, columns: list[str]) -> int:
    """Set `columns` of the rows whose `key` appears in the frame, in one statement. Returns rows updated."""
    if frame.empty:
        return 0
    with connection.cursor() as cursor:
        stage = create_stage(cursor, like_table=table, columns=[key, *columns])
        copy_frame(cursor, stage, frame[[key, *columns]])
        if is_postgres():
            cursor.execute(f"ANALYZE {_quote(stage)}")
        assignments = ", ".join(f"{_quote(c)} = s.{_quote(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {_quote(table)} SET {assignments} FROM {_quote(stage)} s "
            f"WHERE {_quote(table)}.{_quote(key)} = s.{_quote(key)}"
        )
        updated = cursor.rowcount
        drop_stage(cursor)
    return updated


def read_frame(sql: str, params: list | tuple = (), *, columns: list[str] | None = None) -> pd.DataFrame:
    """Run a SELECT and return a DataFrame; on PostgreSQL streamed with COPY … TO STDOUT (CSV)."""
    with connection.cursor() as cursor:
        if is_postgres():
            query = cursor.mogrify(sql, params) if params else sql
            buffer = io.BytesIO()
            with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            if buffer.getbuffer().nbytes == 0:
                return pd.DataFrame(columns=columns or [])
            return pd.read_csv(buffer, keep_default_na=True, na_values=[""], low_memory=False)
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)
