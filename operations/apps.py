from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OperationsConfig(AppConfig):
    """The top floor: work that spans the apps (the nightly pipeline, its schedule, the demo set-up, synthetic data,
    the job and import API and admin, the marketer's dashboard). It imports the apps; no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from core.registry import Schedule, register_job_kind, register_schedule
        from core.roles import ADMIN, ANALYST
        from operations.roles import register_roles
        from operations.schedules import schedules_ensure

        register_roles()  # who may edit the schedules
        register_job_kind("nightly", name="NIGHTLY", label="Nightly run", noun="nightly", task="core.nightly_run",
                          roles={ANALYST, ADMIN})
        register_schedule(Schedule(
            name="Nightly: re-cluster, attach offers, re-score leads", task="core.nightly_run",
            crontab={"minute": "0", "hour": None, "day_of_week": "*"}, kwargs={"trigger": "schedule"},
            description="Re-clusters customers, re-attaches campaign offers, retrains the lead model if due, "
                        "re-scores open leads."))
        # post_migrate is sent once per app after migrate: listen to this app's, so the schedules are made once
        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="operations.schedules_ensure")
