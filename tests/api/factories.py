"""Factories for the API tests: users in a role, their tokens, lead scores (the rest are in tests/factories.py)."""
from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from leads.models import LeadScore
from tests.factories import ScoringModelFactory, UserFactory

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


class LeadScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadScore

    scoring_model = factory.SubFactory(ScoringModelFactory)
    score = 50.0
    tier = "warm"
    scored_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
