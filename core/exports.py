"""CSV exports that are safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab/carriage return) would be run as a formula by Excel/LibreOffice
(CSV injection); such text cells get a leading apostrophe. Numbers are written as numbers, so a negative
score stays a number.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield CSV text line by line (for streaming responses and files alike)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()


def write_csv(path, header: list[str], rows: Iterable[Iterable]) -> int:
    """Write rows to `path`; returns the number of data rows."""
    count = -1
    with open(path, "w", newline="", encoding="utf-8") as handle:
        for count, line in enumerate(csv_lines(header, rows)):
            handle.write(line)
    return max(count, 0)
