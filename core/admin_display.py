"""Small display helpers shared by the apps' admins."""
from django.utils.html import format_html


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
