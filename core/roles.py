"""The four roles (Django groups) and the one table of what each may see and do, read by the admin and the API.

``ROLE_PERMISSIONS`` says, per role, which actions it may take on which model: Django's four (view, add, change,
delete) and a few named ones that are no Django permission (``WORK``, ``ASSIGN``, ``MANAGE``). ``ROW_RULES``
narrows the rows a role reaches: a rep sees only the leads they own or may claim. Core names the rule; the app
that owns the model registers what it means (``register_row_rule`` from its ``AppConfig.ready``), so core imports
no app. The admin (leads.admin_helpers.RoleAdmin) and the API (core.api.permissions) both ask ``user_may`` and
``rows_for``; the groups' Django permissions are synced from the same table after every migrate (post_migrate),
so the admin index lists what the table allows and new models get the right permissions without a migration.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

MARKETER = "marketer"
SALES_REP = "sales_rep"
ANALYST = "analyst"
ADMIN = "admin"
ROLES = (MARKETER, SALES_REP, ANALYST, ADMIN)

VIEW_ACTION, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
WORK = "work"  # claim, release and log outcomes of leads, and read one's queue
ASSIGN = "assign"  # deal leads to reps, by hand or round robin
MANAGE = "manage"  # train, promote and roll back scoring models; re-score leads
DJANGO_ACTIONS = (ADD, CHANGE, DELETE, VIEW_ACTION)

ALL = DJANGO_ACTIONS
VIEW = (VIEW_ACTION,)

# role -> app_label -> model -> actions. The admin role may take every action on every model (not listed).
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    MARKETER: {
        "campaigns": {"campaign": ALL, "offer": ALL, "offertemplate": ALL, "offerassignment": ("view", "change"),
                      "responserecord": ("view", "add")},
        "segmentation": {"customer": VIEW, "segment": VIEW, "segmentationrun": VIEW, "segmentmembership": VIEW},
        "core": {"jobrun": ("view", "add"), "importrun": ("view", "add"),
                 "importmapping": ("view", "change", "delete"), "customattribute": VIEW},
        "leads": {"lead": VIEW, "leadscore": VIEW, "scoringmodel": VIEW},
    },
    SALES_REP: {
        "leads": {"lead": (VIEW_ACTION, WORK), "leadactivity": VIEW, "leadscore": VIEW},
    },
    ANALYST: {
        "leads": {"lead": VIEW, "scoringmodel": (VIEW_ACTION, MANAGE), "leadscore": VIEW, "leadactivity": VIEW,
                  "salesrep": VIEW},
        "segmentation": {"customer": VIEW, "segment": VIEW, "segmentationrun": ("view", "change"),
                         "segmentmembership": VIEW},
        "campaigns": {"campaign": VIEW, "offer": VIEW, "offerassignment": VIEW, "responserecord": VIEW},
        "core": {"jobrun": ALL, "importrun": ALL, "importmapping": ("view", "change", "delete"),
                 "customattribute": VIEW},
        "django_celery_beat": {"periodictask": ALL, "crontabschedule": ALL, "intervalschedule": ALL},
    },
}

OWN_OR_CLAIMABLE = "own_or_claimable"
# role -> "app_label.model" -> the rule that narrows its rows; a model not listed: every row.
ROW_RULES: dict[str, dict[str, str]] = {
    SALES_REP: {"leads.lead": OWN_OR_CLAIMABLE, "leads.leadactivity": OWN_OR_CLAIMABLE,
                "leads.leadscore": OWN_OR_CLAIMABLE},
}

RowRule = Callable[[object], Q]  # user -> the rows of the model that user reaches
_row_rules: dict[tuple[str, str], RowRule] = {}


def register_row_rule(model: str, rule: str, rows: RowRule) -> None:
    """Called by the app owning `model` ("app_label.model"): what `rule` means for that model's rows."""
    _row_rules[(model, rule)] = rows


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


def role_may(role: str, model: str, action: str) -> bool:
    if role == ADMIN:
        return True
    app_label, model_name = model.split(".")
    return action in ROLE_PERMISSIONS.get(role, {}).get(app_label, {}).get(model_name, ())


def roles_allowed(model: str, action: str) -> frozenset[str]:
    """The roles that may take `action` on `model` ("app_label.model"), for the API's role gates."""
    return frozenset(role for role in ROLES if role_may(role, model, action))


def user_may(user, model: str, action: str) -> bool:
    """May the user take `action` on some rows of `model`? (Which rows: ``rows_for``.)"""
    return any(role_may(role, model, action) for role in user_roles(user))


def rows_for(user, model: str, queryset: QuerySet, action: str = VIEW_ACTION) -> QuerySet:
    """The rows of `queryset` the user may take `action` on: all of them for a role with no row rule, those its
    rule reaches otherwise (the union over the user's roles), none without the action."""
    roles = [role for role in user_roles(user) if role_may(role, model, action)]
    if not roles:
        return queryset.none()
    rules = [ROW_RULES.get(role, {}).get(model) for role in roles]
    if None in rules:
        return queryset
    reached = Q()
    for rule in set(rules):
        reached |= _row_rules[(model, rule)](user)
    return queryset.filter(reached)


def is_row_limited(user, model: str) -> bool:
    """True when a row rule narrows what the user sees of `model` (then object checks must look at the row)."""
    roles = [role for role in user_roles(user) if role_may(role, model, VIEW_ACTION)]
    return bool(roles) and all(ROW_RULES.get(role, {}).get(model) for role in roles)


def sync_role_permissions(**kwargs) -> None:
    """post_migrate: give each group exactly the Django permissions of the table (admin: every permission)."""
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
                codenames = [f"{action}_{model}" for action in actions if action in DJANGO_ACTIONS]
                wanted += list(
                    Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
                )
        group.permissions.set(wanted)
