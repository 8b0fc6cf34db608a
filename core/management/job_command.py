"""The one place a command that runs a job turns a stopped run into one line instead of a traceback.

A run is stopped when its database connection is lost or the process gets SIGTERM/SIGINT (core.job_runs
records it as failed, releases its lock and puts it on the exception as `stopped_run`). The command then ends
with `<kind> run #N: failed: <reason>` on stderr and exit status 1 (128 + the signal's number when stopped by
a signal, as shells report it). Any other failure is left to Django's usual handling.
"""
from __future__ import annotations

import signal
import sys

from django.core.management.base import BaseCommand

from core.job_runs import JobInterrupted, interruption
from core.models import JobRun

EXIT_ERROR = 1

def stopped_run(exc: BaseException | None) -> tuple[JobRun, BaseException] | None:
    """The run a stop ended and the stopping exception, looked for along the chain (a command may have
    re-raised it as a CommandError `from` the original)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        job = getattr(exc, "stopped_run", None)
        if job is not None:
            return job, exc
        exc = exc.__cause__ or exc.__context__
    return None


def stopped_line(job: JobRun) -> str:
    kind = JobRun.Kind.get(job.kind)
    return f"{kind.noun if kind else job.kind} run #{job.pk}: failed: {job.error}"


def stopped_exit_status(exc: BaseException) -> int:
    stop = interruption(exc)
    if isinstance(stop, JobInterrupted):
        return 128 + stop.signum
    if isinstance(stop, KeyboardInterrupt):
        return 128 + signal.SIGINT
    return EXIT_ERROR


class JobCommand(BaseCommand):
    """Base for commands that run a job (imports, re-cluster, training, re-score, attach)."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except BaseException as exc:
            stopped = stopped_run(exc)
            if stopped is None:
                raise
            job, cause = stopped
            self.stderr.write(self.style.ERROR(stopped_line(job)))
            sys.exit(stopped_exit_status(cause))
