"""Real worker processes, a throw-away Redis and the test PostgreSQL database for the fault tests.

The workers are `celery -A tests.pipeline.worker_app worker` subprocesses (prefork, one child) reading the test
database through DATABASE_URL; each test's Redis runs on its own port and is killed afterwards. Nothing here
touches the machine's shared Redis or PostgreSQL."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from config.celery import app as project_app
from core.models import JobRun

PROJECT_ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(os.sys.executable).with_name("celery"))
STALE_SECONDS = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def database_url(name: str | None = None, port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/"
            f"{name or db['NAME']}")


class Redis:
    """redis-server on a free port, its append-only file in a temp folder so a restart keeps queued messages."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.folder), "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.answers, timeout=10, what="redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.process.wait(timeout=10)


class Worker:
    """One `celery worker` process group; `kill()` is SIGKILL to the whole group, as a lost machine would be."""

    def __init__(self, log: Path, env: dict):
        self.log = log
        self.process = subprocess.Popen(
            [CELERY, "-A", "tests.pipeline.worker_app", "worker", "--pool=prefork", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", f"pipeline-{log.stem}@%h"],
            cwd=PROJECT_ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(lambda: "ready." in log.read_text() or self.process.poll() is not None, timeout=60,
                 what="the worker to start")
        assert self.process.poll() is None, log.read_text()[-3000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def cannot_run(reason: str) -> None:
    """In CI a fault test that cannot run fails (none may be skipped there); on a bare machine it is skipped."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        cannot_run("redis-server is not installed: the fault tests need a real Redis")
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pipeline(redis_server, tmp_path, settings):
    """Start workers and send tasks the way a deployment does: through the broker, each task naming its run."""
    if connection.vendor != "postgresql":
        cannot_run("the fault tests need PostgreSQL (DATABASE_URL): their workers are separate processes")
    settings.JOB_STALE_SECONDS = STALE_SECONDS
    workers: list[Worker] = []
    sender = Celery("pipeline-tests", broker=redis_server.url)
    # A new Celery app makes itself the current one; core reaches the project's app as celery.current_app, so give
    # it back, or code the test runs in-process would send to this test's broker after it is stopped.
    project_app.set_current()

    class Pipeline:
        redis = redis_server
        flag = tmp_path / "held"

        @staticmethod
        def worker(*, pause: str = "", pause_seconds: float | None = None, database: str | None = None) -> Worker:
            env = {**os.environ, "DATABASE_URL": database or database_url(), "REDIS_URL": redis_server.url,
                   "MEDIA_ROOT": str(settings.MEDIA_ROOT), "JOB_STALE_SECONDS": str(STALE_SECONDS),
                   "JOB_HEARTBEAT_SECONDS": "0.5", "PIPELINE_PAUSE": pause, "PIPELINE_PAUSE_FLAG": str(Pipeline.flag),
                   "PIPELINE_PAUSE_SECONDS": "" if pause_seconds is None else str(pause_seconds),
                   "DJANGO_SETTINGS_MODULE": "config.settings"}
            worker = Worker(tmp_path / f"worker-{len(workers)}.log", env)
            workers.append(worker)
            return worker

        @staticmethod
        def send(task: str, **kwargs) -> None:
            sender.send_task(task, kwargs=kwargs)

        @staticmethod
        def wait_held(timeout: float = 60) -> None:
            wait_for(Pipeline.flag.exists, timeout=timeout, what="the worker to reach the held function")

        @staticmethod
        def wait_finished(job_id: int, timeout: float = 120) -> JobRun:
            done = (JobRun.Status.SUCCEEDED, JobRun.Status.PARTIAL, JobRun.Status.FAILED, JobRun.Status.SKIPPED)
            return wait_for(lambda: JobRun.objects.filter(pk=job_id, status__in=done).first(), timeout=timeout,
                            what=f"run #{job_id} to finish")

        @staticmethod
        def logs() -> str:
            return "\n".join(worker.log.read_text()[-4000:] for worker in workers)

    yield Pipeline
    for worker in workers:
        worker.kill()
    sender.close()
