"""Role permissions for API views.

A view says which roles may call it: `read_roles` for GET/HEAD/OPTIONS, `write_roles` for the rest, and
`action_roles` for viewset actions that differ (e.g. promote). A `read_only` view gates every method with
`read_roles`, so a reader trying to write gets 405 (no such method) rather than 403.

The role sets below are read from the one table in core/roles.py (the admin reads the same table), so a
role the table lets view leads reads them here too; which rows it reaches is the view's queryset
(core.roles.rows_for). Superusers hold every role. Anonymous callers get 401 (TokenAuthentication comes first and
answers with WWW-Authenticate); callers without the role get 403.
"""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.roles import ADD, ASSIGN, CHANGE, MANAGE, ROLES, VIEW_ACTION, WORK, roles_allowed, user_roles

EVERY_ROLE = frozenset(ROLES)
CUSTOMER_READERS = roles_allowed("segmentation.customer", VIEW_ACTION)
CAMPAIGN_WRITERS = roles_allowed("campaigns.campaign", CHANGE)
LEAD_READERS = roles_allowed("leads.lead", VIEW_ACTION)
LEAD_EDITORS = roles_allowed("leads.lead", CHANGE)
LEAD_CREATORS = roles_allowed("leads.lead", ADD)
LEAD_WORKERS = roles_allowed("leads.lead", WORK)
LEAD_DEALERS = roles_allowed("leads.lead", ASSIGN)
MODEL_READERS = roles_allowed("leads.scoringmodel", VIEW_ACTION)
MODEL_MANAGERS = roles_allowed("leads.scoringmodel", MANAGE)
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
