"""The identifier-like column rule shared by the lead model and the segmentation (core.columns)."""
import numpy as np
import pandas as pd

from core.columns import identifier_like


def test_unique_whole_numbers_are_an_id():
    assert identifier_like(pd.Series(np.arange(100, 120, dtype=float))) is True


def test_unique_numbers_with_decimals_are_a_measurement():
    assert identifier_like(pd.Series(np.arange(20) + 0.5)) is False


def test_unique_text_is_an_id():
    assert identifier_like(pd.Series([f"P-{n}" for n in range(20)], dtype=object)) is True


def test_ninety_percent_distinct_is_the_line():
    ids = [f"P-{n}" for n in range(18)]

    assert identifier_like(pd.Series(ids + ["P-0", "P-1"])) is True  # 18 of 20 distinct
    assert identifier_like(pd.Series(ids[:17] + ["P-0", "P-1", "P-2"])) is False  # 17 of 20


def test_fewer_than_twenty_rows_are_never_judged_an_id():
    assert identifier_like(pd.Series([f"P-{n}" for n in range(19)])) is False


def test_the_callers_kind_overrides_the_dtype():
    days = pd.Series(np.arange(20) + 0.5)

    assert identifier_like(days, numbers=False) is True
    assert identifier_like(days, numbers=True) is False


def test_a_distinct_count_given_by_the_caller_is_used():
    assert identifier_like(pd.Series(np.arange(20, dtype=float)), distinct=10) is False

