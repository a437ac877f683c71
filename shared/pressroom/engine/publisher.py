"""The event path: publish what changed in the source, and everything it affects, one writer at a time.

Every invocation records the keys it was told about in the inbox, then tries to take the lease
(one conditional write when it is free).
The holder is the site's only writer. It works in rounds, each journaled before it acts
(`engine.event_round`): read the inbox and each key's current bytes, plan against the index as
it is, journal the plan with its index writes, render and write the outputs whose bytes changed
(their paths pending *before* they are written), clear the journal.

Whoever holds the lease next first finishes a journal left behind, so a crash at any point
loses nothing and renders from the same snapshot. At the end of an invocation the holder sends
one invalidation for every pending path (its own, and any a dead holder left), frees the lease,
then looks at the inbox once more: a change recorded while it held the lease never waits.

One writer at a time rests on the lease's token for the index (every index write checks it) and
on time for the site bucket, whose writes the lease does not fence. A site write starts only
while the lease, as its holder knows it, has `request_seconds` left (`before_write`, which renews
it first once less than `renew_below` is left: `engine.engine_settings`); `request_seconds`
bounds a request from its start until it can no longer take effect, the SDK's retries included,
with the clocks' skew. A holder learns an expiry only from its take or a renewal that succeeded
(counted from before the request), so the lease it knows ends no later than the one in the table,
and another invocation takes the lease only once that has run out: every site write of a tenure
has landed, or never will, before its successor's first request. So the successor need not wait
past the lease: a holder that died costs `lease_seconds` at most, and one that lost its lease
without knowing it learns so as it renews, before writing. (As any lease, it assumes no pause of
the process between the check and the request it guards past that margin.)

A whole-site change (the configuration, a layout, the first publish, a burst of many keys) is
a rebuild (`engine.rebuild`): a new generation of the index built beside the current one in
chunks, switched to in one write. Every step records its progress in the journal, and an
invocation with little time left hands the rest on through the queue.

This module is the holder's loop. Its parts: `event_round` (a round), `reading` (the source, as
the planner's readings), `writing` (render from the snapshot, write what changed), `control`
(lease, inbox, journal, pending paths, error records), `generation` (the generation's items),
`rebuild`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pressroom.core.reading.config import SiteSettings
from pressroom.core.rendering.renderer import Renderer
from pressroom.engine.ahead import forget_written, made_ahead
from pressroom.engine.control import Control, Journal, Lease, LeaseEnding, LeaseLost, iso
from pressroom.engine.engine_settings import EngineSettings
from pressroom.engine.event_round import REBUILD_KEY, REPAIR_KEY, resume_round, run_round
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader
from pressroom.engine.invocation import Ports, RunResult
from pressroom.engine.rebuild import run_rebuild
from pressroom.engine.site_settings import GenerationSettings, read_source_settings
from pressroom.engine.table_layout import PENDING_KEY, GenerationKeys, record_items
from pressroom.engine.writing import OutputWriter
from pressroom.ports import Item

MAX_DELAY_SECONDS = 900
"""SQS's longest message delay."""
SAFETY_SECONDS = 20.0
"""Time kept in hand: no step starts with less than this left before the invocation's deadline."""
ROUND_KEYS = 500
"""Inbox items one round takes."""
CONTINUE = {"pressroom": "continue"}
"""The message a holder sends itself when it hands the rest of its work on (with its `hops`)."""
DEFAULT_SETTINGS = EngineSettings()
"""The settings where the environment sets none (`shells.runtime.engine_settings` reads it)."""
ANNOUNCED_READ = 25
"""Keys of an invocation's own events whose records are read as it takes the lease (more: a burst)."""


