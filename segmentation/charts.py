"""Charts for the admin, drawn on the server with matplotlib (Agg) and returned as PNG data URIs.

No Django here and no JavaScript or CDN in the page: the admin embeds ``<img src="data:image/png;base64,...">``.
Inputs are the plain JSON the runs and segments store (metrics per k, segment sizes, profiles).
"""
from __future__ import annotations

import base64
import io

from segmentation.ml.profiles import FEATURE_LABELS
from segmentation.personas import PERSONA_LABELS

PERSONA_COLOURS = {"premium": "#7b4fa0", "deal_oriented": "#e08a1e", "value_family": "#2f8f6b"}
OTHER_COLOUR = "#8a8a8a"
CHOSEN_COLOUR = "#c0392b"
# What a marketer looks at first to see why a segment got its persona.
KEY_FEATURES = (
    "income", "total_spend", "deal_share", "children_at_home", "catalog_share", "store_share", "web_share",
    "web_visits_month", "campaigns_accepted", "wine_share", "meat_share", "age", "tenure_days",
)
METRIC_PANELS = (
    ("silhouette", "silhouette (higher is better)"),
    ("calinski_harabasz", "Calinski-Harabasz (higher is better)"),
    ("davies_bouldin", "Davies-Bouldin (lower is better)"),
)
MAX_PROFILE_BARS = 13
DPI = 96


def metrics_chart(metrics: list[dict], chosen_k: int | None) -> str | None:
    """Silhouette, Calinski-Harabasz and Davies-Bouldin against k, the chosen k marked; None without metrics."""
    if not metrics:
        return None
    figure = _figure(10.5, 2.8)
    ks = [row["k"] for row in metrics]
    for index, (name, title) in enumerate(METRIC_PANELS):
        axes = figure.add_subplot(1, len(METRIC_PANELS), index + 1)
        points = [(row["k"], row[name]) for row in metrics if row.get(name) is not None]
        if points:
            axes.plot(*zip(*points), marker="o", color="#417690")
        chosen = [value for k, value in points if k == chosen_k]
        if chosen:
            axes.plot([chosen_k], chosen, marker="o", markersize=11, color=CHOSEN_COLOUR, linestyle="none",
                      label=f"chosen k = {chosen_k}")
            axes.legend(loc="best", fontsize=8)
        axes.set_title(title, fontsize=9)
        axes.set_xlabel("k (segments)", fontsize=8)
        axes.set_xticks(ks)
        axes.tick_params(labelsize=8)
        axes.grid(alpha=0.3)
    return _png(figure)


def segment_sizes_chart(segments: list[tuple[str, str, int]]) -> str | None:
    """Horizontal bars of customers per segment, coloured by persona; ``segments`` are (label, persona, size)."""
    if not segments:
        return None
    figure = _figure(7.5, 0.5 + 0.45 * len(segments))
    axes = figure.add_subplot(1, 1, 1)
    labels = [label for label, _, _ in segments][::-1]
    sizes = [size for _, _, size in segments][::-1]
    colours = [PERSONA_COLOURS.get(persona, OTHER_COLOUR) for _, persona, _ in segments][::-1]
    bars = axes.barh(labels, sizes, color=colours)
    total = sum(sizes) or 1
    axes.bar_label(bars, labels=[f"{size:,} ({size / total:.0%})" for size in sizes], fontsize=8, padding=3)
    axes.set_xlim(0, max(sizes) * 1.25 or 1)
    axes.set_xlabel("customers", fontsize=8)
    axes.tick_params(labelsize=8)
    _persona_legend(axes, {persona for _, persona, _ in segments})
    return _png(figure)


def profile_chart(profile: dict, title: str) -> str | None:
    """How far the segment's mean sits from all customers' mean, in standard deviations, per key feature,
    each bar labelled with the two means: the picture behind "why this segment is premium". Without the sample's
    key features (another company's file), the most distinctive of the features the run profiled."""
    features = {name: stats for name, stats in profile.get("features", {}).items() if stats.get("z") is not None}
    names = [name for name in KEY_FEATURES if name in features]
    if not names:
        names = sorted(features, key=lambda name: -abs(features[name]["z"]))[:MAX_PROFILE_BARS]
    if not names:
        return None
    figure = _figure(8.5, 0.6 + 0.38 * len(names))
    axes = figure.add_subplot(1, 1, 1)
    names = names[::-1]
    z = [features[name]["z"] for name in names]
    colours = ["#417690" if value >= 0 else "#c46f3d" for value in z]
    bars = axes.barh([features[name].get("label") or FEATURE_LABELS.get(name, name) for name in names], z,
                     color=colours)
    axes.bar_label(
        bars, fontsize=7, padding=3,
        labels=[f"{_short(features[n]['mean'])} vs {_short(features[n]['overall_mean'])}" for n in names],
    )
    reach = max(1.0, max(abs(value) for value in z)) * 1.6
    axes.set_xlim(-reach, reach)
    axes.axvline(0, color="#333", linewidth=0.8)
    axes.set_xlabel("segment mean vs all customers (standard deviations); labels: segment vs all", fontsize=8)
    axes.set_title(title, fontsize=9)
    axes.tick_params(labelsize=8)
    return _png(figure)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _persona_legend(axes, personas: set[str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=PERSONA_COLOURS[p], label=PERSONA_LABELS[p]) for p in PERSONA_COLOURS if p in personas]
    if handles:
        axes.legend(handles=handles, fontsize=8, loc="best")


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _short(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
