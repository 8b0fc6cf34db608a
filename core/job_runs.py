"""Job runs: create, lock (no two runs of one job at a time), report progress, finish or fail.

A run that ends without finishing — its body raised, the process running it was stopped (SIGTERM, Ctrl-C), its
database connection was lost, or it was found dead by `jobs_release_stale` — is marked failed with a one-line
reason and its lock released, and `job_abandoned` is sent so each app closes its own records of the run (core
names no app: they connect in their AppConfig.ready).

Liveness: while a run works, a side thread writes its heartbeat every JOB_HEARTBEAT_SECONDS on its own
connection, whatever the body is doing; a run with no heartbeat for JOB_STALE_SECONDS is dead (its worker was
killed, its machine lost) and the next trigger of that job releases it and starts at once.

Versions: a run's id is its version (ids only grow, so within a kind a newer run has a higher id). A run is
started once: a task delivered again for a run that already started or finished does nothing (`JobNotRun`), and
a run that lost its lock (found dead, replaced by a newer run) publishes nothing (`job_fence`).
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.errors import ConflictError, UserError
from core.models import JobRun

logger = logging.getLogger(__name__)

# sent with `job` (the failed JobRun, already saved) when a run ends without finishing; receivers close the
# domain records of that run still marked running, and must not raise
job_abandoned = Signal()

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class JobInterrupted(BaseException):
    """The process running a command-line job was asked to stop. A BaseException, like KeyboardInterrupt,
    so no `except Exception` on the way up swallows it."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


class JobNotRun(UserError):
    """This run is not (or no longer) the one to do the work: nothing was written."""


class JobAlreadyRunning(JobNotRun, ConflictError):
    """Another run of the same job holds the lock."""

    def __init__(self, running: JobRun | None):
        self.running = running
        where = f" (run #{running.pk}, started {running.started_at:%Y-%m-%d %H:%M})" if running and running.started_at else ""
        super().__init__(f"another run of this job is in progress{where}; try again when it has finished")


def job_create(
    *, kind: str, trigger: str = JobRun.Trigger.COMMAND, params: dict | None = None, user=None, source_name: str = "",
    celery_task_id: str = "",
) -> JobRun:
    return JobRun.objects.create(
        kind=kind,
        trigger=trigger,
        params=params or {},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        source_name=source_name[:255],
        celery_task_id=celery_task_id or "",
    )


def jobs_release_stale(*, kind: str | None = None) -> int:
    """Mark runs whose worker died (no heartbeat for JOB_STALE_SECONDS) as failed, releasing their lock, and
    have each app close the dead run's records (`job_abandoned`).

    A run whose row is locked is inside its publishing transaction (`job_fence`), so it is alive whatever its
    heartbeat says (the heartbeat thread waits on that lock): it is skipped, not released under its feet."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = JobRun.objects.filter(status=JobRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    if kind:
        stale = stale.filter(kind=kind)
    released = 0
    for job in list(stale):
        with transaction.atomic():
            dead = JobRun.objects.select_for_update(skip_locked=True).filter(
                pk=job.pk, status=JobRun.Status.RUNNING, heartbeat_at__lt=cutoff)
            closed = JobRun.objects.filter(pk__in=list(dead.values_list("pk", flat=True))).update(
                status=JobRun.Status.FAILED, lock_key=None, finished_at=timezone.now(), error=STALE_ERROR
            )
        if closed:  # this caller released it (not a concurrent one, and it did not wake up meanwhile)
            job.refresh_from_db()
            _announce_abandoned(job)
            released += 1
    return released


STALE_ERROR = "no heartbeat: worker stopped"
REDELIVERED_ERROR = "stopped by a new delivery of its task: the earlier attempt ended (worker lost, or retried)"
# how a run that was stopped from outside (not failing on its own) is recorded: a task delivered again for it
# starts it over under a new version (core.jobs.job_for_delivery)
STOPPED_ERRORS = (STALE_ERROR, "database connection lost", "stopped by ")


def job_release_ended_attempt(job: JobRun) -> bool:
    """Release a running run whose task message is being delivered again: that attempt ended (its worker was
    lost, or it raised and is retried), so waiting JOB_STALE_SECONDS for it is pointless. Should the old attempt
    be alive after all, it has lost its lock and publishes nothing (`job_fence`)."""
    with transaction.atomic():
        mine = JobRun.objects.select_for_update(skip_locked=True).filter(pk=job.pk, status=JobRun.Status.RUNNING)
        closed = JobRun.objects.filter(pk__in=list(mine.values_list("pk", flat=True))).update(
            status=JobRun.Status.FAILED, lock_key=None, finished_at=timezone.now(), error=REDELIVERED_ERROR)
    if closed:
        job.refresh_from_db()
        _announce_abandoned(job)
    return bool(closed)


def job_abandoned_by_worker(job: JobRun) -> bool:
    """True when `job` failed because its worker stopped (killed, lost its database), not on its own."""
    return job.status == JobRun.Status.FAILED and job.error.startswith(STOPPED_ERRORS)


class JobSuperseded(JobNotRun):
    """The run lost its lock while working (found dead, a newer run started): what it computed is not published."""

    def __init__(self, job: JobRun):
        super().__init__(f"run #{job.pk} no longer holds the {job.kind} lock (found dead or replaced by a newer "
                         "run): its results were not published")


def job_fence(job: JobRun) -> None:
    """Call first inside the transaction that publishes a run's results: raises `JobSuperseded` (rolling the
    publish back) unless `job` still holds its job's lock, and locks the run's row until the commit so
    `jobs_release_stale` cannot release it half way. A run that was declared dead and replaced can then never
    write over the newer run's results."""
    held = (JobRun.objects.select_for_update(no_key=True)
            .filter(pk=job.pk, status=JobRun.Status.RUNNING, lock_key=job.kind).values_list("pk", flat=True))
    if not list(held):
        raise JobSuperseded(job)


