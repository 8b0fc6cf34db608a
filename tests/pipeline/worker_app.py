"""The project's Celery app for the fault tests' real workers (`celery -A tests.pipeline.worker_app worker`),
able to hold a task inside a chosen function so a test can kill or starve the worker exactly there.

PIPELINE_PAUSE names the function ("package.module:attribute" or "package.module:Class.method"); the worker runs it
and then writes PIPELINE_PAUSE_FLAG and sleeps PIPELINE_PAUSE_SECONDS (default: until killed) before returning.
"""
import importlib
import os
import time
from pathlib import Path

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


def _hold(original):
    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        Path(os.environ["PIPELINE_PAUSE_FLAG"]).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("PIPELINE_PAUSE_SECONDS") or 3600))
        return result

    held.pipeline_held = True
    return held


@task_prerun.connect
def hold_inside_the_chosen_function(**kwargs) -> None:
    target = os.environ.get("PIPELINE_PAUSE")
    if not target:
        return
    module_name, _, path = target.partition(":")
    owner = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    if not getattr(getattr(owner, name), "pipeline_held", False):
        setattr(owner, name, _hold(getattr(owner, name)))
