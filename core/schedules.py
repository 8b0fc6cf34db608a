"""The beat schedule, kept in the database (django-celery-beat) so marketers and analysts can edit it
in the admin. Created once after migrate; later edits in the admin are never overwritten."""
from __future__ import annotations

import json

from django.conf import settings

SCHEDULES = [
    # name, task, crontab fields, kwargs, description
    ("Nightly: re-cluster, attach offers, re-score leads", "core.nightly_run",
     {"minute": "0", "hour": None, "day_of_week": "*"}, {"trigger": "schedule"},
     "Re-clusters customers, re-attaches campaign offers, retrains the lead model if due, re-scores open leads."),
    ("Weekly: retrain lead model", "leads.retrain_lead_model",
     {"minute": "30", "hour": None, "day_of_week": "0"}, {"trigger": "schedule"},
     "Trains candidates on every lead with a known outcome; promotes only if not worse than the champion."),
    ("Hourly: release stale jobs", "core.release_stale_jobs",
     {"minute": "15", "hour": "*", "day_of_week": "*"}, {}, "Marks runs whose worker died as failed."),
]


def schedules_ensure(**kwargs) -> int:
    """Create the periodic tasks that do not exist yet. Returns how many were created."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = 0
    for name, task, fields, task_kwargs, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab_fields = {**fields, "hour": fields["hour"] or str(settings.NIGHTLY_HOUR)}
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **crontab_fields, day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
        )
        PeriodicTask.objects.create(
            name=name, task=task, crontab=crontab, kwargs=json.dumps(task_kwargs), description=description
        )
        created += 1
    return created
