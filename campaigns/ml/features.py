"""Customer features for the campaign propensity model, computed from the shared customer columns.

The step runs inside the propensity Pipeline, so training and nightly scoring derive features the same way.
Ages and tenures are measured against ``as_of``; by default that is the newest ``dt_customer`` in the frame
being scored (the data's own "today"), which keeps a model trained on an old snapshot on the same scale when
it scores the whole customer base. Pass ``as_of`` explicitly when scoring a handful of customers.
"""
from collections.abc import Sequence

import numpy as np
import pandas as pd

SPEND_COLUMNS = ("mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products",
                 "mnt_sweet_products", "mnt_gold_prods")
PURCHASE_CHANNELS = {
    "web_purchase_share": "num_web_purchases",
    "catalog_purchase_share": "num_catalog_purchases",
    "store_purchase_share": "num_store_purchases",
    "deal_share": "num_deals_purchases",
}
PRIOR_CAMPAIGNS = ("accepted_cmp1", "accepted_cmp2", "accepted_cmp3", "accepted_cmp4", "accepted_cmp5")
OLDEST_PLAUSIBLE_AGE = 100

CUSTOMER_FEATURES = (
    "income_log", "total_spend_log", "recency_days", "kidhome", "teenhome", "purchases_total",
    *PURCHASE_CHANNELS, "web_visits_month", *PRIOR_CAMPAIGNS, "prior_acceptances", "age", "tenure_days",
    "complained",
)
INPUT_COLUMNS = ("dt_customer", "year_birth", "income", "recency", "kidhome", "teenhome", *SPEND_COLUMNS,
                 *PURCHASE_CHANNELS.values(), "num_web_visits_month", *PRIOR_CAMPAIGNS, "complain")


def customer_features(customers: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """One numeric row per customer; unknowns stay NaN for the pipeline's imputer.

    Money amounts are log-scaled so the 666,666 income outlier and heavy spenders do not dominate a linear model.
    Birth years implying an age over 100 (1893, 1899, 1900 in the seed data) are treated as unknown.
    A company's file may lack any input column (absent from the frame, or all empty): its features are unknown
    (NaN), and a total over columns that are all unknown is unknown, not 0.
    """
    customers = customers.reindex(columns=list(dict.fromkeys([*customers.columns, *INPUT_COLUMNS])))
    joined = pd.to_datetime(customers["dt_customer"])
    as_of = joined.max() if as_of is None else pd.Timestamp(as_of)
    purchases = customers[list(PURCHASE_CHANNELS.values())].astype(float)
    purchases_total = purchases.sum(axis=1, min_count=1)
    age = as_of.year - customers["year_birth"].astype(float)
    prior = customers[list(PRIOR_CAMPAIGNS)].astype(float)

    features = pd.DataFrame(index=customers.index)
    features["income_log"] = np.log1p(customers["income"].astype(float))
    features["total_spend_log"] = np.log1p(customers[list(SPEND_COLUMNS)].astype(float).sum(axis=1, min_count=1))
    features["recency_days"] = customers["recency"].astype(float)
    features["kidhome"] = customers["kidhome"].astype(float)
    features["teenhome"] = customers["teenhome"].astype(float)
    features["purchases_total"] = purchases_total
    shares = purchases.div(purchases_total.where(purchases_total > 0), axis=0)
    for share_name, count_column in PURCHASE_CHANNELS.items():
        features[share_name] = shares[count_column]
    features["web_visits_month"] = customers["num_web_visits_month"].astype(float)
    features[list(PRIOR_CAMPAIGNS)] = prior
    features["prior_acceptances"] = prior.sum(axis=1, min_count=1)
    features["age"] = age.where(age <= OLDEST_PLAUSIBLE_AGE)
    features["tenure_days"] = (as_of - joined).dt.days.astype(float)
    features["complained"] = customers["complain"].astype(float)
    return features


def customer_feature_names(transformer: object, input_features: Sequence[str] | None) -> list[str]:
    """``feature_names_out`` hook so the fitted Pipeline can name its inputs for explanations."""
    return list(CUSTOMER_FEATURES)
