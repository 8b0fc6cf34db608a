"""The whole nightly run on PostgreSQL through real Celery workers: 1 worker process, then 2, beside the floors.

Set-up (not counted): N generated customers and M leads imported, a campaign with the default offers, the lead
model trained on --labelled leads with a known outcome. Before each measured run the results are reset (no
segmentation, no offer assignment, no lead score), so every run does the same, heaviest, work: re-cluster every
customer, attach offers to every customer, score every open lead. Each run is the ``core.nightly_run`` task sent
through Redis to `celery worker` subprocesses (one child each) on this bench's database; its seconds per stage
are read from the run's record (``report["stages"]``).

Floors, as in ../shared/PERF-NOTES.md and the other bench scripts (measured once, after the runs, in this process):
re-cluster = the engine on the in-memory frame + a raw COPY of the membership rows (bench/recluster_bench.py);
attach = propensity and planning on the in-memory frames (one pass) + a raw COPY of the inserted rows (through
workers the attach is chunked, campaigns/attach_chunks.py: its own seconds per step are printed after each run);
re-score = COPY out, predict_proba + tiers, COPY into a temp table, one UPDATE … FROM (bench/rescore_bench.py).
Targets: the whole run <= 2x the sum of the floors, and 2 workers faster than 1.

    python bench/nightly_bench.py --customers 1000000 --leads 1000000
    python bench/nightly_bench.py --customers 100000 --leads 100000 --workers 1 2

Uses its own database (DATABASE_URL, default campaign_engine_bench_nightly) and Redis database (--redis, default
redis://127.0.0.1:6379/14, flushed before each run): it empties the customer, lead and campaign tables.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, django_on_postgres, load_average, timed

STAGES = ("re-cluster customers", "prune segment history", "attach offers", "retrain lead model if due",
          "re-score leads")
# the chunked attach's steps (campaigns.attach_chunks), in the order they run; the run's record keeps no order
ATTACH_STEPS = ("read responses and offers", "train propensity", "score customers in chunks", "plan audiences",
                "publish")
FLOOR_OF_STAGE = {"re-cluster customers": "re-cluster", "attach offers": "attach", "re-score leads": "re-score"}


def load(customers: int, leads: int, labelled: int, seed: int, results: dict) -> None:
    from django.db import connection

    from campaigns.services import campaign_create
    from leads.services import lead_model_train, leads_import
    from operations.synthetic import generate_customers, generate_leads
    from segmentation.services import customers_import

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE campaigns_offerassignment, segmentation_segmentmembership, leads_leadscore, "
                       "leads_leadactivity, leads_lead, segmentation_customer CASCADE")
    with tempfile.TemporaryDirectory() as tmp:
        with timed(f"generate and import {customers:,} customers (not counted)", results):
            path = Path(tmp) / "customers.tsv"
            generate_customers(customers, seed).to_csv(path, sep="\t", index=False)
            customers_import(source=path)
        with timed(f"generate and import {leads:,} leads (not counted)", results):
            path = Path(tmp) / "leads.csv"
            generate_leads(leads, seed, open_share=1 - min(labelled, leads) / leads).to_csv(path, index=False)
            leads_import(source=path)
    with timed(f"train the lead model on {labelled:,} labelled leads (not counted)", results):
        lead_model_train(trigger="command")
    campaign_create(name="Bench: nightly", with_default_offers=True, get_existing=True)


def reset_results() -> None:
    """No segmentation, assignment or score: the next nightly run re-does everything (not counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE campaigns_offerassignment, segmentation_segmentmembership, leads_leadscore")
        cursor.execute("UPDATE segmentation_customer SET segment_id = NULL, persona = '' "
                       "WHERE segment_id IS NOT NULL OR persona <> ''")
        cursor.execute("DELETE FROM segmentation_segment")
        cursor.execute("DELETE FROM segmentation_segmentationrun")
        cursor.execute("UPDATE leads_lead SET score = NULL, tier = '', scoring_model_id = NULL, scored_at = NULL, "
                       "factors = '{}' WHERE score IS NOT NULL")
    for table in ("segmentation_customer", "leads_lead", "campaigns_offerassignment"):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def start_workers(count: int, redis_url: str, log_dir: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING"}
    workers = []
    for number in range(count):
        log = log_dir / f"worker-{number}.log"
        workers.append(subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config.celery", "worker", "--pool=prefork",
             "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO",
             "-n", f"nightly-bench-{number}@%h"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True))
    deadline = time.monotonic() + 120
    while not all("ready." in log.read_text() for log in log_dir.glob("worker-*.log")):
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker did not start: " + "".join(p.read_text()[-2000:] for p in log_dir.glob("*.log")))
        time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def nightly_through_workers(count: int, redis_url: str) -> tuple[float, dict, dict]:
    """Seconds of one nightly run with ``count`` worker processes, its seconds per stage, and the attach's seconds
    per step (its job's ``report["timings"]``)."""
    import redis
    from celery import Celery

    from core.job_runs import job_create
    from core.models import JobRun

    redis.Redis.from_url(redis_url).flushdb()
    sender = Celery("nightly-bench", broker=redis_url)
    with tempfile.TemporaryDirectory() as logs:
        workers = start_workers(count, redis_url, Path(logs))
        try:
            job = job_create(kind=JobRun.Kind.NIGHTLY, trigger=JobRun.Trigger.COMMAND)
            started = time.perf_counter()
            sender.send_task("core.nightly_run", kwargs={"job_id": job.pk})
            while not JobRun.objects.filter(pk=job.pk, status__in=("succeeded", "partial", "failed")).exists():
                if all(worker.poll() is not None for worker in workers):
                    raise SystemExit("the workers died: " + "".join(p.read_text()[-2000:]
                                                                    for p in Path(logs).glob("*.log")))
                time.sleep(0.2)
            seconds = time.perf_counter() - started
        finally:
            stop_workers(workers)
            sender.close()
    job.refresh_from_db()
    stages = {stage["name"]: stage for stage in job.report.get("stages", [])}
    failed = [f"{name}: {stage['error']}" for name, stage in stages.items() if stage["status"] != "succeeded"]
    if job.status != "succeeded" or failed:
        raise SystemExit(f"nightly run #{job.pk} {job.status}: {job.error} {failed}")
    attach = JobRun.objects.filter(pk=stages["attach offers"]["job"]).first() if "attach offers" in stages else None
    return seconds, {name: stage["seconds"] for name, stage in stages.items()}, (attach.report.get("timings", {})
                                                                                 if attach else {})


def attach_floor(results: dict) -> float:
    """Propensity and planning on the in-memory frames plus a raw COPY of the inserted rows (unlogged table)."""
    from django.db import connection
    from django.utils import timezone

    from campaigns.attach import BASE_COLUMN, CampaignTarget, plan_campaign
    from campaigns.attach_propensity import base_propensity
    from campaigns.frames import assignments_frame, customers_frame, insert_rows, offers_frame, \
        recorded_responses_frame
    from campaigns.ml.smoothing import acceptance_rates
    from campaigns.selectors import campaigns_running
    from core.bulk import copy_frame

    customers, recorded = customers_frame(), recorded_responses_frame()
    rates = acceptance_rates(recorded) if len(recorded) else None
    campaigns = list(campaigns_running().order_by("id"))
    # as in the measured runs, which start with no assignment: every row is inserted
    frames = [(campaign, offers_frame(campaign), assignments_frame(campaign).iloc[0:0]) for campaign in campaigns]
    with timed("floor: attach, propensity and planning in memory", results):
        customers[BASE_COLUMN], _ = base_propensity(customers, rates)
        plans = [plan_campaign(campaign=CampaignTarget(c.pk, c.control_share, c.audience_cap), customers=customers,
                               offers=offers, existing=existing, rates=rates) for c, offers, existing in frames]
    rows = [insert_rows(plan, None, timezone.now()) for plan in plans]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_assignment_floor")
        # its ids drawn as the table's own are (LIKE alone copies the NOT NULL id without its identity)
        cursor.execute("CREATE UNLOGGED TABLE bench_assignment_floor "
                       "(LIKE campaigns_offerassignment INCLUDING DEFAULTS INCLUDING IDENTITY)")
        with timed("floor: attach, raw COPY of the inserted rows", results):
            for frame in rows:
                copy_frame(cursor, "bench_assignment_floor", frame)
        cursor.execute("DROP TABLE bench_assignment_floor")
    return results["floor: attach, propensity and planning in memory"] + \
        results["floor: attach, raw COPY of the inserted rows"]


def floors(results: dict) -> dict[str, float]:
    """Each chunk-free floor on the state a nightly run leaves (segments and personas, scored leads)."""
    from recluster_bench import floor as recluster_floor
    from rescore_bench import floor as rescore_floor

    return {"re-cluster": recluster_floor(results, "nightly"), "attach": attach_floor(results),
            "re-score": rescore_floor(results, "nightly")[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--labelled", type=int, default=20_000, help="leads with a known outcome to train on")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("LEAD_MODEL_ALGORITHMS", "logistic_regression")
    os.environ.pop("REDIS_URL", None)  # this process sets up and measures floors in-process; workers get --redis
    django_on_postgres("campaign_engine_bench_nightly")
    results: dict[str, float] = {}
    print(f"== {args.customers:,} customers, {args.leads:,} leads (load average {load_average()})", flush=True)
    load(args.customers, args.leads, args.labelled, args.seed, results)
    runs = {}
    for count in args.workers:
        reset_results()
        runs[count] = nightly_through_workers(count, args.redis)
        print(f"  nightly run, {count} worker process(es): {runs[count][0]:.2f} s (load average {load_average()})",
              flush=True)
        steps = sorted(runs[count][2].items(), key=lambda item: ATTACH_STEPS.index(item[0])
                       if item[0] in ATTACH_STEPS else len(ATTACH_STEPS))
        print("    attach offers: " + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps), flush=True)
    floor = floors(results)
    total_floor = sum(floor.values())
    print(f"\n{'stage':<28}" + "".join(f"{f'{n} worker(s) s':>16}" for n in runs) + f"{'floor s':>10}")
    for stage in STAGES:
        floor_s = floor.get(FLOOR_OF_STAGE.get(stage, ""))
        print(f"{stage:<28}" + "".join(f"{run[1].get(stage, 0.0):>16.2f}" for run in runs.values())
              + (f"{floor_s:>10.2f}" if floor_s is not None else f"{'-':>10}"))
    print(f"{'whole run':<28}" + "".join(f"{run[0]:>16.2f}" for run in runs.values()) + f"{total_floor:>10.2f}")
    print(f"{'ratio to the sum of floors':<28}" + "".join(f"{run[0] / total_floor:>16.2f}" for run in runs.values()))
    if len(runs) > 1:
        first, *others = runs
        for other in others:
            print(f"{first} vs {other} workers: {runs[first][0] / runs[other][0]:.2f}x faster with {other}")


if __name__ == "__main__":
    main()
