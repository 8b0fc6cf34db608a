"""Personas and labels come from what a segment looks like, never from its cluster number.

Rule:

0. Evidence first: the offer personas are about income, spending and deal seeking, so they are named only when
   the run's profiles have income, total spend and deal share (``PERSONA_EVIDENCE``). Without them (another
   company's file, or ``--features`` leaving one out) every segment's persona is "" and its label describes its
   profile instead (step 6).
1. Every segment is described by the z-scores of its profile: (segment mean − overall mean) / overall sd.
2. Each persona scores a segment as the weighted mean of those z-scores (``PERSONA_WEIGHTS``; a weight whose
   feature the run lacks is left out):

   * premium — income, total spend, catalog share, campaigns accepted (store share a little);
   * deal-oriented — deal share, web share, web visits, and mid income (minus |income z|);
   * value / family — low income, low total spend, children at home.

3. The Hungarian method (``scipy.optimize.linear_sum_assignment``) on the segment × persona score matrix gives
   each persona to at most one segment, maximising the total fit. With k ≥ 3 every persona is used once; with
   k = 2 the two best-fitting personas are used. Two segments of one run never share a persona.
4. A segment keeps a persona only if its profile earns it: a fit above 0. A persona whose best segment fits it
   no better than the average customer is not handed out.
5. Stability: a segment that continues one of the previous run's keeps that run's persona only when its profile
   still earns it (fit above 0); the kept persona then weighs ``STABILITY_BONUS`` more in step 3, so a name that
   fits about as well as a fresh one stays (no flip-flopping night to night) while one that now fits clearly
   worse is replaced, and step 3 still gives each persona to one segment.
6. Segments left without a persona (k > 3, no evidence, no earned persona) get persona "" and a descriptive
   label: their two most distinctive profile features in words ("high income · low spending score", with the
   file's own column names). Offers can still target them by segment key.
7. A single segment is the whole base (all z = 0, nothing to contrast): with evidence it gets deal-oriented, the
   middle persona.

A persona's label adds the segment's most distinctive trait ("premium · catalog", "deal-oriented · web"): the
trait with the highest z among the buying channel, the spend mix ("wine & meat"), deal seeking, campaign
response, web visits, children and tenure. If two segments would share a label, the next trait is appended.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np
from scipy.optimize import linear_sum_assignment

from segmentation.personas import DEAL_ORIENTED, PERSONA_LABELS, PERSONAS, PREMIUM, VALUE_FAMILY

PERSONA_WEIGHTS: dict[str, dict[str, float]] = {
    PREMIUM: {"income": 1.0, "total_spend": 1.0, "catalog_share": 0.5, "campaigns_accepted": 0.5, "store_share": 0.25},
    DEAL_ORIENTED: {"deal_share": 1.0, "web_share": 0.5, "web_visits_month": 0.5},
    VALUE_FAMILY: {"income": -1.0, "total_spend": -1.0, "children_at_home": 1.0},
}
MID_INCOME_WEIGHT = 0.5
SINGLE_SEGMENT_PERSONA = DEAL_ORIENTED
PERSONA_EVIDENCE = ("income", "total_spend", "deal_share")
STABILITY_BONUS = 0.1
NO_PERSONA = ""
MIN_TRAIT_Z = 0.25
DESCRIPTIVE_TRAITS = 2
AVERAGE_LABEL = "close to the average customer"

CHANNEL_TRAITS = {"web_share": "web", "catalog_share": "catalog", "store_share": "store"}
SPEND_MIX_TRAITS = {
    "wine_share": "wine", "fruit_share": "fruit", "meat_share": "meat",
    "fish_share": "fish", "sweets_share": "sweets", "gold_share": "gold",
}
OTHER_TRAITS = {
    "deal_share": "deal seekers", "campaigns_accepted": "campaign responders", "web_visits_month": "frequent visitors",
    "children_at_home": "families", "tenure_days": "long-standing",
}
LABEL_SEPARATOR = " · "


def has_persona_evidence(features: Iterable[str]) -> bool:
    """Whether profiles with these features can support the offer personas (step 0)."""
    return set(PERSONA_EVIDENCE) <= set(features)


def persona_scores(z: dict[str, float]) -> dict[str, float]:
    """How well one segment fits each persona (higher is better), over the features the profile has."""
    scores = {}
    for persona, weights in PERSONA_WEIGHTS.items():
        total = sum(weight * z[name] for name, weight in weights.items() if name in z)
        norm = sum(abs(weight) for name, weight in weights.items() if name in z)
        if persona == DEAL_ORIENTED and "income" in z:
            total -= MID_INCOME_WEIGHT * abs(z["income"])
            norm += MID_INCOME_WEIGHT
        scores[persona] = round(total / norm, 6) if norm else 0.0
    return scores


def assign_personas(scores: dict[int, dict[str, float]], kept: dict[int, str] | None = None) -> dict[int, str]:
    """Persona per segment (``NO_PERSONA`` for none) under steps 3-5 and 7 of the module docstring; ``kept`` is the
    previous run's persona of each continued segment (segments keyed by any int id)."""
    segments = sorted(scores)
    if len(segments) == 1:
        return {segments[0]: SINGLE_SEGMENT_PERSONA}
    matrix = np.array([[scores[segment][persona] for persona in PERSONAS] for segment in segments])
    weighted = matrix.copy()
    for row, segment in enumerate(segments):
        persona = (kept or {}).get(segment, NO_PERSONA)
        if persona in PERSONAS and scores[segment][persona] > 0:
            weighted[row, PERSONAS.index(persona)] += STABILITY_BONUS
    chosen = dict.fromkeys(segments, NO_PERSONA)
    for row, col in zip(*linear_sum_assignment(weighted, maximize=True)):
        if matrix[row, col] > 0:
            chosen[segments[row]] = PERSONAS[col]
    return chosen


