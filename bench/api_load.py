"""Load on the two hot API endpoints under gunicorn + PostgreSQL, beside the floor (bench/api_load_floor.py).

    python bench/api_load.py                                   # 100,000 leads and customers
    python bench/api_load.py --leads 1000000 --customers 1000000

Loads synthetic leads and customers (operations.synthetic, through the import services) into a dedicated database
(DATABASE_URL, default ce_apiload; reused when the row counts already match), gives reps their leads,
scores them and attaches offers, then starts gunicorn (sync workers by default) with the bench settings
(bench/api_load_settings.py) and, for `/api/v1/leads/queue/` and `/api/v1/customers/{id}/offers/`, at each
concurrency: runs the API and its floor one after the other for the same duration and prints p50, p99,
requests/s, the API/floor ratio, CPU milliseconds per request (gunicorn workers) and the SQL queries per
request. The client is asyncio in a few processes, loopback only (gunicorn's sync workers close the
connection after each response, so there is no keep-alive to reuse); every request is bounded by the run's
duration and a timeout.

The clients are closed-loop (each sends its next request when the last one is answered), so by Little's law the
mean latency is clients / requests per second: p99 under 100 ms at 32 clients needs well over 320 req/s, from
the API and the floor alike. `--workers`, `--worker-class` and `--threads` set the one gunicorn both share.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _setup import django_on_postgres

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

REPS = 50
OFFERS = 3
BENCH_CAMPAIGN = "API load bench"
REQUEST_TIMEOUT = 10.0


# --- data -----------------------------------------------------------------------------------------------------


def load_rows(*, leads: int, customers: int, per_rep: int, offered: int, seed: int) -> None:
    """Synthetic rows through the real import services, then reps, scores and offers set in bulk SQL."""
    import tempfile

    from campaigns.models import OfferAssignment
    from leads.models import Lead
    from leads.services import leads_import
    from operations.synthetic import generate_customers, generate_leads
    from segmentation.models import Customer
    from segmentation.services import customers_import

    with tempfile.TemporaryDirectory() as tmp:
        if Lead.objects.count() != leads:
            print(f"loading {leads:,} leads …", flush=True)
            Lead.objects.all().delete()
            path = Path(tmp) / "leads.csv"
            generate_leads(leads, seed, open_share=0.3).to_csv(path, index=False)
            leads_import(source=path)
        if Customer.objects.count() != customers:
            print(f"loading {customers:,} customers …", flush=True)
            OfferAssignment.objects.all().delete()
            Customer.objects.all().delete()
            path = Path(tmp) / "customers.csv"
            generate_customers(customers, seed).to_csv(path, sep="\t", index=False)
            customers_import(source=path)
    prepare_leads(per_rep=per_rep)
    prepare_offers(offered=offered)


def bench_users():
    from django.contrib.auth.models import Group, User
    from rest_framework.authtoken.models import Token

    reps = []
    for n in range(REPS):
        user, _ = User.objects.get_or_create(username=f"bench-rep-{n}")
        user.groups.add(Group.objects.get(name="sales_rep"))
        reps.append(user)
    marketer, _ = User.objects.get_or_create(username="bench-marketer")
    marketer.groups.add(Group.objects.get(name="marketer"))
    tokens = {user.pk: Token.objects.get_or_create(user=user)[0].key for user in [*reps, marketer]}
    return reps, marketer, tokens


def prepare_leads(*, per_rep: int) -> None:
    """Every lead scored (tier by score), recent activity, and `per_rep` open leads held by each rep."""
    from django.db import connection

    reps, _, _ = bench_users()
    rep_ids = [rep.pk for rep in reps]
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM leads_lead")
        first = cursor.fetchone()[0] or 0
        cursor.execute(
            "UPDATE leads_lead SET score = ((id * 7919) %% 10000) / 100.0, "
            "tier = CASE WHEN (id * 7919) %% 10000 >= 7000 THEN 'hot' WHEN (id * 7919) %% 10000 >= 4000 "
            "THEN 'warm' ELSE 'cold' END, "
            "last_activity_at = now() - ((id * 31) %% 20000) * interval '1 minute', "
            "owner_id = CASE WHEN id - %s < %s THEN (%s::bigint[])[1 + (id - %s) %% %s] END, "
            "stage = CASE WHEN id - %s < %s THEN (CASE WHEN id %% 5 = 0 THEN 'contacted' ELSE 'new' END) "
            "ELSE stage END, "
            "status = CASE WHEN id - %s < %s THEN NULL ELSE status END",
            [first, per_rep * REPS, rep_ids, first, REPS, first, per_rep * REPS, first, per_rep * REPS],
        )
        cursor.execute("ANALYZE leads_lead")


def prepare_offers(*, offered: int) -> None:
    """One running campaign with an offer per persona, proposed to the first `offered` customers."""
    from django.db import connection

    from campaigns.models import Campaign, Offer
    from segmentation.personas import PERSONAS

    campaign, _ = Campaign.objects.get_or_create(name=BENCH_CAMPAIGN, defaults={"status": Campaign.Status.ACTIVE})
    if campaign.offers.count() != OFFERS:
        campaign.offers.all().delete()
        for n, persona in enumerate(PERSONAS[:OFFERS]):
            Offer.objects.create(campaign=campaign, name=f"Bench offer {n}", target_personas=[persona],
                                 offer_type=Offer.Type.DISCOUNT, value=10 * (n + 1), message=f"Save {10 * (n + 1)}")
    offer_ids = list(campaign.offers.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM campaigns_offerassignment WHERE campaign_id = %s", [campaign.pk])
        if cursor.fetchone()[0] == offered * OFFERS:
            return
        print(f"proposing {OFFERS} offers to {offered:,} customers …", flush=True)
        cursor.execute("DELETE FROM campaigns_offerassignment WHERE campaign_id = %s", [campaign.pk])
        cursor.execute(
            "INSERT INTO campaigns_offerassignment (campaign_id, offer_id, customer_id, persona, is_control, status, "
            "score, p_accept, rank, created_at, updated_at) "
            "SELECT %s, o.offer_id, c.id, c.persona, false, 'proposed', o.value * p.p, p.p, o.rank, now(), now() "
            "FROM (SELECT id, persona FROM segmentation_customer ORDER BY id LIMIT %s) c "
            "CROSS JOIN unnest(%s::bigint[], %s::numeric[], %s::int[]) AS o(offer_id, value, rank) "
            "CROSS JOIN LATERAL (SELECT ((c.id * 7919 + o.offer_id) %% 1000) / 1000.0 AS p) p",
            [campaign.pk, offered, offer_ids, [10, 20, 30], [1, 2, 3]],
        )
        cursor.execute("ANALYZE campaigns_offerassignment")


def queries_per_request(paths: dict[str, tuple[str, int]], tokens: dict[int, str]) -> dict[str, int]:
    """SQL statements one request runs, counted in-process with the same URLconf gunicorn serves."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    counts = {}
    with override_settings(ROOT_URLCONF="api_load_floor", ALLOWED_HOSTS=["*"]):
        for name, (path, user_id) in paths.items():
            client = Client(HTTP_AUTHORIZATION=f"Token {tokens[user_id]}")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])
            counts[name] = len(queries)
    return counts


