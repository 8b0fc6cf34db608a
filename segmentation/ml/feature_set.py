"""Which features a run clusters on: chosen from the columns the customers actually have, or named by the user.

Default (``choose_features`` with ``requested=None``):

* every feature of the sample contract (``CLUSTERING_FEATURES``, education and marital status) whose customer
  fields hold a value for at least ``MIN_PRESENT_SHARE`` (half) of the customers — a field most customers lack
  would be mostly the imputed median. ``FEATURE_NEEDS`` lists each feature's fields: every group must have one
  field present (deal share needs the deal count *and* a purchase channel);
* every custom attribute, unless it is left out (mostly empty, the same for everyone, identifier-like; see
  ``attributes``): numbers, booleans and dates as numbers, categories one-hot;
* not in the default, but available by name: ``recency`` (days since the last purchase changes every day a
  customer does not buy, so segments would drift night to night) — ``response`` is never a feature: it is what
  the campaign models predict.

On the sample layout this is exactly ``CLUSTERING_FEATURES`` + ``CATEGORICAL_FEATURES``, so results do not change.

``requested`` (``recluster --features``, the admin's features choice) names features, customer fields (a field
stands for every feature built from it: ``mnt_wines`` -> total spend and wine share) or custom attributes by key
or by the file's header, case-insensitively. The complaint rate is profiled, never clustered on (see ``features``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from segmentation.ml.attributes import (
    ATTRIBUTE_PREFIX, CATEGORY, MIN_PRESENT_SHARE, Attribute, attribute_label, left_out_reason, present,
)

SPEND_FIELDS = ("mnt_wines", "mnt_fruits", "mnt_meat_products", "mnt_fish_products", "mnt_sweet_products",
                "mnt_gold_prods")
CHANNEL_FIELDS = ("num_web_purchases", "num_catalog_purchases", "num_store_purchases")
CAMPAIGN_FIELDS = tuple(f"accepted_cmp{i}" for i in range(1, 6))
KID_FIELDS = ("kidhome", "teenhome")
SPEND_SHARES = {"mnt_wines": "wine_share", "mnt_fruits": "fruit_share", "mnt_meat_products": "meat_share",
                "mnt_fish_products": "fish_share", "mnt_sweet_products": "sweets_share",
                "mnt_gold_prods": "gold_share"}
CHANNEL_SHARES = {"num_web_purchases": "web_share", "num_catalog_purchases": "catalog_share",
                  "num_store_purchases": "store_share"}

# Per feature, groups of customer fields: the feature needs one present field in every group.
FEATURE_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "age": (("year_birth",),),
    "tenure_days": (("dt_customer",),),
    "income": (("income",),),
    "total_spend": (SPEND_FIELDS,),
    **{share: ((name,),) for name, share in SPEND_SHARES.items()},
    "children_at_home": (KID_FIELDS,),
    "household_size": (("marital_status",), KID_FIELDS),
    "total_purchases": (CHANNEL_FIELDS,),
    **{share: ((name,),) for name, share in CHANNEL_SHARES.items()},
    "deal_share": (("num_deals_purchases",), CHANNEL_FIELDS),
    "web_visits_month": (("num_web_visits_month",),),
    "campaigns_accepted": (CAMPAIGN_FIELDS,),
    "recency": (("recency",),),
    "complained": (("complain",),),
    "education": (("education",),),
    "marital_status": (("marital_status",),),
}
CLUSTERING_FEATURES = (
    "age", "tenure_days", "income", "total_spend", *SPEND_SHARES.values(), "children_at_home", "household_size",
    "total_purchases", *CHANNEL_SHARES.values(), "deal_share", "web_visits_month", "campaigns_accepted",
)
OPTIONAL_FEATURES = ("recency",)
NUMERIC_FEATURES = (*CLUSTERING_FEATURES, *OPTIONAL_FEATURES)
CATEGORICAL_FEATURES = ("education", "marital_status")
PROFILE_ONLY_FEATURES = ("complained",)
PROFILE_FEATURES = (*CLUSTERING_FEATURES, *PROFILE_ONLY_FEATURES)
PROFILE_ONLY_FIELDS = ("complain",)
CUSTOMER_FIELDS = tuple(dict.fromkeys(name for needs in FEATURE_NEEDS.values() for group in needs for name in group))

FEATURE_LABELS = {
    "age": "age", "tenure_days": "days as a customer", "income": "income", "total_spend": "total spend",
    "wine_share": "wine share of spend", "fruit_share": "fruit share of spend", "meat_share": "meat share of spend",
    "fish_share": "fish share of spend", "sweets_share": "sweets share of spend", "gold_share": "gold share of spend",
    "children_at_home": "children at home", "household_size": "household size", "total_purchases": "purchases",
    "web_share": "web share of purchases", "catalog_share": "catalog share of purchases",
    "store_share": "store share of purchases", "deal_share": "deal share of purchases",
    "web_visits_month": "web visits a month", "campaigns_accepted": "campaigns accepted",
    "complained": "complaint rate", "recency": "days since the last purchase", "education": "education",
    "marital_status": "marital status",
}


class UnknownFeature(ValueError):
    """A requested feature that is neither a feature, a customer field nor a custom attribute, or has no values."""


@dataclass(frozen=True)
class FeatureSet:
    """What a run clusters on (``numeric`` scaled, ``categorical`` one-hot), what its profiles describe
    (``profile``), in words (``labels``), which customer fields and attributes that uses (``fields``) and which
    it left out and why (``left_out``)."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    profile: tuple[str, ...]
    labels: Mapping[str, str]
    fields: tuple[str, ...]
    left_out: Mapping[str, str] = field(default_factory=dict)
    requested: tuple[str, ...] | None = None

    @property
    def clustering(self) -> tuple[str, ...]:
        return (*self.numeric, *self.categorical)

    def as_json(self) -> dict:
        return {"features": list(self.clustering), "fields": list(self.fields), "left_out": dict(self.left_out),
                "requested": None if self.requested is None else list(self.requested)}


