"""Write a synthetic dataset as files shaped like the real downloads, ready for the importers."""
from pathlib import Path

import pandas as pd

from ._draws import EXTRA_CUSTOMER_STREAM, EXTRA_LEAD_STREAM, stream_for
from .customers import generate_customers
from .extra_columns import with_extra_columns
from .foreign import generate_foreign_customers, generate_foreign_leads
from .leads import generate_leads
from .responses import generate_responses

CUSTOMERS_FILENAME = "customers.csv"
LEADS_FILENAME = "leads.csv"
RESPONSES_FILENAME = "responses.csv"

# Real sizes of the public files, so the default dataset feels like the originals.
REAL_CUSTOMER_COUNT = 2_240
REAL_LEAD_COUNT = 3_690
REAL_RESPONSE_COUNT = 100_000
# Sizes of the other companies' files that issue #12 was tried with.
FOREIGN_LEAD_COUNT = 9_000
FOREIGN_CUSTOMER_COUNT = 200


def write_dataset(
    out_dir: str | Path,
    *,
    customers: int = REAL_CUSTOMER_COUNT,
    leads: int = REAL_LEAD_COUNT,
    responses: int = REAL_RESPONSE_COUNT,
    seed: int = 0,
    open_share: float = 0.0,
    extra_columns: int = 0,
) -> dict[str, Path]:
    """Write ``customers.csv`` (TAB separated), ``leads.csv`` and ``responses.csv`` into ``out_dir``.

    Same arguments give byte-identical files. A count of 0 skips that file; the returned mapping
    ("customers", "leads", "responses" -> path) lists only the files written. ``extra_columns`` appends
    that many typed custom columns to the customer and lead files (see ``extra_columns.py``).
    """
    folder = _folder(out_dir)
    written: dict[str, Path] = {}
    if customers:
        frame = generate_customers(customers, seed)
        written["customers"] = _write_customers(frame, folder, seed=seed, extra_columns=extra_columns, sep="\t")
    if leads:
        frame = generate_leads(leads, seed, open_share=open_share)
        written["leads"] = _write_leads(frame, folder, seed=seed, extra_columns=extra_columns)
    if responses:
        written["responses"] = _write(generate_responses(responses, seed), folder / RESPONSES_FILENAME)
    return written


def write_foreign_dataset(
    out_dir: str | Path,
    *,
    customers: int = FOREIGN_CUSTOMER_COUNT,
    leads: int = FOREIGN_LEAD_COUNT,
    seed: int = 0,
    open_share: float = 0.0,
    extra_columns: int = 0,
) -> dict[str, Path]:
    """Write another company's ``leads.csv`` and ``customers.csv`` (both comma separated) into ``out_dir``.

    Same contract as ``write_dataset``: byte-identical for the same arguments, a count of 0 skips that file.
    """
    folder = _folder(out_dir)
    written: dict[str, Path] = {}
    if customers:
        frame = generate_foreign_customers(customers, seed)
        written["customers"] = _write_customers(frame, folder, seed=seed, extra_columns=extra_columns)
    if leads:
        frame = generate_foreign_leads(leads, seed, open_share=open_share)
        written["leads"] = _write_leads(frame, folder, seed=seed, extra_columns=extra_columns)
    return written


def _folder(out_dir: str | Path) -> Path:
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _write_customers(frame: pd.DataFrame, folder: Path, *, seed: int, extra_columns: int, sep: str = ",") -> Path:
    frame = with_extra_columns(frame, extra_columns, stream_for(seed, EXTRA_CUSTOMER_STREAM))
    return _write(frame, folder / CUSTOMERS_FILENAME, sep=sep)


def _write_leads(frame: pd.DataFrame, folder: Path, *, seed: int, extra_columns: int) -> Path:
    # "%g" prints page views the way the real file does: 2.2, 0, 18.434 (never 2.200 or 0.0).
    frame = with_extra_columns(frame, extra_columns, stream_for(seed, EXTRA_LEAD_STREAM))
    return _write(frame, folder / LEADS_FILENAME, float_format="%g")


def _write(frame: pd.DataFrame, path: Path, sep: str = ",", float_format: str | None = None) -> Path:
    frame.to_csv(path, sep=sep, index=False, lineterminator="\n", float_format=float_format, encoding="utf-8")
    return path
