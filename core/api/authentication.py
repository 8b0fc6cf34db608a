"""Token authentication that loads the caller and their roles in one plain query.

Every API request needs the user and their roles (core.roles.user_roles). DRF's TokenAuthentication costs
an ORM query for the token and user, and the permission check another for the groups: about 1 ms of CPU
per request on our machines, most of it building SQL, on pages whose floor is 1.5 ms (../shared/PERF-NOTES.md).
Here one fixed SQL statement (token → user ⟕ role groups), run on a plain cursor, brings both for about
0.15 ms, and primes user_roles' per-request cache. Same header, same 401s as DRF's class it extends.
"""
from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections, router
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
        user_model = get_user_model()
        database = router.db_for_read(user_model)
        with connections[database].cursor() as cursor:  # a plain cursor: RawQuerySet costs more than the query
            cursor.execute(token_user_sql(), [*ROLES, key])
            rows = cursor.fetchall()
            columns = [column[0] for column in cursor.description]
        if not rows:
            raise AuthenticationFailed("Invalid token.")
        row = dict(zip(columns, rows[0]))
        fields = user_model._meta.concrete_fields
        user = user_model.from_db(database, [f.attname for f in fields], [row[f.column] for f in fields])
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        user._role_cache = {role for *_, role in rows if role}
        return user, Token(key=key, user=user)
