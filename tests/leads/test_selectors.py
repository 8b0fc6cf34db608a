"""Reads for leads: a rep's queue, who sees which leads, a lead's score history."""
import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from leads.models import Lead, LeadScore
from leads.selectors import lead_score_history, leads_visible_to, rep_queue
from tests.factories import LeadFactory, ScoringModelFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user_in(role: str):
    user = UserFactory(username=f"{role}-user")
    user.groups.add(Group.objects.get(name=role))
    return user


def test_queue_puts_hot_before_warm_before_cold_whatever_the_score():
    rep = UserFactory()
    cold = LeadFactory(owner=rep, tier="cold", score=99)
    warm = LeadFactory(owner=rep, tier="warm", score=50)
    hot = LeadFactory(owner=rep, tier="hot", score=71)

    assert list(rep_queue(user=rep)) == [hot, warm, cold]


def test_queue_orders_a_tier_by_score_then_freshest_activity():
    rep = UserFactory()
    now = timezone.now()
    older = LeadFactory(owner=rep, tier="hot", score=80, last_activity_at=now - datetime.timedelta(days=2))
    fresher = LeadFactory(owner=rep, tier="hot", score=80, last_activity_at=now)
    best = LeadFactory(owner=rep, tier="hot", score=90, last_activity_at=now - datetime.timedelta(days=9))

    assert list(rep_queue(user=rep)) == [best, fresher, older]


def test_queue_leaves_out_won_lost_and_other_reps_leads():
    rep = UserFactory()
    open_lead = LeadFactory(owner=rep, tier="warm", score=50, stage=Lead.Stage.QUALIFIED)
    LeadFactory(owner=rep, tier="hot", score=99, stage=Lead.Stage.WON, status=True)
    LeadFactory(owner=rep, tier="hot", score=98, stage=Lead.Stage.LOST, status=False)
    LeadFactory(owner=UserFactory(), tier="hot", score=97)
    LeadFactory(tier="hot", score=96)

    assert list(rep_queue(user=rep)) == [open_lead]


def test_a_rep_sees_own_and_unowned_leads_only():
    rep = _user_in("sales_rep")
    own, unowned = LeadFactory(owner=rep), LeadFactory()
    LeadFactory(owner=UserFactory())

    assert set(leads_visible_to(user=rep)) == {own, unowned}


@pytest.mark.parametrize("role", ["marketer", "analyst", "admin"])
def test_marketers_analysts_and_admins_see_every_lead(role):
    leads = {LeadFactory(owner=UserFactory()), LeadFactory(), LeadFactory(owner=UserFactory())}

    assert set(leads_visible_to(user=_user_in(role))) == leads


def test_score_history_is_the_leads_own_newest_first():
    lead, other = LeadFactory(), LeadFactory()
    model = ScoringModelFactory()
    start = timezone.now() - datetime.timedelta(days=3)
    for day, score in enumerate([40.0, 55.0, 72.0]):
        LeadScore.objects.create(lead=lead, scoring_model=model, score=score, tier="warm",
                                 scored_at=start + datetime.timedelta(days=day))
    LeadScore.objects.create(lead=other, scoring_model=model, score=10.0, tier="cold", scored_at=timezone.now())

    assert [row.score for row in lead_score_history(lead=lead)] == [72.0, 55.0, 40.0]