class BeatingThread(ABC):
    """Calls ``beat()`` every JOB_HEARTBEAT_SECONDS from a daemon thread with its own database connection while the
    ``with`` block runs, so work busy in one long statement or computation still shows it is alive. A beat the
    database refuses is logged and skipped (the work itself will find the database away)."""

    name = "heartbeat"

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)

    @abstractmethod
    def beat(self) -> None:
        """One beat: the write that shows the work is alive."""

    def _run(self) -> None:
        from django.db import connections

        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except DatabaseError as exc:
                    logger.warning("%s not written (%s)", self.name, exc)
                    connections.close_all()
        finally:
            connections.close_all()


class Heartbeat(BeatingThread):
    """A running job's heartbeat (``JobRun.heartbeat_at``), written on its own whatever the job is doing. Stops with
    the job."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.name = f"job-{job_id}-heartbeat"
        super().__init__()

    def beat(self) -> None:
        JobRun.objects.filter(pk=self.job_id, status=JobRun.Status.RUNNING).update(heartbeat_at=timezone.now())


class JobTracker:
    """Progress reporting for a running job. Writes go straight to the row (autocommit), so readers see them
    while the job works; at most one write every half second unless the stage changes."""

    def __init__(self, job: JobRun):
        self.job = job
        self._last_write = 0.0

    def progress(self, stage: str, fraction: float) -> None:
        fraction = max(0.0, min(1.0, float(fraction)))
        now = time.monotonic()
        if stage == self.job.stage and now - self._last_write < 0.5 and fraction < 1.0:
            return
        self.job.stage, self.job.progress = stage[:64], fraction
        self._last_write = now
        JobRun.objects.filter(pk=self.job.pk).update(stage=self.job.stage, progress=fraction, heartbeat_at=timezone.now())

    def stage_callback(self, base: float, span: float):
        """A callback for ML code reporting (stage, fraction) mapped into [base, base + span] of the job."""

        def report(stage: str, fraction: float) -> None:
            self.progress(stage, base + span * fraction)

        return report


@contextmanager
def job_running(job: JobRun, *, exclusive: bool = True) -> Iterator[JobTracker]:
    """Run the body as `job`: take the lock, mark running, then succeeded (or failed with the error).

    Only a queued run starts: one already started or finished raises `JobNotRun` and writes nothing (a task
    delivered twice). While the body runs a `Heartbeat` thread keeps the run alive.
    The body sets `job.counts`, `job.report` and may set `job.status` to PARTIAL before leaving.
    A failure is recorded and re-raised; whatever the body published in its own transaction stays as it was, so a failed run changes nothing users see. A command-line run
    (trigger COMMAND, main thread) turns SIGTERM and SIGINT into `JobInterrupted`, so a stopped command
    records its run as failed and releases its lock on the way out.
    """
    if exclusive:
        jobs_release_stale(kind=job.kind)
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = JobRun.objects.filter(pk=job.pk, status=JobRun.Status.QUEUED).update(
                status=JobRun.Status.RUNNING,
                lock_key=job.kind if exclusive else None,
                started_at=now,
                heartbeat_at=now,
                stage="starting",
            )
    except IntegrityError:
        running = JobRun.objects.filter(lock_key=job.kind).first()
        JobRun.objects.filter(pk=job.pk).update(
            status=JobRun.Status.SKIPPED, finished_at=timezone.now(), error=str(JobAlreadyRunning(running))
        )
        job.refresh_from_db()
        raise JobAlreadyRunning(running) from None
    if not updated:
        current = JobRun.objects.filter(pk=job.pk).first()
        if current is None:
            raise JobRun.DoesNotExist(f"job run {job.pk} does not exist")
        raise JobNotRun(f"run #{job.pk} is already {current.status}: not started again")
    job.status, job.started_at, job.stage = JobRun.Status.RUNNING, now, "starting"
    tracker = JobTracker(job)
    try:
        with _stop_signals_interrupt(job.trigger == JobRun.Trigger.COMMAND), Heartbeat(job.pk):
            yield tracker
    except BaseException as exc:
        job.error, stopped = _failure_reason(job, exc)
        job.status = JobRun.Status.FAILED
        _job_close_failed(job)
        if stopped:  # a command names the run in one line instead of a traceback (core.management.job_command)
            exc.stopped_run = job
        raise
    if job.status == JobRun.Status.RUNNING:
        job.status = JobRun.Status.SUCCEEDED
    job.progress, job.stage = 1.0, "done"
    _job_close(job)


@contextmanager
def _stop_signals_interrupt(active: bool) -> Iterator[None]:
    """While active (and on the main thread, where Python delivers signals), SIGTERM and SIGINT raise
    `JobInterrupted` in the job's body; the handlers in place before are restored after."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise JobInterrupted(signum)

    previous = {signum: signal.signal(signum, interrupt) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def interruption(exc: BaseException | None) -> BaseException | None:
    """The stop request (JobInterrupted, KeyboardInterrupt) behind `exc`, if any: a signal that lands inside a
    query can surface as a database error raised while handling it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (JobInterrupted, KeyboardInterrupt)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


# SQLSTATEs of a connection the server ended or never gave: connection exceptions (08…), admin/crash shutdown
CONNECTION_LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def connection_lost(exc: BaseException) -> bool:
    """True when `exc` is the database connection going away (not a bad statement on a live connection).
    Told from the error itself: by the time it is seen Django may already have reconnected."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(CONNECTION_LOST_SQLSTATES)
    # PostgreSQL errors the server sends carry a SQLSTATE; one without is the client finding no server
    return connection.vendor == "postgresql"


def _failure_reason(job: JobRun, exc: BaseException) -> tuple[str, bool]:
    """The one line stored on the run, and whether the run was stopped (signal, lost connection) rather than
    failing on its own; a traceback is logged only for a failure that may be a bug."""
    if isinstance(exc, UserError):
        logger.warning("job %s refused: %s", job, exc)
        return str(exc), False
    stop = interruption(exc)
    if stop is not None:
        reason = str(stop) if isinstance(stop, JobInterrupted) else "stopped by SIGINT"
        logger.warning("job %s %s", job, reason)
        return reason, True
    if isinstance(exc, SystemExit):  # Celery ending the task's process: cancelled on losing the broker, shut down
        reason = f"stopped by the worker (exit {exc.code}): its task was cancelled, e.g. on losing the broker"
        logger.warning("job %s %s", job, reason)
        return reason, True
    if connection_lost(exc):
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        logger.error("job %s failed: database connection lost (%s)", job, first_line)
        return f"database connection lost ({first_line})", True
    logger.exception("job %s failed", job)
    return f"{type(exc).__name__}: {exc}", False


def _job_close_failed(job: JobRun) -> None:
    """Record the failure on a fresh connection if the old one is broken; if the database cannot be reached at
    all the run stays running until `jobs_release_stale` finds it, and the original error goes on up."""
    if not connection.in_atomic_block and not connection.is_usable():
        connection.close()
    try:
        _job_close(job)
    except DatabaseError as exc:
        logger.error("job %s: could not record its failure (%s); a stale release will", job, exc)
        return
    _announce_abandoned(job)


def _announce_abandoned(job: JobRun) -> None:
    for receiver, result in job_abandoned.send_robust(sender=JobRun, job=job):
        if isinstance(result, Exception):
            logger.error("job %s: %s could not close its records: %s", job, getattr(receiver, "__qualname__", receiver),
                         result)


def _job_close(job: JobRun) -> None:
    """Record how the run ended, unless it was already released as dead (its record then says so)."""
    job.finished_at = timezone.now()
    job.lock_key = None
    JobRun.objects.filter(pk=job.pk, status=JobRun.Status.RUNNING).update(
        status=job.status,
        stage=job.stage,
        progress=job.progress,
        counts=job.counts,
        report=job.report,
        error=job.error,
        lock_key=None,
        finished_at=job.finished_at,
        heartbeat_at=job.finished_at,
    )
