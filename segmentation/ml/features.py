"""Customer features for segmentation: one row per customer in, one row of marketer-readable features out.

Data-quality rule (no customer is ever dropped):

* **Imputed and flagged, still segmented.** Missing income; implausible income (zero/negative, or above the
  Tukey "far out" fence ``Q3 + 3 × IQR`` of this run's incomes — 666,666 in the public data); implausible age
  (missing birth year, or older than ``MAX_PLAUSIBLE_AGE`` / younger than ``MIN_PLAUSIBLE_AGE`` at the reference
  date — birth years 1893, 1899 and 1900 in the public data); unreadable enrolment date. Income, age and tenure
  are replaced by the median of the plausible values. Negative or missing spends, purchase counts and other counts
  are read as 0. Each case is named in the row's ``flags`` (``"income_missing;age_implausible"``).
* **Not segmented, with a reason.** A row with no usable spend *and* no usable purchase count carries nothing to
  segment on: its reason is ``"insufficient_data"``. When the run uses no spend or purchase field (another
  company's file), a row with no value in any field or attribute the run uses gets that reason. Rows are still
  kept (and still get features) so outputs stay aligned to the input order.
* Flags are raised only for fields the run uses (see ``feature_set``); a custom attribute's missing value is
  imputed and flagged ``<key>_missing`` (see ``attributes``).

Unknown categories are kept, not dropped: marital status "Alone" is read as "Single"; "Absurd", "YOLO", empty or
anything else becomes "Other" (no partner assumed, flag ``marital_status_unknown``). Empty education becomes
"Unknown" (flag ``education_missing``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from segmentation.ml.attributes import (
    CATEGORY, DATE, Attribute, attribute_dates, attribute_values, imputed, level_shares, present, profile_levels,
)
from segmentation.ml.feature_set import FEATURE_NEEDS, FeatureSet, choose_features, feature_fields, present_fields

DATASET_COLUMNS = {
    "ID": "external_id", "Year_Birth": "year_birth", "Education": "education", "Marital_Status": "marital_status",
    "Income": "income", "Kidhome": "kidhome", "Teenhome": "teenhome", "Dt_Customer": "dt_customer",
    "Recency": "recency", "MntWines": "mnt_wines", "MntFruits": "mnt_fruits",
    "MntMeatProducts": "mnt_meat_products", "MntFishProducts": "mnt_fish_products",
    "MntSweetProducts": "mnt_sweet_products", "MntGoldProds": "mnt_gold_prods",
    "NumDealsPurchases": "num_deals_purchases", "NumWebPurchases": "num_web_purchases",
    "NumCatalogPurchases": "num_catalog_purchases", "NumStorePurchases": "num_store_purchases",
    "NumWebVisitsMonth": "num_web_visits_month", "AcceptedCmp1": "accepted_cmp1", "AcceptedCmp2": "accepted_cmp2",
    "AcceptedCmp3": "accepted_cmp3", "AcceptedCmp4": "accepted_cmp4", "AcceptedCmp5": "accepted_cmp5",
    "Complain": "complain", "Response": "response",
}
CONSTANT_DATASET_COLUMNS = ("Z_CostContact", "Z_Revenue")

SPEND_COLUMNS = {
    "mnt_wines": "wine", "mnt_fruits": "fruit", "mnt_meat_products": "meat",
    "mnt_fish_products": "fish", "mnt_sweet_products": "sweets", "mnt_gold_prods": "gold",
}
CHANNEL_COLUMNS = {"num_web_purchases": "web", "num_catalog_purchases": "catalog", "num_store_purchases": "store"}
CAMPAIGN_COLUMNS = tuple(f"accepted_cmp{i}" for i in range(1, 6))
PARTNER_STATUSES = frozenset({"Married", "Together"})
KNOWN_MARITAL_STATUSES = ("Married", "Together", "Single", "Divorced", "Widow")
MARITAL_ALIASES = {"Alone": "Single"}

MIN_PLAUSIBLE_AGE = 16
MAX_PLAUSIBLE_AGE = 100
INCOME_FENCE_IQRS = 3.0
MIN_INCOMES_FOR_FENCE = 20

SPEND_SHARE_FEATURES = tuple(f"{name}_share" for name in SPEND_COLUMNS.values())
CHANNEL_SHARE_FEATURES = tuple(f"{name}_share" for name in CHANNEL_COLUMNS.values())

# Which customer fields each data-quality flag is about: a flag is raised only when the run uses its fields.
FLAG_FIELDS = {
    "age_implausible": ("year_birth",), "enrolment_date_invalid": ("dt_customer",),
    "income_missing": ("income",), "income_implausible": ("income",), "spend_invalid": tuple(SPEND_COLUMNS),
    "purchases_invalid": (*CHANNEL_COLUMNS, "num_deals_purchases"), "children_invalid": ("kidhome", "teenhome"),
    "web_visits_invalid": ("num_web_visits_month",), "campaigns_invalid": CAMPAIGN_COLUMNS,
    "complain_invalid": ("complain",), "education_missing": ("education",),
    "marital_status_unknown": ("marital_status",), "recency_missing": ("recency",),
}
# Rows with none of these (when the run uses any) carry no behaviour to segment on.
BEHAVIOUR_FIELDS = (*SPEND_COLUMNS, *CHANNEL_COLUMNS)

INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class FeatureBasis:
    """What every customer's features take from the whole base: the reference date, the feature set chosen from
    the fields' coverage, and the medians, fences and category levels that impute and describe. Learned on the rows
    a model is fitted on and imposed on the rows assigned later, so a customer gets the same features in any chunk
    of any size (``build_customer_features(..., basis=...)``)."""

    reference_date: date
    feature_set: FeatureSet
    fields_with_values: frozenset[str]
    statistics: Mapping[str, float] = field(default_factory=dict)
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerFeatures:
    """Features aligned to the input rows, plus why a row was imputed (``flags``) or cannot be segmented, which
    features the run uses (``feature_set``), and the ``basis`` they were built on."""

    frame: pd.DataFrame
    flags: np.ndarray
    reasons: np.ndarray
    reference_date: date
    feature_set: FeatureSet
    basis: FeatureBasis | None = None


class _Statistics:
    """The base-wide values features need, by name: computed on first use, or given by a ``FeatureBasis``."""

    def __init__(self, basis: FeatureBasis | None):
        self.values: dict[str, float] = dict(basis.statistics) if basis else {}
        self.levels: dict[str, tuple[str, ...]] = dict(basis.levels) if basis else {}

    def get(self, name: str, compute: Callable[[], float]) -> float:
        if name not in self.values:
            self.values[name] = compute()
        return self.values[name]


def rename_dataset_columns(raw: pd.DataFrame) -> pd.DataFrame:
    """Public customer-personality headers -> the shared snake_case contract; drops the constant Z_ columns."""
    constant = [column for column in CONSTANT_DATASET_COLUMNS if column in raw.columns]
    renamed = raw.drop(columns=constant).rename(columns=DATASET_COLUMNS)
    renamed["external_id"] = renamed["external_id"].astype(str)
    renamed["dt_customer"] = parse_enrolment_dates(renamed["dt_customer"])
    return renamed


def parse_enrolment_dates(values: pd.Series) -> pd.Series:
    """Dates as the file writes them (dd-mm-yyyy) or as the database returns them (date / ISO); NaT if unreadable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    as_text = values.astype("string")
    parsed = pd.to_datetime(as_text, format="%d-%m-%Y", errors="coerce")
    missing = parsed.isna() & as_text.notna()
    if missing.any():
        parsed[missing] = pd.to_datetime(as_text[missing], format="ISO8601", errors="coerce")
    return parsed


