"""Charts of lead-scoring models and lead scores for the admin, drawn on the server.

Model charts are matplotlib (Agg) PNG data URIs, like the segmentation charts; a lead's score trend is a tiny
hand-written inline SVG (a few hundred bytes, drawn for every lead page). No Django and no JavaScript here: inputs
are the plain JSON a ``ScoringModel`` stores (``metrics``, ``drivers``) and lists of numbers.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

CHAMPION_COLOUR = "#c0392b"
CANDIDATE_COLOURS = ("#417690", "#e08a1e", "#2f8f6b", "#7b4fa0")
PRECISION_COLOUR, RECALL_COLOUR = "#417690", "#e08a1e"
TIER_LABELS = {"hot": "hot", "warm": "warm", "cold": "cold"}
DPI = 96
MAX_DRIVERS = 13  # every raw field of the ExtraaLearn data


def calibration_chart(curves: Mapping[str, Sequence[Mapping[str, Any]]], champion: str) -> str | None:
    """Predicted against observed conversion per probability band, one line per candidate, the chosen one bold;
    a well calibrated model follows the diagonal. ``curves`` maps algorithm → stored calibration bins."""
    curves = {name: bins for name, bins in curves.items() if bins}
    if not curves:
        return None
    figure = _figure(5.2, 4.2)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot([0, 1], [0, 1], linestyle="--", color="#999", linewidth=1, label="perfectly calibrated")
    others = iter(CANDIDATE_COLOURS)
    for name, bins in sorted(curves.items(), key=lambda item: item[0] == champion):
        chosen = name == champion
        axes.plot([b["mean_predicted"] for b in bins], [b["observed"] for b in bins], marker="o",
                  markersize=5 if chosen else 3, linewidth=2.2 if chosen else 1, alpha=1 if chosen else 0.7,
                  color=CHAMPION_COLOUR if chosen else next(others, "#8a8a8a"),
                  label=f"{name} (chosen)" if chosen else name)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("predicted conversion (mean of the band)", fontsize=8)
    axes.set_ylabel("observed conversion on held-out leads", fontsize=8)
    axes.set_title("calibration: does a score of 80 mean 80 %?", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", fontsize=7)
    return _png(figure)


def tier_chart(tiers: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Precision (share of a tier's leads that converted) and recall (share of all converters in the tier) per
    tier, bars labelled with percentages; the x labels carry each tier's lead count."""
    names = [tier for tier in TIER_LABELS if tier in tiers]
    if not names:
        return None
    figure = _figure(5.2, 3.0)
    axes = figure.add_subplot(1, 1, 1)
    positions = range(len(names))
    width = 0.38
    for offset, key, colour in ((-width / 2, "precision", PRECISION_COLOUR), (width / 2, "recall", RECALL_COLOUR)):
        values = [tiers[tier].get(key) for tier in names]
        bars = axes.bar([p + offset for p in positions], [v or 0.0 for v in values], width, color=colour, label=key)
        axes.bar_label(bars, labels=["-" if v is None else f"{v:.0%}" for v in values], fontsize=7, padding=2)
    axes.set_xticks(list(positions), [f"{TIER_LABELS[t]}\n{tiers[t].get('leads', 0):,} leads" for t in names])
    axes.set_ylim(0, 1.15)
    axes.set_ylabel("share", fontsize=8)
    axes.set_title("per tier on held-out leads", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.legend(fontsize=7, loc="upper right")
    return _png(figure)


def importance_chart(importance: Sequence[Mapping[str, Any]]) -> str | None:
    """Permutation importance: the drop in held-out ROC AUC when a field is shuffled, largest on top, with the
    spread over repeats as error bars."""
    rows = list(importance)[:MAX_DRIVERS]
    if not rows:
        return None
    rows = rows[::-1]
    figure = _figure(6.5, 0.6 + 0.32 * len(rows))
    axes = figure.add_subplot(1, 1, 1)
    drops = [row["auc_drop"] for row in rows]
    axes.barh([row.get("label", row["feature"]) for row in rows], drops,
              xerr=[row.get("auc_drop_std", 0.0) for row in rows],
              color=["#417690" if drop > 0 else "#b0b0b0" for drop in drops], error_kw={"elinewidth": 0.8})
    axes.axvline(0, color="#333", linewidth=0.8)
    axes.set_xlabel("drop in held-out ROC AUC when the field is shuffled", fontsize=8)
    axes.set_title("what the model leans on", fontsize=9)
    axes.tick_params(labelsize=8)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)


