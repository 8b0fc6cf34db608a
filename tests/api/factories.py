"""Factories for the API tests: users in a role, segmentation runs, assignments, scoring models."""
from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from campaigns.models import OfferAssignment
from core.personas import PREMIUM
from leads.models import LeadScore
from tests.factories import CustomerFactory, OfferFactory, ScoringModelFactory, UserFactory

PASSWORD = "pass-word-123"


def role_user(role: str | None, username: str | None = None, **fields):
    """A user holding `role` (a group of core/roles.py); None for a user with no role, 'superuser' for one."""
    username = username or f"{role or 'norole'}-{UserFactory._meta.model.objects.count()}"
    if role == "superuser":
        return UserFactory(username=username, is_superuser=True, is_staff=True, **fields)
    user = UserFactory(username=username, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferAssignment

    offer = factory.SubFactory(OfferFactory)
    campaign = factory.SelfAttribute("offer.campaign")
    customer = factory.SubFactory(CustomerFactory)
    persona = PREMIUM
    status = OfferAssignment.Status.PROPOSED
    p_accept = 0.25
    score = 25.0
    rank = 1


class LeadScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadScore

    scoring_model = factory.SubFactory(ScoringModelFactory)
    score = 50.0
    tier = "warm"
    scored_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