def build_customer_features(
    customers: pd.DataFrame, *, reference_date: date | str | None = None, attributes: Sequence[Attribute] = (),
    features: Sequence[str] | None = None, basis: FeatureBasis | None = None,
) -> CustomerFeatures:
    """Compute every feature for every row, in input order, under the data-quality rule of the module docstring.

    ``attributes`` describe the frame's ``attr:<key>`` columns; ``features`` overrides the default feature set
    (see ``feature_set``: unknown names raise ``UnknownFeature``). With a ``basis`` (another frame's
    ``CustomerFeatures.basis``) the reference date, feature set and imputing values are that frame's, so these
    rows get the features they would have had in it; ``reference_date`` and ``features`` are then ignored."""
    enrolled = parse_enrolment_dates(_column(customers, "dt_customer"))
    reference = basis.reference_date if basis else _reference_date(enrolled, reference_date, customers, attributes)
    attribute_columns = {a.column: attribute_values(customers, a, reference) for a in attributes}
    if basis is None:
        shares = present_fields(customers)
        chosen = choose_features(shares, attributes, attribute_columns, features)
        with_values = frozenset(name for name, share in shares.items() if share > 0)
    else:
        chosen, with_values = basis.feature_set, basis.fields_with_values
    used = {name for feature in (*chosen.profile, *chosen.categorical) if feature in FEATURE_NEEDS
            for name in feature_fields(feature, with_values)}
    flags = _FlagBook(len(customers), allowed={flag for flag, names in FLAG_FIELDS.items() if used & set(names)})
    statistics = _Statistics(basis)
    frame = _known_features(customers, enrolled, reference, flags, statistics)
    frame, feature_set = _with_attributes(frame, chosen, attributes, attribute_columns, flags, statistics)
    reasons = _insufficient(customers, used, feature_set, attribute_columns)
    learned = FeatureBasis(reference_date=reference, feature_set=chosen, fields_with_values=with_values,
                           statistics=statistics.values, levels=statistics.levels)
    return CustomerFeatures(frame=frame, flags=flags.joined(), reasons=reasons, reference_date=reference,
                            feature_set=feature_set, basis=learned)


