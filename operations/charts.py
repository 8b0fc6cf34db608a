"""The dashboard's charts as inline SVG, drawn on the server: no JavaScript, no CDN, so they render offline.

Every chart has a title (visible and as the SVG's <title>), both axes labelled with their units, and ticks. Pure
Python: inputs are labels and numbers; every text is escaped here.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

BAR_COLOUR, INTERVAL_COLOUR, ZERO_COLOUR = "#417690", "#2f8f6b", "#333"
LABEL_WIDTH, PLOT_WIDTH, VALUE_WIDTH = 170, 330, 110
ROW_HEIGHT, TOP, BOTTOM = 26, 34, 44


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value`` (an axis end with round ticks)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value - 1e-12)


def _frame(title: str, height: int, body: str, x_label: str, y_label: str) -> str:
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    plot_bottom = height - BOTTOM
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart" style="font:11px sans-serif">'
        f'<title>{escape(title)}</title>'
        f'<text x="0" y="16" font-weight="bold" font-size="12">{escape(title)}</text>{body}'
        f'<text x="{LABEL_WIDTH + PLOT_WIDTH / 2:.0f}" y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text transform="translate(10 {(TOP + plot_bottom) / 2:.0f}) rotate(-90)" text-anchor="middle">'
        f'{escape(y_label)}</text></svg>'
    )


def _x_axis(low: float, high: float, plot_bottom: int, tick_format) -> str:
    def x(value: float) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (value - low) / (high - low)

    ticks = [low + (high - low) * i / 4 for i in range(5)]
    parts = [f'<line x1="{LABEL_WIDTH}" x2="{LABEL_WIDTH + PLOT_WIDTH}" y1="{plot_bottom}" y2="{plot_bottom}" '
             f'stroke="{ZERO_COLOUR}"/>']
    for tick in ticks:
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{TOP - 4}" y2="{plot_bottom + 4}" '
                     f'stroke="#e4e4e4"/><text x="{x(tick):.1f}" y="{plot_bottom + 16}" text-anchor="middle">'
                     f'{escape(tick_format(tick))}</text>')
    return "".join(parts)


def axis_end(largest: float, *, whole: bool) -> float:
    """The end of a 0-based axis with four round ticks (whole numbers for counts)."""
    step = nice_ceiling(largest / 4)
    return 4 * (max(math.ceil(step), 1) if whole else step)


def bar_chart(*, title: str, bars: Sequence[tuple[str, float]], x_label: str, y_label: str,
              value_format=lambda value: f"{value:,.0f}", whole: bool = True) -> str:
    """Horizontal bars, one per (label, value), in the order given; each bar's value written beside it. ``whole``:
    the values are counts, so the ticks are whole numbers."""
    if not bars:
        return ""
    high = axis_end(max(value for _, value in bars), whole=whole)
    plot_bottom = TOP + ROW_HEIGHT * len(bars)
    height = plot_bottom + BOTTOM
    parts = [_x_axis(0.0, high, plot_bottom, value_format)]
    for index, (label, value) in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        length = PLOT_WIDTH * max(value, 0) / high
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 16}" text-anchor="end">{escape(label[:28])}</text>'
                     f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" '
                     f'fill="{BAR_COLOUR}"><title>{escape(label)}: {escape(value_format(value))}</title></rect>'
                     f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 16}">{escape(value_format(value))}</text>')
    return _frame(title, height, "".join(parts), x_label, y_label)


def interval_chart(*, title: str, rows: Sequence[tuple[str, float | None, float | None, float | None]],
                   x_label: str, y_label: str, value_format=lambda value: f"{value:+.1f}") -> str:
    """One row per (label, estimate, low, high): the estimate as a dot and its interval as a bar, a line at zero.
    A row without an estimate says so instead."""
    if not rows:
        return ""
    values = [v for _, *numbers in rows for v in numbers if v is not None] + [0.0]
    reach = axis_end(max(abs(v) for v in values) or 1.0, whole=False)
    low, high = (-reach, reach) if min(values) < 0 else (0.0, reach)
    plot_bottom = TOP + ROW_HEIGHT * len(rows)
    height = plot_bottom + BOTTOM

    def x(value: float) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (value - low) / (high - low)

    parts = [_x_axis(low, high, plot_bottom, value_format),
             f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{TOP - 4}" y2="{plot_bottom}" stroke="{ZERO_COLOUR}" '
             f'stroke-dasharray="3,3"/>']
    for index, (label, estimate, ci_low, ci_high) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 4:.0f}" text-anchor="end">{escape(label[:28])}</text>')
        if estimate is None:
            parts.append(f'<text x="{LABEL_WIDTH + 6}" y="{y + 4:.0f}" fill="#767676">no responses to compare yet'
                         f'</text>')
            continue
        if ci_low is not None and ci_high is not None:
            parts.append(f'<line x1="{x(ci_low):.1f}" x2="{x(ci_high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'stroke="{INTERVAL_COLOUR}" stroke-width="6" stroke-linecap="round" opacity="0.45"/>')
        interval = "" if ci_low is None else f" [{value_format(ci_low)}, {value_format(ci_high)}]"
        parts.append(f'<circle cx="{x(estimate):.1f}" cy="{y:.1f}" r="5" fill="{INTERVAL_COLOUR}"><title>'
                     f'{escape(label)}: {escape(value_format(estimate) + interval)}</title></circle>'
                     f'<text x="{LABEL_WIDTH + PLOT_WIDTH + 6}" y="{y + 4:.0f}">{escape(value_format(estimate))}'
                     '</text>')
    return _frame(title, height, "".join(parts), x_label, y_label)
