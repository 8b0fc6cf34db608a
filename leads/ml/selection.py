"""Which of a company's columns the lead model may learn from, decided on the training leads and reported.

Candidates are the lead fields and custom attributes; a candidate is left out when it cannot help or must not:

* **empty** — it has a value for fewer than ``MIN_PRESENT_SHARE`` of the leads (a field the file did not have);
* **constant** — every lead with a value has the same one;
* **identifier** — (nearly) every lead has its own value (``Lead Number``, a prospect's UUID): a model would
  memorise the rows, not learn;
* **leakage** — its values alone separate the outcome almost perfectly: single-column ROC AUC, measured out of
  fold, of at least ``LEAKAGE_ROC_AUC``, or a category whose leads nearly all sit in levels where (nearly) every
  lead has the same outcome. Such a column is usually written after the outcome (a sales tag); it is used only when
  the user keeps it (``keep``), knowing it is filled before the outcome.

A category's rare levels (fewer than ``MIN_LEVEL_COUNT`` leads or ``MIN_LEVEL_SHARE`` of those with a value) are
read as one level, ``OTHER``. Dates are counted in days before a reference date fixed at training (the latest date
the training leads have), which the spec stores so that scoring is reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from core.columns import identifier_like
from leads.ml.features import (CATEGORY, DATE, FLAG, NUMBER, OTHER, FeatureColumn, FeatureSpec, parsed_dates,
                               prepared_column)

MIN_PRESENT_SHARE = 0.01
MIN_LEVEL_COUNT = 10
MIN_LEVEL_SHARE = 0.005
LEAKAGE_ROC_AUC = 0.97
PURE_LEVEL = 0.95
LEAKAGE_PURE_SHARE = 0.9
LEAKAGE_PURE_MIN_ROC_AUC = 0.9
NUMBER_BINS = 20
LEAKAGE_FOLDS = 5

EMPTY, CONSTANT, IDENTIFIER, LEAKAGE = "empty", "constant", "identifier", "leakage"


class UnknownColumn(ValueError):
    """A column the user asked to keep is not one of the candidates."""


@dataclass(frozen=True)
class FeatureSelection:
    """The spec the model reads and, for the training report, what was left out (and kept despite a flag) and why."""

    spec: FeatureSpec
    left_out: tuple[dict[str, Any], ...]
    kept: tuple[dict[str, Any], ...]

    def report(self) -> dict[str, Any]:
        """JSON-ready: used columns (with kind, label, grouped levels), left-out ones and leakage flags overridden."""
        return {
            "used": [column.to_json() for column in self.spec.columns],
            "reference_date": self.spec.reference_date,
            "left_out": list(self.left_out),
            "kept": list(self.kept),
        }


def select_features(leads: pd.DataFrame, outcomes: np.ndarray, candidates: tuple[FeatureColumn, ...],
                    keep: tuple[str, ...] = (), seed: int = 0) -> FeatureSelection:
    """The spec of ``candidates`` worth learning from on ``leads`` (training leads, ``outcomes`` 1/0 aligned).

    ``keep`` names columns (label or name, any case) to use even when flagged as leakage.
    """
    outcomes = np.asarray(outcomes, dtype=int)
    wanted = _kept_names(keep, candidates)
    reference_date = _reference_date(leads, candidates)
    used, left_out, kept = [], [], []
    for candidate in candidates:
        raw = leads[candidate.name] if candidate.name in leads else None
        values = pd.Series(prepared_column(raw, candidate, reference_date, len(leads)), index=leads.index)
        column, verdict = _judged(candidate, values, outcomes, seed)
        if verdict is None:
            used.append(column)
        elif verdict["reason"] == LEAKAGE and candidate.name in wanted:
            used.append(column)
            kept.append({**verdict, "text": f"{candidate.label}: kept at the user's request, though "
                                            f"{verdict['text'].split(': ', 1)[1]}"})
        else:
            left_out.append(verdict)
    dates = any(column.kind == DATE for column in used)
    return FeatureSelection(FeatureSpec(tuple(used), reference_date if dates else None), tuple(left_out),
                            tuple(kept))


def _judged(candidate: FeatureColumn, values: pd.Series, outcomes: np.ndarray,
            seed: int) -> tuple[FeatureColumn, dict[str, Any] | None]:
    """The column as it will be read (rare levels grouped) and, if it is left out, why."""
    present = values.notna().to_numpy()
    share = float(present.mean()) if len(present) else 0.0
    if share < MIN_PRESENT_SHARE:
        return candidate, _verdict(candidate, EMPTY, {"present_share": share},
                                   f"has a value for {share:.1%} of the training leads")
    distinct = int(values[present].nunique())
    if _identifier_like(candidate, values[present], distinct):
        return candidate, _verdict(candidate, IDENTIFIER, {"distinct_share": distinct / int(present.sum())},
                                   f"{distinct / int(present.sum()):.0%} of its values are distinct, like an id")
    column = _grouped(candidate, values[present]) if candidate.kind == CATEGORY else candidate
    if column.grouped:
        values = values.where(values.isin(column.levels) | values.isna(), OTHER)
    if values[present].nunique() < 2:
        return column, _verdict(candidate, CONSTANT, {"distinct": int(values[present].nunique())},
                                "every training lead with a value has the same one")
    return column, _leakage(column, values, outcomes, seed)


def _identifier_like(candidate: FeatureColumn, present: pd.Series, distinct: int) -> bool:
    """Nearly one value per lead (``core.columns.identifier_like``, the segmentation's rule too). Flags never are,
    nor are fractional numbers (a ratio is naturally varied)."""
    return candidate.kind != FLAG and identifier_like(present, numbers=candidate.kind == NUMBER, distinct=distinct)


def _grouped(candidate: FeatureColumn, present: pd.Series) -> FeatureColumn:
    counts = present.value_counts()
    floor = max(MIN_LEVEL_COUNT, MIN_LEVEL_SHARE * len(present))
    rare = counts[counts < floor]
    if rare.empty:
        return candidate
    levels = tuple(sorted(str(level) for level in counts.index if level not in rare.index))
    return replace(candidate, levels=levels, grouped=tuple(sorted(str(level) for level in rare.index)))


def _leakage(column: FeatureColumn, values: pd.Series, outcomes: np.ndarray, seed: int) -> dict[str, Any] | None:
    codes = _codes(column, values)
    rates = _out_of_fold_rates(codes, outcomes, seed)
    auc = float(roc_auc_score(outcomes, rates)) if len(np.unique(outcomes)) == 2 else 0.5
    auc = max(auc, 1.0 - auc)
    figures: dict[str, Any] = {"roc_auc": round(auc, 4)}
    if auc >= LEAKAGE_ROC_AUC:
        return _verdict(column, LEAKAGE, figures, f"its values alone separate the outcome (single-column ROC AUC "
                                                  f"{auc:.3f}, likely filled in after the outcome)")
    if column.kind != CATEGORY:
        return None
    present = values.notna().to_numpy()
    pure = (rates[present] >= PURE_LEVEL) | (rates[present] <= 1.0 - PURE_LEVEL)
    pure_share = float(pure.mean())
    figures["pure_share"] = round(pure_share, 4)
    if pure_share >= LEAKAGE_PURE_SHARE and auc >= LEAKAGE_PURE_MIN_ROC_AUC:
        return _verdict(column, LEAKAGE, figures,
                        f"{pure_share:.0%} of the leads with a value are in levels where at least {PURE_LEVEL:.0%} "
                        f"share one outcome (single-column ROC AUC {auc:.3f}, likely filled in after the outcome)")
    return None


def _codes(column: FeatureColumn, values: pd.Series) -> np.ndarray:
    """Integer codes: a category's levels, a number's quantile bins; a missing value is a code of its own."""
    if column.kind in (NUMBER, DATE):
        present = values.dropna()
        bins = pd.qcut(present.rank(method="dense"), min(NUMBER_BINS, present.nunique()), labels=False,
                       duplicates="drop")
        codes = pd.Series(-1, index=values.index)
        codes[present.index] = bins.to_numpy()
        return codes.to_numpy() + 1
    return pd.factorize(values, use_na_sentinel=True)[0] + 1


def _out_of_fold_rates(codes: np.ndarray, outcomes: np.ndarray, seed: int) -> np.ndarray:
    """Each lead's conversion rate among the other folds' leads with the same code (the base rate if none)."""
    rates = np.empty(len(codes))
    width = int(codes.max()) + 1
    folds = StratifiedKFold(n_splits=min(LEAKAGE_FOLDS, int(np.bincount(outcomes).min())), shuffle=True,
                            random_state=seed)
    for train, test in folds.split(codes.reshape(-1, 1), outcomes):
        counts = np.bincount(codes[train], minlength=width)
        converted = np.bincount(codes[train], weights=outcomes[train], minlength=width)
        base = outcomes[train].mean()
        rates[test] = np.where(counts[codes[test]] > 0, converted[codes[test]] / np.maximum(counts[codes[test]], 1),
                               base)
    return rates


def _reference_date(leads: pd.DataFrame, candidates: tuple[FeatureColumn, ...]) -> str | None:
    """The latest date any date column of the training leads holds."""
    latest = [parsed_dates(leads[c.name]).max() for c in candidates if c.kind == DATE and c.name in leads]
    latest = [date for date in latest if pd.notna(date)]
    return max(latest).strftime("%Y-%m-%d") if latest else None


def _kept_names(keep: tuple[str, ...], candidates: tuple[FeatureColumn, ...]) -> set[str]:
    by_word = {}
    for candidate in candidates:
        for word in (candidate.label, candidate.name, candidate.attribute_key):
            by_word.setdefault(word.strip().lower(), candidate.name)
    unknown = [word for word in keep if word.strip().lower() not in by_word]
    if unknown:
        raise UnknownColumn(f"no column named {', '.join(repr(word) for word in unknown)} to keep; the columns are "
                            f"{', '.join(sorted(c.label for c in candidates))}")
    return {by_word[word.strip().lower()] for word in keep}


def _verdict(column: FeatureColumn, reason: str, figures: dict[str, Any], why: str) -> dict[str, Any]:
    return {"column": column.name, "label": column.label, "reason": reason, "figures": figures,
            "text": f"{column.label}: {why}"}
