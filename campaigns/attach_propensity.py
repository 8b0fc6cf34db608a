"""Tonight's base propensity for the offer attach: how likely each customer is to accept a campaign, from the
customer campaign model trained on the customers' own response history, or a historic response rate, or unknown.
Fitted once per run (``propensity_fit``) and applied to customers in any slice (``Propensity.of``), so the one-pass
attach and the chunked one (campaigns.attach_chunks) get the same numbers. No Django here."""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from campaigns.ml.features import PRIOR_CAMPAIGNS, PURCHASE_CHANNELS, SPEND_COLUMNS
from campaigns.ml.propensity import CUSTOMER_TARGET, PropensityModel, train_customer_propensity
from campaigns.ml.smoothing import AcceptanceRates, acceptance_rates

HISTORY_COLUMNS = ("external_id", "year_birth", "income", "kidhome", "teenhome", "dt_customer", "recency",
                   *SPEND_COLUMNS, *PURCHASE_CHANNELS.values(), "num_web_visits_month", *PRIOR_CAMPAIGNS,
                   "complain", CUSTOMER_TARGET)
PROPENSITY_TRAINING_ROWS = 20_000
MIN_TRAINING_ROWS = 200
MIN_ROWS_PER_CLASS = 20
PROPENSITY_SEED = 0


@dataclass(frozen=True, eq=False)
class Propensity:
    """How tonight's base propensity is found for any customer: the customer campaign model, or the historic
    response rate of the customer's group, or neither (unknown). Fitted once per run on every customer's history,
    then applied to customers in any slice (a chunk of ids) with the same result."""

    model: PropensityModel | None = None
    group_rates: AcceptanceRates | None = None

    def of(self, customers: pd.DataFrame) -> np.ndarray:
        if self.model is not None:
            return self.model.accept_probability(customers)
        if self.group_rates is not None:
            return self.group_rates.smoothed_rate_for(pd.DataFrame({"group": response_groups(customers)}))
        return np.full(len(customers), np.nan)

    def as_of(self, moment: pd.Timestamp | None) -> Propensity:
        """The same, with the model's "today" (age, tenure) fixed at ``moment``, the last join date of every
        customer, where it would otherwise be the last one of the customers it scores at a time."""
        if self.model is None or moment is None or pd.isna(moment):
            return self
        pipeline = copy.deepcopy(self.model.pipeline)
        pipeline.set_params(features__kw_args={"as_of": pd.Timestamp(moment)})
        return replace(self, model=replace(self.model, pipeline=pipeline))


def base_propensity(customers: pd.DataFrame, rates: AcceptanceRates | None,
                    training_rows: int | None = None) -> tuple[np.ndarray, dict]:
    """Each customer's propensity to accept a campaign, and what the job report says about how it was made
    (``propensity_fit`` on ``customers``, applied to them)."""
    propensity, report = propensity_fit(customers, rates, training_rows)
    return propensity.of(customers), report


def propensity_fit(customers: pd.DataFrame, rates: AcceptanceRates | None,
                   training_rows: int | None = None) -> tuple[Propensity, dict]:
    """How each customer's propensity to accept a campaign is found, and what the job report says about it.

    The customer campaign model (``campaigns.ml.propensity``, model 2) is trained on the customers' own response
    history (``response``, with accepted_cmp1-5 as features), on a seeded sample of ``training_rows``
    (``PROPENSITY_TRAINING_ROWS``) when there are more customers (``propensity_trained``); the same seed and data
    give the same model. With too little history to train, the propensity is left unknown so
    ``acceptance_probability`` falls back to the smoothed rate of recorded offer responses; with none recorded
    either, it is the Beta-smoothed historic response rate of the customer's persona (of its segment, for a
    descriptive segment). Only customers whose file says whether they responded count as history (so ``customers``
    may hold just those); with no such customer and nothing recorded, the propensity stays unknown.
    """
    known = customers[CUSTOMER_TARGET].notna().to_numpy()
    history = customers.loc[known, list(HISTORY_COLUMNS)].astype({CUSTOMER_TARGET: bool})
    responded = int(history[CUSTOMER_TARGET].sum())
    if can_train(len(history), responded):
        return propensity_trained(history.iloc[training_sample(len(history), training_rows)], customers=len(history))
    reason = (f"too little response history to train a model ({len(history)} customers with a known response, "
              f"{responded} responded; needs {MIN_TRAINING_ROWS} customers and {MIN_ROWS_PER_CLASS} of each "
              f"outcome)")
    if rates is not None:
        return Propensity(), {"source": "recorded offer responses", "reason": reason}
    groups = response_groups(customers)
    grouped = pd.DataFrame({"group": groups, CUSTOMER_TARGET: customers[CUSTOMER_TARGET]})
    with_history = grouped[known & (groups != "")]
    if with_history.empty:
        return Propensity(), {"source": "none", "reason": f"{reason}; P(accept) is unknown, offers are ranked by value"}
    group_rates = acceptance_rates(with_history, by=("group",), accepted_column=CUSTOMER_TARGET)
    return Propensity(group_rates=group_rates), {"source": "historic response rate per persona", "reason": reason}


def can_train(known: int, responded: int) -> bool:
    """Whether ``known`` customers with a known response, ``responded`` of them positive, can train the model."""
    return known >= MIN_TRAINING_ROWS and min(responded, known - responded) >= MIN_ROWS_PER_CLASS


def training_sample(known: int, training_rows: int | None = None) -> np.ndarray:
    """Positions, among the ``known`` history rows in id order, of the rows the model trains on: all of them, or
    the seeded sample of ``training_rows`` that ``DataFrame.sample`` draws (it depends on the row count only)."""
    rows = PROPENSITY_TRAINING_ROWS if training_rows is None else training_rows
    if known <= rows:
        return np.arange(known)
    return pd.Series(np.arange(known)).sample(n=rows, random_state=PROPENSITY_SEED).to_numpy()


def propensity_trained(sample: pd.DataFrame, *, customers: int) -> tuple[Propensity, dict]:
    """The customer campaign model trained on ``sample`` (``HISTORY_COLUMNS``, drawn by ``training_sample`` from
    ``customers`` with a known response), and the report on it."""
    model = train_customer_propensity(sample, PROPENSITY_SEED)
    report = {
        "source": "customer campaign model", "model": model.chosen,
        "held_out_roc_auc": round(model.held_out_roc_auc[model.chosen], 4),
        "held_out_roc_auc_by_candidate": {k: round(v, 4) for k, v in model.held_out_roc_auc.items()},
        "cv_roc_auc_by_candidate": {k: round(v, 4) for k, v in model.cv_roc_auc.items()},
        "training_rows": len(sample), "customers": customers,
    }
    return Propensity(model=model), report


def response_groups(customers: pd.DataFrame) -> np.ndarray:
    """The group a customer's historic response rate is pooled in: its persona, or for a descriptive segment
    (no persona) its segment key; "" for a customer with neither."""
    keys = customers["segment_key"].astype("Int64")
    by_key = ("segment " + keys.astype("string")).fillna("")
    persona = customers["persona"].astype(str)
    return persona.where(persona != "", by_key).to_numpy(dtype=object)
