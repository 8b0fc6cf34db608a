"""Read the public seed files into frames that use the shared column contract (the Django field names)."""
from os import PathLike

import pandas as pd

CUSTOMER_COLUMNS = {
    "ID": "external_id",
    "Year_Birth": "year_birth",
    "Education": "education",
    "Marital_Status": "marital_status",
    "Income": "income",
    "Kidhome": "kidhome",
    "Teenhome": "teenhome",
    "Dt_Customer": "dt_customer",
    "Recency": "recency",
    "MntWines": "mnt_wines",
    "MntFruits": "mnt_fruits",
    "MntMeatProducts": "mnt_meat_products",
    "MntFishProducts": "mnt_fish_products",
    "MntSweetProducts": "mnt_sweet_products",
    "MntGoldProds": "mnt_gold_prods",
    "NumDealsPurchases": "num_deals_purchases",
    "NumWebPurchases": "num_web_purchases",
    "NumCatalogPurchases": "num_catalog_purchases",
    "NumStorePurchases": "num_store_purchases",
    "NumWebVisitsMonth": "num_web_visits_month",
    "AcceptedCmp1": "accepted_cmp1",
    "AcceptedCmp2": "accepted_cmp2",
    "AcceptedCmp3": "accepted_cmp3",
    "AcceptedCmp4": "accepted_cmp4",
    "AcceptedCmp5": "accepted_cmp5",
    "Complain": "complain",
    "Response": "response",
}
CUSTOMER_FLAGS = ("accepted_cmp1", "accepted_cmp2", "accepted_cmp3", "accepted_cmp4", "accepted_cmp5",
                  "complain", "response")

RESPONSE_COLUMNS = {
    "CustomerID": "external_id",
    "Age": "age",
    "Segment": "segment",
    "Recency": "recency",
    "PriorInterest": "prior_interest",
    "DidPurchase": "did_purchase",
}


def read_customers(path: str | PathLike) -> pd.DataFrame:
    """marketing_campaign.csv (TAB separated); the constant Z_CostContact / Z_Revenue columns are dropped."""
    raw = pd.read_csv(path, sep="\t")
    customers = raw[list(CUSTOMER_COLUMNS)].rename(columns=CUSTOMER_COLUMNS)
    customers["external_id"] = customers["external_id"].astype(str)
    customers["dt_customer"] = pd.to_datetime(customers["dt_customer"], format="%d-%m-%Y")
    customers[list(CUSTOMER_FLAGS)] = customers[list(CUSTOMER_FLAGS)].astype(bool)
    return customers


def read_responses(path: str | PathLike) -> pd.DataFrame:
    """personalisation Data.csv; an empty Segment / Recency stays missing (NaN)."""
    responses = pd.read_csv(path).rename(columns=RESPONSE_COLUMNS)[list(RESPONSE_COLUMNS.values())]
    responses["external_id"] = responses["external_id"].astype(str)
    responses[["prior_interest", "did_purchase"]] = responses[["prior_interest", "did_purchase"]].astype(bool)
    return responses
