"""Offers that reach nobody, and why, in the marketer's words: an offer aimed at a persona no segment has, or
whose rules or frequency cap leave no customer, is reported (attach output, campaign page, lift report), never
dropped silently. No Django here.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd


def _listed(values) -> str:
    return ", ".join(str(value) for value in values)


def offer_reach_reason(*, target_personas, target_segment_keys, present_personas, present_keys,
                       eligible: int | None = None, frequency_cap: int = 1) -> str:
    """Why an offer reaches nobody, in the marketer's words.

    ``present_personas`` / ``present_keys``: what the current segments have. ``eligible``: customers its
    targeting and eligibility rules allow before frequency caps (None when unknown: the attach job knows it,
    a report reading the table does not).
    """
    personas, keys = list(target_personas or []), list(target_segment_keys or [])
    if not personas and not keys:
        return "it targets no persona and no segment key"
    if not set(personas) & set(present_personas) and not set(keys) & set(present_keys):
        aimed = [f"persona {_listed(personas)}"] * bool(personas) + [f"segment key {_listed(keys)}"] * bool(keys)
        return f"it is aimed at {' or '.join(aimed)}, which no segment of the current segmentation has"
    if eligible is None:
        return "no customer it targets passed its eligibility rules and frequency cap at the last attach"
    if eligible == 0:
        return "no customer it targets passes its eligibility rules"
    return f"every customer it targets ({eligible}) has had it {frequency_cap} time(s) already (frequency cap)"


def unreached_offers(offers: pd.DataFrame, *, present_personas: Collection[str], present_keys: Collection[int],
                     eligible: Mapping[int, int], reached: Collection[int]) -> tuple[dict, ...]:
    """The offers with no eligible customer after targeting, rules and frequency caps, each with the reason.

    ``present_personas`` / ``present_keys``: what the targetable customers have; ``eligible``: customers per offer
    that its targeting and rules allow; ``reached``: the offers some customer still gets after frequency caps.
    """
    return tuple(
        {"offer": int(offer.offer_id), "name": str(offer.name), "reason": offer_reach_reason(
            target_personas=offer.target_personas, target_segment_keys=offer.target_segment_keys,
            present_personas=present_personas, present_keys=present_keys,
            eligible=int(eligible.get(offer.offer_id, 0)), frequency_cap=int(offer.frequency_cap))}
        for offer in offers.itertuples(index=False) if offer.offer_id not in reached)