def score_sparkline(scores: Sequence[float], *, hot: float, warm: float, width: int = 220, height: int = 44) -> str:
    """Inline SVG of scores (0-100, oldest first) with dashed lines at the hot and warm thresholds and the latest
    score dotted; a single score is a dot. Returns "" without scores."""
    if not scores:
        return ""
    pad = 3

    def x(position: int) -> float:
        return pad + (width - 2 * pad) * (position / (len(scores) - 1) if len(scores) > 1 else 1.0)

    def y(score: float) -> float:
        return pad + (height - 2 * pad) * (1 - min(max(float(score), 0.0), 100.0) / 100.0)

    points = " ".join(f"{x(i):.1f},{y(score):.1f}" for i, score in enumerate(scores))
    thresholds = "".join(
        f'<line x1="0" x2="{width}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="{colour}" '
        f'stroke-dasharray="3,3" stroke-width="1"/>'
        for level, colour in ((hot, CHAMPION_COLOUR), (warm, "#e08a1e"))
    )
    last = scores[-1]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="score trend, latest {float(last):.0f}">'
        f'<rect width="{width}" height="{height}" fill="#f8f8f8"/>{thresholds}'
        f'<polyline points="{points}" fill="none" stroke="#417690" stroke-width="1.5"/>'
        f'<circle cx="{x(len(scores) - 1):.1f}" cy="{y(last):.1f}" r="2.5" fill="#417690"/></svg>'
    )


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def score_trend_svg(points: Sequence[tuple[Any, float]], *, hot: float, warm: float, width: int = 520,
                    height: int = 230) -> str:
    """A lead's score over time as an inline SVG chart: title, y axis "score (0-100 points)" with ticks, x axis
    "scored on (date)" with the first and last dates, the hot and warm thresholds dashed. ``points`` are
    (datetime, score), oldest first. Returns "" without points. Labels are dates and numbers only (no escaping
    needed)."""
    if not points:
        return ""
    left, right, top, bottom = 56, 16, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(position: int) -> float:
        return left + plot_w * (position / (len(points) - 1) if len(points) > 1 else 0.5)

    def y(score: float) -> float:
        return top + plot_h * (1 - min(max(float(score), 0.0), 100.0) / 100.0)

    ticks = "".join(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#e4e4e4"/>'
        f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>' for v in (0, 25, 50, 75, 100))
    thresholds = "".join(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" stroke="{colour}" '
        f'stroke-dasharray="4,3"/><text x="{left + plot_w - 2}" y="{y(level) - 3:.1f}" text-anchor="end" '
        f'fill="{colour}">{name} ≥ {level:g}</text>'
        for level, colour, name in ((hot, CHAMPION_COLOUR, "hot"), (warm, "#e08a1e", "warm")))
    line = " ".join(f"{x(i):.1f},{y(score):.1f}" for i, (_, score) in enumerate(points))
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(score):.1f}" r="3" fill="#417690"><title>'
                   f'{when:%Y-%m-%d %H:%M}: {float(score):.1f}</title></circle>' for i, (when, score) in enumerate(points))
    first, last = points[0][0], points[-1][0]
    dates = (f'<text x="{x(0):.1f}" y="{top + plot_h + 16}" text-anchor="start">{first:%Y-%m-%d}</text>'
             + (f'<text x="{x(len(points) - 1):.1f}" y="{top + plot_h + 16}" text-anchor="end">{last:%Y-%m-%d}'
                f'</text>' if len(points) > 1 else ""))
    title = f"Score trend: {len(points)} score{'s' if len(points) != 1 else ''}, latest {float(points[-1][1]):.0f}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{title}" style="font:11px sans-serif">'
        f'<title>{title}</title><text x="{left}" y="16" font-weight="bold" font-size="12">{title}</text>'
        f'{ticks}{thresholds}<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#333"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>'
        f'<polyline points="{line}" fill="none" stroke="#417690" stroke-width="2"/>{dots}{dates}'
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle">scored on (date)</text>'
        f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" text-anchor="middle">'
        f'score (0-100 points)</text></svg>'
    )
