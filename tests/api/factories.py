"""Factories for the API tests: users in a role, segmentation runs, assignments, scoring models."""
from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from campaigns.models import OfferAssignment
from core.personas import PREMIUM
from leads.models import LeadScore, ScoringModel
from segmentation.models import Segment, SegmentationRun, SegmentMembership
from tests.factories import CustomerFactory, OfferFactory, UserFactory

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


class SegmentationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentationRun

    algorithm = "kmeans"
    chosen_k = 2
    status = SegmentationRun.Status.SUCCEEDED
    is_current = False
    metrics = factory.LazyFunction(lambda: [{"k": 2, "silhouette": 0.31}])
    sizes = factory.LazyFunction(lambda: {"0": 1, "1": 1})
    n_customers = 2
    finished_at = factory.LazyFunction(timezone.now)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    run = factory.SubFactory(SegmentationRunFactory)
    key = factory.Sequence(lambda n: n % 30000)
    persona = PREMIUM
    label = factory.Sequence(lambda n: f"Segment {n}")
    size = 1
    share = 0.5
    profile = factory.LazyFunction(lambda: {"income": 70000.0})


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentMembership

    run = factory.SelfAttribute("segment.run")
    segment = factory.SubFactory(SegmentFactory)
    customer = factory.SubFactory(CustomerFactory)
    persona = factory.SelfAttribute("segment.persona")


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


class ScoringModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoringModel

    version = factory.Sequence(lambda n: n + 1)
    algorithm = "HistGradientBoostingClassifier"
    features = factory.LazyFunction(lambda: ["age", "website_visits"])
    metrics = factory.LazyFunction(lambda: {"roc_auc": 0.9})
    training_rows = 100
    artifact = factory.LazyAttribute(lambda m: f"models/lead-v{m.version}.joblib")
    checksum = "0" * 64


class LeadScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadScore

    scoring_model = factory.SubFactory(ScoringModelFactory)
    score = 50.0
    tier = "warm"
    scored_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
