"""The rep's queue: plain rows and a keyset cursor, because it is the page reps reload all day.

Order: tier hot > warm > cold > unscored, score high to low (unscored last), freshest activity first,
then id. The same order is the cursor key, so a page is one indexed query however deep the rep reads.
"""
from __future__ import annotations

from datetime import datetime, timezone

from django.db.models import DateTimeField, FloatField, Value
from django.db.models.functions import Coalesce

from core.api.pagination import KeysetCursorPagination
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
