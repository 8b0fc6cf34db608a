"""Personas and labels come from what a segment looks like, never from its cluster number.

Rule:

1. Every segment is described by the z-scores of its profile: (segment mean − overall mean) / overall sd.
2. Each persona scores a segment as the weighted mean of those z-scores (``PERSONA_WEIGHTS``):

   * premium — income, total spend, catalog share, campaigns accepted (store share a little);
   * deal-oriented — deal share, web share, web visits, and mid income (minus |income z|);
   * value / family — low income, low total spend, children at home.

3. The Hungarian method (``scipy.optimize.linear_sum_assignment``) on the segment × persona score matrix gives
   each persona to at most one segment, maximising the total fit. With k ≥ 3 every persona is used exactly once;
   with k = 2 the two best-fitting personas are used.
4. Segments left over (k > 3) take their best-scoring persona.
5. A single segment is the whole base (all z = 0, nothing to contrast): it gets deal-oriented, the middle persona.

A label adds the segment's most distinctive trait to the persona ("premium · catalog", "deal-oriented · web"):
the trait with the highest z among the buying channel, the spend mix ("wine & meat"), deal seeking, campaign
response, web visits, children and tenure. If two segments would share a label, the next trait is appended.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from core.personas import DEAL_ORIENTED, PERSONA_LABELS, PERSONAS, PREMIUM, VALUE_FAMILY

PERSONA_WEIGHTS: dict[str, dict[str, float]] = {
    PREMIUM: {"income": 1.0, "total_spend": 1.0, "catalog_share": 0.5, "campaigns_accepted": 0.5, "store_share": 0.25},
    DEAL_ORIENTED: {"deal_share": 1.0, "web_share": 0.5, "web_visits_month": 0.5},
    VALUE_FAMILY: {"income": -1.0, "total_spend": -1.0, "children_at_home": 1.0},
}
MID_INCOME_WEIGHT = 0.5
SINGLE_SEGMENT_PERSONA = DEAL_ORIENTED

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


def persona_scores(z: dict[str, float]) -> dict[str, float]:
    """How well one segment fits each persona (higher is better)."""
    scores = {}
    for persona, weights in PERSONA_WEIGHTS.items():
        total = sum(weight * z[name] for name, weight in weights.items())
        norm = sum(abs(weight) for weight in weights.values())
        if persona == DEAL_ORIENTED:
            total -= MID_INCOME_WEIGHT * abs(z["income"])
            norm += MID_INCOME_WEIGHT
        scores[persona] = round(total / norm, 6)
    return scores


def assign_personas(scores: dict[int, dict[str, float]]) -> dict[int, str]:
    """Persona per segment under the rule of the module docstring (segments keyed by any int id)."""
    segments = sorted(scores)
    if len(segments) == 1:
        return {segments[0]: SINGLE_SEGMENT_PERSONA}
    matrix = np.array([[scores[segment][persona] for persona in PERSONAS] for segment in segments])
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    chosen = {segments[row]: PERSONAS[col] for row, col in zip(rows, cols)}
    for index, segment in enumerate(segments):
        chosen.setdefault(segment, PERSONAS[int(np.argmax(matrix[index]))])
    return chosen


def segment_traits(z: dict[str, float]) -> list[str]:
    """Distinctive traits of a segment, most distinctive first (only those above the average)."""
    candidates = [_top_channel(z), _spend_mix(z)]
    candidates += [(z[name], text) for name, text in OTHER_TRAITS.items()]
    return [text for score, text in sorted(candidates, key=lambda item: -item[0]) if score > 0]


def segment_labels(
    personas: dict[int, str], z_by_segment: dict[int, dict[str, float]], order: list[int]
) -> dict[int, str]:
    """A unique, descriptive label per segment; ``order`` decides who gets the shorter label on a clash."""
    labels: dict[int, str] = {}
    for segment in order:
        parts = [PERSONA_LABELS[personas[segment]].lower()]
        traits = segment_traits(z_by_segment[segment])
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


def _top_channel(z: dict[str, float]) -> tuple[float, str]:
    name = max(CHANNEL_TRAITS, key=lambda feature: z[feature])
    return z[name], CHANNEL_TRAITS[name]


def _spend_mix(z: dict[str, float]) -> tuple[float, str]:
    """The category bought more than average, paired with the next one when that is above average too."""
    ranked = sorted(SPEND_MIX_TRAITS, key=lambda feature: -z[feature])
    first, second = ranked[0], ranked[1]
    text = SPEND_MIX_TRAITS[first]
    if z[second] > 0:
        text = f"{text} & {SPEND_MIX_TRAITS[second]}"
    return z[first], text