def _known_features(
    customers: pd.DataFrame, enrolled: pd.Series, reference: date, flags: "_FlagBook", statistics: _Statistics
) -> pd.DataFrame:
    """Every feature of the sample contract (cheap; the feature set picks the ones a run uses)."""
    spends = _non_negative_block(customers, list(SPEND_COLUMNS), flags, "spend_invalid")[0]
    channels = _non_negative_block(customers, list(CHANNEL_COLUMNS), flags, "purchases_invalid")[0]
    frame = pd.DataFrame(index=customers.index)
    frame["age"] = _age(customers, reference, flags, statistics)
    frame["tenure_days"] = _tenure_days(enrolled, reference, flags, statistics)
    frame["income"] = _income(customers, flags, statistics)
    marital_status = _marital_status(customers, flags)
    frame = frame.join(_spend_features(spends)).join(_household_features(customers, marital_status, flags))
    frame = frame.join(_purchase_features(customers, channels, flags))
    campaigns, _ = _non_negative_block(customers, list(CAMPAIGN_COLUMNS), flags, "campaigns_invalid")
    frame["campaigns_accepted"] = campaigns.clip(upper=1).sum(axis=1)
    frame["complained"] = _count(customers, "complain", flags, "complain_invalid").clip(upper=1)
    frame["recency"] = _median_imputed(customers, "recency", flags, "recency_missing", statistics)
    frame["education"] = _education(customers, flags)
    frame["marital_status"] = marital_status
    return frame


def _with_attributes(
    frame: pd.DataFrame, feature_set: FeatureSet, attributes: Sequence[Attribute],
    columns: dict[str, pd.Series], flags: "_FlagBook", statistics: _Statistics,
) -> tuple[pd.DataFrame, FeatureSet]:
    """The feature set's attributes added to the frame (imputed, flagged); categories also as level shares."""
    added: dict[str, pd.Series] = {}
    profile, labels = list(feature_set.profile), dict(feature_set.labels)
    for attribute in attributes:
        if attribute.column not in feature_set.clustering:
            continue
        raw = columns[attribute.column]
        median = None if attribute.kind == CATEGORY else statistics.get(
            f"median:{attribute.column}", lambda: _median_or(raw, 0.0))
        values, missing = imputed(raw, attribute, median)
        flags.add(f"{attribute.key}_missing", missing, always=True)
        added[attribute.column] = values
        if attribute.kind == CATEGORY:
            if attribute.column not in statistics.levels:
                statistics.levels[attribute.column] = profile_levels(values)
            shares = level_shares(values, attribute, statistics.levels[attribute.column])
            added |= shares
            profile += list(shares)
            labels |= {name: f"{attribute.label}: {name.split('=', 1)[1]}" for name in shares}
    if not added:
        return frame, feature_set
    frame = pd.concat([frame, pd.DataFrame(added, index=frame.index)], axis=1)
    return frame, replace(feature_set, profile=tuple(profile), labels=labels)


