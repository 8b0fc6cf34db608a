"""Import throughput: N generated leads, parse + validate + upsert into PostgreSQL, beside the floor
(a raw COPY of the same rows into an empty table); then the same leads in another company's layout (renamed
columns, other values) with a saved mapping and 10 custom attributes, against the sample layout.

    python bench/import_bench.py --rows 1000000
"""
import argparse
import tempfile
from pathlib import Path

from _setup import django_on_postgres, load_average, timed

# The sample columns a CRM export names otherwise (the mapping's synonyms find each of them).
FOREIGN_NAMES = {
    "ID": "Lead ID", "current_occupation": "What is your current occupation", "website_visits": "TotalVisits",
    "time_spent_on_website": "Total Time Spent on Website", "page_views_per_visit": "Page Views Per Visit",
    "last_activity": "Last Activity", "status": "Converted",
}
EXTRA_COLUMNS = 10


def _empty_leads() -> None:
    from django.db import connection

    from core.models import CustomAttribute
    from leads.models import Lead

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Lead._meta.db_table} CASCADE")
    CustomAttribute.objects.filter(entity="leads").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django_on_postgres()

    import numpy as np
    from django.db import connection

    from core.imports import import_mapping_save
    from core.mapping import suggest_mapping
    from core.synthetic import generate_leads
    from core.synthetic.extra_columns import with_extra_columns
    from leads.importers import LEAD_SPEC
    from leads.services import leads_import

    results: dict[str, float] = {}
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        path, mapped_path = Path(tmp) / "leads.csv", Path(tmp) / "crm_leads.csv"
        with timed("generate files (not counted)", results):
            frame = generate_leads(args.rows, args.seed, open_share=0.2)
            frame.to_csv(path, index=False)
            foreign = with_extra_columns(frame.rename(columns=FOREIGN_NAMES), EXTRA_COLUMNS,
                                         np.random.default_rng(args.seed))
            foreign["Converted"] = foreign["Converted"].map({1: "Won", 0: "Lost", 1.0: "Won", 0.0: "Lost"})
            foreign.to_csv(mapped_path, index=False)
            del frame
            import_mapping_save(entity="leads", name="bench crm",
                                mapping=suggest_mapping(list(foreign.columns), LEAD_SPEC, foreign.head(10_000)))
            del foreign
        size_mb = path.stat().st_size / 1e6
        mapped_mb = mapped_path.stat().st_size / 1e6
        _empty_leads()

        with timed("floor: raw COPY of the file into an empty table", results):
            with connection.cursor() as cursor:
                cursor.execute("DROP TABLE IF EXISTS bench_leads_floor")
                cursor.execute(
                    "CREATE UNLOGGED TABLE bench_leads_floor (id text, age int, occ text, fi text, pc text, wv int, "
                    "ts int, pv float8, la text, p1 text, p2 text, dm text, ec text, rf text, status text)"
                )
                with cursor.copy("COPY bench_leads_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                    copy.write(path.read_bytes())
                cursor.execute("DROP TABLE bench_leads_floor")

        with timed("import: first load (all inserted)", results):
            first = leads_import(source=path)
        with timed("import: same file again (all unchanged)", results):
            again = leads_import(source=path)
        _empty_leads()
        with timed("mapped + 10 attributes: first load", results):
            mapped_first = leads_import(source=mapped_path, mapping="bench crm")
        with timed("mapped + 10 attributes: same file again", results):
            mapped_again = leads_import(source=mapped_path, mapping="bench crm")

    rate_first = args.rows / results["import: first load (all inserted)"]
    rate_again = args.rows / results["import: same file again (all unchanged)"]
    floor = args.rows / results["floor: raw COPY of the file into an empty table"]
    print(f"\nrows {args.rows:,} ({size_mb:.0f} MB CSV; mapped file with {EXTRA_COLUMNS} extra columns {mapped_mb:.0f} MB)")
    print(f"first load  {first.counts}  -> {rate_first:,.0f} rows/s end to end")
    print(f"re-import   {again.counts}  -> {rate_again:,.0f} rows/s end to end")
    print(f"floor (raw COPY) {floor:,.0f} rows/s; target >= 100,000 rows/s (2x the ~5 s floor at 1M)")
    print(f"mapped first load {mapped_first.status} {mapped_first.counts}")
    print(f"mapped re-import  {mapped_again.status} {mapped_again.counts}")
    for case in ("first load", "same file again"):
        sample = results[f"import: {case} (all inserted)" if case == "first load"
                         else "import: same file again (all unchanged)"]
        mapped = results[f"mapped + 10 attributes: {case}"]
        print(f"mapped + {EXTRA_COLUMNS} attributes vs sample layout, {case}: {mapped:.1f} s vs {sample:.1f} s "
              f"= {mapped / sample:.2f}x (target <= 1.5x)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
