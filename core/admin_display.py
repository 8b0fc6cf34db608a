"""Small display helpers shared by the apps' admins."""
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.models import CustomAttribute, JobChunk


def progress_bar(fraction: float | None, label: str = "") -> str:
    percent = round(100 * (fraction or 0))
    return format_html(
        '<div style="width:120px;background:#eee;border-radius:3px" title="{}">'
        '<div style="width:{}%;background:#417690;color:#fff;font-size:10px;padding:1px 3px;border-radius:3px;'
        'white-space:nowrap">{}%</div></div>',
        label,
        percent,
        percent,
    )


def attribute_value(value, kind: str) -> str:
    """A custom attribute's stored JSON value in words: yes / no for a boolean, "-" for none."""
    if value is None or value == "":
        return "-"
    if kind == "boolean" and isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def attributes_table(values: dict | None, entity: str) -> str:
    """A record's custom attributes as a table of label -> value, labels from core.CustomAttribute (a key with no
    definition shows as itself)."""
    values = values or {}
    if not values:
        return "none"
    known = {a.key: a for a in CustomAttribute.objects.filter(entity=entity, key__in=list(values))}
    rows = sorted(
        ((known[key].label if key in known else key, attribute_value(value, known[key].kind if key in known else ""))
         for key, value in values.items()),
        key=lambda row: row[0].lower(),
    )
    return format_html(
        '<table class="custom-attributes"><tr><th>attribute</th><th>value</th></tr>{}</table>',
        format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
    )


def attributes_display(entity: str):
    """An admin read-only field showing the record's custom attributes (``readonly_fields = (..., "custom_attributes")``
    with ``custom_attributes = attributes_display("leads")`` on the ModelAdmin)."""

    @admin.display(description="custom attributes")
    def custom_attributes(self, obj) -> str:
        return attributes_table(getattr(obj, "attributes", None), entity)

    return custom_attributes


@admin.display(description="stages")
def job_stages(obj) -> str:
    """A run's stages as its record lists them (the nightly run: name, status, rows, seconds, error, step run)."""
    stages = (getattr(obj, "report", None) or {}).get("stages") or []
    if not stages:
        return "none"
    rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (stage.get("name", ""), stage.get("status", ""),
         "" if stage.get("rows") is None else f"{stage['rows']:,}",
         "" if stage.get("seconds") is None else f"{stage['seconds']:.1f}",
         f"#{stage['job']}" if stage.get("job") else "", stage.get("error", ""))
        for stage in stages))
    return format_html("<table><tr><th>stage</th><th>status</th><th>rows</th><th>seconds</th><th>run</th>"
                       "<th>error</th></tr>{}</table>", rows)


@admin.display(description="chunks")
def job_chunks(obj) -> str:
    """The chunks of a run's chunked stages (core.chunks' ledger): stage, number, id range, status, worker, error."""
    rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (chunk.stage, chunk.number, chunk.low, chunk.high, chunk.status, chunk.worker, chunk.error)
        for chunk in JobChunk.objects.filter(run_id=obj.pk)))
    if not rows:
        return "none"
    return format_html("<table><tr><th>stage</th><th>chunk</th><th>ids</th><th>status</th><th>worker</th>"
                       "<th>error</th></tr>{}</table>", rows)
