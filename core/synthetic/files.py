"""Write a synthetic dataset as files shaped like the real downloads, ready for the importers."""
from pathlib import Path

import pandas as pd

from .customers import generate_customers
from .leads import generate_leads
from .responses import generate_responses

CUSTOMERS_FILENAME = "customers.csv"
LEADS_FILENAME = "leads.csv"
RESPONSES_FILENAME = "responses.csv"

# Real sizes of the public files, so the default dataset feels like the originals.
REAL_CUSTOMER_COUNT = 2_240
REAL_LEAD_COUNT = 3_690
REAL_RESPONSE_COUNT = 100_000


def write_dataset(
    out_dir: str | Path,
    *,
    customers: int = REAL_CUSTOMER_COUNT,
    leads: int = REAL_LEAD_COUNT,
    responses: int = REAL_RESPONSE_COUNT,
    seed: int = 0,
    open_share: float = 0.0,
) -> dict[str, Path]:
    """Write ``customers.csv`` (TAB separated), ``leads.csv`` and ``responses.csv`` into ``out_dir``.

    Same arguments give byte-identical files. A count of 0 skips that file; the returned mapping
    ("customers", "leads", "responses" -> path) lists only the files written.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if customers:
        written["customers"] = _write(generate_customers(customers, seed), folder / CUSTOMERS_FILENAME, sep="\t")
    if leads:
        # "%g" prints page views the way the real file does: 2.2, 0, 18.434 (never 2.200 or 0.0).
        frame = generate_leads(leads, seed, open_share=open_share)
        written["leads"] = _write(frame, folder / LEADS_FILENAME, float_format="%g")
    if responses:
        written["responses"] = _write(generate_responses(responses, seed), folder / RESPONSES_FILENAME)
    return written


def _write(frame: pd.DataFrame, path: Path, sep: str = ",", float_format: str | None = None) -> Path:
    frame.to_csv(path, sep=sep, index=False, lineterminator="\n", float_format=float_format, encoding="utf-8")
    return path
