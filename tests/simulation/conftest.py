"""Every simulation runs its workers' requests one at a time: the schedule, not the thread pools'
timing, decides the interleaving, so a seed replays the same run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support.simulation import sequential


@pytest.fixture(autouse=True)
def one_request_at_a_time() -> Iterator[None]:
    with sequential():
        yield
