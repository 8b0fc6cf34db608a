from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Pages that span the apps (the marketer's dashboard, the workspace links in the admin header). It imports the
    apps; no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = "Operations"
