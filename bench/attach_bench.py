"""Attach throughput: N generated customers with personas set in bulk (income terciles), one campaign with the
default offer of each persona, ``offers_attach`` timed end to end: the first run (every row inserted), a re-run
with the same inputs (nothing written), and a run after 10 % of the customers moved persona (their pending offers
expired, new ones proposed). Also times the campaign's lift report. Starts from empty customer and assignment
tables. The attach runs in-process here (no broker): the one-pass form; through workers it is chunked
(campaigns/attach_chunks.py), which bench/nightly_bench.py measures.

    python bench/attach_bench.py --customers 1000000
"""
import argparse
import tempfile
from pathlib import Path

from _setup import django_on_postgres, timed

PERSONAS_BY_TERCILE = """
WITH edges AS (
    SELECT percentile_cont(ARRAY[1.0 / 3, 2.0 / 3]) WITHIN GROUP (ORDER BY income) AS e
    FROM segmentation_customer WHERE income IS NOT NULL
)
UPDATE segmentation_customer SET persona = CASE
    WHEN income IS NULL THEN ''
    WHEN income < (SELECT e[1] FROM edges) THEN 'deal_oriented'
    WHEN income < (SELECT e[2] FROM edges) THEN 'value_family'
    ELSE 'premium' END
"""
MOVE_TENTH_OF_CUSTOMERS = """
UPDATE segmentation_customer SET persona = CASE persona
    WHEN 'premium' THEN 'deal_oriented' WHEN 'deal_oriented' THEN 'value_family' ELSE 'premium' END
WHERE id % 10 = 0 AND persona <> ''
"""


def print_run(label: str, job, seconds: float, customers: int) -> None:
    counts, report = job.counts, job.report
    print(f"\n{label}: {job.status}, {seconds:.1f} s end to end -> {customers / seconds:,.0f} customers/s")
    print("  counts  " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))
    print("  stages  " + ", ".join(f"{stage} {value:.1f} s" for stage, value in report["timings"].items()))
    propensity = report["propensity"]
    if "held_out_roc_auc" in propensity:
        print(f"  P(accept) model {propensity['model']}, held-out ROC AUC {propensity['held_out_roc_auc']}, "
              f"trained on {propensity['training_rows']:,} of {propensity['customers']:,} customers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django_on_postgres("campaign_engine_bench_attach")

    from django.db import connection

    from campaigns.selectors import campaign_lift_report
    from campaigns.services import campaign_create, offers_attach
    from operations.synthetic import generate_customers
    from segmentation.services import customers_import

    results: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE campaigns_offerassignment, segmentation_customer CASCADE")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers.tsv"
        with timed("generate customers (not counted)", results):
            generate_customers(args.customers, args.seed).to_csv(path, sep="\t", index=False)
        with timed("import customers (not counted)", results):
            imported = customers_import(source=path)
    print(f"  imported {imported.counts}")
    with timed("personas by income tercile, one UPDATE (not counted)", results):
        with connection.cursor() as cursor:
            cursor.execute(PERSONAS_BY_TERCILE)
            cursor.execute("ANALYZE segmentation_customer")
    campaign = campaign_create(name="Bench: attach", with_default_offers=True, get_existing=True)

    with timed("offers_attach: first run (all inserted)", results):
        first = offers_attach(campaign=campaign)
    with timed("offers_attach: same inputs again (nothing written)", results):
        again = offers_attach(campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(MOVE_TENTH_OF_CUSTOMERS)
    with timed("offers_attach: after 10% of customers moved persona", results):
        moved = offers_attach(campaign=campaign)
    with timed("campaign_lift_report (admin page, API, command)", results):
        campaign_lift_report(campaign=campaign)

    print(f"\ncustomers {args.customers:,}, campaign #{campaign.pk} with {campaign.offers.count()} offers")
    print_run("first run", first, results["offers_attach: first run (all inserted)"], args.customers)
    print_run("re-run", again, results["offers_attach: same inputs again (nothing written)"], args.customers)
    print_run("after moves", moved, results["offers_attach: after 10% of customers moved persona"], args.customers)


if __name__ == "__main__":
    main()