def same_json(api: str, floor: str, token: str, port: int) -> bool:
    def get(path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            return response.read()

    return get(api) == get(floor)


# --- gunicorn -------------------------------------------------------------------------------------------------


def start_gunicorn(*, port: int, workers: int, worker_class: str = "sync", threads: int = 1,
                   app: str = "config.wsgi:application") -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "api_load_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), str(ROOT), os.environ.get("PYTHONPATH")])),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "--workers", str(workers), "--worker-class", worker_class,
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn exited during start-up")
            time.sleep(0.3)
    stop_gunicorn(server)
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of gunicorn's workers (children of the master), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # fields[1] is the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# --- load -----------------------------------------------------------------------------------------------------


async def _client(port: int, requests: list[bytes], start: float, stop: float, seed: int) -> tuple[list, int]:
    latencies, errors, index = [], 0, seed
    while time.perf_counter() < stop:
        request = requests[index % len(requests)]
        index += 7
        began = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT)
            writer.write(request)
            data = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)  # sync workers close after each response
            writer.close()
            ok = data[9:12] == b"200"
        except (OSError, asyncio.TimeoutError):
            ok = False
        ended = time.perf_counter()
        if began >= start:
            if ok:
                latencies.append(ended - began)
            else:
                errors += 1
    return latencies, errors


def _client_process(args) -> tuple[list, int]:
    port, requests, clients, start, stop, seed = args

    async def run():
        results = await asyncio.gather(*[_client(port, requests, start, stop, seed + n) for n in range(clients)])
        return [latency for latencies, _ in results for latency in latencies], sum(errors for _, errors in results)

    return asyncio.run(run())


