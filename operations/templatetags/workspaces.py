"""{% workspace_links %}: the workspace pages the user's role may open, for the admin header."""
from django import template
from django.urls import reverse

from core.roles import user_roles
from leads.views import WORKSPACE_ROLES
from operations.views import DASHBOARD_ROLES

register = template.Library()
LINKS = (("leads:queue", "My queue", WORKSPACE_ROLES), ("operations:dashboard", "Dashboard", DASHBOARD_ROLES))


@register.inclusion_tag("operations/workspace_links.html", takes_context=True)
def workspace_links(context) -> dict:
    roles = user_roles(context.get("user"))
    return {"links": [(reverse(name), label) for name, label, allowed in LINKS if roles & allowed]}