def _insufficient(
    customers: pd.DataFrame, used: set[str], feature_set: FeatureSet, attribute_columns: dict[str, pd.Series]
) -> np.ndarray:
    """"insufficient_data" for rows with nothing to segment on: no spend and no purchase count when the run uses
    them (the sample's rule), else no value in any field or attribute the run uses."""
    behaviour = [name for name in BEHAVIOUR_FIELDS if name in used]
    sources = behaviour or sorted(used)
    has_value = np.zeros(len(customers), dtype=bool)
    for name in sources:
        values = pd.to_numeric(customers[name], errors="coerce") if name in BEHAVIOUR_FIELDS else customers[name]
        valid = values.notna() & (values >= 0) if name in BEHAVIOUR_FIELDS else present(values)
        has_value |= valid.to_numpy(dtype=bool)
    if not behaviour:
        for column in feature_set.clustering:
            if column in attribute_columns:
                has_value |= present(attribute_columns[column]).to_numpy(dtype=bool)
    return np.where(has_value, "", INSUFFICIENT_DATA).astype(object)


class _FlagBook:
    """Collects data-quality flags per row; joined as ``"flag_a;flag_b"`` ("" when the row is clean)."""

    def __init__(self, n_rows: int, allowed: set[str]):
        self._n_rows = n_rows
        self._allowed = allowed
        self._flags: dict[str, np.ndarray] = {}

    def add(self, name: str, mask: pd.Series | np.ndarray, *, always: bool = False) -> None:
        """Record a flag; known flags only when the run uses their fields (``always`` for attributes' flags)."""
        mask = np.asarray(mask, dtype=bool)
        if (always or name in self._allowed) and mask.any():
            self._flags[name] = self._flags.get(name, np.zeros(self._n_rows, dtype=bool)) | mask

    def joined(self) -> np.ndarray:
        out = np.full(self._n_rows, "", dtype=object)
        for name, mask in self._flags.items():
            out[mask] = np.where(out[mask] == "", name, out[mask] + ";" + name)
        return out


def _column(customers: pd.DataFrame, name: str) -> pd.Series:
    if name in customers.columns:
        return customers[name]
    return pd.Series(np.nan, index=customers.index, dtype="float64")


