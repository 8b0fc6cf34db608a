"""Campaign lift: conversion of treated customers vs their control group, with a 95 % confidence interval.

The interval is the two-proportion Wald interval with an unpooled standard error,

    lift = p_t - p_c,   se = sqrt(p_t (1 - p_t) / n_t + p_c (1 - p_c) / n_c),   lift +/- z * se,

chosen because marketers can check it by hand. It is unreliable for small arms or rates near 0 or 1 (it can
even collapse to zero width), so such results carry ``small_sample=True`` rather than being hidden: an arm
under 30 customers, or fewer than 5 acceptances or 5 non-acceptances in an arm.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

import pandas as pd

MIN_ARM_SIZE = 30
MIN_OUTCOMES = 5
DEFAULT_GROUPS = ("campaign_id", "offer_id", "segment")


@dataclass(frozen=True)
class LiftResult:
    """Rates and lifts are None when an arm has nobody in it (relative lift also when the control rate is 0)."""

    treated: int
    treated_accepted: int
    control: int
    control_accepted: int
    treated_rate: float | None
    control_rate: float | None
    absolute_lift: float | None
    ci_low: float | None
    ci_high: float | None
    relative_lift: float | None
    incremental_conversions: float | None
    significant: bool
    small_sample: bool


def is_small_sample(treated: int, treated_accepted: int, control: int, control_accepted: int) -> bool:
    arms = ((treated, treated_accepted), (control, control_accepted))
    return any(size < MIN_ARM_SIZE or min(accepted, size - accepted) < MIN_OUTCOMES for size, accepted in arms)


def measure_lift(treated: int, treated_accepted: int, control: int, control_accepted: int,
                 confidence: float = 0.95) -> LiftResult:
    if not (0 <= treated_accepted <= treated and 0 <= control_accepted <= control):
        raise ValueError("accepted counts must lie between 0 and the arm size")
    small = is_small_sample(treated, treated_accepted, control, control_accepted)
    treated_rate = treated_accepted / treated if treated else None
    control_rate = control_accepted / control if control else None
    if treated_rate is None or control_rate is None:
        return LiftResult(treated, treated_accepted, control, control_accepted, treated_rate, control_rate,
                          None, None, None, None, None, significant=False, small_sample=small)
    lift = treated_rate - control_rate
    standard_error = sqrt(treated_rate * (1 - treated_rate) / treated
                          + control_rate * (1 - control_rate) / control)
    margin = NormalDist().inv_cdf(0.5 + confidence / 2) * standard_error
    ci_low, ci_high = lift - margin, lift + margin
    return LiftResult(
        treated, treated_accepted, control, control_accepted, treated_rate, control_rate,
        absolute_lift=lift, ci_low=ci_low, ci_high=ci_high,
        relative_lift=lift / control_rate if control_rate > 0 else None,
        incremental_conversions=lift * treated,
        significant=ci_low > 0 or ci_high < 0, small_sample=small,
    )


def lift_by_group(contacts: pd.DataFrame, group_columns: Sequence[str] = DEFAULT_GROUPS,
                  control_column: str = "in_control", accepted_column: str = "accepted",
                  confidence: float = 0.95) -> dict[tuple, LiftResult]:
    """One LiftResult per group, keyed by the tuple of group values (missing values stay as NaN keys).

    ``contacts`` has one row per audience member: the group columns, whether they were held out and whether
    they accepted (converted).
    """
    arms = contacts[list(group_columns)].assign(
        _held_out=contacts[control_column].astype(bool), _accepted=contacts[accepted_column].astype(bool))
    counts = arms.groupby([*group_columns, "_held_out"], dropna=False)["_accepted"].agg(["size", "sum"])
    table = counts.unstack("_held_out", fill_value=0)
    results = {}
    for key, row in table.iterrows():
        key = key if isinstance(key, tuple) else (key,)
        results[key] = measure_lift(int(row.get(("size", False), 0)), int(row.get(("sum", False), 0)),
                                    int(row.get(("size", True), 0)), int(row.get(("sum", True), 0)), confidence)
    return results
