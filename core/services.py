"""Job runs: create, lock (no two runs of one job at a time), report progress, finish or fail."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import UserError
from core.models import JobRun

logger = logging.getLogger(__name__)


class JobAlreadyRunning(UserError):
    """Another run of the same job holds the lock."""

    def __init__(self, running: JobRun | None):
        self.running = running
        where = f" (run #{running.pk}, started {running.started_at:%Y-%m-%d %H:%M})" if running and running.started_at else ""
        super().__init__(f"another run of this job is in progress{where}; try again when it has finished")


def job_create(
    *, kind: str, trigger: str = JobRun.Trigger.COMMAND, params: dict | None = None, user=None, source_name: str = ""
) -> JobRun:
    return JobRun.objects.create(
        kind=kind,
        trigger=trigger,
        params=params or {},
        created_by=user if getattr(user, "is_authenticated", False) else None,
        source_name=source_name[:255],
    )


def jobs_release_stale(*, kind: str | None = None) -> int:
    """Mark runs whose worker died (no heartbeat for JOB_STALE_MINUTES) as failed, releasing their lock."""
    cutoff = timezone.now() - timedelta(minutes=settings.JOB_STALE_MINUTES)
    stale = JobRun.objects.filter(status=JobRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    if kind:
        stale = stale.filter(kind=kind)
    return stale.update(
        status=JobRun.Status.FAILED, lock_key=None, finished_at=timezone.now(), error="no heartbeat: worker stopped"
    )


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

    The body sets `job.counts`, `job.report` and may set `job.status` to PARTIAL before leaving.
    A failure is recorded and re-raised; whatever the body published in its own transaction stays
    as it was, so a failed run changes nothing users see.
    """
    if exclusive:
        jobs_release_stale(kind=job.kind)
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = JobRun.objects.filter(pk=job.pk).update(
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
        raise JobRun.DoesNotExist(f"job run {job.pk} does not exist")
    job.status, job.started_at, job.stage = JobRun.Status.RUNNING, now, "starting"
    tracker = JobTracker(job)
    try:
        yield tracker
    except BaseException as exc:
        if isinstance(exc, UserError):
            logger.warning("job %s refused: %s", job, exc)
            job.error = str(exc)
        else:
            logger.exception("job %s failed", job)
            job.error = f"{type(exc).__name__}: {exc}"
        job.status = JobRun.Status.FAILED
        _job_close(job)
        raise
    if job.status == JobRun.Status.RUNNING:
        job.status = JobRun.Status.SUCCEEDED
    job.progress, job.stage = 1.0, "done"
    _job_close(job)


def _job_close(job: JobRun) -> None:
    job.finished_at = timezone.now()
    job.lock_key = None
    JobRun.objects.filter(pk=job.pk).update(
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
