"""A small, complete world for endpoint tests: a user per role and one of every object the API serves."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from core.models import JobRun
from leads.models import Lead, ScoringModel
from segmentation.models import SegmentationRun
from tests.api.factories import LeadScoreFactory, role_user
from tests.factories import (
    AssignmentFactory, CampaignFactory, CustomerFactory, LeadFactory, MembershipFactory, OfferFactory,
    ScoringModelFactory, SegmentationRunFactory, SegmentFactory,
)

ROLES = ("anon", "norole", "marketer", "sales_rep", "analyst", "admin", "superuser")
PROFILE = {
    "age": 41, "current_occupation": "Professional", "first_interaction": "Website", "profile_completed": "High",
    "website_visits": 4, "time_spent_on_website": 900, "page_views_per_visit": 2.5, "last_activity": "Email Activity",
    "print_media_type1": False, "print_media_type2": False, "digital_media": True, "educational_channels": False,
    "referral": False,
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    own_leads: dict = field(default_factory=dict)

    def user(self, role: str):
        return self.users.get(role)

    def own_lead(self, role: str) -> Lead:
        return self.own_leads.get(role, self.own_leads["sales_rep"])


def build_world(serial: int = 0) -> World:
    """`serial` keeps usernames unique when a test builds a fresh world after a write; the new world's
    segmentation run and champion model take over from the old ones."""
    SegmentationRun.objects.update(is_current=False)
    ScoringModel.objects.update(is_champion=False)
    world = World()
    for role in ROLES[1:]:
        world.users[role] = role_user(None if role == "norole" else role, username=f"{role}-{serial}")
    world.run = SegmentationRunFactory(is_current=True)
    world.segment = SegmentFactory(run=world.run, key=0)
    world.customer = CustomerFactory(segment=world.segment, persona=world.segment.persona)
    world.other_customer = CustomerFactory()
    MembershipFactory(segment=world.segment, customer=world.customer)
    world.campaign = CampaignFactory(owner=world.users["marketer"])
    world.offer = OfferFactory(campaign=world.campaign, eligibility={"min_income": 10000})
    world.assignment = AssignmentFactory(offer=world.offer, customer=world.customer)
    world.previous_model = ScoringModelFactory()
    world.champion = ScoringModelFactory(is_champion=True)
    world.challenger = ScoringModelFactory()
    for role in ("marketer", "sales_rep", "analyst", "admin", "superuser", "norole"):
        lead = LeadFactory(owner=world.users[role], stage=Lead.Stage.NEW, score=75.0, tier=Lead.Tier.HOT,
                           scored_at=timezone.now(), scoring_model=world.champion, factors={"up": ["x"], "down": []})
        LeadScoreFactory(lead=lead, scoring_model=world.champion, score=75.0, tier=Lead.Tier.HOT)
        world.own_leads[role] = lead
    world.free_lead = LeadFactory(owner=None)
    world.free_leads_pool = [LeadFactory(owner=None) for _ in range(2)]
    world.job = JobRun.objects.create(kind=JobRun.Kind.RECLUSTER, status=JobRun.Status.SUCCEEDED)
    world.import_run = JobRun.objects.create(kind=JobRun.Kind.IMPORT_LEADS, status=JobRun.Status.SUCCEEDED,
                                             report={"errors": []})
    return world
