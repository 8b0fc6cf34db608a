"""Column spec for the customer-personality file (tab separated in the original), and how another company's
customer file names the same things."""
from core.import_runs import ImportEntity, register_import
from core.import_validation import Column, ImportSpec
from core.models import JobRun

CURRENT_YEAR_LIMIT = 2100
_COUNT = dict(kind="int", min_value=0, max_value=1_000_000)
_FLAG = dict(kind="zero_one")
_THOUSANDS = (("k$", 1000), ("k€", 1000), ("k£", 1000), ("k", 1000), ("thousands", 1000), ("$", 1), ("€", 1),
              ("£", 1))

CUSTOMER_SPEC = ImportSpec(
    name="customers",
    columns=(
        Column("external_id", "ID", max_length=64,
               synonyms=("CustomerID", "Customer ID", "Client ID", "Member ID", "external_id")),
        Column("year_birth", "Year_Birth", kind="int", min_value=1800, max_value=CURRENT_YEAR_LIMIT,
               synonyms=("Year of Birth", "Birth Year")),
        Column("education", "Education", max_length=32),
        Column("marital_status", "Marital_Status", max_length=32),
        Column("income", "Income", kind="float", nullable=True, min_value=0, max_value=100_000_000,
               synonyms=("Annual Income", "Yearly Income", "Household Income"), units=_THOUSANDS),
        Column("kidhome", "Kidhome", kind="int", min_value=0, max_value=20),
        Column("teenhome", "Teenhome", kind="int", min_value=0, max_value=20),
        Column("dt_customer", "Dt_Customer", kind="date", synonyms=("Customer Since", "Enrolled On", "Date Joined")),
        Column("recency", "Recency", kind="int", min_value=0, max_value=100_000,
               synonyms=("Days Since Last Purchase",)),
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
        Column("response", "Response", synonyms=("Converted", "Accepted", "Responded", "Won", "Outcome", "Status"),
               value_synonyms=(("Converted", "yes"), ("Not Converted", "no"), ("Won", "yes"), ("Lost", "no")),
               **_FLAG),
    ),
    ignored_headers=("Z_CostContact", "Z_Revenue"),
    outcome_field="response",
)

register_import(ImportEntity(spec=CUSTOMER_SPEC, kind=JobRun.Kind.IMPORT_CUSTOMERS,
                             service="segmentation.services.customers_import",
                             label="Customers (the customer-personality layout, or your own columns)"))
