"""The messages the function sends its own queue form a chain whose length the code bounds.

Why: the template sets Lambda's recursive loop detection to Allow (a long rebuild hands on more
than its ~16 hops), so nothing but MAX_HOPS stops a chain that would otherwise never end.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime

from pressroom.adapters.memory import MemoryBucket, MemoryCdn, MemoryQueue, MemorySite, MemoryTable
from pressroom.engine.engine_settings import MAX_HOPS
from pressroom.engine.invocation import Ports
from pressroom.engine.publisher import CONTINUE, Publisher
from pressroom.shells.handler import _hops_of

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _waiting_publisher(hops: int) -> tuple[Publisher, MemoryQueue]:
    """A publisher that finds the lease held by another invocation, so it asks to come back later."""
    queue = MemoryQueue()
    ports = Ports(source=MemoryBucket(), site=MemorySite(), table=MemoryTable(), queue=queue, clock=lambda: 1000.0)
    holder = Publisher(ports, NOW, holder="other")
    assert holder.control.try_acquire(1000.0, 60).lease is not None
    return Publisher(ports, NOW, holder="me", hops=hops), queue


def test_a_message_sent_on_counts_one_more_hop() -> None:
    publisher, queue = _waiting_publisher(hops=3)
    publisher.accept([("event-1", "posts/a.md")])

    assert publisher.run().held is False
    assert [message for message, _ in queue.messages] == [{"pressroom": "continue", "hops": 4}]


def test_the_chain_stops_at_the_bound() -> None:
    publisher, queue = _waiting_publisher(hops=MAX_HOPS)
    publisher.accept([("event-1", "posts/a.md")])

    publisher.run()
    # What it recorded waits in the inbox for the holder, the next change or the hourly tick.
    assert queue.messages == []


def test_the_handler_reads_the_chain_length_from_its_own_messages_only() -> None:
    assert _hops_of({"body": '{"pressroom": "continue", "hops": 7}'}) == 7
    assert _hops_of({"body": '{"pressroom": "continue"}'}) == 0
    assert _hops_of({"body": '{"Records": [], "hops": 9}'}) == 0  # an S3 notification starts a chain
    assert _hops_of({"body": "not json"}) == 0
    assert _hops_of({"eventSource": "aws:s3"}) == 0


def test_a_holder_that_keeps_finding_new_changes_hands_on_instead_of_leaving_them_waiting() -> None:
    """Changes recorded while the lease is held are the holder's to publish: their own invocations
    found the lease held and asked to come back only once it has run out (a minute). A holder
    that stops taking the lease again while changes keep coming must hand them on at once."""
    source = MemoryBucket()
    source.upload("site.yaml", b"title: Busy\nbaseURL: https://busy.example/\n")
    queue = MemoryQueue()
    ports = Ports(source, MemorySite(), MemoryTable(), MemoryCdn(), queue, clock=lambda: 1000.0)
    first = Publisher(ports, NOW)
    first.request_rebuild()
    first.run()
    queue.messages.clear()
    holder = Publisher(ports, NOW, holder="busy")
    arrivals = itertools.count()
    release = holder.control.release

    def another_change_then_release(deletes: Sequence[tuple[str, str]] = ()) -> None:
        key = f"posts/p{next(arrivals)}.md"
        source.upload(key, b"---\ntitle: P\ndate: 2024-01-01\n---\nWords.\n")
        other = Publisher(ports, NOW, holder="other")
        other.accept([(f"event-{key}", key)])
        assert other.run().held is False  # the lease is held: it asks to come back once it runs out
        release(deletes)

    holder.control.release = another_change_then_release  # type: ignore[method-assign]
    holder.accept([("event-0", "site.yaml")])
    holder.run()
    waiting = ports.table.query("inbox", limit=10).count
    sent_at_once = [message for message, delay in queue.messages if message == {**CONTINUE, "hops": 1} and delay == 0]
    assert waiting == 0 or sent_at_once, f"{waiting} changes wait for a message a minute away: {queue.messages}"
