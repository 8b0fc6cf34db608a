from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Jobs and imports"

    def ready(self) -> None:
        from core.roles import sync_role_permissions
        from core.schedules import schedules_ensure

        post_migrate.connect(sync_role_permissions, dispatch_uid="core.sync_role_permissions")
        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="core.schedules_ensure")
