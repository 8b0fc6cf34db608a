"""Bench-only URLconf for bench/api_load.py: the project's URLs plus the "floor" views.

A floor view is the least Django can do for a hot endpoint: no DRF, no ORM at request time, no serializer. It
runs the very statements the API runs — the authentication statement, then the page's SQL compiled once from
the same selectors (the API's own core.compiled statements) — on a raw cursor, and writes the same JSON with
orjson: what remains between the two is DRF, permissions, pagination objects and the response. The API's requests/s as a share of the floor's is what
the bench reports; bench/api_load.py checks both answer byte for byte the same.

Served by gunicorn with DJANGO_SETTINGS_MODULE=api_load_settings (bench/ on the path); never in production.
"""
from __future__ import annotations

from functools import cache

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

from core.compiled import CompiledQuery

PAGE_SIZE = 50
CUSTOMER_MARK = -7_000_002


@cache
def customer_statement() -> CompiledQuery:
    from segmentation.models import Customer

    return CompiledQuery(lambda customer: Customer.objects.filter(pk=customer).values_list("external_id", "persona")[:1],
                         customer=CUSTOMER_MARK)


def _json(data, status: int = 200) -> HttpResponse:
    from core.api.renderers import dumps

    return HttpResponse(dumps(data), status=status, content_type="application/json")


def _user_with_role(cursor, request, roles: set[str]) -> int | None:
    """The API's own authentication statement (token → user ⟕ role groups), run on a raw cursor."""
    from core.api.authentication import token_user_sql
    from core.roles import ROLES

    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Token "):
        return None
    cursor.execute(token_user_sql(), [*ROLES, header[6:]])
    rows = cursor.fetchall()
    if not rows:
        return None
    names = [column.name for column in cursor.description]
    user = dict(zip(names, rows[0]))
    held = {row[-1] for row in rows if row[-1]}
    return user["id"] if user["is_active"] and (held & roles or user["is_superuser"]) else None


def floor_queue(request):
    from leads.api.queue import _compiled_page

    statement = _compiled_page(PAGE_SIZE + 1, False).statement()
    with connection.cursor() as cursor:
        user_id = _user_with_role(cursor, request, {"sales_rep", "admin"})
        if user_id is None:
            return JsonResponse({"error": "forbidden"}, status=403)
        cursor.execute(statement.sql, statement.params_for({"user": user_id}))
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    next_link = None
    if len(rows) > PAGE_SIZE:
        from leads.api.queue import QueuePagination

        pagination = QueuePagination()
        key = pagination.key_of(rows[PAGE_SIZE - 1])
        next_link = replace_query_param(request.build_absolute_uri("/api/v1/leads/queue/"), "cursor",
                                        pagination.encode_key(key))
    return _json({"next": next_link, "previous": None, "results": rows[:PAGE_SIZE]})


def floor_offers(request, pk: int):
    from campaigns.selectors import NEXT_BEST_OFFER_COLUMNS, OFFER_SHEET
    from campaigns.api.views import offer_item

    offers, customer = OFFER_SHEET.statement(), customer_statement().statement()
    with connection.cursor() as cursor:
        if _user_with_role(cursor, request, {"marketer", "analyst", "admin"}) is None:
            return JsonResponse({"error": "forbidden"}, status=403)
        cursor.execute(offers.sql, offers.params_for({"customer_id": pk, "on": timezone.localdate()}))
        rows = cursor.fetchall()
        if rows:
            external_id, persona = rows[0][-2:]
        else:
            cursor.execute(customer.sql, customer.params_for({"customer": pk}))
            found = cursor.fetchone()
            if found is None:
                return JsonResponse({"error": "not found"}, status=404)
            external_id, persona = found
    keys = tuple(NEXT_BEST_OFFER_COLUMNS)
    results = [offer_item({**dict(zip(keys, row)), "rank": position}) for position, row in enumerate(rows, start=1)]
    return _json({"customer": pk, "external_id": external_id, "persona": persona, "results": results})


urlpatterns = [
    path("floor/leads/queue/", floor_queue),
    path("floor/customers/<int:pk>/offers/", floor_offers),
    path("", include("config.urls")),
]
