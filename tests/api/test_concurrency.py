"""Concurrent claims: many reps press "claim" on the same lead at once; exactly one gets it."""
import os

import pytest

from leads.models import Lead, LeadActivity
from tests.api.conftest import client_for
from tests.api.factories import role_user
from tests.concurrency import run_at_once
from tests.factories import LeadFactory

REPS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="concurrent claims need PostgreSQL row locks; SQLite serialises every writer "
                              "(CI runs these on PostgreSQL)"),
]


def claim_together(lead_id: int, clients) -> list[int]:
    """Every client POSTs claim at the same moment, each on its own thread and database connection."""
    return sorted(run_at_once(lambda client: client.post(f"/api/v1/leads/{lead_id}/claim/").status_code, clients))


def test_exactly_one_of_many_simultaneous_claims_wins():
    reps = [role_user("sales_rep", username=f"rep{n}") for n in range(REPS)]
    lead = LeadFactory(owner=None)

    statuses = claim_together(lead.pk, [client_for(rep) for rep in reps])

    assert len(statuses) == REPS
    assert statuses.count(200) == 1
    assert set(statuses) - {200} <= {404, 409}
    lead.refresh_from_db()
    assert lead.owner in reps
    assert LeadActivity.objects.filter(lead=lead, kind=LeadActivity.Kind.CLAIMED).count() == 1


def test_simultaneous_claims_on_different_leads_all_win():
    reps = [role_user("sales_rep", username=f"rep{n}") for n in range(REPS)]
    leads = [LeadFactory(owner=None) for _ in reps]

    def claim(pair):
        rep, lead = pair
        return client_for(rep).post(f"/api/v1/leads/{lead.pk}/claim/").status_code

    statuses = run_at_once(claim, zip(reps, leads))

    assert statuses == [200] * REPS
    assert [Lead.objects.get(pk=lead.pk).owner for lead in leads] == reps
