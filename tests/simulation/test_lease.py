"""An error on a lease request costs no wait (issue 19, point 7).

A request to take, renew or free the lease that is refused (nothing happened) or whose answer is
lost (it happened) must neither fail the invocation nor leave the lease to a tenure nobody runs:
the invocation reads the lease back and goes on. Under the deterministic simulation's scheduler,
one invocation publishes a settings change and a post (a rebuild: long enough to renew its
lease, at a second a request), with the fault at each of its lease requests in turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from support.simulation import Change, Fault, run_scenario, sequential


def post(title: str, day: int, tags: list[str]) -> bytes:
    return (
        "---\n" + json.dumps({"title": title, "date": f"2024-01-{day:02d}", "tags": tags}) + "\n---\n\nWords.\n"
    ).encode()


SITE = {
    "site.yaml": b"title: Sim\nbaseURL: https://sim.example/\npagerSize: 2\nfeedLimit: 2\n",
    "posts/a.md": post("A", 1, ["x"]),
    "posts/b.md": post("B", 2, ["x", "y"]),
    "posts/c.md": post("C", 3, ["y"]),
}
ONE_INVOCATION = [
    [Change("site.yaml", SITE["site.yaml"].replace(b"Sim", b"Sim II")), Change("posts/a.md", post("A2", 1, ["z"]))]
]

TICK = 1.0
"""Seconds a request takes in these runs."""


@pytest.fixture(autouse=True)
def one_request_at_a_time() -> Iterator[None]:
    with sequential():
        yield


@pytest.mark.parametrize("kind", ["refused", "lost", "resent"])
@pytest.mark.parametrize("lease_request", ["take", "renew", "free"])
def test_an_error_on_a_lease_request_neither_fails_the_invocation_nor_waits(lease_request: str, kind: str) -> None:
    baseline = run_scenario(SITE, ONE_INVOCATION, [], [], TICK)
    numbers = baseline.lease_requests[lease_request]
    assert numbers, f"the invocation made no {lease_request} request: {baseline.lease_requests}"
    for at in numbers:
        outcome = run_scenario(SITE, ONE_INVOCATION, [], [Fault(at, kind)], TICK)
        assert (outcome.failed, outcome.waited) == ([], 0), (
            f"{kind} {lease_request} (request {at}): failed and delivered again {outcome.failed}, "
            f"work waited {outcome.waited:.0f} s"
        )
