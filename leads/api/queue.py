"""The rep's queue: plain rows and a keyset cursor, because it is the page reps reload all day.

Order: tier hot > warm > cold > unscored, score high to low (unscored last), freshest activity first,
then id. The same order is the cursor key, so a page is one indexed query however deep the rep reads.
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from django.db.models import DateTimeField, FloatField, Value
from django.db.models.functions import Coalesce

from core.api.pagination import KeysetCursorPagination
from core.compiled import CompiledQuery, compiled_reads_enabled
from leads.models import Lead

QUEUE_FIELDS = (
    "id", "external_id", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
    "time_spent_on_website", "page_views_per_visit", "last_activity", "stage", "score", "tier", "last_activity_at",
)
TIER_RANK = {Lead.Tier.HOT: 0, Lead.Tier.WARM: 1, Lead.Tier.COLD: 2}
UNSCORED_RANK = 3
NO_SCORE = -1.0
NO_ACTIVITY = datetime(1970, 1, 1, tzinfo=timezone.utc)


def queue_rows(leads):
    """The queue's columns as plain dicts, with the sort key as annotations (used in WHERE/ORDER BY only).

    `leads` is leads.selectors.rep_queue, which already ranks the tier (`tier_rank`); score and activity are
    made non-NULL here so that the cursor can compare them."""
    return leads.annotate(
        queue_score=Coalesce("score", Value(NO_SCORE), output_field=FloatField()),
        queue_activity=Coalesce("last_activity_at", Value(NO_ACTIVITY), output_field=DateTimeField()),
    ).values(*QUEUE_FIELDS)


class QueuePagination(KeysetCursorPagination):
    key_fields = (("tier_rank", False), ("queue_score", True), ("queue_activity", True), ("id", False))

    def key_of(self, row) -> list:
        return [
            TIER_RANK.get(row["tier"], UNSCORED_RANK),
            NO_SCORE if row["score"] is None else row["score"],
            row["last_activity_at"] or NO_ACTIVITY,
            row["id"],
        ]


# Marker values the compiled queue statements are built with (see core.compiled): none can occur in a real query.
USER_MARK = -7_000_001
KEY_MARKS = (-7_000_011, -7_000_012.5, datetime(1901, 1, 1, tzinfo=timezone.utc), -7_000_013)


def queue_page(*, user, key: list | None, limit: int) -> list[dict]:
    """The rep's next ``limit`` queue rows after cursor ``key`` (from the top when None): the queue selector's
    rows, paged by the queue's keyset; on PostgreSQL through statements compiled once per page shape."""
    if compiled_reads_enabled():
        values = dict(zip((f"key{i}" for i in range(len(KEY_MARKS))), key)) if key is not None else {}
        return _compiled_page(limit, key is not None).dicts(user=user.pk, **values)
    from leads.selectors import rep_queue

    return list(QueuePagination().keyset_page(queue_rows(rep_queue(user=user)), key)[:limit])


@lru_cache(maxsize=512)
def _compiled_page(limit: int, after_key: bool) -> CompiledQuery:
    from django.contrib.auth import get_user_model

    from leads.selectors import rep_queue

    def build(user, **key):
        rows = queue_rows(rep_queue(user=get_user_model()(pk=user)))
        return QueuePagination().keyset_page(rows, list(key.values()) if after_key else None)[:limit]

    markers = {f"key{i}": mark for i, mark in enumerate(KEY_MARKS)} if after_key else {}
    return CompiledQuery(build, user=USER_MARK, **markers)
