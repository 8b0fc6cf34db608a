"""Page load times of the rep's workspace with N leads (default 1,000,000) on PostgreSQL.

Set-up (not timed): N generated leads through the real import service (``operations.synthetic``, as the other benches),
a champion trained on ``--labelled`` of them, a full re-score (scores, tiers, history, factors for the best-scored
and queued leads), two reps dealt their capacity (50 each) by the round robin, and an incremental re-score that
explains their queues. The bench then requests, as a logged-in rep with Django's test client (the whole middleware
stack, templates and database; no network):

- ``GET /queue/``: the rep's open leads in priority order and the best claimable leads;
- ``GET /queue/?tier=hot``;
- ``GET /queue/leads/<id>/`` for the top lead of the queue (explained by the re-score);
- ``GET /queue/leads/<id>/`` for a claimable lead outside the explained few (explained on the page).

Each ``--requests`` times (default 50) after one warm-up request, printing median and p95 in ms and the queries
per request. The first request after start (or every 2 minutes) also finds the best unowned leads for the
claimable list (a full read of the lead table: no index holds the score); it is timed and printed on its own.

    python bench/pages_bench.py                       # 1,000,000 leads
    python bench/pages_bench.py --leads 100000 --requests 20

Uses its own database (DATABASE_URL, default campaign_engine_bench_pages): it empties the lead tables.
"""
import argparse
import statistics
import time

from _setup import django_on_postgres, load_average, timed

REPS = 2


def load(n: int, labelled: int, seed: int, results: dict) -> None:
    """The re-score bench's set-up (generate, import, train a logistic-regression champion), then a full re-score."""
    from django.conf import settings
    from django.db import connection

    from leads.services import leads_rescore
    from rescore_bench import load_leads, reset_tables

    reset_tables()
    settings.LEAD_MODEL_ALGORITHMS = ("logistic_regression",)
    load_leads(n, labelled, seed, results)
    with timed("re-score every open lead", results):
        leads_rescore(full=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE leads_lead")  # what autovacuum does after a load


def reps():
    """Two reps with a capacity of 50 each, dealt the best leads by the round robin; their queues explained."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from leads.models import SalesRep
    from leads.services import leads_assign_round_robin, leads_rescore

    users = []
    for n in range(REPS):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-page-rep-{n}", defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name="sales_rep"))
        SalesRep.objects.update_or_create(user=user, defaults={"capacity": 50, "is_active": True})
        users.append(user)
    print(f"  round robin: {leads_assign_round_robin()}", flush=True)
    leads_rescore()  # incremental: explains the leads just dealt
    return users


def time_requests(client, path: str, count: int) -> tuple[list[float], int]:
    from django.db import connection

    response = client.get(path)  # warm-up (templates, compiled statements, model cache)
    assert response.status_code == 200, (path, response.status_code)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        client.get(path)
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        timings.append(1000 * (time.perf_counter() - start))
        assert response.status_code == 200
    return timings, len(queries)


def report(label: str, timings: list[float], queries: int) -> None:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"  {label:<58} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
          f"{queries} queries", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--labelled", type=int, default=20_000, help="leads with a known outcome (training)")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the leads already loaded (same --leads)")
    args = parser.parse_args()
    django_on_postgres("campaign_engine_bench_pages")

    from django.core.cache import cache
    from django.test import Client

    from leads.models import Lead
    from leads.selectors import rep_queue_rows

    results: dict[str, float] = {}
    print(f"set-up ({args.leads:,} leads, not counted):", flush=True)
    if not (args.reuse and Lead.objects.count() == args.leads):
        load(args.leads, args.labelled, args.seed, results)
    rep = reps()[0]
    client = Client()
    client.force_login(rep)
    cache.clear()
    start = time.perf_counter()
    assert client.get("/queue/").status_code == 200
    print(f"  first GET /queue/ (finds the best unowned leads)         {1000 * (time.perf_counter() - start):7.1f} ms")

    top = rep_queue_rows(user=rep)[0]["id"]
    unexplained = (Lead.objects.filter(owner__isnull=True, factors={}, scoring_model__isnull=False)
                   .exclude(stage__in=("won", "lost")).values_list("id", flat=True).first())
    pages = [("GET /queue/", "/queue/"), ("GET /queue/?tier=hot", "/queue/?tier=hot"),
             ("GET /queue/leads/<top of the queue>/", f"/queue/leads/{top}/")]
    if unexplained is not None:
        pages.append(("GET /queue/leads/<claimable, explained on the page>/", f"/queue/leads/{unexplained}/"))
    print(f"pages ({args.requests} requests each, after one warm-up; load average {load_average()}):", flush=True)
    for label, path in pages:
        report(label, *time_requests(client, path, args.requests))


if __name__ == "__main__":
    main()