def present_fields(customers: pd.DataFrame) -> dict[str, float]:
    """Share of customers with a value, per known customer field in the frame."""
    return {name: float(present(customers[name]).mean()) if len(customers) else 0.0
            for name in CUSTOMER_FIELDS if name in customers.columns}


def choose_features(
    shares: Mapping[str, float], attributes: Sequence[Attribute], attribute_columns: Mapping[str, pd.Series],
    requested: Sequence[str] | None = None,
) -> FeatureSet:
    """The feature set under the rule of the module docstring. ``shares`` come from ``present_fields``;
    ``attribute_columns`` are the attributes' values (``attributes.attribute_values``) by column."""
    usable = {name for name, share in shares.items() if share >= MIN_PRESENT_SHARE}
    left_out = {name: f"empty for {1 - share:.0%} of customers" for name, share in shares.items()
                if 0 < share < MIN_PRESENT_SHARE}
    reasons = {a.column: left_out_reason(attribute_columns[a.column], a) for a in attributes}
    if requested is None:
        known = [name for name in (*CLUSTERING_FEATURES, *CATEGORICAL_FEATURES) if _available(name, usable)]
        chosen_attributes = [a for a in attributes if not reasons[a.column]]
        left_out |= {a.label: reasons[a.column] for a in attributes if reasons[a.column]}
    else:
        known, chosen_attributes = _resolve(requested, attributes, shares, attribute_columns)
    fields = usable if requested is None else {name for name, share in shares.items() if share > 0}
    return _feature_set(known, chosen_attributes, attributes, fields, left_out, requested)


def _available(feature: str, fields: set[str]) -> bool:
    return all(any(name in fields for name in group) for group in FEATURE_NEEDS[feature])


def feature_fields(feature: str, fields: set[str] | Mapping[str, float]) -> list[str]:
    """The customer fields a feature is built from, among those present."""
    return [name for group in FEATURE_NEEDS[feature] for name in group if name in fields]


