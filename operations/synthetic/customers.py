"""Synthetic shoppers shaped like the Customer Personality file (marketing_campaign.csv).

Each shopper belongs to one hidden persona (premium, deal-oriented, value/family) that sets income,
household, age and spending habits; everything else follows from those, so spend rises with income,
deal purchases with children, catalogue buying and campaign acceptance with income, and web visits
fall as income rises. Personas overlap on purpose: clustering should find them, but not perfectly.
Marginals are calibrated roughly to the real file (2,240 rows); the real file's implausible birth
years, the 666,666 income outlier and duplicate rows are not reproduced.
"""
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.personas import DEAL_ORIENTED, PREMIUM, VALUE_FAMILY

from ._draws import CUSTOMER_STREAM, check_row_count, counts, happens, labelled, logistic, pick, pick_within, stream_for

CUSTOMER_COLUMNS = (
    "ID", "Year_Birth", "Education", "Marital_Status", "Income", "Kidhome", "Teenhome", "Dt_Customer", "Recency",
    "MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds",
    "NumDealsPurchases", "NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases", "NumWebVisitsMonth",
    "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5", "AcceptedCmp1", "AcceptedCmp2", "Complain",
    "Z_CostContact", "Z_Revenue", "Response",
)
PRODUCT_COLUMNS = ("MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts", "MntGoldProds")

# Persona order used by every per-persona table below (matches segmentation.personas.PERSONAS).
PERSONA_ORDER = (PREMIUM, DEAL_ORIENTED, VALUE_FAMILY)
PERSONA_SHARES = (0.30, 0.30, 0.40)

EDUCATION_LEVELS = ("Graduation", "PhD", "Master", "2n Cycle", "Basic")
EDUCATION_BY_PERSONA = np.array([
    [0.50, 0.28, 0.17, 0.05, 0.00],
    [0.50, 0.24, 0.17, 0.08, 0.01],
    [0.51, 0.15, 0.16, 0.13, 0.05],
])
EDUCATION_INCOME_OFFSET = np.array([0.0, 2_500.0, 500.0, -3_000.0, -14_000.0])

MARITAL_STATUSES = ("Married", "Together", "Single", "Divorced", "Widow", "Alone", "Absurd", "YOLO")
MARITAL_SHARES = (864, 580, 480, 232, 77, 3, 2, 2)
# Living alone nudges campaign response up in the real file (Single/Divorced/Widow ~ 21-24 % vs ~ 11 %).
MARITAL_RESPONSE_LIFT = np.array([0.0, 0.0, 0.75, 0.7, 0.75, 0.7, 0.7, 0.7])

BIRTH_YEAR_MEAN = np.array([1966.0, 1963.0, 1976.0])
BIRTH_YEAR_SD = np.array([12.0, 9.0, 9.0])
KIDHOME_BY_PERSONA = np.array([[0.95, 0.05, 0.00], [0.70, 0.28, 0.02], [0.12, 0.83, 0.05]])
TEENHOME_BY_PERSONA = np.array([[0.82, 0.17, 0.01], [0.08, 0.87, 0.05], [0.70, 0.29, 0.01]])

INCOME_MEAN = np.array([74_000.0, 55_000.0, 35_000.0])
INCOME_SD = np.array([11_000.0, 10_000.0, 10_500.0])
INCOME_RANGE = (1_730, 162_000)
MISSING_INCOME_SHARE = 24 / 2240

FIRST_ENROLMENT = np.datetime64("2012-07-30")
LAST_ENROLMENT = np.datetime64("2014-06-29")

# Spend: log(total) rises with income along an S-curve (flat at both ends, as in the real file) and
# falls with young children.
SPEND_PERSONA_SHIFT = np.array([0.1, 0.25, -0.10])
SPEND_RANGE = (5.0, 2_600.0)
PRODUCT_MIX_BY_PERSONA = np.array([
    [0.50, 0.05, 0.28, 0.07, 0.05, 0.05],
    [0.62, 0.025, 0.20, 0.04, 0.025, 0.09],
    [0.46, 0.05, 0.23, 0.07, 0.05, 0.14],
])
PRODUCT_MIX_SPREAD = 1.0  # sd of each line's log-share around the persona mix
PRODUCT_MAXIMUM = np.array([1_500, 200, 1_725, 260, 263, 362])

Z_COST_CONTACT = 3
Z_REVENUE = 11
COMPLAINT_SHARE = 21 / 2240


