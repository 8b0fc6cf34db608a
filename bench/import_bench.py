"""Import throughput: N generated leads, parse + validate + upsert into PostgreSQL, beside two floors (the
same file COPYed into a typed, logged table with a primary key, as issue #13 defines it, and into a bare
unlogged table); then the same leads in another company's layout (renamed
columns, other values) with a saved mapping and 10 custom attributes, against the sample layout. After each
first load it times PostgreSQL alone storing the rows that load stored (no Python), so the mapped/sample ratio
can be read against what the database needs for the rows themselves.

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
DATABASE_ALONE = {"sample": "database alone: sample layout's stored rows",
                  "mapped": "database alone: mapped file's stored rows",
                  "short keys": "database alone: the same, keys of two characters"}
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


def _stored_rows(results: dict[str, float], label: str, short_keys_label: str = "") -> None:
    """Seconds PostgreSQL alone takes to store the rows a first load just stored: the lead table's rows (every
    column but the generated id, jsonb printed as text) COPYed out, then timed COPYing back into an empty copy of
    the table with its fillfactor and primary key. No Python in between: the import's database-side floor, the
    same for both layouts, so the ratio of the two is what the layouts' rows alone cost the database.
    `short_keys_label`: also time the same rows with each custom attribute's key cut to two characters (the most
    compact JSONB object a row could carry), to show how much of the cost is the keys."""
    from django.db import connection, transaction

    from core.models import CustomAttribute
    from leads.models import Lead

    table = Lead._meta.db_table
    columns = ", ".join(f.column for f in Lead._meta.concrete_fields if not f.primary_key)
    out = bytearray()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
            for block in copy:
                out += block
        cursor.execute("SELECT coalesce(array_to_string(reloptions, ', '), '') FROM pg_class WHERE oid = %s::regclass",
                       [table])
        options = cursor.fetchone()[0]
    rows = {label: bytes(out)}
    if short_keys_label:
        short = rows[label]
        keys = CustomAttribute.objects.filter(entity="leads").values_list("key", flat=True)
        for number, key in enumerate(sorted(keys, key=len, reverse=True)):
            short = short.replace(f'"{key}"'.encode(), f'"k{number}"'.encode())
        rows[short_keys_label] = short
    del out
    for timed_label, data in rows.items():
        with timed(timed_label, results), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_lead_rows")
            cursor.execute(f"CREATE TABLE bench_lead_rows (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)"
                           + (f" WITH ({options})" if options else ""))
            cursor.execute("ALTER TABLE bench_lead_rows ADD PRIMARY KEY (id)")
            with cursor.copy(f"COPY bench_lead_rows ({columns}) FROM STDIN") as copy:
                for start in range(0, len(data), 1 << 24):
                    copy.write(data[start:start + (1 << 24)])
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_lead_rows")


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
        _stored_rows(results, DATABASE_ALONE["sample"])
        again = _import("import: same file again (all unchanged)", results, source=path)
        _empty_leads()
        mapped_first = _import("mapped + 10 attributes: first load", results, source=mapped_path, mapping="bench crm")
        _stored_rows(results, DATABASE_ALONE["mapped"], DATABASE_ALONE["short keys"])
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
    sample_alone, mapped_alone = (results[DATABASE_ALONE[name]] for name in ("sample", "mapped"))
    print(f"database alone (the first load's stored rows COPYed into an empty copy of the lead table, no Python): "
          f"mapped {mapped_alone:.1f} s vs sample {sample_alone:.1f} s = {mapped_alone / sample_alone:.2f}x; with "
          f"keys of two characters {results[DATABASE_ALONE['short keys']]:.1f} s = "
          f"{results[DATABASE_ALONE['short keys']] / sample_alone:.2f}x")
    sample_first = results["import: first load (all inserted)"]
    for keys, alone in (("its keys", mapped_alone), ("keys of two characters", results[DATABASE_ALONE["short keys"]])):
        bound = (sample_first - sample_alone + alone) / sample_first
        print(f"lower bound for the mapped first load, {keys}: the sample import with its rows' database time "
              f"replaced by the mapped rows' ({sample_first:.1f} - {sample_alone:.1f} + {alone:.1f} s) = {bound:.2f}x "
              "the sample import, before any of the mapped file's own extra work (10 more columns read, "
              "validated and rendered as JSON)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
