"""An error on a lease request costs no wait (issue 19, point 7).

A request to take, renew or free the lease that is refused (nothing happened) or whose answer is
lost (it happened) must neither fail the invocation nor leave the lease to a tenure nobody runs:
the invocation reads the lease back and goes on. Under the deterministic simulation's scheduler,
one invocation publishes a settings change and a post (a rebuild: long enough to renew its
lease), with the fault at each of its lease requests in turn. And a holder whose lease ran out
under it writes nothing to the site bucket, whose writes the lease does not fence.
"""

from __future__ import annotations

import json

import pytest

from pressroom.adapters.memory import Gate, MemoryBucket, MemoryCdn, MemoryQueue, MemorySite, MemoryTable
from pressroom.engine.control import LeaseLost
from pressroom.engine.engine_settings import LEASE_SECONDS
from pressroom.engine.invocation import Ports
from pressroom.engine.publisher import Publisher
from support.simulation import NOW, Change, Fault, run_scenario


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


@pytest.mark.parametrize("kind", ["refused", "lost", "resent"])
@pytest.mark.parametrize("lease_request", ["take", "renew", "free"])
def test_an_error_on_a_lease_request_neither_fails_the_invocation_nor_waits(lease_request: str, kind: str) -> None:
    baseline = run_scenario(SITE, ONE_INVOCATION, [], [])
    numbers = baseline.lease_requests[lease_request]
    assert numbers, f"the invocation made no {lease_request} request: {baseline.lease_requests}"
    for at in numbers:
        outcome = run_scenario(SITE, ONE_INVOCATION, [], [Fault(at, kind)])
        assert (outcome.failed, outcome.waited) == ([], 0), (
            f"{kind} {lease_request} (request {at}): failed and delivered again {outcome.failed}, "
            f"work waited {outcome.waited:.0f} s"
        )


def test_a_holder_that_stalls_past_its_lease_before_writing_the_site_writes_nothing() -> None:
    """S3 writes are not fenced by the lease. A holder that stalls between recording its pending
    paths and writing its pages, past its lease, which another invocation then took over and
    published with, must not write then: its pages would overwrite newer ones."""
    clock = [1_000_000.0]
    table_gate = Gate()
    source, site = MemoryBucket(name="source"), MemorySite(name="site")
    ports = Ports(source, site, MemoryTable(table_gate), MemoryCdn(), MemoryQueue(), clock=lambda: clock[0])
    for key, body in SITE.items():
        source.upload(key, body)
    first = Publisher(ports, NOW)
    first.request_rebuild()
    while first.run().handed_off:
        pass
    source.upload("posts/a.md", post("Stale", 1, ["x"]))
    stalled = Publisher(ports, NOW, holder="stalled")
    stalled.accept([("event-1", "posts/a.md")])

    def stall_once_pending(operation: str) -> None:
        if table_gate.after is stall_once_pending and ("pending", "paths") in {
            (item["pk"], item["sk"])
            for item in ports.table.items()  # type: ignore[attr-defined]
        }:
            table_gate.after = lambda operation: None
            clock[0] += LEASE_SECONDS + 1
            source.upload("posts/a.md", post("Newer", 1, ["x"]))
            later = Publisher(ports, NOW, holder="later")
            later.accept([("event-2", "posts/a.md")])
            assert later.run().held  # the stalled holder's lease ran out: taken over

    table_gate.after = stall_once_pending
    with pytest.raises(LeaseLost):
        stalled.run()
    page = site.read("posts/a/index.html")
    assert page is not None and b"Newer" in page and b"Stale" not in page