def _numeric(customers: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(_column(customers, name), errors="coerce").astype("float64")


def _count(customers: pd.DataFrame, name: str, flags: _FlagBook, flag: str) -> pd.Series:
    values = _numeric(customers, name)
    invalid = values.isna() | (values < 0)
    flags.add(flag, invalid)
    return values.mask(invalid, 0.0)


def _non_negative_block(
    customers: pd.DataFrame, names: list[str], flags: _FlagBook, flag: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """The columns with missing or negative values read as 0, and which rows had no valid value at all."""
    raw = pd.DataFrame({name: _numeric(customers, name) for name in names}, index=customers.index)
    invalid = raw.isna() | (raw < 0)
    flags.add(flag, invalid.any(axis=1))
    return raw.mask(invalid, 0.0), invalid.all(axis=1).to_numpy()


def _reference_date(
    enrolled: pd.Series, reference_date: date | str | None, customers: pd.DataFrame, attributes: Sequence[Attribute]
) -> date:
    """Explicit date if given, else the newest enrolment in the data, else the newest date attribute value
    (reproducible, unlike "today")."""
    if reference_date is not None:
        return pd.Timestamp(reference_date).date()
    newest = enrolled.max()
    for attribute in attributes:
        if pd.isna(newest) and attribute.kind == DATE and attribute.column in customers.columns:
            newest = attribute_dates(customers[attribute.column]).max()
    return newest.date() if pd.notna(newest) else date(2000, 1, 1)


def _median_or(values: pd.Series, fallback: float) -> float:
    median = values.median()
    return float(median) if pd.notna(median) else fallback


def _age(customers: pd.DataFrame, reference: date, flags: _FlagBook, statistics: _Statistics) -> pd.Series:
    age = reference.year - _numeric(customers, "year_birth")
    implausible = age.isna() | (age < MIN_PLAUSIBLE_AGE) | (age > MAX_PLAUSIBLE_AGE)
    flags.add("age_implausible", implausible)
    return age.mask(implausible, statistics.get("median:age", lambda: _median_or(age[~implausible], 45.0)))


def _tenure_days(enrolled: pd.Series, reference: date, flags: _FlagBook, statistics: _Statistics) -> pd.Series:
    days = (pd.Timestamp(reference) - enrolled).dt.days.astype("float64").clip(lower=0)
    flags.add("enrolment_date_invalid", days.isna())
    return days.fillna(statistics.get("median:tenure_days", lambda: _median_or(days, 0.0)))


def income_fence(incomes: pd.Series) -> float:
    """Upper plausible income: Q3 + 3 × IQR of the positive incomes (infinite when too few to judge)."""
    positive = incomes[incomes > 0]
    if len(positive) < MIN_INCOMES_FOR_FENCE:
        return float("inf")
    q1, q3 = positive.quantile([0.25, 0.75])
    return float(q3 + INCOME_FENCE_IQRS * (q3 - q1))


def _income(customers: pd.DataFrame, flags: _FlagBook, statistics: _Statistics) -> pd.Series:
    income = _numeric(customers, "income")
    missing = income.isna()
    fence = statistics.get("fence:income", lambda: income_fence(income))
    implausible = ~missing & ((income <= 0) | (income > fence))
    flags.add("income_missing", missing)
    flags.add("income_implausible", implausible)
    usable = ~(missing | implausible)
    return income.mask(~usable, statistics.get("median:income", lambda: _median_or(income[usable], 0.0)))


def _median_imputed(
    customers: pd.DataFrame, name: str, flags: _FlagBook, flag: str, statistics: _Statistics
) -> pd.Series:
    values = _numeric(customers, name).mask(lambda v: v < 0)
    flags.add(flag, values.isna())
    return values.fillna(statistics.get(f"median:{name}", lambda: _median_or(values, 0.0)))


def _safe_share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole, 0 where whole is 0 (no NaN, no inf)."""
    return (part / whole.where(whole > 0)).fillna(0.0).clip(0.0, 1.0)


def _spend_features(spends: pd.DataFrame) -> pd.DataFrame:
    total = spends.sum(axis=1)
    shares = {f"{name}_share": _safe_share(spends[col], total) for col, name in SPEND_COLUMNS.items()}
    return pd.DataFrame({"total_spend": total, **shares}, index=spends.index)


def _household_features(customers: pd.DataFrame, marital_status: pd.Series, flags: _FlagBook) -> pd.DataFrame:
    kids = _count(customers, "kidhome", flags, "children_invalid")
    kids += _count(customers, "teenhome", flags, "children_invalid")
    partner = marital_status.isin(PARTNER_STATUSES).astype("float64")
    return pd.DataFrame({"children_at_home": kids, "household_size": 1.0 + partner + kids}, index=customers.index)


def _purchase_features(customers: pd.DataFrame, channels: pd.DataFrame, flags: _FlagBook) -> pd.DataFrame:
    total = channels.sum(axis=1)
    shares = {f"{name}_share": _safe_share(channels[col], total) for col, name in CHANNEL_COLUMNS.items()}
    deals = _count(customers, "num_deals_purchases", flags, "purchases_invalid")
    visits = _count(customers, "num_web_visits_month", flags, "web_visits_invalid")
    return pd.DataFrame(
        {"total_purchases": total, **shares, "deal_share": _safe_share(deals, total), "web_visits_month": visits},
        index=customers.index,
    )


def _clean_text(customers: pd.DataFrame, name: str) -> pd.Series:
    return _column(customers, name).astype("string").str.strip().fillna("")


def _education(customers: pd.DataFrame, flags: _FlagBook) -> pd.Series:
    text = _clean_text(customers, "education")
    flags.add("education_missing", text == "")
    return text.mask(text == "", "Unknown").astype("category")


def _marital_status(customers: pd.DataFrame, flags: _FlagBook) -> pd.Series:
    text = _clean_text(customers, "marital_status").replace(MARITAL_ALIASES)
    known = text.isin(KNOWN_MARITAL_STATUSES)
    flags.add("marital_status_unknown", ~known)
    return text.where(known, "Other").astype("category")
