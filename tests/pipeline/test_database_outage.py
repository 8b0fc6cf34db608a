"""Stop PostgreSQL for ten seconds while a run publishes: the run fails cleanly or is retried (with backoff, then
started again under a new version), and the next run succeeds. The test runs its own throw-away cluster on a free
port (a copy of the test database): the machine's shared server is never stopped."""
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.pipeline.conftest import cannot_run, database_url, free_port, wait_for
from tests.pipeline.test_worker_killed import with_customers

pytestmark = [pytest.mark.pipeline, pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class Cluster:
    """initdb/pg_ctl under a temp folder (as the postgres user when running as root: initdb refuses root)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="pipeline-pg-"))
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        self.data = self.folder / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/pipeline"

    def run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, cwd=self.folder)

    def init(self) -> None:
        self.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self.run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pipeline")

    def start(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o",
                 f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def rows(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster(tmp_path):
    """A throw-away cluster of its own (the test copies the test database into it)."""
    if not (PG_BIN / "initdb").exists():
        cannot_run(f"no PostgreSQL server binaries in {PG_BIN}: the outage test starts a cluster of its own")
    made = Cluster()
    try:
        made.init()
        yield made
    finally:
        made.remove()


def runs(cluster: Cluster) -> list[tuple]:
    return cluster.rows("SELECT id, status, error, params->>'restart_of' FROM core_jobrun "
                        "WHERE kind = 'recluster' ORDER BY id")


def test_database_stopped_for_ten_seconds_during_a_run_then_the_next_run_succeeds(pipeline, cluster, tmp_path):
    with_customers(tmp_path)
    dump = tmp_path / "test.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), database_url()], check=True)
    subprocess.run(["pg_restore", "--no-owner", "-d", cluster.url, str(dump)], check=True)
    arguments = {"k": 3, "then_attach": False}
    first = cluster.rows("INSERT INTO core_jobrun (kind, status, trigger, stage, progress, params, counts, report, "
                         "error, source_name, celery_task_id, created_at) VALUES ('recluster', 'queued', 'schedule', "
                         "'', 0, '{\"k\": 3, \"then_attach\": false}', '{}', '{}', '', '', '', now()) RETURNING id")[0][0]
    pipeline.worker(pause="core.bulk:copy_frame", pause_seconds=3, database=cluster.url)
    pipeline.send("segmentation.recluster_customers", job_id=first, **arguments)
    pipeline.wait_held()

    cluster.stop()
    time.sleep(10)
    cluster.start()

    # the task retries with backoff; its run, cut off, is started again under a new version and succeeds
    wait_for(lambda: any(row[1] == "succeeded" and row[0] > first or row[0] == first and row[1] == "succeeded"
                         for row in runs(cluster)), timeout=120, what="the cut-off run to be retried")
    by_id = {row[0]: row for row in runs(cluster)}
    assert by_id[first][1] in ("succeeded", "failed"), by_id
    if by_id[first][1] == "failed":
        assert by_id[first][2], by_id  # a recorded reason
        restarted = [row for row in by_id.values() if row[3] == str(first)]
        assert [row[1] for row in restarted] == ["succeeded"], by_id
    assert cluster.rows("SELECT count(*) FROM segmentation_segmentationrun WHERE is_current") == [(1,)]

    # the next run succeeds
    nxt = cluster.rows("INSERT INTO core_jobrun (kind, status, trigger, stage, progress, params, counts, report, "
                       "error, source_name, celery_task_id, created_at) VALUES ('recluster', 'queued', 'api', "
                       "'', 0, '{\"k\": 3}', '{}', '{}', '', '', '', now()) RETURNING id")[0][0]
    pipeline.send("segmentation.recluster_customers", job_id=nxt, k=3, then_attach=False)
    wait_for(lambda: cluster.rows(f"SELECT status FROM core_jobrun WHERE id = {nxt}")[0][0] in ("succeeded", "failed"),
             timeout=60, what="the next run")
    assert cluster.rows(f"SELECT status, error FROM core_jobrun WHERE id = {nxt}") == [("succeeded", "")]
