"""Import throughput: N generated leads, parse + validate + upsert into PostgreSQL, beside the floor
(a raw COPY of the same rows into an empty table).

    python bench/import_bench.py --rows 1000000
"""
import argparse
import tempfile
from pathlib import Path

from _setup import django_on_postgres, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django_on_postgres()

    from django.db import connection

    from core.synthetic import generate_leads
    from leads.models import Lead
    from leads.services import leads_import

    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leads.csv"
        with timed("generate file (not counted)", results):
            generate_leads(args.rows, args.seed, open_share=0.2).to_csv(path, index=False)
        size_mb = path.stat().st_size / 1e6
        Lead.objects.all().delete()

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

    rate_first = args.rows / results["import: first load (all inserted)"]
    rate_again = args.rows / results["import: same file again (all unchanged)"]
    floor = args.rows / results["floor: raw COPY of the file into an empty table"]
    print(f"\nrows {args.rows:,} ({size_mb:.0f} MB CSV)")
    print(f"first load  {first.counts}  -> {rate_first:,.0f} rows/s end to end")
    print(f"re-import   {again.counts}  -> {rate_again:,.0f} rows/s end to end")
    print(f"floor (raw COPY) {floor:,.0f} rows/s; target >= 100,000 rows/s (2x the ~5 s floor at 1M)")


if __name__ == "__main__":
    main()
