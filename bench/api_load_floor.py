"""Bench-only URLconf for bench/api_load.py: the project's URLs plus the "floor" views.

A floor view is the least Django can do for a hot endpoint: no DRF, no ORM, no serializer; it runs SQL
equivalent to the API's (the same authentication statement, then the page query) on a raw cursor and
writes the same JSON with orjson. The API's requests/s as a share of the floor's is what the bench reports.

Served by gunicorn with DJANGO_SETTINGS_MODULE=api_load_settings (bench/ on the path); never in production.
"""
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

QUEUE_COLUMNS = (
    "id", "external_id", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
    "time_spent_on_website", "page_views_per_visit", "last_activity", "stage", "score", "tier", "last_activity_at",
)
QUEUE_SQL = (
    f"SELECT {', '.join(QUEUE_COLUMNS)} FROM leads_lead WHERE owner_id = %s AND stage NOT IN ('won', 'lost') "
    "ORDER BY CASE tier WHEN 'hot' THEN 0 WHEN 'warm' THEN 1 WHEN 'cold' THEN 2 ELSE 3 END, "
    "COALESCE(score, -1.0) DESC, COALESCE(last_activity_at, '1970-01-01T00:00:00+00:00') DESC, id LIMIT %s"
)
CUSTOMER_SQL = "SELECT id, external_id, persona FROM segmentation_customer WHERE id = %s"
OFFERS_SQL = (
    "SELECT a.id, a.offer_id, o.name, o.offer_type, o.value, o.message, a.p_accept, a.score, a.rank, a.campaign_id, "
    "c.name FROM campaigns_offerassignment a JOIN campaigns_offer o ON o.id = a.offer_id "
    "JOIN campaigns_campaign c ON c.id = a.campaign_id "
    "WHERE a.customer_id = %s AND a.status = 'proposed' AND NOT a.is_control AND c.status = 'active' "
    "AND (c.starts_on IS NULL OR c.starts_on <= %s) AND (c.ends_on IS NULL OR c.ends_on >= %s) "
    "ORDER BY a.score DESC NULLS FIRST, a.rank, o.priority, a.offer_id"
)
PAGE_SIZE = 50


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
    return user["id"] if user["is_active"] and held & roles else None


def floor_queue(request):
    with connection.cursor() as cursor:
        user_id = _user_with_role(cursor, request, {"sales_rep", "admin"})
        if user_id is None:
            return JsonResponse({"error": "forbidden"}, status=403)
        cursor.execute(QUEUE_SQL, [user_id, PAGE_SIZE + 1])
        rows = [dict(zip(QUEUE_COLUMNS, row)) for row in cursor.fetchall()]
    next_link = None
    if len(rows) > PAGE_SIZE:
        from leads.api.queue import QueuePagination

        pagination = QueuePagination()
        key = pagination.key_of(rows[PAGE_SIZE - 1])
        next_link = replace_query_param(request.build_absolute_uri("/api/v1/leads/queue/"), "cursor",
                                        pagination.encode_key(key))
    return _json({"next": next_link, "previous": None, "results": rows[:PAGE_SIZE]})


def floor_offers(request, pk: int):
    from segmentation.api.views import offer_item

    today = timezone.localdate()
    with connection.cursor() as cursor:
        if _user_with_role(cursor, request, {"marketer", "analyst", "admin"}) is None:
            return JsonResponse({"error": "forbidden"}, status=403)
        cursor.execute(CUSTOMER_SQL, [pk])
        customer = cursor.fetchone()
        if customer is None:
            return JsonResponse({"error": "not found"}, status=404)
        cursor.execute(OFFERS_SQL, [pk, today, today])
        offers = [
            {"assignment": row[0], "offer": row[1], "name": row[2], "offer_type": row[3], "value": row[4],
             "message": row[5], "p_accept": row[6], "expected_value": row[7], "rank": position,
             "campaign_rank": row[8], "campaign": row[9], "campaign_name": row[10]}
            for position, row in enumerate(cursor.fetchall(), start=1)
        ]
    return _json({"customer": customer[0], "external_id": customer[1], "persona": customer[2],
                  "results": [offer_item(offer) for offer in offers]})


urlpatterns = [
    path("floor/leads/queue/", floor_queue),
    path("floor/customers/<int:pk>/offers/", floor_offers),
    path("", include("config.urls")),
]
