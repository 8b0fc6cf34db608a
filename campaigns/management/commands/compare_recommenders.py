"""Persona/segment rules vs propensity ranking on held-out rows: ROC AUC, precision@k, conversions per 1,000."""
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns.attach_propensity import PROPENSITY_TRAINING_ROWS
from campaigns.frames import customers_frame, response_records_frame
from campaigns.ml.compare import compare_on_customers, compare_on_responses
from campaigns.ml.datasets import read_customers, read_responses

RESPONSES_FILE = ("personalisation", "Data.csv")
CUSTOMERS_FILE = ("customer_personality", "marketing_campaign.csv")
COLUMNS = (("dataset", "{:<26}", 26), ("approach", "{:<17}", 17), ("held_out_rows", "{:>9}", 9),
           ("roc_auc", "{:>8.3f}", 8), ("precision_top_10pct", "{:>9.3f}", 9), ("precision_top_20pct", "{:>9.3f}", 9),
           ("conversions_per_1000_contacts", "{:>14.1f}", 14))
HEADINGS = ("dataset", "approach", "held-out", "ROC AUC", "prec@10%", "prec@20%", "conv/1000")


def table_lines(rows: list[dict]) -> list[str]:
    header = " ".join(f"{title:<{width}}" if index < 2 else f"{title:>{width}}"
                      for index, (title, (_, _, width)) in enumerate(zip(HEADINGS, COLUMNS)))
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(" ".join(template.format(row[name]) for name, template, _ in COLUMNS))
    return lines


def sampled(frame: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    return frame.sample(n=rows, random_state=seed) if len(frame) > rows else frame


class Command(BaseCommand):
    help = ("Compare recommenders on held-out data: segment/persona rule only vs propensity ranking (ROC AUC, "
            "precision among the top 10%/20% contacted, expected conversions per 1,000 contacts). Default: the real "
            "public datasets under SHARED_DATA_DIR; --from-db: the response records and customers in the database.")

    def add_arguments(self, parser):
        parser.add_argument("--from-db", action="store_true",
                            help="use the database's response records and customers (persona as the segment rule)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--sample", type=int, default=PROPENSITY_TRAINING_ROWS * 5,
                            help="most rows per dataset used from the database (seeded sample; default 100000)")

    def handle(self, *args, **options):
        seed = options["seed"]
        if options["from_db"]:
            rows = self._from_database(seed, options["sample"])
        else:
            rows = self._from_files(Path(settings.SHARED_DATA_DIR), seed)
        for line in table_lines(rows):
            self.stdout.write(line)

    def _from_files(self, root: Path, seed: int) -> list[dict]:
        responses_path, customers_path = root.joinpath(*RESPONSES_FILE), root.joinpath(*CUSTOMERS_FILE)
        for path in (responses_path, customers_path):
            if not path.is_file():
                raise CommandError(f"{path} is missing: set SHARED_DATA_DIR to the folder holding the real data")
        return [*compare_on_responses(read_responses(responses_path), seed),
                *compare_on_customers(read_customers(customers_path), seed=seed)]

    def _from_database(self, seed: int, sample: int) -> list[dict]:
        rows: list[dict] = []
        responses = response_records_frame()
        if len(responses) and responses["did_purchase"].nunique() == 2:
            rows += compare_on_responses(sampled(responses, sample, seed), seed)
        customers = customers_frame().drop(columns=["customer_id", "segment_key"])
        # Only customers whose file says whether they responded can be compared on it.
        customers = customers[customers["response"].notna()].astype({"response": bool})
        if len(customers) and customers["response"].nunique() == 2:
            customers = sampled(customers, sample, seed)
            segment = "persona" if (customers["persona"] != "").any() else None
            rows += compare_on_customers(customers, segment_column=segment, seed=seed)
        if not rows:
            raise CommandError("the database has no response records or customers with both outcomes to compare on")
        return rows
