"""Run one action per item on its own thread and database connection, all released at the same moment."""
import threading
from collections.abc import Callable, Iterable

from django.db import connection


def run_at_once(action: Callable, items: Iterable, *, timeout: float = 60) -> list:
    """``action(item)`` for every item, concurrently; their results in the items' order."""
    items = list(items)
    start = threading.Barrier(len(items))
    results: list = [None] * len(items)

    def run(position, item):
        try:
            start.wait()
            results[position] = action(item)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(position, item)) for position, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
