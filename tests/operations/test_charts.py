"""The dashboard's inline SVG charts: round axis ends, titles and axis labels, escaping, empty rows."""
import pytest

from operations import charts


@pytest.mark.parametrize(("value", "expected"), [(0.3, 0.5), (1, 1), (3, 5), (7.5, 10), (121, 200), (0, 1.0)])
def test_nice_ceiling_rounds_up_to_1_2_2_5_or_5_times_a_power_of_ten(value, expected):
    assert charts.nice_ceiling(value) == expected


@pytest.mark.parametrize(("largest", "whole", "expected"), [(2, True, 4), (121, True, 200), (30, False, 40),
                                                            (0.5, False, 0.8)])
def test_axis_end_gives_four_round_ticks(largest, whole, expected):
    assert charts.axis_end(largest, whole=whole) == expected


def test_bar_chart_has_a_title_axis_labels_ticks_and_escaped_labels():
    svg = charts.bar_chart(title="Customers per persona", bars=[("<b>premium</b>", 96), ("value", 83)],
                           x_label="customers (count)", y_label="persona")

    assert svg.startswith("<svg") and "<title>Customers per persona</title>" in svg
    assert ">customers (count)</text>" in svg and ">persona</text>" in svg
    assert "&lt;b&gt;premium&lt;/b&gt;" in svg and "<b>" not in svg
    assert [f">{tick}</text>" in svg for tick in ("0", "25", "50", "75", "100")] == [True] * 5
    assert svg.count("<rect ") == 2


def test_interval_chart_draws_the_interval_and_says_when_there_is_no_estimate():
    svg = charts.interval_chart(title="Lift", rows=[("Spring", 20.0, 7.1, 32.9), ("Autumn", None, None, None)],
                                x_label="lift (percentage points)", y_label="campaign")

    assert "Spring: +20.0 [+7.1, +32.9]" in svg
    assert "no responses to compare yet" in svg
    assert ">lift (percentage points)</text>" in svg and ">+40.0</text>" in svg


def test_no_bars_no_chart():
    assert charts.bar_chart(title="t", bars=[], x_label="x", y_label="y") == ""
    assert charts.interval_chart(title="t", rows=[], x_label="x", y_label="y") == ""
