"""Contributions in the words a sales rep reads: "first interaction on the website: +14".

A factor describes the lead's own value of a feature, followed by the points it adds to or takes from the score
compared with the typical lead. Contributions that round to 0 points are not factors. A custom attribute is named
by its own label, the column header of the company's file ("Lead Source: Reference: +9").
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from leads.ml.features import CATEGORY, DATE, DEFAULT_SPEC, FLAG, NUMERIC_FEATURES, FeatureSpec

TOP_FACTORS = 3

_FLAG_PHRASES = {
    "print_media_type1": ("saw the newspaper ad", "did not see the newspaper ad"),
    "print_media_type2": ("saw the magazine ad", "did not see the magazine ad"),
    "digital_media": ("saw a digital ad", "did not see a digital ad"),
    "educational_channels": ("heard of us on educational channels", "did not hear of us on educational channels"),
    "referral": ("was referred by someone", "was not referred"),
}
_CATEGORY_PHRASES = {
    ("current_occupation", "Professional"): "works as a professional",
    ("current_occupation", "Unemployed"): "currently unemployed",
    ("current_occupation", "Student"): "is a student",
    ("first_interaction", "Website"): "first interaction on the website",
    ("first_interaction", "Mobile App"): "first interaction on the mobile app",
    ("last_activity", "Email Activity"): "last activity by email",
    ("last_activity", "Phone Activity"): "last activity by phone",
    ("last_activity", "Website Activity"): "last activity on the website",
    ("profile_completed", "High"): "profile completion high",
    ("profile_completed", "Medium"): "profile completion medium",
    ("profile_completed", "Low"): "profile completion low",
}


def describe(feature: str, value: Any, spec: FeatureSpec = DEFAULT_SPEC) -> str:
    """The lead's value of ``feature`` (as prepared for the model of ``spec``) in plain words."""
    column = spec.column(feature)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{column.label} unknown"
    if feature in _FLAG_PHRASES:
        return _FLAG_PHRASES[feature][0 if float(value) >= 0.5 else 1]
    if column.kind == FLAG:
        return f"{column.label}: {'yes' if float(value) >= 0.5 else 'no'}"
    if column.kind == CATEGORY:
        return _CATEGORY_PHRASES.get((feature, value), f"{column.label}: {value}")
    if column.kind == DATE:
        days = round(float(value))
        return f"{column.label}: {days} day{'' if abs(days) == 1 else 's'} before {spec.reference_date}"
    if feature in NUMERIC_FEATURES:
        return _describe_number(feature, value)
    return f"{column.label}: {plain_number(float(value))}"


def plain_number(value: float) -> str:
    """At most two decimals and no trailing zeros: 3, 2.35, 1,250."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def factor_text(feature: str, value: Any, points: float, spec: FeatureSpec = DEFAULT_SPEC) -> str:
    return f"{describe(feature, value, spec)}: {points:+.0f}"


def top_factors(values: Mapping[str, Any], points: np.ndarray, limit: int = TOP_FACTORS,
                spec: FeatureSpec = DEFAULT_SPEC) -> dict[str, list[str]]:
    """The ``limit`` largest contributions up and down for one lead, strongest first.

    ``values`` maps feature names to the lead's prepared values; ``points`` follows the order of ``spec``.
    """
    names = spec.names
    order = np.argsort(-points, kind="stable").tolist()
    shown = np.rint(points).tolist()  # the points as printed (half to even, like round()); one call, not one per feature
    up = [position for position in order if shown[position] > 0][:limit]
    down = [position for position in order[::-1] if shown[position] < 0][:limit]
    return {
        "up": [factor_text(names[p], values[names[p]], points[p], spec) for p in up],
        "down": [factor_text(names[p], values[names[p]], points[p], spec) for p in down],
    }


def _describe_number(feature: str, value: float) -> str:
    value = float(value)
    if feature == "age":
        return f"aged {value:.0f}"
    if feature == "website_visits":
        return f"{value:.0f} website visit{'' if round(value) == 1 else 's'}"
    if feature == "time_spent_on_website":
        minutes = round(value / 60.0)
        if minutes < 1:
            return "spent under a minute on the website"
        return f"spent {minutes} minute{'' if minutes == 1 else 's'} on the website"
    return f"{value:.1f} page views per visit"
