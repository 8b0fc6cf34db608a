"""Keep segment identities (keys) and personas from one run to the next, and measure churn.

Why centroids stay comparable: the scaler is refitted every run, so scaled centres of two runs live in different
spaces. Centroids are therefore exchanged in *original units* (segment means of the clustering features: income in
money, shares in 0..1, ...). To compare them, both runs' centroids are divided by this run's population standard
deviation per feature, and the distance is the root-mean-square difference over the features the two runs share
(so a feature added or removed between releases does not break matching).

Matching: the Hungarian method pairs new and previous segments at the smallest total distance. A pair further
apart than ``MAX_MATCH_DISTANCE`` (0.5 population sds, RMS over features) is not the same segment: on the
public data a segment re-fitted on a bootstrap resample moved 0.02-0.07, one that survived going from 3 to 5
segments moved 0.1-0.3, while distinct segments of one run sat 0.6-1.6 apart. A matched
segment keeps the previous key, and its previous persona is offered to the persona rule, which keeps it only
while the profile still earns it (``personas``); an unmatched one gets a new key (one above the highest key seen).

Churn: among customers present in both runs, the share whose segment key changed. Customers new to this run, or
gone since the last one, do not count; "unsegmented" (-1) is compared like any other key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

MAX_MATCH_DISTANCE = 0.5
UNSEGMENTED_KEY = -1


@dataclass(frozen=True)
class PreviousSegmentation:
    """What the last run stored: segment keys with their centroids (original units) and, optionally, personas and
    each customer's key (for churn)."""

    keys: Sequence[int]
    centroids: Sequence[Sequence[float]]
    feature_names: Sequence[str]
    personas: Sequence[str] | None = None
    assignments: Mapping[Hashable, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.keys) != len(self.centroids):
            raise ValueError(f"{len(self.keys)} previous keys but {len(self.centroids)} centroids")
        if self.personas is not None and len(self.personas) != len(self.keys):
            raise ValueError(f"{len(self.keys)} previous keys but {len(self.personas)} personas")


@dataclass(frozen=True)
class SegmentMatch:
    """Per new segment (in the order given): its key, the previous key it continues (None if new) and distance."""

    keys: tuple[int, ...]
    previous_keys: tuple[int | None, ...]
    distances: tuple[float | None, ...]


def match_segments(
    centroids: np.ndarray,
    feature_names: Sequence[str],
    spread: np.ndarray,
    previous: PreviousSegmentation | None,
    max_distance: float = MAX_MATCH_DISTANCE,
) -> SegmentMatch:
    """Give every new centroid a key, continuing previous segments where they match (see module docstring)."""
    n_new = len(centroids)
    if previous is None or not len(previous.keys):
        return SegmentMatch(tuple(range(n_new)), (None,) * n_new, (None,) * n_new)
    distances = centroid_distances(centroids, feature_names, spread, previous)
    previous_keys: list[int | None] = [None] * n_new
    matched_distances: list[float | None] = [None] * n_new
    if distances is not None:
        for row, col in zip(*linear_sum_assignment(distances)):
            if distances[row, col] <= max_distance:
                previous_keys[row] = int(previous.keys[col])
                matched_distances[row] = round(float(distances[row, col]), 6)
    return SegmentMatch(_keys(previous_keys, previous.keys), tuple(previous_keys), tuple(matched_distances))


def centroid_distances(
    centroids: np.ndarray, feature_names: Sequence[str], spread: np.ndarray, previous: PreviousSegmentation
) -> np.ndarray | None:
    """RMS distance (in population sds) between every new and previous centroid; None without common features."""
    common = [name for name in feature_names if name in previous.feature_names]
    if not common:
        return None
    new_index = [list(feature_names).index(name) for name in common]
    old_index = [list(previous.feature_names).index(name) for name in common]
    scale = np.where(np.asarray(spread, dtype=float)[new_index] > 0, np.asarray(spread, dtype=float)[new_index], 1.0)
    new = np.asarray(centroids, dtype=float)[:, new_index] / scale
    old = np.asarray(previous.centroids, dtype=float)[:, old_index] / scale
    differences = new[:, None, :] - old[None, :, :]
    return np.sqrt(np.nanmean(differences ** 2, axis=2))


def inherited_personas(match: SegmentMatch, previous: PreviousSegmentation | None) -> dict[int, str]:
    """Persona of each continued segment, keyed by position in ``match`` (empty when personas were not given)."""
    if previous is None or previous.personas is None:
        return {}
    persona_by_key = dict(zip((int(key) for key in previous.keys), previous.personas))
    return {
        index: persona_by_key[key] for index, key in enumerate(match.previous_keys) if key is not None
    }


def segment_churn(previous: Mapping[Hashable, int], current: Mapping[Hashable, int]) -> float:
    """Share of customers in both runs whose segment key changed (0.0 when nobody is in both)."""
    common = previous.keys() & current.keys()
    if not common:
        return 0.0
    changed = sum(1 for customer in common if _key(previous[customer]) != _key(current[customer]))
    return changed / len(common)


def _key(value: int | None) -> int:
    return UNSEGMENTED_KEY if value is None else int(value)


def _keys(previous_keys: list[int | None], known_keys: Sequence[int]) -> tuple[int, ...]:
    next_key = max((int(key) for key in known_keys), default=-1) + 1
    keys = []
    for key in previous_keys:
        if key is None:
            key, next_key = next_key, next_key + 1
        keys.append(key)
    return tuple(keys)
