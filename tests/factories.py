"""Factories shared by the app tests (one place, so every test builds rows the same way)."""
import datetime

import factory
from django.contrib.auth import get_user_model

from campaigns.models import Campaign, Offer
from core.personas import PREMIUM
from leads.models import Lead
from segmentation.models import Customer


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-word-123")  # hashed before the single save


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"C{n:06d}")
    year_birth = 1970
    education = "Graduation"
    marital_status = "Married"
    income = 50000.0
    kidhome = 0
    teenhome = 0
    dt_customer = datetime.date(2013, 5, 1)
    recency = 30
    mnt_wines = 300
    mnt_fruits = 20
    mnt_meat_products = 150
    mnt_fish_products = 30
    mnt_sweet_products = 20
    mnt_gold_prods = 40
    num_deals_purchases = 2
    num_web_purchases = 4
    num_catalog_purchases = 2
    num_store_purchases = 6
    num_web_visits_month = 5


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    external_id = factory.Sequence(lambda n: f"L{n:06d}")
    age = 35
    current_occupation = Lead.Occupation.PROFESSIONAL
    first_interaction = Lead.FirstInteraction.WEBSITE
    profile_completed = Lead.ProfileCompleted.HIGH
    website_visits = 3
    time_spent_on_website = 600
    page_views_per_visit = 2.5
    last_activity = Lead.LastActivity.EMAIL
    status = None


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    status = Campaign.Status.ACTIVE
    control_share = 0.10


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Offer {n}")
    target_personas = factory.LazyFunction(lambda: [PREMIUM])
    offer_type = Offer.Type.PREMIUM_PRODUCT
    value = 100
    message = "A tasting evening for our best customers"


class SalesRepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "leads.SalesRep"

    user = factory.SubFactory(UserFactory)
    capacity = 50
    is_active = True


class ScoringModelFactory(factory.django.DjangoModelFactory):
    """A registry row without an artifact: for pages and history that only read its fields."""

    class Meta:
        model = "leads.ScoringModel"

    version = factory.Sequence(lambda n: n + 1)
    algorithm = "logistic_regression"
    artifact = factory.LazyAttribute(lambda m: f"models/lead-model-v{m.version}.joblib")
    checksum = "0" * 64


def import_generated_leads(folder, *, leads: int = 1500, open_share: float = 0.2, seed: int = 7):
    """Write seeded synthetic ExtraaLearn leads into ``folder`` and import them (the import's JobRun)."""
    from core.synthetic import write_dataset
    from leads.services import leads_import

    path = write_dataset(folder, customers=0, leads=leads, responses=0, seed=seed, open_share=open_share)["leads"]
    return leads_import(source=path, source_name=path.name)
