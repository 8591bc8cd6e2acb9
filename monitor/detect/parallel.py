"""An ordered map over worker processes, each encoding on one core, for `monitor classify`.

Workers are started with "spawn" (a fork of a process whose OpenMP runtime already runs
threads can hang) and set OMP_NUM_THREADS=1 before their encoder loads. At most
2 x workers chunks are in flight, so a long input streams instead of being read whole.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from monitor.detect.encoder import one_thread_per_process

CHUNK = 8  # items per task: enough to hide the round trip, few enough to keep order moving


def ordered_map(function: Callable, items: Iterable, workers: int) -> Iterator:
    """``function(item)`` for every item, computed in ``workers`` processes, in order."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context,
                             initializer=one_thread_per_process) as pool:
        pending: deque = deque()
        iterator = iter(items)
        for chunk in iter(lambda: list(islice(iterator, CHUNK)), []):
            pending.append(pool.submit(_apply, function, chunk))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _apply(function: Callable, chunk: list) -> list:
    return [function(item) for item in chunk]
