"""Locate the real public datasets that sit beside the project (never copied into it).

One environment variable, ``SHARED_DATA_DIR`` (default ``<project>/../shared/data``), points at them.
A missing file fails the test instead of skipping it: CI has the data, so a skip would hide a broken path.
"""
import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    return Path(os.environ.get("SHARED_DATA_DIR", PROJECT_ROOT.parent / "shared" / "data")).resolve()


def shared_data_path(*parts: str) -> Path:
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared dataset {path} is missing: set SHARED_DATA_DIR to the folder holding the real data")
    return path


CUSTOMERS_FILE = ("customer_personality", "marketing_campaign.csv")
LEADS_FILE = ("extraalearn", "leads_train.csv")
RESPONSES_CSV = ("personalisation", "Data.csv")
RESPONSES_XLSX = ("personalisation", "Data.xlsx")
