"""Dealing leads to reps: weighted by room, best scored first, interleaved, never past a rep's capacity."""
import pytest

from leads.models import Lead, LeadActivity
from leads.services import lead_assign, leads_assign_round_robin
from tests.factories import LeadFactory, SalesRepFactory, UserFactory

pytestmark = pytest.mark.django_db


def _leads_by_score(count: int) -> list[Lead]:
    """``count`` unowned open leads, best first (scores 99, 98, ...)."""
    return [LeadFactory(score=99 - position, tier="hot") for position in range(count)]


def test_round_robin_gives_twice_the_leads_to_twice_the_room():
    big = SalesRepFactory(user=UserFactory(username="big"), capacity=20)
    small = SalesRepFactory(user=UserFactory(username="small"), capacity=10)
    _leads_by_score(30)

    result = leads_assign_round_robin()

    assert result == {"assigned": 30, "per_rep": {"big": 20, "small": 10}}
    assert Lead.objects.filter(owner=big.user).count() == 20
    assert Lead.objects.filter(owner=small.user).count() == 10


def test_round_robin_interleaves_reps_from_the_best_scored_lead_down():
    big = SalesRepFactory(user=UserFactory(username="big"), capacity=20)
    small = SalesRepFactory(user=UserFactory(username="small"), capacity=10)
    leads = _leads_by_score(30)

    leads_assign_round_robin()

    owners = [Lead.objects.get(pk=lead.pk).owner_id for lead in leads]
    b, s = big.user_id, small.user_id
    assert owners[:9] == [b, s, b, b, s, b, b, s, b]
    assert s in owners[:2], "the smaller rep gets one of the two hottest leads, not only the leftovers"


def test_round_robin_deals_only_the_best_leads_when_room_is_short():
    SalesRepFactory(user=UserFactory(username="big"), capacity=2)
    SalesRepFactory(user=UserFactory(username="small"), capacity=1)
    leads = _leads_by_score(5)

    result = leads_assign_round_robin()

    assert result["assigned"] == 3
    assert [Lead.objects.get(pk=lead.pk).owner_id is not None for lead in leads] == [True, True, True, False, False]


def test_round_robin_gives_nothing_to_a_rep_at_capacity_or_inactive():
    full = SalesRepFactory(user=UserFactory(username="full"), capacity=2)
    LeadFactory.create_batch(2, owner=full.user)
    SalesRepFactory(user=UserFactory(username="away"), capacity=10, is_active=False)
    free = SalesRepFactory(user=UserFactory(username="free"), capacity=3)
    _leads_by_score(5)

    result = leads_assign_round_robin()

    assert result == {"assigned": 3, "per_rep": {"full": 0, "free": 3}}
    assert Lead.objects.filter(owner=full.user).count() == 2
    assert Lead.objects.filter(owner=free.user).count() == 3


def test_room_counts_only_open_leads_held():
    rep = SalesRepFactory(user=UserFactory(username="rep"), capacity=2)
    LeadFactory(owner=rep.user, stage=Lead.Stage.WON, status=True)
    LeadFactory(owner=rep.user, stage=Lead.Stage.CONTACTED)
    _leads_by_score(3)

    result = leads_assign_round_robin()

    assert result["per_rep"] == {"rep": 1}


def test_round_robin_leaves_closed_and_owned_leads_alone_and_deals_unscored_last():
    rep = SalesRepFactory(user=UserFactory(username="rep"), capacity=2)
    other = UserFactory(username="other")
    held = LeadFactory(owner=other, score=99)
    closed = LeadFactory(stage=Lead.Stage.LOST, status=False, score=98)
    unscored = LeadFactory(score=None)
    scored = LeadFactory(score=10, tier="cold")

    leads_assign_round_robin()

    assert Lead.objects.get(pk=held.pk).owner == other
    assert Lead.objects.get(pk=closed.pk).owner is None
    assert Lead.objects.get(pk=scored.pk).owner == rep.user
    assert Lead.objects.get(pk=unscored.pk).owner == rep.user


def test_round_robin_logs_one_assignment_per_lead_dealt():
    admin = UserFactory(username="boss")
    SalesRepFactory(user=UserFactory(username="rep"), capacity=5)
    leads = _leads_by_score(3)

    leads_assign_round_robin(user=admin)

    activities = LeadActivity.objects.filter(kind=LeadActivity.Kind.ASSIGNED)
    assert sorted(activities.values_list("lead_id", flat=True)) == sorted(lead.pk for lead in leads)
    assert set(activities.values_list("user__username", "note")) == {("boss", "to rep (round robin)")}


def test_round_robin_without_reps_assigns_nothing():
    _leads_by_score(2)

    assert leads_assign_round_robin() == {"assigned": 0, "per_rep": {}}
    assert not Lead.objects.filter(owner__isnull=False).exists()


def test_assign_by_hand_takes_the_lead_from_its_holder_and_logs_it():
    lead = LeadFactory(owner=UserFactory(username="before"))
    rep = UserFactory(username="after")

    lead_assign(lead=lead, rep=rep)

    assert Lead.objects.get(pk=lead.pk).owner == rep
    assert LeadActivity.objects.get(lead=lead).note == "to after"
