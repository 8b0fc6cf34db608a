"""The beat schedule, kept in the database (django-celery-beat) so marketers and analysts can edit it
in the admin. Each app registers its schedules with core (core.registry); they are created once after migrate,
and later edits in the admin are never overwritten."""
from __future__ import annotations

import json

from django.conf import settings

from core.registry import SCHEDULES


def schedules_ensure(**kwargs) -> int:
    """Create the registered periodic tasks that do not exist yet (by name). Returns how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for schedule in SCHEDULES.values():
        if PeriodicTask.objects.filter(name=schedule.name).exists():
            continue
        fields = schedule.crontab
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=fields["minute"], hour=fields["hour"] or str(settings.NIGHTLY_HOUR),
            day_of_week=fields["day_of_week"], day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.create(name=schedule.name, task=schedule.task, crontab=crontab,
                                    kwargs=json.dumps(schedule.kwargs), description=schedule.description)
        created += 1
    return created
