"""Run a manage.py command in this process with one function held, so a test can signal the command while its job
is certainly working: ``python -m tests.core.held_command recluster``, with HOLD="package.module:function" and
HOLD_FLAG (a path written when the held function is entered; the function then sleeps up to a minute before it
runs, and a signal's handler interrupts the sleep as it would interrupt the work)."""
import importlib
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()


def _hold(original):
    def held(*args, **kwargs):
        Path(os.environ["HOLD_FLAG"]).write_text(str(os.getpid()))
        time.sleep(60)
        return original(*args, **kwargs)

    return held


if __name__ == "__main__":
    module_name, _, name = os.environ["HOLD"].partition(":")
    module = importlib.import_module(module_name)
    setattr(module, name, _hold(getattr(module, name)))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", *sys.argv[1:]])
