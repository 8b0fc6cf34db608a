"""Re-score throughput: N generated leads on PostgreSQL, end to end, beside the floor.

End to end = ``leads_rescore()``: DB read (COPY) → champion's calibrated probabilities → scores and tiers, chunk by
chunk, each chunk's changes published (staged with COPY, a score-history row per changed lead, UPDATE … FROM in
place) while the next is scored → the top leads explained in words and their factors published; one transaction. Timed four times: the first scoring (every
score changes), a full re-score with nothing changed (``full=True``: every open lead read and scored), the
nightly incremental re-score with nothing changed, and one after 5 % of the leads had new web activity.

Floor = the raw steps any re-score takes, each as fast as it goes (the re-score floor of ../shared/PERF-NOTES.md,
about 10 s there with gradient boosting): COPY the open leads' features out into pandas, the champion's
``predict_proba`` + tiers, COPY (id, score, tier) into a temp table and one ``UPDATE … FROM`` of the lead table.
It writes no history, no factors and no ``scored_at``. Measured before and after the end-to-end runs (the faster
one counts). Target: end to end ≤ 2× the floor. Printed beside it, the bare floor: ``predict_proba`` + tiers on
the frame in memory plus a COPY into an unlogged table, which writes no lead at all.

    python bench/rescore_bench.py --sizes 100000 1000000

The champion is trained first on the generated leads with a known outcome (--labelled of them, not counted).
Uses its own database (DATABASE_URL, default campaign_engine_bench_leads): it empties the lead tables.
"""
import argparse
import os
import tempfile
from pathlib import Path

from _setup import django_on_postgres, load_average, step_timers, timed


