"""Segmentation runs, segments and memberships built directly (for selectors and admin pages), and the real
customer file loaded through the import service (for everything that clusters)."""
from __future__ import annotations

import factory
from django.utils import timezone

from core.models import JobRun
from core.personas import PREMIUM
from segmentation.models import Customer, Segment, SegmentationRun, SegmentMembership
from segmentation.services import customers_import
from tests.factories import CustomerFactory
from tests.shared_data import CUSTOMERS_FILE, shared_data_path

REAL_CUSTOMERS = 2240


def import_real_customers() -> int:
    """The public customer-personality file, imported as users would import it. Returns the customer count."""
    job = customers_import(source=shared_data_path(*CUSTOMERS_FILE))
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    return Customer.objects.count()


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
    class Meta:
        model = SegmentMembership

    run = factory.SubFactory(SegmentationRunFactory)
    customer = factory.SubFactory(CustomerFactory)
    segment = None
    persona = ""
    unsegmented_reason = ""