def segment_traits(z: dict[str, float]) -> list[str]:
    """Distinctive traits of a segment, most distinctive first (only those above the average)."""
    candidates = [_top_channel(z), _spend_mix(z)]
    candidates += [(z[name], text) for name, text in OTHER_TRAITS.items() if name in z]
    return [text for score, text in sorted(candidates, key=lambda item: -item[0]) if score > 0]


def descriptive_traits(z: dict[str, float], labels: dict[str, str]) -> list[str]:
    """A segment's profile in words, most distinctive first: "high income", "low spending score", "more Female"."""
    ranked = sorted(z, key=lambda name: (-abs(z[name]), name))
    traits = []
    for name in ranked:
        if abs(z[name]) < MIN_TRAIT_Z:
            break
        if "=" in name:
            if z[name] > 0:
                traits.append(f"more {name.split('=', 1)[1]}")
            continue
        traits.append(f"{'high' if z[name] > 0 else 'low'} {_short(labels.get(name, name))}")
    return traits


def segment_labels(
    personas: dict[int, str], z_by_segment: dict[int, dict[str, float]], order: list[int],
    feature_labels: dict[str, str] | None = None,
) -> dict[int, str]:
    """A unique label per segment; ``order`` decides who gets the shorter label on a clash. Persona segments are
    named by persona and trait; the others by their profile (step 6)."""
    labels: dict[int, str] = {}
    for segment in order:
        if personas[segment]:
            parts = [PERSONA_LABELS[personas[segment]].lower()]
            traits = segment_traits(z_by_segment[segment])
        else:
            traits = descriptive_traits(z_by_segment[segment], feature_labels or {}) or [AVERAGE_LABEL]
            parts, traits = traits[:DESCRIPTIVE_TRAITS - 1], traits[DESCRIPTIVE_TRAITS - 1:]
        label = LABEL_SEPARATOR.join(parts)
        for trait in traits:
            parts.append(trait)
            label = LABEL_SEPARATOR.join(parts)
            if label not in labels.values():
                break
        if label in labels.values():
            label = f"{label} ({len(labels) + 1})"
        labels[segment] = label
    return labels


def _short(label: str) -> str:
    """A column label for a trait: lower case, without a trailing unit or scale ("Spending Score (1-100)")."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", label).strip().lower() or label.lower()


def _top_channel(z: dict[str, float]) -> tuple[float, str]:
    channels = [name for name in CHANNEL_TRAITS if name in z]
    if not channels:
        return 0.0, ""
    name = max(channels, key=lambda feature: z[feature])
    return z[name], CHANNEL_TRAITS[name]


def _spend_mix(z: dict[str, float]) -> tuple[float, str]:
    """The category bought more than average, paired with the next one when that is above average too."""
    ranked = sorted((name for name in SPEND_MIX_TRAITS if name in z), key=lambda feature: -z[feature])
    if not ranked:
        return 0.0, ""
    text = SPEND_MIX_TRAITS[ranked[0]]
    if len(ranked) > 1 and z[ranked[1]] > 0:
        text = f"{text} & {SPEND_MIX_TRAITS[ranked[1]]}"
    return z[ranked[0]], text
