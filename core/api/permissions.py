"""Role permissions for API views.

A view says which roles may call it: `read_roles` for GET/HEAD/OPTIONS, `write_roles` for the rest, and
`action_roles` for viewset actions that differ (e.g. promote). A `read_only` view gates every method with
`read_roles`, so a reader trying to write gets 405 (no such method) rather than 403.

Roles are the groups of core/roles.py; superusers hold every role. Anonymous callers get 401
(TokenAuthentication comes first and answers with WWW-Authenticate); callers without the role get 403.
"""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import ADMIN, ANALYST, MARKETER, SALES_REP, user_roles

EVERY_ROLE = frozenset({MARKETER, SALES_REP, ANALYST, ADMIN})
CUSTOMER_READERS = frozenset({MARKETER, ANALYST, ADMIN})
CAMPAIGN_WRITERS = frozenset({MARKETER, ADMIN})
LEAD_READERS = frozenset({SALES_REP, ANALYST, ADMIN})
LEAD_WORKERS = frozenset({SALES_REP, ADMIN})
MODEL_MANAGERS = frozenset({ANALYST, ADMIN})
JOB_READERS = frozenset({MARKETER, ANALYST, ADMIN})


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
