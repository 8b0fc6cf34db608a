"""Factories and set-up helpers for the campaigns tests."""
from __future__ import annotations

import numpy as np

from operations.synthetic import generate_customers
from segmentation.models import Customer
from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY
from segmentation.services import customers_import


def personas_by_income_tercile() -> dict[str, int]:
    """Stand-in for the segmentation engine: lowest income third deal-oriented, middle value/family, top premium.
    Customers with unknown income keep an empty persona (unsegmented). Returns customers per persona."""
    incomes = np.array(list(Customer.objects.exclude(income=None).values_list("income", flat=True)), dtype=float)
    low, high = np.quantile(incomes, [1 / 3, 2 / 3])
    return {
        DEAL_ORIENTED: Customer.objects.filter(income__lt=low).update(persona=DEAL_ORIENTED),
        VALUE_FAMILY: Customer.objects.filter(income__gte=low, income__lt=high).update(persona=VALUE_FAMILY),
        PREMIUM: Customer.objects.filter(income__gte=high).update(persona=PREMIUM),
    }


def import_generated_customers(n: int, seed: int = 11) -> None:
    """``n`` synthetic customers imported through the real import service, with personas by income tercile."""
    csv_bytes = generate_customers(n, seed).to_csv(sep="\t", index=False).encode()
    job = customers_import(source=csv_bytes, source_name="generated.csv")
    assert job.counts["inserted"] == n, job.counts
    personas_by_income_tercile()
