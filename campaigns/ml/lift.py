"""Campaign lift: acceptance of treated customers vs their control group, an interval, an exact test and a verdict.

The interval of the absolute lift ``p_t - p_c`` is Newcombe's hybrid score interval (method 10 of Newcombe 1998,
"Interval estimation for the difference between independent proportions"): a Wilson score interval
``(l, u)`` for each rate, combined as

    [d - sqrt((p_t - l_t)^2 + (u_c - p_c)^2),  d + sqrt((u_t - p_t)^2 + (p_c - l_c)^2)],   d = p_t - p_c.

Unlike the textbook Wald interval it stays valid at zero and small counts (0 of 615 accepting is evidence, not
a degenerate zero-width interval) and never leaves [-1, 1].

The test is Fisher's exact test, two-sided, of the 2 x 2 table (accepted / not, treated / control).

The verdict (``lift_verdict``), in this order:

1. ``empty_arm``: nobody treated or nobody held out: there is nothing to compare.
2. ``no_responses``: no customer in either arm has responded (accepted or declined) yet.
3. ``significant``: the exact test gives p < alpha AND the interval excludes 0. Both must say so, so a
   significant verdict never sits beside an interval that contains 0, nor beside p >= alpha.
4. ``borderline``: exactly one of the two says so (rare: both are near their threshold). Shown as such,
   never as "not significant" beside an interval that excludes 0.
5. ``too_few``: neither says so and the numbers are small: an arm of fewer than ``MIN_ARM_SIZE`` customers
   or fewer than ``MIN_ACCEPTED`` acceptances in both arms together; no test can tell a lift from chance there.
6. ``not_significant``: neither says so, on arms large enough that the interval is a fair answer.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist

import pandas as pd
from scipy.stats import fisher_exact

MIN_ARM_SIZE = 30
MIN_ACCEPTED = 5
DEFAULT_GROUPS = ("campaign_id", "offer_id", "segment")

EMPTY_ARM, NO_RESPONSES, SIGNIFICANT = "empty_arm", "no_responses", "significant"
BORDERLINE, TOO_FEW, NOT_SIGNIFICANT = "borderline", "too_few", "not_significant"
VERDICT_LABELS = {
    EMPTY_ARM: "no lift: an arm is empty",
    NO_RESPONSES: "no responses yet",
    SIGNIFICANT: "significant",
    BORDERLINE: "borderline: the interval and the exact test disagree",
    TOO_FEW: "too few to tell",
    NOT_SIGNIFICANT: "not significant",
}


@dataclass(frozen=True)
class LiftResult:
    """Rates and lifts are None when an arm has nobody in it (relative lift also when the control rate is 0);
    ``p_value`` is None when an arm is empty."""

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
    p_value: float | None = None
    verdict: str = EMPTY_ARM

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def is_small_sample(treated: int, treated_accepted: int, control: int, control_accepted: int) -> bool:
    """An arm under MIN_ARM_SIZE customers, or under MIN_ACCEPTED acceptances in both arms together."""
    return min(treated, control) < MIN_ARM_SIZE or treated_accepted + control_accepted < MIN_ACCEPTED


def wilson_interval(accepted: int, size: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion (no continuity correction); ``size`` > 0."""
    rate = accepted / size
    centre = (accepted + z * z / 2) / (size + z * z)
    half = z * sqrt(size * rate * (1 - rate) + z * z / 4) / (size + z * z)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(treated: int, treated_accepted: int, control: int, control_accepted: int,
                      confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval (method 10) of treated rate minus control rate; both arms non-empty."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p_t, p_c = treated_accepted / treated, control_accepted / control
    low_t, high_t = wilson_interval(treated_accepted, treated, z)
    low_c, high_c = wilson_interval(control_accepted, control, z)
    lift = p_t - p_c
    return (lift - sqrt((p_t - low_t) ** 2 + (high_c - p_c) ** 2),
            lift + sqrt((high_t - p_t) ** 2 + (p_c - low_c) ** 2))


def fisher_p_value(treated: int, treated_accepted: int, control: int, control_accepted: int) -> float:
    """Two-sided p-value of Fisher's exact test: could the acceptances have split this way by chance?"""
    table = [[treated_accepted, treated - treated_accepted], [control_accepted, control - control_accepted]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


def lift_verdict(*, treated: int, control: int, responded: int, p_value: float | None,
                 ci_low: float | None, ci_high: float | None, small_sample: bool, alpha: float) -> str:
    """The one verdict every screen shows (rules in the module docstring)."""
    if not treated or not control or p_value is None or ci_low is None or ci_high is None:
        return EMPTY_ARM
    if responded == 0:
        return NO_RESPONSES
    by_test, by_interval = p_value < alpha, ci_low > 0 or ci_high < 0
    if by_test and by_interval:
        return SIGNIFICANT
    if by_test or by_interval:
        return BORDERLINE
    return TOO_FEW if small_sample else NOT_SIGNIFICANT


def measure_lift(treated: int, treated_accepted: int, control: int, control_accepted: int,
                 confidence: float = 0.95, *, responded: int | None = None) -> LiftResult:
    """Lift of one treated/control pair. ``responded`` counts customers of both arms who accepted or declined
    (default: those who accepted), so that "no responses yet" can be told from "nobody accepted"."""
    if not (0 <= treated_accepted <= treated and 0 <= control_accepted <= control):
        raise ValueError("accepted counts must lie between 0 and the arm size")
    small = is_small_sample(treated, treated_accepted, control, control_accepted)
    responded = treated_accepted + control_accepted if responded is None else responded
    treated_rate = treated_accepted / treated if treated else None
    control_rate = control_accepted / control if control else None
    if treated_rate is None or control_rate is None:
        return LiftResult(treated, treated_accepted, control, control_accepted, treated_rate, control_rate,
                          None, None, None, None, None, significant=False, small_sample=small)
    lift = treated_rate - control_rate
    ci_low, ci_high = newcombe_interval(treated, treated_accepted, control, control_accepted, confidence)
    p_value = fisher_p_value(treated, treated_accepted, control, control_accepted)
    verdict = lift_verdict(treated=treated, control=control, responded=responded, p_value=p_value, ci_low=ci_low,
                           ci_high=ci_high, small_sample=small, alpha=1 - confidence)
    return LiftResult(
        treated, treated_accepted, control, control_accepted, treated_rate, control_rate,
        absolute_lift=lift, ci_low=ci_low, ci_high=ci_high,
        relative_lift=lift / control_rate if control_rate > 0 else None,
        incremental_conversions=lift * treated,
        significant=verdict == SIGNIFICANT, small_sample=small, p_value=p_value, verdict=verdict,
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
