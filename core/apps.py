from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Jobs and imports"

    def ready(self) -> None:
        from core.registry import Schedule, register_schedule
        from core.roles import CORE_GRANTS, register_grants, sync_role_permissions

        register_grants("core", CORE_GRANTS)
        post_migrate.connect(sync_role_permissions, dispatch_uid="core.sync_role_permissions")
        register_schedule(Schedule(
            name="Hourly: release stale jobs", task="core.release_stale_jobs",
            crontab={"minute": "15", "hour": "*", "day_of_week": "*"},
            description="Marks runs whose worker died as failed."))
