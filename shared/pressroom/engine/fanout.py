"""Independent requests at once: boto3 clients are thread-safe, and most of a round's requests
(reads of changed keys, page writes) do not depend on each other."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL = 16
"""Requests in flight at once (the simulation sets 1: its scheduler must see every request)."""


def parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`function` of each item, run at once, results in order."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(items))) as pool:
        return list(pool.map(function, items))


PARALLEL_READS = 8
"""Index reads in flight at once, for the reads of one generation (the simulation sets 1 too)."""


def parallel_reads(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`function` of each item, run at once (at most PARALLEL_READS), results in order."""
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(items))) as pool:
        return list(pool.map(function, items))