def _resolve(
    requested: Sequence[str], attributes: Sequence[Attribute], shares: Mapping[str, float],
    attribute_columns: Mapping[str, pd.Series],
) -> tuple[list[str], list[Attribute]]:
    check_feature_names(requested, attributes)
    with_values = {name for name, share in shares.items() if share > 0}
    by_name = {_normal(a.key): a for a in attributes} | {_normal(a.label): a for a in attributes}
    known: list[str] = []
    chosen: list[Attribute] = []
    for name in requested:
        wanted = _normal(name)
        if not wanted:
            continue
        features = _known_features_named(wanted)
        if features and wanted in (*PROFILE_ONLY_FEATURES, *PROFILE_ONLY_FIELDS):
            raise UnknownFeature(f"{name!r}: the complaint rate is profiled, never clustered on (a rare flag would "
                                 "pull a segment of its own)")
        found = [f for f in features if _available(f, with_values)]
        if found:
            known += found
        elif wanted in by_name and present(attribute_columns[by_name[wanted].column]).any():
            chosen.append(by_name[wanted])  # e.g. an attribute "Age" when the file has no birth year
        else:
            raise UnknownFeature(f"{name!r}: no customer has a value for it")
    return known, list(dict.fromkeys(chosen))


def _known_features_named(name: str) -> list[str]:
    """The features a name stands for: itself, or every feature built from a customer field of that name."""
    if name in FEATURE_NEEDS:
        return [name]
    return [f for f, needs in FEATURE_NEEDS.items() if any(name in group for group in needs)]


def check_feature_names(requested: Sequence[str], attributes: Sequence[Attribute]) -> None:
    """Raise ``UnknownFeature`` for a name that is neither a feature, a customer field nor a custom attribute
    (whether customers have values for it is known only from the data: ``choose_features`` checks that)."""
    attribute_names = {_normal(a.key) for a in attributes} | {_normal(a.label) for a in attributes}
    for name in requested:
        wanted = _normal(name)
        if wanted and wanted not in FEATURE_NEEDS and wanted not in CUSTOMER_FIELDS and wanted not in attribute_names:
            raise UnknownFeature(f"{name!r} is neither a feature, a customer field nor a custom attribute; choose "
                                 f"from {', '.join(available_names(attributes))}")
    if not any(_normal(name) for name in requested):
        raise UnknownFeature("no feature requested")


def available_names(attributes: Sequence[Attribute]) -> list[str]:
    """Every name ``requested`` accepts: features, then custom attributes by key."""
    return [*NUMERIC_FEATURES, *CATEGORICAL_FEATURES, *(a.key for a in attributes)]


def _normal(name: str) -> str:
    return name.strip().lower()


def _feature_set(
    known: list[str], chosen: list[Attribute], attributes: Sequence[Attribute], fields: set[str],
    left_out: dict[str, str], requested: Sequence[str] | None,
) -> FeatureSet:
    known = list(dict.fromkeys(known))
    numeric = [name for name in NUMERIC_FEATURES if name in known]
    categorical = [name for name in CATEGORICAL_FEATURES if name in known]
    numeric += [a.column for a in attributes if a in chosen and a.kind != CATEGORY]
    categorical += [a.column for a in attributes if a in chosen and a.kind == CATEGORY]
    profile_only = [name for name in PROFILE_ONLY_FEATURES if _available(name, fields)]
    labels = {name: FEATURE_LABELS[name] for name in (*numeric, *categorical, *profile_only) if name in FEATURE_LABELS}
    labels |= {a.column: attribute_label(a) for a in chosen}
    used = [name for feature in known for name in feature_fields(feature, fields)]
    return FeatureSet(
        numeric=tuple(numeric), categorical=tuple(categorical), profile=(*numeric, *profile_only),
        labels=labels, fields=tuple(dict.fromkeys([*used, *(a.label for a in chosen)])), left_out=left_out,
        requested=None if requested is None else tuple(requested),
    )


def is_attribute(feature: str) -> bool:
    return feature.startswith(ATTRIBUTE_PREFIX)
