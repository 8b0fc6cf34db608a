"""Import throughput: N generated leads, parse + validate + upsert into PostgreSQL, beside two floors (the
same file COPYed into a typed, logged table with a primary key, as issue #13 defines it, and into a bare
unlogged table); then the same leads in another company's layout (renamed
columns, other values) with a saved mapping and 10 custom attributes, against the sample layout.

    python bench/import_bench.py --rows 1000000
"""
import argparse
import tempfile
from pathlib import Path

from _setup import django_on_postgres, load_average, step_timers, timed

# The sample columns a CRM export names otherwise (the mapping's synonyms find each of them).
FOREIGN_NAMES = {
    "ID": "Lead ID", "current_occupation": "What is your current occupation", "website_visits": "TotalVisits",
    "time_spent_on_website": "Total Time Spent on Website", "page_views_per_visit": "Page Views Per Visit",
    "last_activity": "Last Activity", "status": "Converted",
}
EXTRA_COLUMNS = 10
# The floor (#13): the same file COPYed into a typed, logged table with a primary key. The bare one:
# every column as loose as the file allows, an unlogged table, no key (what a COPY costs with nothing else).
TYPED_FLOOR = (
    "CREATE TABLE bench_leads_floor (id varchar(64) PRIMARY KEY, age smallint, occ varchar(64), fi varchar(64), "
    "pc varchar(64), wv integer, ts integer, pv float8, la varchar(64), p1 varchar(3), p2 varchar(3), dm varchar(3), "
    "ec varchar(3), rf varchar(3), status smallint)"
)
BARE_FLOOR = (
    "CREATE UNLOGGED TABLE bench_leads_floor (id text, age int, occ text, fi text, pc text, wv int, ts int, "
    "pv float8, la text, p1 text, p2 text, dm text, ec text, rf text, status text)"
)
FLOORS = {"typed": "floor: COPY into a typed, logged table with a key", "bare": "floor: COPY into a bare unlogged table"}


def _empty_leads() -> None:
    from django.db import connection

    from core.models import CustomAttribute
    from leads.models import Lead

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Lead._meta.db_table} CASCADE")
    CustomAttribute.objects.filter(entity="leads").delete()


def _floors(path: Path, results: dict[str, float]) -> dict[str, float]:
    """Seconds of a raw COPY of the file into each floor's table (created, filled in one transaction, dropped)."""
    from django.db import connection, transaction

    for name, create in (("typed", TYPED_FLOOR), ("bare", BARE_FLOOR)):
        with timed(FLOORS[name], results), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_leads_floor")
            cursor.execute(create)
            with cursor.copy("COPY bench_leads_floor FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(path.read_bytes())
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_leads_floor")
    return {name: results[label] for name, label in FLOORS.items()}


def _phases() -> dict[str, tuple[object, str]]:
    """The import's phases: read + validate, the frame for the table, the attributes' JSON, then the upsert (the
    COPY into the table or the stage, and the rest: the UPDATE and INSERT statements)."""
    from core import attributes, bulk, import_runs

    return {"read + validate": (import_runs, "_prepare"), "table frame": (import_runs, "model_frame"),
            "attributes JSON": (attributes, "render"), "upsert": (import_runs, "upsert_frame"),
            "of which COPY": (bulk, "copy_frame")}


def _statement_timer(steps: dict[str, float]):
    """A database execute wrapper adding the seconds of each UPDATE and INSERT … SELECT to ``steps``."""
    import time

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            verb = sql.lstrip().split(" ", 1)[0].upper()
            if verb in ("UPDATE", "INSERT") and " FROM " in sql:
                steps[f"of which {verb}"] = steps.get(f"of which {verb}", 0.0) + time.perf_counter() - start
    return wrapper


def _import(label: str, results: dict[str, float], **kwargs):
    from django.db import connection

    from leads.services import leads_import

    steps: dict[str, float] = {}
    with timed(label, results), step_timers(steps, _phases()), connection.execute_wrapper(_statement_timer(steps)):
        job = leads_import(**kwargs)
    print("    " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items()), flush=True)
    return job


def _beside_floors(label: str, seconds: float, floors: dict[str, float]) -> str:
    return (f"{label:<44} {seconds:6.1f} s = {seconds / floors['typed']:4.1f}x the typed floor "
            f"({floors['typed']:.1f} s; target <= 3x), {seconds / floors['bare']:4.1f}x the bare one "
            f"({floors['bare']:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    django_on_postgres()

    import numpy as np
    from core.import_runs import import_mapping_save
    from core.mapping import suggest_mapping
    from operations.synthetic import generate_leads
    from operations.synthetic.extra_columns import with_extra_columns
    from leads.importers import LEAD_SPEC

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

        floors = _floors(path, results)

        first = _import("import: first load (all inserted)", results, source=path)
        again = _import("import: same file again (all unchanged)", results, source=path)
        _empty_leads()
        mapped_first = _import("mapped + 10 attributes: first load", results, source=mapped_path, mapping="bench crm")
        mapped_again = _import("mapped + 10 attributes: same file again", results, source=mapped_path,
                               mapping="bench crm")

    print(f"\nrows {args.rows:,} ({size_mb:.0f} MB CSV; mapped file with {EXTRA_COLUMNS} extra columns {mapped_mb:.0f} MB)")
    print(f"first load  {first.counts}")
    print(f"re-import   {again.counts}")
    for label, key in (("sample layout, first load", "import: first load (all inserted)"),
                       ("sample layout, same file again", "import: same file again (all unchanged)"),
                       ("mapped + 10 attributes, first load", "mapped + 10 attributes: first load"),
                       ("mapped + 10 attributes, same file again", "mapped + 10 attributes: same file again")):
        print(_beside_floors(label, results[key], floors) + f"; {args.rows / results[key]:,.0f} rows/s")
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
