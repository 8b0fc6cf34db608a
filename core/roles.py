"""The four roles (Django groups), the actions they take, and the table of what each may see and do, read by the
admin, the API and the workspace pages.

Core names the roles and the actions and grants on its own models; each app registers the grants on its models
from its ``AppConfig.ready`` (``register_grants``, in the app's ``roles.py``), so core names no domain. A grant is
one of Django's four actions (view, add, change, delete) or a named one that is no Django permission (``WORK``,
``ASSIGN``, ``MANAGE``). A row scope narrows the rows a role reaches (a rep sees only the leads they own or may
claim): the app registers which role it narrows on which model (``register_row_scope``) and what the rule means
for that model's rows (``register_row_rule``). The admin (leads.admin_helpers.RoleAdmin) and the API
(core.api.permissions) both ask ``user_may`` and ``rows_for``; the groups' Django permissions are synced from the
same table after every migrate (post_migrate), so the admin index lists what the table allows and new models get
the right permissions without a migration.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Set

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
ACTIONS = (*DJANGO_ACTIONS, WORK, ASSIGN, MANAGE)

ALL = DJANGO_ACTIONS
VIEW = (VIEW_ACTION,)

OWN_OR_CLAIMABLE = "own_or_claimable"

Grants = Mapping[str, Mapping[str, Iterable[str]]]  # role -> model name -> actions

# role -> app_label -> model -> actions, filled by register_grants. The admin role may take every action on every
# model (never listed).
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
# role -> "app_label.model" -> the rule that narrows its rows, filled by register_row_scope; not listed: every row.
ROW_RULES: dict[str, dict[str, str]] = {}

RowRule = Callable[[object], Q]  # user -> the rows of the model that user reaches
_row_rules: dict[tuple[str, str], RowRule] = {}

# Core's own models; CoreConfig.ready registers them like any app's.
CORE_GRANTS: Grants = {
    MARKETER: {"jobrun": ("view", "add"), "importrun": ("view", "add"),
               "importmapping": ("view", "change", "delete"), "customattribute": VIEW},
    ANALYST: {"jobrun": ALL, "importrun": ALL, "importmapping": ("view", "change", "delete"),
              "customattribute": VIEW},
}


def register_grants(app_label: str, grants: Grants) -> None:
    """What each role may do on the models of ``app_label`` (called from the app's ``AppConfig.ready``). Replaces
    what was registered for ``app_label`` before, so a second ``ready()`` changes nothing."""
    for role, models in grants.items():
        if role not in ROLES or role == ADMIN:
            raise ValueError(f"grants of {app_label}: {role!r} is not a role that takes grants "
                             f"(the admin role may do everything)")
        for model, actions in models.items():
            unknown = set(actions) - set(ACTIONS)
            if unknown:
                raise ValueError(f"grants of {app_label}.{model}: unknown actions {sorted(unknown)}")
    for by_app in ROLE_PERMISSIONS.values():
        by_app.pop(app_label, None)
    for role, models in grants.items():
        ROLE_PERMISSIONS.setdefault(role, {})[app_label] = {model: tuple(actions) for model, actions in models.items()}


def register_row_scope(role: str, model: str, rule: str) -> None:
    """``role`` reaches only the rows of ``model`` ("app_label.model") that ``rule`` selects (the app owning the
    model registers what the rule means with ``register_row_rule``)."""
    if role not in ROLES:
        raise ValueError(f"row scope of {model}: {role!r} is no role")
    ROW_RULES.setdefault(role, {})[model] = rule


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


class RolesAllowed(Set):
    """The roles that may take ``action`` on ``model``, read from the table whenever it is asked, so a module may
    name it at import time, before every app has registered its grants. A set otherwise (``in``, iteration, ``&``
    with a set of roles, ``==``); combining it with other sets gives a frozenset."""

    def __init__(self, model: str, action: str) -> None:
        self.model, self.action = model, action

    def _roles(self) -> frozenset[str]:
        return frozenset(role for role in ROLES if role_may(role, self.model, self.action))

    @classmethod
    def _from_iterable(cls, iterable: Iterable[str]) -> frozenset[str]:
        return frozenset(iterable)

    def __contains__(self, role: object) -> bool:
        return isinstance(role, str) and role_may(role, self.model, self.action)

    def __iter__(self) -> Iterator[str]:
        return iter(self._roles())

    def __len__(self) -> int:
        return len(self._roles())

    def __repr__(self) -> str:
        return f"RolesAllowed({self.model!r}, {self.action!r}) = {set(self._roles()) or '{}'}"


def roles_allowed(model: str, action: str) -> RolesAllowed:
    """The roles that may take `action` on `model` ("app_label.model"), for the API's role gates and the pages;
    read when used, so it may be named at import time."""
    return RolesAllowed(model, action)


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
