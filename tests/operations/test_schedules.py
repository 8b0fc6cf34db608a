"""The beat schedules the apps register are created once after migrate; an edit in the admin is kept."""
import json

import pytest
from django_celery_beat.models import PeriodicTask

from operations.schedules import schedules_ensure


@pytest.mark.django_db
def test_migrate_created_every_registered_schedule_with_its_task(settings):
    tasks = {task.name: (task.task, task.crontab.minute, task.crontab.hour, task.crontab.day_of_week,
                         json.loads(task.kwargs)) for task in PeriodicTask.objects.select_related("crontab")}
    assert tasks == {
        "Nightly: re-cluster, attach offers, re-score leads": ("core.nightly_run", "0", str(settings.NIGHTLY_HOUR),
                                                              "*", {"trigger": "schedule"}),
        "Weekly: retrain lead model": ("leads.retrain_lead_model", "30", str(settings.NIGHTLY_HOUR), "0",
                                       {"trigger": "schedule"}),
        "Hourly: release stale jobs": ("core.release_stale_jobs", "15", "*", "*", {}),
    }


@pytest.mark.django_db
def test_a_schedule_edited_in_the_admin_is_not_overwritten():
    PeriodicTask.objects.filter(name="Weekly: retrain lead model").update(enabled=False)
    assert schedules_ensure() == 0
    assert PeriodicTask.objects.get(name="Weekly: retrain lead model").enabled is False


@pytest.mark.django_db
def test_a_deleted_schedule_is_made_again():
    PeriodicTask.objects.filter(name="Hourly: release stale jobs").delete()
    assert schedules_ensure() == 1
    assert PeriodicTask.objects.filter(name="Hourly: release stale jobs", task="core.release_stale_jobs").exists()
