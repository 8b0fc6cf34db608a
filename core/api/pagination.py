"""Pagination: page numbers for ordinary lists, a keyset cursor for queues that are read page after page."""
from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

import orjson
from django.db.models import Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetCursorPagination(CursorPagination):
    """Cursor pagination on a composite key, for lists whose first sort column has many ties.

    DRF's CursorPagination keys on the first ordering column plus an offset capped at 1,000 rows, so a queue
    ordered by tier (three values) would break after 1,000 leads of one tier and scan further on every page.
    Here the cursor is the last row's whole key; each page is one query `WHERE key > cursor ORDER BY key
    LIMIT n+1`, whatever the depth. The view annotates the key columns so none is NULL (see `key_fields`):
    `key_fields` are (name, descending) pairs, the last one unique. Pages go forwards only (`next`).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    key_fields: Sequence[tuple[str, bool]] = ()
    invalid_cursor_message = "Invalid cursor."

    def paginate_queryset(self, queryset, request, view=None):
        return self.paginate_rows(lambda key, limit: list(self.keyset_page(queryset, key)[:limit]), request)

    def keyset_page(self, queryset, key: list | None):
        """The rows after ``key`` (all rows when None) in key order; the caller slices the page."""
        if key is not None:
            queryset = queryset.filter(self.after(key))
        return queryset.order_by(*[f"-{name}" if desc else name for name, desc in self.key_fields])

    def paginate_rows(self, fetch, request) -> list:
        """Paginate rows ``fetch(key, limit)`` returns: the first ``limit`` rows after ``key`` in key order."""
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.has_previous = False
        self.previous_position = None
        encoded = request.query_params.get(self.cursor_query_param)
        key = self.decode_key(encoded) if encoded else None
        rows = fetch(key, self.page_size + 1)
        self.has_next = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        self.next_key = self.key_of(self.page[-1]) if self.has_next else None
        return self.page

    def after(self, key: list) -> Q:
        """Rows strictly after `key` in the key order: (a > x) or (a = x and (b > y or (b = y and ...)))."""
        condition = None
        for (name, desc), value in reversed(list(zip(self.key_fields, key))):
            beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            condition = beyond if condition is None else beyond | (Q(**{name: value}) & condition)
        return condition

    def key_of(self, row) -> list:
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return [get(name) for name, _ in self.key_fields]

    def encode_key(self, key: list) -> str:
        values = [{"t": value.isoformat()} if isinstance(value, datetime) else value for value in key]
        return base64.urlsafe_b64encode(orjson.dumps(values)).decode("ascii")

    def decode_key(self, encoded: str) -> list:
        try:
            values = orjson.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            if not isinstance(values, list) or len(values) != len(self.key_fields):
                raise ValueError("wrong key length")
            return [datetime.fromisoformat(value["t"]) if isinstance(value, dict) else value for value in values]
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, orjson.JSONDecodeError):
            raise NotFound(self.invalid_cursor_message) from None

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, self.encode_key(self.next_key))

    def get_previous_link(self):
        return None

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": None, "results": data})
