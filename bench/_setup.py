"""Shared bench set-up: Django on a dedicated PostgreSQL database (DATABASE_URL, default campaign_engine_bench)."""
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_on_postgres(default_db: str = "campaign_engine_bench") -> None:
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_db}")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("benchmarks measure PostgreSQL: set DATABASE_URL to a postgres:// URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "ensure_database.py")], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@contextmanager
def timed(label: str, results: dict):
    start = time.perf_counter()
    yield
    results[label] = time.perf_counter() - start
    print(f"  {label:<48} {results[label]:8.2f} s", flush=True)


@contextmanager
def step_timers(steps: dict, targets: dict):
    """Time a service's phases without changing it: ``targets`` maps a step name to (module, function name);
    the seconds of its calls add up in ``steps`` under that name."""
    originals = {name: getattr(owner, attribute) for name, (owner, attribute) in targets.items()}

    def timer(name):
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return originals[name](*args, **kwargs)
            finally:
                steps[name] = steps.get(name, 0.0) + time.perf_counter() - start
        return call

    for name, (owner, attribute) in targets.items():
        setattr(owner, attribute, timer(name))
    try:
        yield
    finally:
        for name, (owner, attribute) in targets.items():
            setattr(owner, attribute, originals[name])


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())
