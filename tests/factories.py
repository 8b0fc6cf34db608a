"""Factories shared by the app tests (one place, so every test builds rows the same way)."""
import datetime
import shutil
from pathlib import Path

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from campaigns.models import Campaign, Offer, OfferAssignment
from leads.models import Lead
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.personas import PREMIUM


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


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An offer proposed to a customer; the customer (made here unless given) is in the assignment's persona."""

    class Meta:
        model = OfferAssignment

    offer = factory.SubFactory(OfferFactory)
    campaign = factory.SelfAttribute("offer.campaign")
    persona = PREMIUM
    customer = factory.SubFactory(CustomerFactory, persona=factory.SelfAttribute("..persona"))
    status = OfferAssignment.Status.PROPOSED
    p_accept = 0.25
    score = 25.0
    rank = 1


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
    features = factory.LazyFunction(lambda: ["age", "website_visits"])
    metrics = factory.LazyFunction(lambda: {"holdout_roc_auc": 0.9})
    training_rows = 100
    artifact = factory.LazyAttribute(lambda m: f"models/lead-model-v{m.version}.joblib")
    checksum = "0" * 64


def import_generated_leads(folder, *, leads: int = 1500, open_share: float = 0.2, seed: int = 7):
    """Write seeded synthetic ExtraaLearn leads into ``folder`` and import them (the import's JobRun)."""
    from leads.services import leads_import
    from operations.synthetic import write_dataset

    path = write_dataset(folder, customers=0, leads=leads, responses=0, seed=seed, open_share=open_share)["leads"]
    return leads_import(source=path, source_name=path.name)


class TrainedModels:
    """Lead models trained once per test session, by name, then registered as champion in any test that asks.

    Training is what costs (tens of seconds); importing the same seeded leads again costs well under a second. So the
    first test to ask for a model trains it with the real service inside a savepoint that is rolled back, keeping the
    artifact and the registry row's fields; every test, the first included, then gets that row and artifact, the
    same way. The leads must be the same in every test (seeded), as the model was trained on them."""

    SKIPPED = ("id", "job_id", "created_at")

    def __init__(self, folder: Path):
        self.folder = folder
        self.rows: dict[str, dict] = {}

    def champion(self, name: str, *, media_root, algorithms: tuple[str, ...]):
        """The registered champion ``name``, trained on the leads now in the database with ``algorithms``."""
        from django.db import transaction
        from django.test import override_settings

        from leads.models import ScoringModel
        from leads.services import lead_model_train

        if name not in self.rows:
            with transaction.atomic(), override_settings(LEAD_MODEL_ALGORITHMS=algorithms):
                model = lead_model_train()
                transaction.set_rollback(True)
            shutil.copytree(Path(media_root) / "models", self.folder / name)
            self.rows[name] = {field.attname: getattr(model, field.attname)
                               for field in ScoringModel._meta.concrete_fields if field.attname not in self.SKIPPED}
        shutil.copytree(self.folder / name, Path(media_root) / "models", dirs_exist_ok=True)
        return ScoringModel.objects.create(**self.rows[name])


class SegmentationRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SegmentationRun

    algorithm = "kmeans"
    chosen_k = 2
    status = SegmentationRun.Status.SUCCEEDED
    is_current = False
    metrics = factory.LazyFunction(lambda: [
        {"k": 2, "silhouette": 0.31, "calinski_harabasz": 410.0, "davies_bouldin": 1.2},
        {"k": 3, "silhouette": 0.22, "calinski_harabasz": 380.0, "davies_bouldin": 1.6},
    ])
    sizes = factory.LazyFunction(lambda: {"0": 1, "1": 1})
    n_customers = 2
    finished_at = factory.LazyFunction(timezone.now)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    run = factory.SubFactory(SegmentationRunFactory)
    key = factory.Sequence(lambda n: n % 30000)
    persona = PREMIUM
    label = factory.Sequence(lambda n: f"premium · segment {n}")
    size = 1
    share = 0.5
    profile = factory.LazyFunction(lambda: {
        "size": 1, "share": 0.5, "highlights": ["income 80,000 vs 50,000 overall (1.5 sd above)"],
        "features": {"income": {"mean": 80000.0, "median": 79000.0, "overall_mean": 50000.0, "ratio": 1.6,
                                "z": 1.5}},
        "data_flags": {"income_missing": 1},
    })


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership; with a segment, its run and persona follow the segment's, without one it is unsegmented."""

    class Meta:
        model = SegmentMembership

    segment = None
    run = factory.LazyAttribute(lambda m: m.segment.run if m.segment else SegmentationRunFactory())
    customer = factory.SubFactory(CustomerFactory)
    persona = factory.LazyAttribute(lambda m: m.segment.persona if m.segment else "")
    unsegmented_reason = ""
