"""The messages the function sends its own queue form a chain whose length the code bounds.

Why: the template sets Lambda's recursive loop detection to Allow (a long rebuild hands on more
than its ~16 hops), so nothing but MAX_HOPS stops a chain that would otherwise never end.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.adapters.memory import MemoryBucket, MemoryQueue, MemorySite, MemoryTable
from pressroom.engine.publisher import MAX_HOPS, Ports, Publisher
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
