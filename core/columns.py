"""Rules about a company's columns that every model shares (pure pandas, no Django): the lead model's feature
selection (``leads.ml.selection``) and the segmentation's default feature set (``segmentation.ml.attributes``)
leave an identifier-like column out by the same rule."""
from __future__ import annotations

import numpy as np
import pandas as pd

IDENTIFIER_DISTINCT_SHARE = 0.9
MIN_IDENTIFIER_ROWS = 20


def identifier_like(known: pd.Series, *, numbers: bool | None = None, distinct: int | None = None) -> bool:
    """Whether the values present (``known``: no missing ones) look like an id: a different value for at least
    ``IDENTIFIER_DISTINCT_SHARE`` of at least ``MIN_IDENTIFIER_ROWS`` rows.

    Numbers (``numbers``; by default, a numeric dtype) count only when all are whole (an id, a phone number),
    never a measurement with decimals, which is naturally varied; other values (text, dates) always count.
    True/false values never do. ``distinct`` is the number of distinct values when the caller has counted it.
    """
    if len(known) < MIN_IDENTIFIER_ROWS or pd.api.types.is_bool_dtype(known.dtype):
        return False
    distinct = known.nunique() if distinct is None else distinct
    if distinct < IDENTIFIER_DISTINCT_SHARE * len(known):
        return False
    if pd.api.types.is_numeric_dtype(known.dtype) if numbers is None else numbers:
        values = known.to_numpy(dtype=float)
        return bool(np.all(values == np.round(values)))
    return True