def measure(*, port: int, requests: list[bytes], clients: int, seconds: float, warmup: float, processes: int,
            master_pid: int) -> dict:
    """`clients` concurrent clients for `warmup` + `seconds`; figures over the last `seconds` only."""
    processes = min(processes, clients)
    now = time.perf_counter()
    start, stop = now + warmup, now + warmup + seconds
    shares = [clients // processes + (1 if n < clients % processes else 0) for n in range(processes)]
    jobs = [(port, requests, share, start, stop, random.randrange(10**6)) for share in shares]
    cpu_before = None
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = pool.map_async(_client_process, jobs)
        time.sleep(max(0.0, start - time.perf_counter()))
        cpu_before = worker_cpu_seconds(master_pid)
        results = pending.get(timeout=warmup + seconds + 4 * REQUEST_TIMEOUT)
    cpu = worker_cpu_seconds(master_pid) - cpu_before
    latencies = sorted(latency for part, _ in results for latency in part)
    errors = sum(errors for _, errors in results)
    done = len(latencies)
    return {
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[min(done - 1, int(done * 0.99))] * 1000 if latencies else float("nan"),
        "rps": done / seconds,
        "errors": errors,
        "cpu_ms": cpu * 1000 / done if done else float("nan"),
    }


def http_get(port: int, path: str, token: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n"
            f"Connection: close\r\n\r\n").encode()


# --- main -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--per-rep", type=int, default=200, help="open leads each of the 50 reps holds")
    parser.add_argument("--offered", type=int, default=50_000, help="customers with proposed offers")
    parser.add_argument("--clients", default="8,32", help="concurrency levels, comma separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (API and floor share the server)")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"], help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.per_rep * REPS > args.leads or args.offered > args.customers:
        sys.exit("--per-rep × 50 must not exceed --leads, nor --offered --customers")

    django_on_postgres("ce_apiload")
    load_rows(leads=args.leads, customers=args.customers, per_rep=args.per_rep, offered=args.offered,
              seed=args.seed)
    from segmentation.models import Customer

    reps, marketer, tokens = bench_users()
    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[: args.offered])
    sample = random.Random(args.seed).sample(customer_ids, min(2000, len(customer_ids)))
    rep = reps[0]
    queries = queries_per_request({
        "queue api": ("/api/v1/leads/queue/", rep.pk), "queue floor": ("/floor/leads/queue/", rep.pk),
        "offers api": (f"/api/v1/customers/{sample[0]}/offers/", marketer.pk),
        "offers floor": (f"/floor/customers/{sample[0]}/offers/", marketer.pk),
    }, tokens)

    port = args.port
    scenarios = {
        "/api/v1/leads/queue/": {
            "api": [http_get(port, "/api/v1/leads/queue/", tokens[r.pk]) for r in reps],
            "floor": [http_get(port, "/floor/leads/queue/", tokens[r.pk]) for r in reps],
            "queries": (queries["queue api"], queries["queue floor"]),
        },
        "/api/v1/customers/{id}/offers/": {
            "api": [http_get(port, f"/api/v1/customers/{pk}/offers/", tokens[marketer.pk]) for pk in sample],
            "floor": [http_get(port, f"/floor/customers/{pk}/offers/", tokens[marketer.pk]) for pk in sample],
            "queries": (queries["offers api"], queries["offers floor"]),
        },
    }
    server_config = f"{args.workers} {args.worker_class} workers" + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else "")
    print(f"\n{args.leads:,} leads, {args.customers:,} customers; gunicorn {server_config}; "
          f"{args.seconds:g} s per run after {args.warmup:g} s warm-up; PostgreSQL {os.environ['DATABASE_URL']}")
    server = start_gunicorn(port=port, workers=args.workers, worker_class=args.worker_class, threads=args.threads)
    try:
        checks = {
            "queue": same_json("/api/v1/leads/queue/", "/floor/leads/queue/", tokens[rep.pk], port),
            "offers": same_json(f"/api/v1/customers/{sample[0]}/offers/", f"/floor/customers/{sample[0]}/offers/",
                                tokens[marketer.pk], port),
        }
        same = ", ".join(f"{name} {'yes' if equal else 'NO'}" for name, equal in checks.items())
        print(f"floor JSON identical to the API's: {same}")
        header = f"{'endpoint':<32} {'clients':>7} {'way':<6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} " \
                 f"{'api/floor':>9} {'CPU ms/req':>10} {'queries':>7} {'errors':>6}"
        print(header)
        print("-" * len(header))
        for endpoint, scenario in scenarios.items():
            for clients in [int(c) for c in args.clients.split(",")]:
                figures = {}
                for way in ("api", "floor"):
                    figures[way] = measure(port=port, requests=scenario[way], clients=clients, seconds=args.seconds,
                                           warmup=args.warmup, processes=args.client_processes,
                                           master_pid=server.pid)
                for way, query_count in zip(("api", "floor"), scenario["queries"]):
                    f = figures[way]
                    ratio = f"{figures['api']['rps'] / figures['floor']['rps']:.2f}" if way == "api" else ""
                    print(f"{endpoint:<32} {clients:>7} {way:<6} {f['p50']:>8.1f} {f['p99']:>8.1f} {f['rps']:>8.0f} "
                          f"{ratio:>9} {f['cpu_ms']:>10.2f} {query_count:>7} {f['errors']:>6}", flush=True)
    finally:
        stop_gunicorn(server)


if __name__ == "__main__":
    main()
