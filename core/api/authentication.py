"""Token authentication that loads the caller and their roles in one plain query.

Every API request needs the user and their roles (core.roles.user_roles). DRF's TokenAuthentication costs
an ORM query for the token and user, and the permission check another for the groups: about 1 ms of CPU
per request on our machines, most of it building SQL, on pages whose floor is 1.5 ms (../shared/PERF-NOTES.md).
Here one fixed SQL statement (token → user ⟕ role groups) brings both for about 0.25 ms, and primes
user_roles' per-request cache. Same header, same 401s as DRF's class it extends.
"""
from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from core.roles import ROLES


@cache
def token_user_sql() -> str:
    """The user's columns plus `role_name`: one row per role group the user is in (or one with NULL)."""
    user = get_user_model()
    memberships = user.groups.through._meta.db_table
    placeholders = ", ".join(["%s"] * len(ROLES))
    return (
        f"SELECT u.*, g.name AS role_name FROM {Token._meta.db_table} t "
        f"JOIN {user._meta.db_table} u ON u.id = t.user_id "
        f"LEFT JOIN {memberships} m ON m.user_id = u.id "
        f"LEFT JOIN {Group._meta.db_table} g ON g.id = m.group_id AND g.name IN ({placeholders}) "
        "WHERE t.key = %s"
    )


class RoleTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        if "\x00" in key:  # PostgreSQL refuses NUL in text; it is no token anyway
            raise AuthenticationFailed("Invalid token.")
        rows = list(get_user_model().objects.raw(token_user_sql(), [*ROLES, key]))
        if not rows:
            raise AuthenticationFailed("Invalid token.")
        user = rows[0]
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        user._role_cache = {row.role_name for row in rows if row.role_name}
        return user, Token(key=key, user=user)
