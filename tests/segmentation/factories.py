"""The real customer file loaded through the import service (for everything that clusters). Runs, segments and
memberships built directly are in tests/factories.py."""
from __future__ import annotations

from core.models import JobRun
from segmentation.models import Customer
from segmentation.services import customers_import
from tests.shared_data import CUSTOMERS_FILE, shared_data_path

REAL_CUSTOMERS = 2240


def import_real_customers() -> int:
    """The public customer-personality file, imported as users would import it. Returns the customer count."""
    job = customers_import(source=shared_data_path(*CUSTOMERS_FILE))
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    return Customer.objects.count()