def reset_tables() -> None:
    from django.db import connection

    from leads.models import Lead, LeadActivity, LeadScore, ScoringModel

    tables = [model._meta.db_table for model in (LeadScore, LeadActivity, Lead, ScoringModel)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def load_leads(n: int, labelled: int, seed: int, results: dict) -> None:
    """N generated leads of which ``labelled`` have a known outcome; the champion is trained on those."""
    from django.db import connection

    from leads.services import lead_model_train, leads_import
    from operations.synthetic import generate_leads

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "leads.csv"
        with timed(f"generate {n:,} leads (not counted)", results):
            generate_leads(n, seed, open_share=1 - min(labelled, n) / n).to_csv(path, index=False)
        with timed("import them (not counted)", results):
            job = leads_import(source=path)
    if job.status != "succeeded":
        raise SystemExit(f"import failed: {job.error or job.counts}")
    vacuum_leads()
    with timed(f"train the champion on {labelled:,} labelled leads (not counted)", results):
        model = lead_model_train(trigger="command")
    print(f"    champion v{model.version} {model.algorithm}: {model.decision[:100]}", flush=True)


FLOOR_STEPS = ("read the open leads (COPY TO STDOUT)", "predict_proba + tiers", "COPY (id, score, tier) into a temp "
               "table", "one UPDATE … FROM into the lead table")


def floor(results: dict, label: str) -> tuple[float, float]:
    """The raw steps any re-score must take, timed one by one: (floor, bare floor).

    Floor (the re-score floor of ../shared/PERF-NOTES.md, ≈ 10 s there with gradient boosting): COPY the open leads'
    features out into pandas, the champion's predict_proba + tiers, COPY (id, score, tier) into a temp table and one
    ``UPDATE … FROM`` of the lead table (with the publishing transaction's work_mem), rolled back afterwards.
    Bare floor, for reference: predict_proba + tiers plus a COPY into an unlogged table, writing no lead.
    """
    import pandas as pd
    from django.db import connection, transaction

    from core.bulk import copy_frame
    from core.bulk_read import read_frame
    from leads.ml import FEATURES, score_leads
    from leads.score_writer import PUBLISH_WORK_MEM
    from leads.selectors import champion_model
    from leads.services import model_load, thresholds

    model = model_load(champion_model())
    prefix = f"floor {label}: "
    read, predict, copy, update = (prefix + step for step in FLOOR_STEPS)
    with timed(read, results):
        frame = read_frame(f"SELECT id, {', '.join(FEATURES)} FROM leads_lead WHERE stage NOT IN ('won', 'lost')")
    with timed(predict, results):
        batch = score_leads(model, frame, thresholds=thresholds())  # chunked predict_proba: faster than one call
    rows = pd.DataFrame({"id": frame["id"].to_numpy(), "score": batch.scores, "tier": batch.tiers})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{PUBLISH_WORK_MEM}'")
        cursor.execute("CREATE TEMP TABLE bench_scores_floor (id bigint, score float8, tier varchar(8)) ON COMMIT DROP")
        with timed(copy, results):
            copy_frame(cursor, "bench_scores_floor", rows)
        with timed(update, results):
            cursor.execute("ANALYZE bench_scores_floor")
            cursor.execute("UPDATE leads_lead AS l SET score = s.score, tier = s.tier FROM bench_scores_floor s "
                           "WHERE l.id = s.id")
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scores_bare")
        cursor.execute("CREATE UNLOGGED TABLE bench_scores_bare (id bigint, score float8, tier varchar(8))")
        with timed(prefix + "(bare) COPY into an unlogged table", results):
            copy_frame(cursor, "bench_scores_bare", rows)
        cursor.execute("DROP TABLE bench_scores_bare")
    vacuum_leads()  # not counted: the rolled-back row versions go, as after an import
    bare = results[predict] + results[prefix + "(bare) COPY into an unlogged table"]
    return sum(results[prefix + step] for step in FLOOR_STEPS), bare


def vacuum_leads() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE leads_lead")


def touch_activity(share: float) -> None:
    """New web activity on every 1/share-th lead (not counted): more visits and time, so their scores move."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE leads_lead SET website_visits = website_visits + 3, updated_at = now(), "
                       "time_spent_on_website = time_spent_on_website + 900 WHERE id %% %s = 0", [round(1 / share)])


def end_to_end(label: str, results: dict, full: bool = False):
    from leads import services

    steps: dict[str, float] = {}
    phases = {"read": (services, "leads_frame"), "score + explain": (services.ml, "score_leads"),
              "score and publish, overlapped, with the commit": (services, "_score_and_publish")}
    with timed(label, results), step_timers(steps, phases):
        job = services.leads_rescore(full=full, trigger="command")
    if job.status != "succeeded":
        raise SystemExit(f"re-score failed: {job.error}")
    print("    of which " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items())
          + f"; counts {job.counts}", flush=True)
    return job


def bench_size(n: int, labelled: int, seed: int) -> dict:
    print(f"\n== {n:,} leads (load average {load_average()})", flush=True)
    results: dict[str, float] = {}
    reset_tables()
    load_leads(n, labelled, seed, results)
    before, bare_before = floor(results, "before")
    end_to_end("end to end: first scoring", results)
    end_to_end("end to end: full re-score, none changed", results, full=True)
    end_to_end("end to end: nightly, none changed", results)
    touch_activity(share=0.05)
    end_to_end("end to end: nightly, 5% with new activity", results)
    after, bare_after = floor(results, "after")
    # The machine is shared: the faster of the two floors (measured around the runs) is the stricter yardstick.
    results["floor"], results["bare floor"] = min(before, after), min(bare_before, bare_after)
    print(f"  floor before {before:.2f} s, after {after:.2f} s: using {results['floor']:.2f} s "
          f"(bare floor {results['bare floor']:.2f} s)")
    labels = ("first scoring", "full re-score, none changed", "nightly, none changed",
              "nightly, 5% with new activity")
    for label in (f"end to end: {name}" for name in labels):
        print(f"  {label:<48} {results[label]:8.2f} s = {results[label] / results['floor']:.2f} x the floor "
              f"({results[label] / results['bare floor']:.2f} x the bare floor)")
    print(f"  load average after: {load_average()}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--labelled", type=int, default=20_000, help="leads with a known outcome to train on")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--algorithms", default="", help="candidates to train (LEAD_MODEL_ALGORITHMS), e.g. "
                        "hist_gradient_boosting to bench the gradient-boosting champion; default: all three")
    args = parser.parse_args()
    if args.algorithms:
        os.environ["LEAD_MODEL_ALGORITHMS"] = args.algorithms
    django_on_postgres("campaign_engine_bench_leads")
    summary = {n: bench_size(n, args.labelled, args.seed) for n in args.sizes}
    print("\n       N   floor s    first s  ratio     full s  ratio  nightly s  ratio  night 5% s  ratio   bare floor s")
    for n, results in summary.items():
        floor_s = results["floor"]
        runs = [results[f"end to end: {label}"] for label in
                ("first scoring", "full re-score, none changed", "nightly, none changed",
                 "nightly, 5% with new activity")]
        print(f"{n:>9,}  {floor_s:>7.2f}  " + "  ".join(f"{s:>9.2f}  {s / floor_s:>5.2f}" for s in runs)
              + f"  {results['bare floor']:>12.2f}")
    reset_tables()


if __name__ == "__main__":
    main()
