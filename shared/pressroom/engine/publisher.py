"""The event path: publish what changed in the source, and everything it affects, one writer at a time.

Every invocation records the keys it was told about in the inbox, then tries to take the lease
(one conditional write when it is free).
The holder is the site's only writer. It works in rounds, each journaled before it acts:

1. read the inbox, read each key's current bytes (an event is a hint, not the truth), parse;
2. plan against the index as it is (`core.plan.plan_round`) and compile the plan to item writes;
3. write the journal (what will be rendered) with the index writes and the inbox items taken,
   in one transaction when they fit, else the journal first and then the writes (absolute
   values: applying them again after a crash changes nothing);
4. render the planned outputs from the index as it now is, which nobody else can change, and
   write the ones whose bytes changed, recording their paths as pending *before* writing;
5. clear the journal: with the lease's release when nothing else is left to do (one transaction),
   else before the next round.

Whoever holds the lease next first finishes a journal left behind, so a crash at any point
loses nothing and renders from the same snapshot. At the end of an invocation the holder sends
one invalidation for every pending path (its own, and any a dead holder left), frees the lease,
then looks at the inbox once more: a change recorded while it held the lease never waits.

One writer at a time rests on the lease's token for the index (every index write checks it) and
on time for the site bucket, whose writes the lease does not fence. A site write starts only
while the lease, as its holder knows it, has REQUEST_SECONDS left (`before_write`, which renews
it first once less than RENEW_BELOW is left); REQUEST_SECONDS bounds a request from its start
until it can no longer take effect, the SDK's retries included, with the clocks' skew. A holder
learns an expiry only from its take or a renewal that succeeded (counted from before the request),
so the lease it knows ends no later than the one in the table, and another invocation takes the
lease only once that has run out: every site write of a tenure has landed, or never will, before
its successor's first request. So the successor need not wait past the lease: a holder that died
costs LEASE_SECONDS at most, and one that lost its lease without knowing it learns so as it
renews, before writing. (As any lease, it assumes no pause of the process between the check and
the request it guards past that margin.)

A whole-site change (the configuration, a layout, the first publish, a burst of many keys) is
a rebuild (`engine.rebuild`): a new generation of the index built beside the current one in
chunks, switched to in one write. Every step records its progress in the journal, and an
invocation with little time left hands the rest on through the queue.

This module is the holder's loop. Its parts: `reading` (the source, as the planner's readings),
`writing` (render from the snapshot, write what changed), `control` (lease, inbox, journal,
pending paths, error records), `index` (the generation's items), `rebuild`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pressroom.core.planning.codec import render_plan_from_data, render_plan_to_data, unpack
from pressroom.core.planning.plan import plan_round
from pressroom.core.reading.config import (
    SETTINGS_FILES,
    SETTINGS_FOLDERS,
    SiteSettings,
    config_from_data,
    is_settings_key,
    settings_of,
)
from pressroom.core.rendering.renderer import Renderer, validate_layouts
from pressroom.core.rendering.search import SearchPatch
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.site.model import PageBody
from pressroom.engine.control import (
    PENDING_KEY,
    Control,
    ErrorRecord,
    Journal,
    Lease,
    LeaseEnding,
    LeaseLost,
    inbox_item,
    iso,
)
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader, built_by, compile_plan, gen_prefix, record_items
from pressroom.engine.invocation import Ports, RunResult
from pressroom.engine.reading import read_sources
from pressroom.engine.writing import OutputWriter
from pressroom.exceptions import ConfigError, ContentError
from pressroom.ports import Item

LEASE_SECONDS = float(os.environ.get("PRESSROOM_LEASE_SECONDS", "60"))
"""How long a lease lasts unless renewed: the most a holder that died costs (its lease is taken
over once it has run out, with no wait past it: see the module's docstring)."""
REQUEST_SECONDS = float(os.environ.get("PRESSROOM_REQUEST_SECONDS", "45"))
"""The longest an AWS request may take from its start until it can no longer take effect, the
SDK's retries included (`shells.runtime.client`: 3 attempts of at most 3 s to connect and 10 s to
answer, with at most 3 s of backoff between them: 42 s), with 3 s for the clocks of two machines."""
RENEW_BELOW = REQUEST_SECONDS + (LEASE_SECONDS - REQUEST_SECONDS) / 2
"""A holder renews its lease before a step, and before a site write, once less than this is left:
halfway between a whole lease and what a write needs (REQUEST_SECONDS)."""
if LEASE_SECONDS <= REQUEST_SECONDS:
    raise ValueError(
        f"PRESSROOM_LEASE_SECONDS ({LEASE_SECONDS:g}) must exceed PRESSROOM_REQUEST_SECONDS ({REQUEST_SECONDS:g})"
    )
MAX_DELAY_SECONDS = 900
"""SQS's longest message delay."""
SAFETY_SECONDS = 20.0
"""Time kept in hand: no step starts with less than this left before the invocation's deadline."""
ROUND_KEYS = 500
"""Inbox items one round takes."""
REBUILD_AT = 200
"""A round of more changed keys than this is done as a rebuild (it costs about as much anyway)."""
CONTINUE = {"pressroom": "continue"}
"""The message a holder sends itself when it hands the rest of its work on (with its `hops`)."""
MAX_HOPS = int(os.environ.get("PRESSROOM_MAX_HOPS", "200"))
"""Messages in a row the function may send itself (a chain: each invocation started by the last
one's message). Past it no message goes: the hourly tick, or the next change, carries the work
on, so a runaway chain costs at most this many invocations an hour. A rebuild of 50,000 posts
needs far fewer (the template sets Lambda's own loop detection, ~16 hops, to Allow)."""
ANNOUNCED_READ = 25
"""Keys of an invocation's own events whose records are read as it takes the lease (more: a burst)."""
REBUILD_KEY = "\x01rebuild"
REPAIR_KEY = "\x01repair"
"""Inbox keys that ask for a rebuild (`pressroom rebuild` repairs: every output is written)."""


class Publisher:
    """One invocation's publishing, against the ports; `now` is the content's clock."""

    def __init__(self, ports: Ports, now: datetime, holder: str = "", hops: int = 0) -> None:
        self.ports = ports
        self.now = now
        self.hops = hops
        """How many self-sent messages led to this invocation (0: an S3 event, the tick, a command)."""
        self.control = Control(ports.table, holder)
        self._settings: dict[int, tuple[SiteSettings, Renderer]] = {}
        self._themes: dict[int, str] = {}
        self._outdated_handled = False
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
        self.control.accept(changes, self.ports.clock())
        self._announced = sorted({key for _, key in changes})

    def request_rebuild(self, repair: bool = False) -> None:
        """Ask for a whole-site rebuild; `repair` writes every output, whatever was published."""
        self.control.accept([("rebuild", REPAIR_KEY if repair else REBUILD_KEY)], self.ports.clock())

    def run(self, deadline: float | None = None) -> RunResult:
        """Take the lease and publish what waits, until done or `deadline` (clock seconds) nears."""
        self._deadline = deadline if deadline is not None else float("inf")
        result = RunResult()
        for _ in range(3):
            acquired = self.control.try_acquire(self.ports.clock(), LEASE_SECONDS)
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
        meta = [(gen_prefix(lease.generation) + "meta", "config")]
        wanted = meta if lease.generation and lease.generation not in self._settings else []
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
            self._settings_from(lease.generation, loaded.get(meta[0]))
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
        """Send this function's queue a message to go on: the one place the chain is bounded (MAX_HOPS)."""
        if self.ports.queue is not None and self.hops < MAX_HOPS:
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
            if lease.expires - now < RENEW_BELOW:
                self.control.extend(now, LEASE_SECONDS)
                lease = self.control.lease
                assert lease is not None
            return lease.expires - self.ports.clock()

    def before_write(self) -> None:
        """A write to the site bucket is about to start: the lease must outlast it (see the module's docstring)."""
        if self.renew() < REQUEST_SECONDS:
            # The renewal itself took that long (each renewal counts from its own start).
            raise LeaseEnding(f"the lease has less than {REQUEST_SECONDS:g} s left for a site write")

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
            self._round(inbox, due, result)
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
        if generation not in self._settings:
            item = self.ports.table.get(gen_prefix(generation) + "meta", "config") if generation else None
            self._settings_from(generation, item)
        return self._settings[generation]

    def _settings_from(self, generation: int, item: Item | None) -> None:
        if item is None:
            settings = settings_of({})
        else:
            data = unpack(item["data"])
            self._themes[generation] = data.get("theme", "")
            settings = SiteSettings(config_from_data(data["config"]), data["layouts"], (), data["digest"])
        self._settings[generation] = (settings, Renderer(settings.config, dict(settings.layouts)))

    def reader(self, generation: int) -> GenerationReader:
        return GenerationReader(self.ports.table, generation, self.settings(generation)[0].config)

    def built_by_other_code(self) -> bool:
        """The site was built with another theme than the one deployed now (a new version's
        stylesheet or templates), or its index has another layout: it is rebuilt, so that its
        pages link to the new stylesheet and the engine reads the index it expects."""
        lease = self.control.lease
        if self._outdated_handled or lease is None or not lease.generation:
            return False
        self.settings(lease.generation)
        return self._themes.get(lease.generation, built_by()) != built_by()

    def read_settings(self) -> SiteSettings:
        """The settings in the source now; ConfigError when broken (the site keeps its last good ones)."""
        source = self.ports.source
        keys = list(SETTINGS_FILES)
        keys += [item.key for folder in SETTINGS_FOLDERS for item in source.list(folder) if is_settings_key(item.key)]
        files = {key: found.body for key in keys if (found := source.read(key)) is not None}
        settings = settings_of(files)
        validate_layouts(settings)
        return settings

    # -- an incremental round ----------------------------------------------------------------------
    def _round(self, inbox: list[tuple[str, str]], due: list[tuple[str, str]], result: RunResult) -> None:
        lease = self.control.lease
        assert lease is not None
        keys = sorted({key for _, key in inbox})
        special = {REBUILD_KEY, REPAIR_KEY} & set(keys)
        settings_keys = [key for key in keys if is_settings_key(key)]
        done: list[tuple[str, str]] = []
        outdated = self.built_by_other_code()
        if special or settings_keys or not lease.generation or outdated:
            self._outdated_handled = True  # once an invocation: broken settings must not loop
            if self._settings_changed(inbox, settings_keys, special | ({REBUILD_KEY} if outdated else set()), result):
                return
            # The settings are as the site was built (or broken): those events are done with.
            taken = set(settings_keys) | special
            done = [("inbox", sk) for sk, key in inbox if key in taken]
            inbox = [(sk, key) for sk, key in inbox if key not in taken]
            keys = [key for key in keys if key not in taken]
            if not lease.generation:
                done += [("inbox", sk) for sk, _ in inbox]  # nothing is built until the settings are fixed
                inbox, keys = [], []
            if not keys and not due:
                self.control.transact_many([], done)
                return
        if len(keys) > REBUILD_AT:
            from pressroom.engine.rebuild import start_rebuild

            start_rebuild(self, inbox, self.settings(lease.generation)[0], repair=False)
            return
        settings, _ = self.settings(lease.generation)
        reader = self.reader(lease.generation)
        control = self.control

        records_read, self._records_read = self._records_read, None

        def records_and_errors() -> None:
            # The keys' error records (the round rewrites them) come with their records.
            errors = control.error_keys(keys)
            wanted = record_items(lease.generation, keys) + errors
            if records_read is not None and all(item in records_read for item in wanted):
                found = {item: value for item in wanted if (value := records_read[item]) is not None}
                reader.learn_records(keys, found)
                control.read_errors(keys, found)
                return
            control.read_errors(keys, reader.records_with(keys, errors))

        due_keys = {key for _, key in due}
        readings, bodies = read_sources(self.ports.source, keys, reader, settings.config, due_keys, records_and_errors)
        plan = plan_round(readings, reader, self.now)
        ops = compile_plan(plan, reader)
        error_puts, error_deletes = self.control.error_writes(readings, plan.problems, self.now)
        result.errors.extend(plan.errors)
        result.errors.extend(
            ContentError(key, problem)
            for key, problems in plan.problems.items()
            for problem in problems.values()
            if problem
        )
        result.published.extend(reading.key for reading in readings if reading.error is None and not reading.recheck)
        journal = Journal(
            {
                "kind": "round",
                "phase": "render",
                "render": render_plan_to_data(plan.render),
                "sitemap": {
                    "set": {k: (v.isoformat() if v else None) for k, v in plan.sitemap_set.items()},
                    "drop": sorted(plan.sitemap_drop),
                },
                "search": {"set": plan.search_set, "drop": sorted(plan.search_drop)},
                "cursor": 0,
                "schedule": bool(plan.schedule_add or plan.schedule_drop or due),
            }
        )
        puts = [*ops.puts.values(), *error_puts]
        if plan.renamed:
            # In the round's own transaction: the rebuild that renames the term on every other
            # page is asked for exactly when the rename is applied.
            puts.append(inbox_item("renamed", REBUILD_KEY, self.ports.clock()))
        deletes = sorted(
            {
                *ops.deletes,
                *error_deletes,
                *done,
                *(("inbox", sk) for sk, _ in inbox),
                *((reader.p + "schedule", sk) for sk, _ in due),
            }
            - {(item["pk"], item["sk"]) for item in puts}
        )
        fits = len(puts) + len(deletes) + 2 < 99 and ops.size() < 3_000_000
        if fits and plan.render.empty and not journal.data["schedule"]:
            self.control.transact(puts, deletes)  # nothing to render: no journal
            self.progressed()
            return
        if fits:
            self.control.save_journal(journal, puts, deletes)  # journal and writes: one transaction
        else:
            applying = Journal(dict(journal.data, phase="apply", puts=[_item_data(i) for i in puts], deletes=deletes))
            self.control.save_journal(applying)
            self._apply(applying)
        self.progressed()
        self._render_round(journal, result, bodies, reader.after(ops))

    def _apply(self, journal: Journal) -> None:
        """Apply a journal's index writes (again, after a crash: they are absolute values)."""
        puts = [_item_from_data(item) for item in journal.data["puts"]]
        deletes = [(pk, sk) for pk, sk in journal.data["deletes"]]
        self.control.transact_many(puts, deletes)
        rendering = {k: v for k, v in journal.data.items() if k not in {"puts", "deletes"}}
        self.control.save_journal(Journal(dict(rendering, phase="render")))

    # -- rendering ----------------------------------------------------------------------------------
    def _render_round(
        self,
        journal: Journal,
        result: RunResult,
        bodies: dict[str, PageBody] | None = None,
        view: GenerationReader | None = None,
    ) -> bool:
        """Render and write a round's outputs; False when time ran out first (the journal says where).

        `view`: the index as the round left it, when this invocation applied the round (it knows
        the items it read and wrote); else it is read anew.
        """
        lease = self.control.lease
        assert lease is not None
        _, renderer = self.settings(lease.generation)
        fresh = view is not None  # planned and applied by this invocation: nothing of it is written yet
        view = view if view is not None else self.reader(lease.generation)
        plan = render_plan_from_data(journal.data["render"])
        view.add_anchors(plan.anchors)
        sitemap = journal.data["sitemap"]
        search = journal.data.get("search") or {"set": {}, "drop": []}
        patch = SitemapPatch(
            {k: (datetime.fromisoformat(v) if v else None) for k, v in sitemap["set"].items()},
            set(sitemap["drop"]),
            SearchPatch(search["set"], set(search["drop"]), fresh=fresh),
        )
        jobs, deletes = self.writer.expand(plan, view, renderer, patch)
        # The last chunk's output records go with the journal's removal: one transaction.
        finishing: list[Item] = []
        removals: list[tuple[str, str]] = []
        closing = (finishing, removals)
        if not self.writer.write(journal, jobs, deletes, view, renderer, patch, result, bodies or {}, closing=closing):
            return False
        if journal.data.get("schedule"):
            page = self.ports.table.query(view.p + "schedule", limit=1)
            next_due = page.items[0]["sk"].partition("\x00")[0] if page.items else ""
            self.control.lease = replace(lease, next_due=next_due)
            finishing.append(self.control.lease.item())
        self.control.close_journal(finishing, removals)
        return True

    # -- resuming and rebuilding --------------------------------------------------------------------
    def _resume(self, journal: Journal, result: RunResult) -> bool:
        """Finish a journal (this invocation's, or one a crash left); False if the time ran out."""
        if journal.kind == "round":
            if journal.phase == "apply":
                self._apply(journal)
                journal = Journal({k: v for k, v in journal.data.items() if k not in {"puts", "deletes"}})
                journal.data["phase"] = "render"
            return self._render_round(journal, result)
        from pressroom.engine.rebuild import run_rebuild

        return run_rebuild(self, journal, result)

    def _settings_changed(
        self, inbox: list[tuple[str, str]], settings_keys: Sequence[str], special: set[str], result: RunResult
    ) -> bool:
        """The settings changed (or a rebuild was asked for, or nothing is built yet): rebuild if they differ.

        Returns True when a rebuild took the whole inbox. Broken settings are reported, and the
        site goes on with its last good ones.
        """
        from pressroom.engine.rebuild import start_rebuild

        lease = self.control.lease
        assert lease is not None
        try:
            settings = self.read_settings()
        except ConfigError as error:
            result.errors.append(error)
            self.control.transact([ErrorRecord(error.problem, {}, iso(self.now)).item(error.source_key)])
            return False  # the site goes on with its last good settings (none yet: nothing is published)
        if settings_keys:
            self.control.transact([], [("error", key) for key in settings_keys])
        if special or not lease.generation or settings.digest != lease.config_hash:
            start_rebuild(self, inbox, settings, repair=REPAIR_KEY in special)
            return True
        return False


def _item_data(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as JSON-able data (bytes as latin-1 text), for the journal of a large round."""
    return {k: ({"b": v.decode("latin-1")} if isinstance(v, bytes) else v) for k, v in item.items()}


def _item_from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v["b"].encode("latin-1") if isinstance(v, dict) and "b" in v else v) for k, v in data.items()}
