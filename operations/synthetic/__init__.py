"""Seeded synthetic marketing data shaped exactly like the three public files the product imports.

Used by the demo, the tests and the benchmarks so the real datasets never need copying. Pure Python
(numpy/pandas, no Django); each generator is vectorised and deterministic for a seed. ``foreign.py`` writes
another company's lead and customer files instead (other names, values and columns), and
``extra_columns.py`` appends typed custom columns to either layout.
"""
from .customers import CUSTOMER_COLUMNS, generate_customers, generate_customers_with_personas
from .extra_columns import extra_column_names
from .files import CUSTOMERS_FILENAME, LEADS_FILENAME, RESPONSES_FILENAME, write_dataset, write_foreign_dataset
from .foreign import (
    FOREIGN_CUSTOMER_COLUMNS, FOREIGN_LEAD_COLUMNS, generate_foreign_customers, generate_foreign_customers_with_groups,
    generate_foreign_leads,
)
from .leads import LEAD_COLUMNS, generate_leads
from .responses import RESPONSE_COLUMNS, generate_responses

__all__ = [
    "CUSTOMER_COLUMNS",
    "CUSTOMERS_FILENAME",
    "FOREIGN_CUSTOMER_COLUMNS",
    "FOREIGN_LEAD_COLUMNS",
    "LEAD_COLUMNS",
    "LEADS_FILENAME",
    "RESPONSE_COLUMNS",
    "RESPONSES_FILENAME",
    "extra_column_names",
    "generate_customers",
    "generate_customers_with_personas",
    "generate_foreign_customers",
    "generate_foreign_customers_with_groups",
    "generate_foreign_leads",
    "generate_leads",
    "generate_responses",
    "write_dataset",
    "write_foreign_dataset",
]
