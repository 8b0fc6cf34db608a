"""The API's compiled hot reads (core.compiled) return exactly what the ORM querysets they are compiled from do."""
import datetime

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.selectors import OFFER_SHEET_COLUMNS, _next_best_offer_rows, customer_offer_sheet
from core.compiled import CompiledQuery
from leads.api.queue import QueuePagination, queue_page, queue_rows
from leads.selectors import rep_queue
from tests.factories import LeadFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled reads are used on PostgreSQL only (CI)"),
]
NOW = timezone.now()


def orm_page(user, key, limit):
    return list(QueuePagination().keyset_page(queue_rows(rep_queue(user=user)), key)[:limit])


def test_queue_pages_match_the_orm_first_page_and_after_a_cursor():
    rep = UserFactory()
    for n in range(12):
        LeadFactory(owner=rep, tier=["hot", "warm", "cold", ""][n % 4], score=None if n % 4 == 3 else 90.0 - n,
                    last_activity_at=None if n % 3 else NOW - datetime.timedelta(hours=n))
    LeadFactory(owner=UserFactory(), tier="hot", score=99.0)

    first = queue_page(user=rep, key=None, limit=5)
    key = QueuePagination().key_of(first[-1])
    after = queue_page(user=rep, key=key, limit=50)

    assert first == orm_page(rep, None, 5)
    assert after == orm_page(rep, key, 50)
    assert len(first) + len(after) == 12


def test_offer_sheet_matches_the_orm(offer_world):
    customer_id = offer_world
    compiled = customer_offer_sheet(customer_id=customer_id)
    rows = list(_next_best_offer_rows(customer_id=customer_id).values_list(*OFFER_SHEET_COLUMNS))

    assert [tuple(item[key] for key in ("assignment", "offer")) for item in compiled["results"]] == \
        [row[:2] for row in rows]
    assert len(rows) == 2, "the ended campaign's offer is left out"


def test_a_marker_missing_from_the_query_is_refused():
    from leads.models import Lead

    with pytest.raises(ValueError, match="markers"):
        CompiledQuery(lambda lead: Lead.objects.filter(pk=1).values("id"), lead=-1).statement()


@pytest.fixture
def offer_world():
    from tests.factories import AssignmentFactory
    from tests.factories import CustomerFactory, OfferFactory

    customer = CustomerFactory(persona="premium")
    AssignmentFactory(customer=customer, score=10.0)
    AssignmentFactory(customer=customer, score=30.0)
    AssignmentFactory(customer=customer, score=20.0, offer=OfferFactory(campaign__status="ended"))
    return customer.pk
