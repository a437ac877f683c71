"""Process pools for the full build: the parallelism the shells hand `core.build` (whose core has
no processes of its own).

A `ForkedPool` runs a phase's chunks on forked processes. They inherit what they work on (the
sources; the renderer, the index and the page bodies) with the process instead of receiving it
pickled, and are sent only ranges of it; the garbage collector is tuned for that (see below).
"""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, TypeVar

from pressroom.core.build import SERIAL, Pool

PARALLEL_THRESHOLD = 200
"""Below work of this many rendered outputs (a page's parse counts as `core.build.PARSE_WEIGHT`,
an image's outputs as `core.build.IMAGE_WEIGHT`), a process pool costs more than it saves."""
CHUNKS_PER_WORKER = 8
"""Small enough to balance the load, large enough to keep messages few."""

_T = TypeVar("_T")

_FORKED_WORK: dict[int, Callable[[int, int], list[Any]]] = {}
"""Work by id, for the processes forked while it is here: each inherits the sources, or the
index, renderer and bodies, with the process instead of unpickling them (which would cost about
as much as the work). Keyed by id so that concurrent builds in one process do not see each other's."""
_WORK_IDS = itertools.count()


@dataclass(frozen=True)
class ForkedPool:
    """`core.build.Pool` on `workers` forked processes, for work of at least `parallel_from`
    rendered outputs (items times their weight; less runs in this process)."""

    workers: int
    parallel_from: int = PARALLEL_THRESHOLD

    def map_chunks(self, work: Callable[[int, int], list[_T]], count: int, weight: int = 1) -> list[_T]:
        """`work(start, stop)` over range(count) in chunks on the forked processes; results in order.

        Items of `weight` outputs each come in chunks that many times smaller (one image a chunk:
        an image takes as long as a chunk of pages, and a few images balance badly in large chunks).
        """
        if self.workers <= 1 or count * weight < self.parallel_from:
            return work(0, count)
        step = max(1, count // (self.workers * CHUNKS_PER_WORKER * weight))
        starts = range(0, count, step)
        work_id = next(_WORK_IDS)
        _FORKED_WORK[work_id] = work
        # What the workers inherit is never garbage to them: frozen, their collector skips it (and
        # does not copy its pages by writing to it).
        gc.freeze()
        try:
            # The processes fork at the first submit, so after the work is in _FORKED_WORK.
            with ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("fork")) as pool:
                chunks = pool.map(_run_forked, itertools.repeat(work_id), starts, [start + step for start in starts])
                return [item for chunk in chunks for item in chunk]
        finally:
            gc.unfreeze()
            del _FORKED_WORK[work_id]


def _run_forked(work_id: int, start: int, stop: int) -> list[Any]:
    # A chunk makes many short-lived objects and few cycles: collecting after it, rather
    # than every 700 allocations, saves about a twentieth of the work.
    gc.disable()
    try:
        return _FORKED_WORK[work_id](start, stop)
    finally:
        gc.enable()


def build_pool(jobs: int | None = None) -> Pool:
    """The pool for a build on `jobs` processes; None: one per core. One job: this process alone."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    return ForkedPool(workers) if workers > 1 else SERIAL
