"""Who may edit the beat schedules in the admin (operations owns the schedules; registered with core.roles from
OperationsConfig.ready)."""
from __future__ import annotations

from core.roles import ALL, ANALYST, register_grants

BEAT_GRANTS = {ANALYST: {"periodictask": ALL, "crontabschedule": ALL, "intervalschedule": ALL}}


def register_roles() -> None:
    register_grants("django_celery_beat", BEAT_GRANTS)
