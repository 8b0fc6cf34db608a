"""Hot reads compiled once per process.

On the API's hottest pages (a rep's queue, a customer's next best offers) building and compiling the ORM query
costs about 0.5–1 ms of CPU per request: more than PostgreSQL needs to answer it. A ``CompiledQuery`` builds the
very same queryset once, with marker values in place of the request's values, keeps the SQL the ORM emitted, and
then runs that SQL on a raw cursor with each request's values put where the markers were.

Only on PostgreSQL: there psycopg returns the same Python values the ORM would (aware datetimes, floats, text)
for the plain columns these reads select. Elsewhere (the embedded SQLite default) callers use the queryset.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet


def compiled_reads_enabled() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]

    def params_for(self, values: dict) -> list:
        params = list(self.params)
        for name, value in values.items():
            for slot in self.slots[name]:
                params[slot] = _typed_like(params[slot], value)
        return params


class CompiledQuery:
    """``build(**markers)`` returns the queryset (``values()``/``values_list()``); each marker must be a value no
    other parameter of the query has, so its positions among the compiled parameters are unambiguous."""

    def __init__(self, build: Callable[..., QuerySet], **markers):
        self._build = build
        self._markers = markers
        self._statement: _Statement | None = None

    def statement(self) -> _Statement:
        if self._statement is None:
            sql, params = self._build(**self._markers).query.sql_with_params()
            slots = {name: tuple(i for i, value in enumerate(params) if _same(value, marker))
                     for name, marker in self._markers.items()}
            missing = [name for name, positions in slots.items() if not positions]
            if missing:
                raise ValueError(f"markers {missing} are not among the parameters of {sql}")
            self._statement = _Statement(sql, tuple(params), slots)
        return self._statement

    def tuples(self, **values) -> list[tuple]:
        statement = self.statement()
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params_for(values))
            return cursor.fetchall()

    def dicts(self, **values) -> list[dict]:
        statement = self.statement()
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, statement.params_for(values))
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def _same(value, marker) -> bool:
    """The ORM may wrap a number in a typed subclass (psycopg's Int4 for a CASE result): it still counts."""
    return isinstance(value, type(marker)) and value == marker


def _typed_like(compiled, value):
    """The request's value, wrapped the way the ORM wrapped the marker (Int4(7) where it compiled Int4(marker))."""
    kind = type(compiled)
    if kind not in (int, float) and isinstance(compiled, (int, float)) and not isinstance(value, kind):
        return kind(value)
    return value
