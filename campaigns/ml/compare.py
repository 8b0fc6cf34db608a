"""Compare recommenders on held-out rows: segment/persona rules only vs propensity-model ranking.

Each approach gives a score per held-out row; the rows are contacted best score first. Reported per approach:
ROC AUC, precision among the top 10 % and top 20 % of contacts, and expected conversions per 1,000 contacts
when the top-ranked 10 % are contacted (1,000 per 10,000, scaled). Segment rules give many equal scores, so
precision is tie-aware: rows tied at the cut-off count at their average conversion rate, i.e. the expected
result of breaking ties at random. A "no targeting" row (everyone equally likely) gives the base line.
"""
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from campaigns.ml.propensity import (CUSTOMER_TARGET, RESPONSE_TARGET, PropensityModel,
                                     train_customer_propensity, train_response_propensity)
from campaigns.ml.smoothing import acceptance_rates

CONTACT_SHARES = (0.10, 0.20)
CONTACTS_PER_THOUSAND_SHARE = 0.10
NO_TARGETING = "no targeting"
SEGMENT_RULE = "segment rule"
PROPENSITY_MODEL = "propensity model"
INCOME_TERCILE = "income_tercile"


def precision_at_share(converted: np.ndarray, scores: np.ndarray, share: float) -> float:
    """Expected conversion rate among the top ``share`` of rows by score, ties at the cut-off averaged."""
    converted, scores = np.asarray(converted, dtype=float), np.asarray(scores, dtype=float)
    contacts = int(round(share * len(scores)))
    if contacts == 0:
        raise ValueError(f"a share of {share} of {len(scores)} rows contacts nobody")
    cutoff = np.sort(scores)[::-1][contacts - 1]
    above = scores > cutoff
    tied = scores == cutoff
    from_tied = contacts - int(above.sum())
    expected = converted[above].sum() + from_tied * converted[tied].mean()
    return float(expected / contacts)


def approach_row(dataset: str, approach: str, converted: np.ndarray, scores: np.ndarray) -> dict[str, object]:
    constant = np.ptp(scores) == 0
    return {
        "dataset": dataset,
        "approach": approach,
        "held_out_rows": len(scores),
        "roc_auc": 0.5 if constant else float(roc_auc_score(converted, scores)),
        **{f"precision_top_{round(share * 100)}pct": precision_at_share(converted, scores, share)
           for share in CONTACT_SHARES},
        "conversions_per_1000_contacts": 1000 * precision_at_share(converted, scores, CONTACTS_PER_THOUSAND_SHARE),
    }


def compare_scores(dataset: str, converted: np.ndarray, scores_by_approach: Mapping[str, np.ndarray]) -> list[dict]:
    """One row dict per approach (plus "no targeting") for a command to print as a table."""
    converted = np.asarray(converted, dtype=float)
    rows = [approach_row(dataset, NO_TARGETING, converted, np.zeros(len(converted)))]
    return rows + [approach_row(dataset, name, converted, np.asarray(scores, dtype=float))
                   for name, scores in scores_by_approach.items()]


def compare_recommenders(dataset: str, frame: pd.DataFrame, target: str, model: PropensityModel,
                         segment_column: str) -> list[dict]:
    """Segment rule (smoothed training-row conversion rate of the row's segment) vs the model, on the model's
    held-out rows, so neither approach sees the rows it is judged on."""
    train, held_out = frame.loc[model.train_index], frame.loc[model.held_out_index]
    segment_rates = acceptance_rates(train, by=(segment_column,), accepted_column=target)
    scores = {
        SEGMENT_RULE: segment_rates.smoothed_rate_for(held_out),
        PROPENSITY_MODEL: model.accept_probability(held_out),
    }
    return compare_scores(dataset, held_out[target].to_numpy(), scores)


def with_income_tercile(customers: pd.DataFrame, train_index: pd.Index) -> pd.DataFrame:
    """Persona-like group when none is given: income tercile, edges from the training rows; unknown income
    is its own group."""
    edges = customers.loc[train_index, "income"].quantile([1 / 3, 2 / 3]).to_numpy()
    tercile = np.digitize(customers["income"].to_numpy(dtype=float), edges) + 1
    labels = pd.Series(tercile, index=customers.index).astype(str).where(customers["income"].notna())
    return customers.assign(**{INCOME_TERCILE: labels})


def compare_on_responses(responses: pd.DataFrame, seed: int = 0,
                         model: PropensityModel | None = None) -> list[dict]:
    """Personalisation records: rate per Segment vs the offer-response model."""
    model = model or train_response_propensity(responses, seed)
    return compare_recommenders("personalisation responses", responses, RESPONSE_TARGET, model, "segment")


def compare_on_customers(customers: pd.DataFrame, segment_column: str | None = None, seed: int = 0,
                         model: PropensityModel | None = None) -> list[dict]:
    """Customer base: rate per ``segment_column`` (income tercile when None) vs the customer campaign model."""
    model = model or train_customer_propensity(customers, seed)
    if segment_column is None:
        customers, segment_column = with_income_tercile(customers, model.train_index), INCOME_TERCILE
    return compare_recommenders("customer campaigns", customers, CUSTOMER_TARGET, model, segment_column)
