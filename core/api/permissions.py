"""Role permissions for API views.

A view says which roles may call it: `read_roles` for GET/HEAD/OPTIONS, `write_roles` for the rest, and
`action_roles` for viewset actions that differ (e.g. promote). A `read_only` view gates every method with
`read_roles`, so a reader trying to write gets 405 (no such method) rather than 403.

Role sets are read from the table of core/roles.py, which each app fills with the grants on its models (the
admin reads the same table): the app names its sets next to its grants (leads.roles.LEAD_READERS, ...), core only
the set of its own job runs. A set is read whenever a request asks it (core.roles.roles_allowed), so a view module
may name it before the apps have registered their grants. A role the table lets view leads reads them here too;
which rows it reaches is the view's queryset (core.roles.rows_for). Superusers hold every role. Anonymous callers get 401 (TokenAuthentication comes first and
answers with WWW-Authenticate); callers without the role get 403.
"""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import ROLES, VIEW_ACTION, roles_allowed, user_roles

EVERY_ROLE = frozenset(ROLES)
JOB_READERS = roles_allowed("core.jobrun", VIEW_ACTION)


def roles_for_request(view, request) -> frozenset[str]:
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", {})
    if action in action_roles:
        return frozenset(action_roles[action])
    if request.method in SAFE_METHODS or getattr(view, "read_only", False):
        return frozenset(getattr(view, "read_roles", ()))
    return frozenset(getattr(view, "write_roles", ()))


class HasRole(BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user_roles(user) & roles_for_request(view, request))
