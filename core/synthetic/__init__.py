"""Seeded synthetic marketing data shaped exactly like the three public files the product imports.

Used by the demo, the tests and the benchmarks so the real datasets never need copying. Pure Python
(numpy/pandas, no Django); each generator is vectorised and deterministic for a seed.
"""
from .customers import CUSTOMER_COLUMNS, generate_customers, generate_customers_with_personas
from .files import CUSTOMERS_FILENAME, LEADS_FILENAME, RESPONSES_FILENAME, write_dataset
from .leads import LEAD_COLUMNS, generate_leads
from .responses import RESPONSE_COLUMNS, generate_responses

__all__ = [
    "CUSTOMER_COLUMNS",
    "CUSTOMERS_FILENAME",
    "LEAD_COLUMNS",
    "LEADS_FILENAME",
    "RESPONSE_COLUMNS",
    "RESPONSES_FILENAME",
    "generate_customers",
    "generate_customers_with_personas",
    "generate_leads",
    "generate_responses",
    "write_dataset",
]
