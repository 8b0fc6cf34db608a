"""The four roles (Django groups) and the model permissions each gets in the admin.

Groups are created by a data migration; their permissions are synced after every migrate (post_migrate),
so new models get the right permissions without another migration.
"""
from __future__ import annotations

MARKETER = "marketer"
SALES_REP = "sales_rep"
ANALYST = "analyst"
ADMIN = "admin"
ROLES = (MARKETER, SALES_REP, ANALYST, ADMIN)

ALL = ("add", "change", "delete", "view")
VIEW = ("view",)

# app_label -> model -> actions, per role
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    MARKETER: {
        "campaigns": {"campaign": ALL, "offer": ALL, "offertemplate": ALL, "offerassignment": ("view", "change"),
                      "responserecord": ("view", "add")},
        "segmentation": {"customer": VIEW, "segment": VIEW, "segmentationrun": VIEW, "segmentmembership": VIEW},
        "core": {"jobrun": ("view", "add"), "importrun": ("view", "add")},
    },
    SALES_REP: {
        "leads": {"lead": ("view", "change"), "leadactivity": ("view", "add"), "leadscore": VIEW},
    },
    ANALYST: {
        "leads": {"lead": VIEW, "scoringmodel": ("view", "change"), "leadscore": VIEW, "leadactivity": VIEW,
                  "salesrep": VIEW},
        "segmentation": {"customer": VIEW, "segment": VIEW, "segmentationrun": ("view", "change"),
                         "segmentmembership": VIEW},
        "campaigns": {"campaign": VIEW, "offer": VIEW, "offerassignment": VIEW, "responserecord": VIEW},
        "core": {"jobrun": ALL, "importrun": ALL},
        "django_celery_beat": {"periodictask": ALL, "crontabschedule": ALL, "intervalschedule": ALL},
    },
}


def user_roles(user) -> set[str]:
    """Roles of a user; superusers hold every role."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(ROLES)
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._role_cache = cached
    return cached


def sync_role_permissions(**kwargs) -> None:
    """post_migrate: give each group exactly the permissions listed above (admin: every permission)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    last_app = list(apps.get_app_configs())[-1]
    if kwargs.get("sender") is not None and kwargs["sender"] is not last_app:
        return  # wait until every app's permissions exist
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            group.permissions.set(Permission.objects.all())
            continue
        wanted = []
        for app_label, models in ROLE_PERMISSIONS.get(role, {}).items():
            for model, actions in models.items():
                codenames = [f"{action}_{model}" for action in actions]
                wanted += list(
                    Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                )
        group.permissions.set(wanted)
