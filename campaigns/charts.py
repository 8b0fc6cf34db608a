"""A lift report for people: table rows with rates in % and lift in percentage points, and a server-side SVG bar
chart (no JavaScript or CDN: the admin must work offline).

The chart has one group per row (all offers, then each offer): treated and control acceptance rates as bars, and
the absolute lift with its 95 % interval and verdict as text. The verdict is the one ``campaigns.ml.lift`` derives
from Newcombe's interval and Fisher's exact test; nothing here re-judges it.
"""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns.ml.lift import EMPTY_ARM, NO_RESPONSES

LABEL_WIDTH, BAR_WIDTH, TEXT_WIDTH = 190, 300, 230
BAR_HEIGHT, GROUP_GAP, TOP = 14, 14, 26
TREATED_COLOUR, CONTROL_COLOUR = "#417690", "#b0b0b0"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _points(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.1f} pp"


def verdict(row: dict) -> str:
    """The verdict as ``campaigns.ml.lift.lift_verdict`` gave it, with the exact test's p-value when it has one."""
    lift = row["lift"]
    if lift["p_value"] is None or lift["verdict"] in (EMPTY_ARM, NO_RESPONSES):
        return lift["verdict_label"]
    return f"{lift['verdict_label']} (p {_p_value(lift['p_value'])})"


def _p_value(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def display_row(label: str, row: dict) -> dict[str, object]:
    """One report row as the admin table shows it: counts, rates in %, lift and interval in percentage points."""
    lift = row["lift"]
    return {
        "label": label, "treated": row["treated"], "accepted_treated": row["accepted_treated"],
        "treated_rate": _percent(row["treated_rate"]), "control": row["control"],
        "accepted_control": row["accepted_control"], "control_rate": _percent(row["control_rate"]),
        "lift": _points(lift["absolute"]),
        "interval": "-" if lift["ci_low"] is None else f"[{_points(lift['ci_low'])}, {_points(lift['ci_high'])}]",
        "relative": "-" if lift["relative"] is None else f"{100 * lift['relative']:+.0f}%",
        "incremental": "-" if row["incremental_conversions"] is None else f"{row['incremental_conversions']:+.1f}",
        "verdict": verdict(row),
    }


def report_notes(report: dict) -> list[str]:
    """What the numbers count and what they leave out, as the command and the campaign page print it."""
    runs = ", ".join(f"#{run}" for run in report["segmentation_runs"]) or "none"
    current = report["current_segmentation_run"]
    notes = [f"counts the customers of every assignment that did not expire, from segmentation runs {runs} "
             f"(current: {'#' + str(current) if current else 'none'})"]
    if report["simulated_responses"]:
        notes.append(f"{report['simulated_responses']} of the responses are SIMULATED (demo data, not customers' "
                     "answers)")
    notes += [f"offer {row['name']!r} (#{row['offer']}) reaches nobody: {row['reason']}"
              for row in report["offers_without_customers"]]
    return notes


def segment_label(row: dict) -> str:
    persona = row["persona"] or "(no persona)"
    return persona if row["segment_key"] is None else f"{persona} (segment {row['segment_key']})"


def display_rows(report: dict) -> dict[str, list[dict]]:
    """The report's rows for the admin tables: all offers first, then each offer; and each segment."""
    by_offer = [display_row("All offers", report)] + [
        display_row(f"{row['name']} (#{row['offer']})", row) for row in report["by_offer"]]
    by_segment = [display_row(segment_label(row), row) for row in report["by_segment"]]
    return {"by_offer": by_offer, "by_segment": by_segment}


def lift_label(row: dict) -> str:
    lift = row["lift"]
    if lift["absolute"] is None:
        return verdict(row)
    text = f"{100 * lift['absolute']:+.1f} pp [{100 * lift['ci_low']:+.1f}, {100 * lift['ci_high']:+.1f}]"
    return f"{text} {verdict(row)}"


def lift_chart_svg(report: dict) -> SafeString:
    """Treated vs control acceptance rate bars for the campaign and each of its offers."""
    rows = [("All offers", report)] + [(f"{row['name']} (#{row['offer']})", row) for row in report["by_offer"]]
    rates = [rate for _, row in rows for rate in (row["treated_rate"], row["control_rate"]) if rate is not None]
    scale = max(rates + [0.01])
    group_height = 2 * BAR_HEIGHT + GROUP_GAP
    width = LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH
    height = TOP + len(rows) * group_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="Acceptance rate, treated vs control" style="font:11px sans-serif">',
        f'<rect x="{LABEL_WIDTH}" y="4" width="10" height="10" fill="{TREATED_COLOUR}"/>'
        f'<text x="{LABEL_WIDTH + 14}" y="13">treated (given the offer)</text>'
        f'<rect x="{LABEL_WIDTH + 170}" y="4" width="10" height="10" fill="{CONTROL_COLOUR}"/>'
        f'<text x="{LABEL_WIDTH + 184}" y="13">control (held out)</text>',
    ]
    for index, (label, row) in enumerate(rows):
        y = TOP + index * group_height
        parts.append(f'<text x="0" y="{y + BAR_HEIGHT + 4}">{escape(label[:32])}</text>')
        for offset, (rate, colour) in enumerate(((row["treated_rate"], TREATED_COLOUR),
                                                 (row["control_rate"], CONTROL_COLOUR))):
            bar_y = y + offset * BAR_HEIGHT
            length = 0 if rate is None else round(BAR_WIDTH * rate / scale, 1)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length}" height="{BAR_HEIGHT - 2}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{LABEL_WIDTH + length + 4}" y="{bar_y + BAR_HEIGHT - 3}">{_percent(rate)}</text>')
        parts.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH + 50}" y="{y + BAR_HEIGHT + 4}">'
                     f'{escape(lift_label(row))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text inserted above is escaped
