"""Next-best offer: eligibility rules per offer and ranking of (customer, offer) pairs by expected value.

Expected value = P(accept | customer, offer) x offer value. Ties are broken by offer priority (lower number
first), then offer id, so the same inputs always give the same ranking.
"""
from collections.abc import Mapping
from numbers import Real

import numpy as np
import pandas as pd

RULE_KEYS = ("min_income", "requires_children", "max_recency_days", "exclude_complainers")
FLAG_RULES = ("requires_children", "exclude_complainers")


def validate_rules(rules: Mapping[str, object]) -> None:
    """Raise ValueError naming the problem; ``None`` means the rule is not set. Used by the admin/API too."""
    unknown = sorted(set(rules) - set(RULE_KEYS))
    if unknown:
        raise ValueError(f"unknown eligibility rule(s) {unknown}; allowed: {list(RULE_KEYS)}")
    for key in FLAG_RULES:
        if rules.get(key) is not None and not isinstance(rules[key], bool):
            raise ValueError(f"eligibility rule {key!r} must be true or false, got {rules[key]!r}")
    for key in ("min_income", "max_recency_days"):
        value = rules.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, Real) or value < 0:
            raise ValueError(f"eligibility rule {key!r} must be a non-negative number, got {value!r}")
        if key == "max_recency_days" and value != int(value):
            raise ValueError(f"eligibility rule 'max_recency_days' must be whole days, got {value!r}")


def eligibility_mask(customers: pd.DataFrame, rules: Mapping[str, object]) -> np.ndarray:
    """True where the customer may receive the offer.

    A value the rule needs but the customer's file lacks fails the rule (we cannot show the customer meets it):
    an unknown income or recency, children counts both unknown (one known child is enough), an unknown
    complaint flag when complainers are excluded. ``requires_children: false`` means "no requirement", not
    "must have no children".
    """
    validate_rules(rules)
    mask = np.ones(len(customers), dtype=bool)
    if rules.get("min_income") is not None:
        mask &= (customers["income"].astype(float) >= rules["min_income"]).to_numpy()
    if rules.get("requires_children"):
        children = customers[["kidhome", "teenhome"]].astype(float)
        mask &= (children > 0).any(axis=1).to_numpy()
    if rules.get("max_recency_days") is not None:
        mask &= (customers["recency"].astype(float) <= rules["max_recency_days"]).to_numpy()
    if rules.get("exclude_complainers"):
        mask &= (customers["complain"].astype(float) == 0).to_numpy()
    return mask


def expected_value(candidates: pd.DataFrame, p_column: str = "p_accept", value_column: str = "value") -> np.ndarray:
    p_accept = candidates[p_column].to_numpy(dtype=float)
    value = candidates[value_column].to_numpy(dtype=float)
    if np.isnan(p_accept).any() or np.isnan(value).any():
        raise ValueError(f"{p_column!r} and {value_column!r} must be known for every candidate")
    return p_accept * value


def rank_offers(candidates: pd.DataFrame, customer_column: str = "customer_id", offer_column: str = "offer_id",
                p_column: str = "p_accept", value_column: str = "value",
                priority_column: str = "priority") -> np.ndarray:
    """Rank of each (customer, offer) row within its customer, 1 = best; vectorised over the long frame.

    Without a priority column every offer has the same priority and the offer id decides ties;
    a missing priority sorts after every given one.
    """
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.int64)
    value = expected_value(candidates, p_column, value_column)
    customer_code = pd.factorize(candidates[customer_column])[0]
    offer_code = pd.factorize(candidates[offer_column], sort=True)[0]
    priority = (candidates[priority_column].to_numpy(dtype=float) if priority_column in candidates
                else np.zeros(len(candidates)))
    order = np.lexsort((offer_code, priority, -value, customer_code))
    sorted_customers = customer_code[order]
    position = np.arange(len(order))
    starts_group = np.r_[True, sorted_customers[1:] != sorted_customers[:-1]]
    group_start = np.maximum.accumulate(np.where(starts_group, position, 0))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = position - group_start + 1
    return ranks