def generate_customers(n: int, seed: int) -> pd.DataFrame:
    """``n`` synthetic customers with exactly the real file's columns, order and value formats."""
    customers, _ = generate_customers_with_personas(n, seed)
    return customers


def generate_customers_with_personas(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers plus the hidden persona of each row, for checking how well segmentation recovers them."""
    n = check_row_count(n)
    rng = stream_for(seed, CUSTOMER_STREAM)
    persona = pick(rng, PERSONA_SHARES, n)
    household = _household(rng, persona)
    spend = _total_spend(rng, persona, household)
    columns = {
        **_identity_columns(rng, n),
        **household.labelled_columns(),
        **_product_amounts(rng, persona, spend),
        **_purchase_counts(rng, persona, household, spend),
    }
    columns.update(_campaign_responses(rng, persona, household, spend, columns["Recency"]))
    columns["Complain"] = happens(rng, COMPLAINT_SHARE, n)
    columns["Z_CostContact"] = np.full(n, Z_COST_CONTACT, dtype=np.int64)
    columns["Z_Revenue"] = np.full(n, Z_REVENUE, dtype=np.int64)
    frame = pd.DataFrame({name: columns[name] for name in CUSTOMER_COLUMNS}, copy=False)
    return frame, np.asarray(PERSONA_ORDER, dtype=object)[persona]


@dataclass(frozen=True)
class _Household:
    """Who the shopper is: the demographic columns, kept numeric for the behaviour models below."""

    education: np.ndarray
    marital: np.ndarray
    year_birth: np.ndarray
    kidhome: np.ndarray
    teenhome: np.ndarray
    income: np.ndarray
    income_missing: np.ndarray

    @property
    def income_level(self) -> np.ndarray:
        """Income in tens of thousands around the real median (about 52k), the scale the models use."""
        return (self.income - 52_000.0) / 10_000.0

    @property
    def children(self) -> np.ndarray:
        return self.kidhome + self.teenhome

    def labelled_columns(self) -> dict:
        """The file's demographic columns; a missing income is a real gap (empty cell), not zero."""
        shown_income = pd.array(self.income.astype(np.int64), dtype="Int64")
        shown_income[self.income_missing] = pd.NA
        return {
            "Year_Birth": self.year_birth,
            "Education": labelled(EDUCATION_LEVELS, self.education),
            "Marital_Status": labelled(MARITAL_STATUSES, self.marital),
            "Income": shown_income,
            "Kidhome": self.kidhome,
            "Teenhome": self.teenhome,
        }


def _household(rng: np.random.Generator, persona: np.ndarray) -> _Household:
    n = len(persona)
    education = pick_within(rng, EDUCATION_BY_PERSONA, persona)
    marital = pick(rng, MARITAL_SHARES, n)
    year_birth = np.clip(np.rint(rng.normal(BIRTH_YEAR_MEAN[persona], BIRTH_YEAR_SD[persona])), 1940, 1996)
    kidhome = pick_within(rng, KIDHOME_BY_PERSONA, persona).astype(np.int64)
    teenhome = pick_within(rng, TEENHOME_BY_PERSONA, persona).astype(np.int64)
    income = rng.normal(INCOME_MEAN[persona], INCOME_SD[persona]) + EDUCATION_INCOME_OFFSET[education]
    income = np.clip(np.rint(income), *INCOME_RANGE)
    income_missing = rng.random(n) < MISSING_INCOME_SHARE
    return _Household(education, marital, year_birth.astype(np.int64), kidhome, teenhome, income, income_missing)


def _identity_columns(rng: np.random.Generator, n: int) -> dict:
    """Unique integer IDs (real ones run 0..11,191), enrolment date and days since the last purchase."""
    id_pool = max(11_192, 3 * n)
    days = int((LAST_ENROLMENT - FIRST_ENROLMENT).astype(int)) + 1
    date_labels = pd.date_range(str(FIRST_ENROLMENT), periods=days, freq="D").strftime("%d-%m-%Y")
    return {
        "ID": rng.choice(id_pool, size=n, replace=False).astype(np.int64),
        "Dt_Customer": pd.Series(np.asarray(date_labels, dtype=object)[rng.integers(0, days, n)], dtype="str"),
        "Recency": rng.integers(0, 100, n).astype(np.int64),
    }


def _total_spend(rng: np.random.Generator, persona: np.ndarray, household: _Household) -> np.ndarray:
    log_spend = (
        4.1 + 3.4 * logistic(household.income_level + 0.3) - 0.6 * household.kidhome - 0.15 * household.teenhome
        + SPEND_PERSONA_SHIFT[persona] + rng.normal(0.0, 0.4, len(persona))
    )
    return np.clip(np.exp(log_spend), *SPEND_RANGE)


def _product_amounts(rng: np.random.Generator, persona: np.ndarray, spend: np.ndarray) -> dict:
    """Split each total across the six product lines with a persona-flavoured random mix.

    The mix is the persona's typical shares with log-normal noise per line (cheaper than a Dirichlet
    draw for millions of rows, with the same effect: some shoppers skip a line, others favour it).
    """
    mix = PRODUCT_MIX_BY_PERSONA[persona] * np.exp(rng.normal(0.0, PRODUCT_MIX_SPREAD, (len(persona), 6)))
    mix /= mix.sum(axis=1, keepdims=True)
    amounts = np.minimum(np.floor(spend[:, None] * mix), PRODUCT_MAXIMUM).astype(np.int64)
    return {name: amounts[:, i] for i, name in enumerate(PRODUCT_COLUMNS)}


def _purchase_counts(rng: np.random.Generator, persona: np.ndarray, household: _Household, spend: np.ndarray) -> dict:
    """Purchase channels and web visits; ``activity`` (0..1) is how much the shopper buys overall."""
    activity = np.clip((np.log(spend) - 2.5) / 5.0, 0.0, 1.0)
    bargain_hunter = (persona == PERSONA_ORDER.index(DEAL_ORIENTED)).astype(float)
    premium = (persona == PERSONA_ORDER.index(PREMIUM)).astype(float)
    deals = (
        0.2 + 0.8 * household.kidhome + 1.1 * household.teenhome + 1.3 * bargain_hunter + 1.2 * activity
        - 0.15 * household.income_level
    )
    web = 5.5 * activity + 0.8 * household.teenhome + 1.2 * bargain_hunter
    catalog = np.exp(-1.9 + 3.1 * activity + 0.2 * household.income_level + 0.25 * premium)
    store = 0.8 + 8.5 * activity - 0.3 * household.kidhome
    visits = (
        4.4 - 0.7 * household.income_level + 0.8 * household.kidhome + 0.4 * household.teenhome
        + 0.9 * bargain_hunter
    )
    return {
        "NumDealsPurchases": counts(rng, deals, 0, 15),
        "NumWebPurchases": counts(rng, web, 0, 27),
        "NumCatalogPurchases": counts(rng, catalog, 0, 28),
        "NumStorePurchases": counts(rng, store, 0, 13),
        "NumWebVisitsMonth": counts(rng, visits, 0, 20),
    }


def _campaign_responses(
    rng: np.random.Generator, persona: np.ndarray, household: _Household, spend: np.ndarray, recency: np.ndarray
) -> dict:
    """Five past campaigns and the last one; a shared hidden 'responsiveness' makes acceptances go together."""
    n = len(persona)
    responsiveness = rng.normal(0.0, 1.0, n)
    wealth = 0.5 * household.income_level + 0.5 * (np.log(spend) - 5.8)
    premium = (persona == PERSONA_ORDER.index(PREMIUM)).astype(float)
    children = household.children
    base = 1.2 * responsiveness
    accepted = {
        "AcceptedCmp3": happens(rng, logistic(-3.0 + base), n),
        "AcceptedCmp4": happens(rng, logistic(-3.05 + base + 0.45 * wealth - 0.2 * children), n),
        "AcceptedCmp5": happens(rng, logistic(-5.0 + base + 1.25 * wealth + 0.9 * premium - 0.5 * children), n),
        "AcceptedCmp1": happens(rng, logistic(-4.7 + base + 1.0 * wealth + 0.8 * premium - 0.5 * children), n),
        "AcceptedCmp2": happens(rng, logistic(-5.5 + base + 0.45 * wealth), n),
    }
    earlier_acceptances = sum(accepted.values())
    response_score = (
        -2.45 + 0.7 * responsiveness + 0.75 * earlier_acceptances + 0.25 * wealth - 0.3 * children
        - 0.018 * (recency - 49.5) + MARITAL_RESPONSE_LIFT[household.marital]
    )
    accepted["Response"] = happens(rng, logistic(response_score), n)
    return accepted
