"""Column spec for the customer-personality file (tab separated in the original)."""
from core.importing import Column, ImportSpec

CURRENT_YEAR_LIMIT = 2100
_COUNT = dict(kind="int", min_value=0, max_value=1_000_000)
_FLAG = dict(kind="zero_one")

CUSTOMER_SPEC = ImportSpec(
    name="customers",
    columns=(
        Column("external_id", "ID", max_length=64),
        Column("year_birth", "Year_Birth", kind="int", min_value=1800, max_value=CURRENT_YEAR_LIMIT),
        Column("education", "Education", max_length=32),
        Column("marital_status", "Marital_Status", max_length=32),
        Column("income", "Income", kind="float", nullable=True, min_value=0, max_value=100_000_000),
        Column("kidhome", "Kidhome", kind="int", min_value=0, max_value=20),
        Column("teenhome", "Teenhome", kind="int", min_value=0, max_value=20),
        Column("dt_customer", "Dt_Customer", kind="date"),
        Column("recency", "Recency", kind="int", min_value=0, max_value=100_000),
        Column("mnt_wines", "MntWines", **_COUNT),
        Column("mnt_fruits", "MntFruits", **_COUNT),
        Column("mnt_meat_products", "MntMeatProducts", **_COUNT),
        Column("mnt_fish_products", "MntFishProducts", **_COUNT),
        Column("mnt_sweet_products", "MntSweetProducts", **_COUNT),
        Column("mnt_gold_prods", "MntGoldProds", **_COUNT),
        Column("num_deals_purchases", "NumDealsPurchases", **_COUNT),
        Column("num_web_purchases", "NumWebPurchases", **_COUNT),
        Column("num_catalog_purchases", "NumCatalogPurchases", **_COUNT),
        Column("num_store_purchases", "NumStorePurchases", **_COUNT),
        Column("num_web_visits_month", "NumWebVisitsMonth", **_COUNT),
        Column("accepted_cmp1", "AcceptedCmp1", **_FLAG),
        Column("accepted_cmp2", "AcceptedCmp2", **_FLAG),
        Column("accepted_cmp3", "AcceptedCmp3", **_FLAG),
        Column("accepted_cmp4", "AcceptedCmp4", **_FLAG),
        Column("accepted_cmp5", "AcceptedCmp5", **_FLAG),
        Column("complain", "Complain", **_FLAG),
        Column("response", "Response", **_FLAG),
    ),
    ignored_headers=("Z_CostContact", "Z_Revenue"),
)