class Publisher:
    """One invocation's publishing, against the ports; `now` is the content's clock."""

    def __init__(
        self,
        ports: Ports,
        now: datetime,
        holder: str = "",
        hops: int = 0,
        engine_settings: EngineSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.ports = ports
        self.now = now
        self.engine_settings = engine_settings
        """Its lease's timing and its chain's bound (the shells read them: `shells.runtime`)."""
        self.hops = hops
        """How many self-sent messages led to this invocation (0: an S3 event, the tick, a command)."""
        self.control = Control(ports.table, holder)
        self.generation_settings = GenerationSettings(ports.table)
        self.outdated_handled = False
        """A rebuild for another theme or index layout was considered (once an invocation)."""
        self._deadline = float("inf")
        self._renewing = threading.Lock()
        """Site writes run in threads, and each may renew the lease first (`before_write`)."""
        self._progressed = False
        self._inbox_known: list[list[tuple[str, str]]] = []
        """The inbox as read with the journal, for the loop's first look (or none left to look at)."""
        self._announced: list[str] = []
        """The keys this invocation's events named (`accept`)."""
        self._records_read: dict[tuple[str, str], Item | None] | None = None
        """Their records and error records as read with the journal (see `_start`), for the first round."""
        self.memo: dict[Any, Any] = {}
        """What a rebuild's steps make once and share within this invocation (see `engine.rebuild`)."""
        self.writer = OutputWriter(ports, self.control, self)

    # -- the entry points -----------------------------------------------------------------
    def accept(self, changes: Sequence[tuple[str, str]]) -> None:
        """Record (event id, source key) changes in the inbox: whoever holds the lease publishes them."""
        marks = made_ahead(self.ports, self.control.site_generation, self.settings, changes, self.now)
        self.control.accept([*changes, *marks], self.ports.clock())
        forget_written(self.ports.table, marks)
        self._announced = sorted({key for _, key in changes})

    def request_rebuild(self, repair: bool = False) -> None:
        """Ask for a whole-site rebuild; `repair` writes every output, whatever was published."""
        self.control.accept([("rebuild", REPAIR_KEY if repair else REBUILD_KEY)], self.ports.clock())

    def run(self, deadline: float | None = None) -> RunResult:
        """Take the lease and publish what waits, until done or `deadline` (clock seconds) nears."""
        self._deadline = deadline if deadline is not None else float("inf")
        result = RunResult()
        for _ in range(3):
            acquired = self.control.try_acquire(self.ports.clock(), self.engine_settings.lease_seconds)
            if acquired.lease is None:
                self._come_back_after(acquired.previous)
                return result
            result.held = True
            try:
                self._start()
                self._work(result)
            except LeaseLost:
                self.control.lease = None
                self.control.forget()
                raise
            except BaseException:
                self._finish(result, failed=True)
                raise
            self._finish(result, failed=False)
            # A change recorded while this invocation held the lease found it held: publish it too.
            if result.handed_off or self.control.inbox_size(1) == 0:
                return result
        # Changes keep coming: another invocation goes on at once (theirs come back only once the
        # lease could have run out).
        self._hand_off(result)
        return result

    def _start(self) -> None:
        """As the new holder: the journal's head, the pending paths, the generation's settings and
        the records of the keys this invocation was told about (one request), and the inbox
        (another, beside it). The inbox mostly holds just those keys: then the round reads no
        record again."""
        lease = self.control.lease
        assert lease is not None
        meta = [GenerationKeys(lease.generation).config]
        wanted = meta if lease.generation and not self.generation_settings.known(lease.generation) else []
        announced = self._announced if lease.generation and len(self._announced) <= ANNOUNCED_READ else []
        records = record_items(lease.generation, announced) + self.control.error_keys(announced)
        wanted += records
        loaded: dict[tuple[str, str], Item] = {}
        inbox: list[tuple[str, str]] = []

        def load() -> None:
            loaded.update(self.control.load(wanted))

        def read_inbox() -> None:
            inbox.extend(self.control.inbox(ROUND_KEYS))

        parallel(lambda read: read(), [load, read_inbox])
        if meta[0] in wanted:
            self.generation_settings.learn(lease.generation, loaded.get(meta[0]))
        self._inbox_known = [inbox] if self.control.journal_absent() else []  # a journal goes first
        # A journal left behind may change records as it is finished: then they are read again.
        self._records_read = {key: loaded.get(key) for key in records} if self.control.journal_absent() else None
        self._announced = []

    def _come_back_after(self, lease: Lease) -> None:
        """Another invocation holds the lease: it will see what this one recorded, unless it died.

        In case it did, a message comes back once its lease has run out, so nothing waits for
        the next event (or the hourly tick) to be published.
        """
        if lease.expires > 0:
            self._send_on(min(MAX_DELAY_SECONDS, max(1, math.ceil(lease.expires - self.ports.clock()) + 1)))

    def _send_on(self, delay_seconds: int = 0) -> None:
        """Send this function's queue a message to go on: the one place the chain is bounded (`max_hops`)."""
        if self.ports.queue is not None and self.hops < self.engine_settings.max_hops:
            self.ports.queue.send([{**CONTINUE, "hops": self.hops + 1}], delay_seconds=delay_seconds)

    def out_of_time(self) -> bool:
        return self._deadline - self.ports.clock() < SAFETY_SECONDS

    def time_to_hand_on(self) -> bool:
        """Little time left, and this invocation has done some work: so every invocation makes progress."""
        return self._progressed and self.out_of_time()

    def progressed(self) -> None:
        """One step of work is done (journaled): from now on the invocation may hand on."""
        self._progressed = True

    def renew(self) -> float:
        """Keep the lease well ahead of the work (every index write checks it anyway); returns the
        seconds it has left."""
        with self._renewing:
            lease = self.control.lease
            if lease is None:
                raise LeaseLost("the lease is not held")
            now = self.ports.clock()
            if lease.expires - now < self.engine_settings.renew_below:
                self.control.extend(now, self.engine_settings.lease_seconds)
                lease = self.control.lease
                assert lease is not None
            return lease.expires - self.ports.clock()

    def before_write(self) -> None:
        """A write to the site bucket is about to start: the lease must outlast it (see the module's docstring)."""
        seconds = self.engine_settings.request_seconds
        if self.renew() < seconds:
            # The renewal itself took that long (each renewal counts from its own start).
            raise LeaseEnding(f"the lease has less than {seconds:g} s left for a site write")

    def _finish(self, result: RunResult, failed: bool) -> None:
        """Invalidate every pending path (a dead holder's too), then free the lease (with the last
        round's closing writes: `Control.close_journal`).

        If any of it fails, the lease is freed alone: pending paths and a journal stay for the next
        holder, which need not wait for it to run out (every site write of this one has returned)."""
        control = self.control
        if control.lease is None:
            return
        try:
            paths = control.pending()
            if paths and self.ports.cdn is not None:
                reference = hashlib.sha256(("\n".join(paths) + control.lease.token).encode()).hexdigest()
                self.ports.cdn.invalidate(paths, reference)
                result.invalidated.extend(paths)
            control.release([PENDING_KEY] if paths else [])
        except LeaseLost:
            if not failed:
                raise
        except Exception:
            with contextlib.suppress(Exception):
                control.free()
            if not failed:
                raise
        finally:
            control.lease = None
            control.forget()
            self._inbox_known = []

    # -- the loop -----------------------------------------------------------------------------
    def _work(self, result: RunResult) -> None:
        while True:
            if self.time_to_hand_on():
                self._hand_off(result)
                return
            self.renew()
            journal = self.control.journal()
            if journal is not None:
                if not self._resume(journal, result):
                    self._hand_off(result)
                    return
                continue
            inbox = self._inbox_known.pop() if self._inbox_known else self.control.inbox(ROUND_KEYS)
            due = self._due()
            if not inbox and not due and not self.built_by_other_code():
                return
            result.rounds += 1
            self.control.flush()
            run_round(self, inbox, due, result)
            if len(inbox) < ROUND_KEYS:
                # The inbox was read whole: a change recorded since is seen once the lease is
                # freed (`run` looks again), so it is not read again now.
                self._inbox_known = [[]]

    def _hand_off(self, result: RunResult) -> None:
        result.handed_off = True
        self._send_on()

    def _due(self) -> list[tuple[str, str]]:
        """Schedule items whose time has come (a future post now live, an expired one)."""
        lease = self.control.lease
        assert lease is not None
        if not lease.generation or not lease.next_due or lease.next_due > iso(self.now):
            return []
        return self.reader(lease.generation).schedule_due(self.now)

    # -- settings -------------------------------------------------------------------------------
    def settings(self, generation: int) -> tuple[SiteSettings, Renderer]:
        """The settings a generation was built with, and their renderer (kept for the invocation)."""
        return self.generation_settings.of(generation)

    def reader(self, generation: int) -> GenerationReader:
        return GenerationReader(self.ports.table, generation, self.settings(generation)[0].config)

    def built_by_other_code(self) -> bool:
        """The site was built with another theme than the one deployed now (a new version's
        stylesheet or templates), or its index has another layout: it is rebuilt, so that its
        pages link to the new stylesheet and the engine reads the index it expects."""
        lease = self.control.lease
        if self.outdated_handled or lease is None or not lease.generation:
            return False
        return self.generation_settings.built_by_other_code(lease.generation)

    def read_settings(self) -> SiteSettings:
        """The settings in the source now; ConfigError when broken (the site keeps its last good ones)."""
        return read_source_settings(self.ports.source, self.engine_settings.build_mode)

    # -- resuming and rebuilding --------------------------------------------------------------------
    def _resume(self, journal: Journal, result: RunResult) -> bool:
        """Finish a journal (this invocation's, or one a crash left); False if the time ran out."""
        if journal.kind == "round":
            return resume_round(self, journal, result)
        return run_rebuild(self, journal, result)

    def take_records_read(self) -> dict[tuple[str, str], Item | None] | None:
        """The records (and error records) of this invocation's own keys as read with the lease
        (`_start`), for the first round: once (None: not read, or taken already)."""
        records_read, self._records_read = self._records_read, None
        return records_read
