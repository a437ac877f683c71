"""The event path: publish what changed in the source, and everything it affects, one writer at a time.

Every invocation records the keys it was told about in the inbox, then tries to take the lease.
The holder is the site's only writer. It works in rounds, each journaled before it acts:

1. read the inbox, read each key's current bytes (an event is a hint, not the truth), parse;
2. plan against the index as it is (`core.plan.plan_round`) and compile the plan to item writes;
3. write the journal (what will be rendered) with the index writes and the inbox items taken,
   in one transaction when they fit, else the journal first and then the writes (absolute
   values: applying them again after a crash changes nothing);
4. render the planned outputs from the index as it now is, which nobody else can change, and
   write the ones whose bytes changed, recording their paths as pending *before* writing;
5. clear the journal.

Whoever holds the lease next first finishes a journal left behind, so a crash at any point
loses nothing and renders from the same snapshot. At the end of an invocation the holder sends
one invalidation for every pending path (its own, and any a dead holder left), frees the lease,
then looks at the inbox once more: a change recorded while it held the lease never waits.

A whole-site change (the configuration, a layout, the first publish, a burst of many keys) is
a rebuild (`engine.rebuild`): a new generation of the index built beside the current one in
chunks, switched to in one write. Every step records its progress in the journal, and an
invocation with little time left hands the rest on through the queue.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from pressroom.core.codec import entry_from_data, render_plan_from_data, render_plan_to_data, unpack
from pressroom.core.config import (
    SETTINGS_FILES,
    SETTINGS_FOLDERS,
    SiteConfig,
    SiteSettings,
    config_from_data,
    is_settings_key,
    settings_of,
)
from pressroom.core.content import (
    MAX_SOURCE_BYTES,
    ParsedPage,
    SourceKind,
    bundle_dir,
    parse_intro,
    parse_page,
    publishable_kind,
)
from pressroom.core.invalidation import invalidation_paths
from pressroom.core.mime import content_type
from pressroom.core.model import Entry, PageBody
from pressroom.core.outputs import (
    AssetOutput,
    FeedOutput,
    ListOutput,
    Output,
    PageOutput,
    SitemapOutput,
    is_enabled,
    list_page,
    list_pages,
    sitemap_parts,
)
from pressroom.core.plan import PageRecord, Reading, RenderPlan, list_exists, plan_round
from pressroom.core.render import Renderer, cache_control, validate_layouts
from pressroom.core.resolve import bundle_folders, bundle_page_keys
from pressroom.core.sitemap import SitemapPatch, SitemapUrl, parse_sitemap
from pressroom.engine.control import PENDING_KEY, Control, ErrorRecord, Journal, Lease, LeaseLost, iso
from pressroom.engine.index import GenerationReader, after_bound, before_bound, compile_plan, gen_prefix
from pressroom.exceptions import ConfigError, ContentError
from pressroom.ports import Cdn, Item, Queue, SiteStore, Source, Table, Write

T = TypeVar("T")
R = TypeVar("R")
LEASE_SECONDS = float(os.environ.get("PRESSROOM_LEASE_SECONDS", "120"))
"""How long a lease lasts unless renewed. A holder renews it before every step once half has passed,
so a step (whose requests are bounded by client timeouts) never starts with less than half left."""
STEP_SECONDS = LEASE_SECONDS / 2
"""The longest any one step's requests may take: a new holder waits this long past a dead one's lease."""
MAX_DELAY_SECONDS = 900
"""SQS's longest message delay."""
SAFETY_SECONDS = 20.0
"""Time kept in hand: no step starts with less than this left before the invocation's deadline."""
ROUND_KEYS = 500
"""Inbox items one round takes."""
REBUILD_AT = 200
"""A round of more changed keys than this is done as a rebuild (it costs about as much anyway)."""
RENDER_CHUNK = 250
"""Outputs rendered, compared and written per journal step."""
PARALLEL = 16
CONTINUE = {"pressroom": "continue"}
"""The message a holder sends itself when it hands the rest of its work on."""
REBUILD_KEY = "\x01rebuild"
REPAIR_KEY = "\x01repair"
"""Inbox keys that ask for a rebuild (`pressroom rebuild` repairs: every output is written)."""


def content_hash(body: bytes, type_: str) -> str:
    """What the index remembers of a published object: its bytes and its Content-Type."""
    return hashlib.sha256(type_.encode() + b"\0" + body).hexdigest()


@dataclass(frozen=True)
class Ports:
    source: Source
    site: SiteStore
    table: Table
    cdn: Cdn | None = None
    queue: Queue | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclass
class RunResult:
    """What one invocation did."""

    held: bool = False
    """It held the lease (else another invocation publishes what it recorded)."""
    rounds: int = 0
    published: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    handed_off: bool = False


def kind_of(key: str, config: SiteConfig) -> SourceKind | None:
    """What a source key is to the planner: a page, an intro, an asset, or nothing (settings, ignored)."""
    return None if key.startswith("\x01") else publishable_kind(key, config)


def parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """`function` of each item, run at once: independent requests (boto3 clients are thread-safe)."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(items))) as pool:
        return list(pool.map(function, items))


class Publisher:
    """One invocation's publishing, against the ports; `now` is the content's clock."""

    def __init__(self, ports: Ports, now: datetime, holder: str = "") -> None:
        self.ports = ports
        self.now = now
        self.control = Control(ports.table, holder)
        self._settings: dict[int, tuple[SiteSettings, Renderer]] = {}
        self._deadline = float("inf")
        self.lease_seconds = LEASE_SECONDS
        self._progressed = False
        self._sitemap: tuple[SitemapPatch, list[SitemapUrl], list[str]] | None = None

    # -- the entry points -----------------------------------------------------------------
    def accept(self, changes: Sequence[tuple[str, str]]) -> None:
        """Record (event id, source key) changes in the inbox: whoever holds the lease publishes them."""
        self.control.accept(changes, self.ports.clock())

    def request_rebuild(self, repair: bool = False) -> None:
        """Ask for a whole-site rebuild; `repair` writes every output, whatever was published."""
        self.control.accept([("rebuild", REPAIR_KEY if repair else REBUILD_KEY)], self.ports.clock())

    def run(self, deadline: float | None = None) -> RunResult:
        """Take the lease and publish what waits, until done or `deadline` (clock seconds) nears."""
        self._deadline = deadline if deadline is not None else float("inf")
        result = RunResult()
        for _ in range(3):
            acquired = self.control.try_acquire(self.ports.clock(), self._lease_seconds())
            if acquired.lease is None:
                self._come_back_after(acquired.previous)
                return result
            result.held = True
            if acquired.taken_over:
                self._quarantine(acquired.previous)
            try:
                self._work(result)
            except LeaseLost:
                self.control.lease = None
                raise
            except BaseException:
                self._finish(result, failed=True)
                raise
            self._finish(result, failed=False)
            # A change recorded while this invocation held the lease found it held: publish it too.
            if result.handed_off or self.control.inbox_size(1) == 0:
                return result
        return result

    def _come_back_after(self, lease: Lease) -> None:
        """Another invocation holds the lease: it will see what this one recorded, unless it died.

        In case it did, a message comes back once its lease has run out, so nothing waits for
        the next event (or the hourly tick) to be published.
        """
        if self.ports.queue is not None and lease.expires > 0:
            delay = min(MAX_DELAY_SECONDS, max(1, math.ceil(lease.expires - self.ports.clock()) + 1))
            self.ports.queue.send([CONTINUE], delay_seconds=delay)

    def _quarantine(self, previous: Lease) -> None:
        """The lease was taken from a holder that never freed it: give its last requests (each
        bounded by client timeouts) time to land or fail, so none lands after this holder's."""
        wait = previous.expires + STEP_SECONDS - self.ports.clock()
        if wait > 0:
            self.ports.sleep(wait)
            self.renew()

    def _lease_seconds(self) -> float:
        return self.lease_seconds

    def out_of_time(self) -> bool:
        return self._deadline - self.ports.clock() < SAFETY_SECONDS

    def time_to_hand_on(self) -> bool:
        """Little time left, and this invocation has done some work: so every invocation makes progress."""
        return self._progressed and self.out_of_time()

    def progressed(self) -> None:
        """One step of work is done (journaled): from now on the invocation may hand on."""
        self._progressed = True

    def renew(self) -> None:
        """Keep the lease well ahead of the work (every write checks it anyway)."""
        lease = self.control.lease
        if lease is None:
            raise LeaseLost("the lease is not held")
        if lease.expires - self.ports.clock() < self.lease_seconds / 2:
            self.control.extend(self.ports.clock(), self._lease_seconds())

    def _finish(self, result: RunResult, failed: bool) -> None:
        """Invalidate every pending path (a dead holder's too), then free the lease."""
        control = self.control
        if control.lease is None:
            return
        try:
            paths = control.pending()
            if paths and self.ports.cdn is not None:
                reference = hashlib.sha256(("\n".join(paths) + control.lease.token).encode()).hexdigest()
                self.ports.cdn.invalidate(paths, reference)
                result.invalidated.extend(paths)
            deletes = [PENDING_KEY] if paths else []
            control.table.transact(Write(puts=[control.release_item()], deletes=deletes, conditions=[control.held()]))
        except Exception:
            if not failed:
                raise
        finally:
            control.lease = None

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
            inbox = self.control.inbox(ROUND_KEYS)
            due = self._due()
            if not inbox and not due:
                return
            result.rounds += 1
            self._round(inbox, due, result)

    def _hand_off(self, result: RunResult) -> None:
        result.handed_off = True
        if self.ports.queue is not None:
            self.ports.queue.send([CONTINUE])

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
            if item is None:
                settings = settings_of({})
            else:
                data = unpack(item["data"])
                settings = SiteSettings(config_from_data(data["config"]), data["layouts"], (), data["digest"])
            self._settings[generation] = (settings, Renderer(settings.config, dict(settings.layouts)))
        return self._settings[generation]

    def reader(self, generation: int) -> GenerationReader:
        return GenerationReader(self.ports.table, generation, self.settings(generation)[0].config)

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
        if special or settings_keys or not lease.generation:
            if self._settings_changed(inbox, settings_keys, special, result):
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
        readings, bodies = self._read_sources(keys, reader, settings.config, {key for _, key in due})
        plan = plan_round(readings, reader, self.now)
        ops = compile_plan(plan, reader)
        error_puts, error_deletes = self._error_writes(readings, plan.problems)
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
                "cursor": 0,
                "schedule": bool(plan.schedule_add or plan.schedule_drop or due),
            }
        )
        puts = [*ops.puts.values(), *error_puts]
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
        if len(puts) + len(deletes) + 2 < 99 and ops.size() < 3_000_000:
            self.control.save_journal(journal, puts, deletes)  # journal and writes: one transaction
        else:
            applying = Journal(dict(journal.data, phase="apply", puts=[_item_data(i) for i in puts], deletes=deletes))
            self.control.save_journal(applying)
            self._apply(applying)
        self.progressed()
        self._render_round(journal, result, bodies)

    def _apply(self, journal: Journal) -> None:
        """Apply a journal's index writes (again, after a crash: they are absolute values)."""
        puts = [_item_from_data(item) for item in journal.data["puts"]]
        deletes = [(pk, sk) for pk, sk in journal.data["deletes"]]
        self.control.transact_many(puts, deletes)
        rendering = {k: v for k, v in journal.data.items() if k not in {"puts", "deletes"}}
        self.control.save_journal(Journal(dict(rendering, phase="render")))

    def _read_sources(
        self, keys: Sequence[str], reader: GenerationReader, config: SiteConfig, due: set[str]
    ) -> tuple[list[Reading], dict[str, PageBody]]:
        """Every key's current state (read in parallel) as readings; parsed bodies kept for rendering."""
        keys = [key for key in keys if kind_of(key, config) is not None]
        records = reader.records(keys)
        # An asset added to or gone from a bundle may change its page (its feature image): read it again.
        candidates = {
            page
            for key in keys
            if kind_of(key, config) is SourceKind.ASSET and not config.is_static(key)
            for folder in bundle_folders(key)
            for page in bundle_page_keys(folder)
        }
        forced = set(reader.records(candidates)) - set(keys)
        wanted = sorted(set(keys) | forced)

        def read(key: str) -> Any:
            if kind_of(key, config) is SourceKind.ASSET:
                return self.ports.source.stat(key)
            return self.ports.source.read(key, None, MAX_SOURCE_BYTES + 1)

        found = dict(zip(wanted, parallel(read, wanted), strict=True))
        readings: list[Reading] = []
        bodies: dict[str, PageBody] = {}
        for key in wanted:
            kind = kind_of(key, config)
            assert kind is not None
            value = found[key]
            if kind is SourceKind.ASSET:
                readings.append(Reading(key, kind, value, etag=value or ""))
                continue
            if value is None:
                readings.append(Reading(key, kind, None))
                continue
            record = records.get(key) or reader.record(key)
            if record is not None and record.version == value.version and key not in forced:
                if isinstance(record, PageRecord):
                    readings.append(Reading(key, kind, value.version, recheck=True))
                continue  # the same bytes again: nothing to do
            try:
                if kind is SourceKind.PAGE:
                    parsed = self.parse_page(key, value.body, config)
                    bodies[key] = parsed.body
                    readings.append(Reading(key, kind, value.version, page=parsed.entry, etag=value.etag))
                else:
                    intro = parse_intro(key, value.body, config)
                    readings.append(Reading(key, kind, value.version, intro=intro, etag=value.etag))
            except ContentError as error:
                readings.append(Reading(key, kind, value.version, error=error))
        readings += [Reading(key, SourceKind.PAGE, None, recheck=True) for key in sorted(due - set(wanted))]
        return readings, bodies

    def parse_page(self, key: str, body: bytes, config: SiteConfig) -> ParsedPage:
        """Parse a page; a bundle's page lists its folder for its files (its feature image)."""
        folder = bundle_dir(key)
        siblings: list[str] = []
        if folder is not None:
            prefix = folder + "/"
            siblings = [name for item in self.ports.source.list(prefix) if "/" not in (name := item.key[len(prefix) :])]
        return parse_page(key, body, config, siblings)

    def _error_writes(
        self, readings: Sequence[Reading], problems: Mapping[str, Mapping[str, str | None]]
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """Error records of the round's keys: a file that cannot be read, and claims lost or won back."""
        by_key = {reading.key: reading for reading in readings if not reading.recheck}
        keys = sorted(set(by_key) | set(problems))
        if not keys:
            return [], []
        existing = self.control.errors(keys)
        puts: list[Item] = []
        deletes: list[tuple[str, str]] = []
        for key in keys:
            old = existing.get(key, ErrorRecord())
            reading = by_key.get(key)
            parse = old.parse
            claims = dict(old.claims)
            if reading is not None:
                parse = reading.error.problem if reading.error is not None else None
                if reading.version is None:
                    claims = {}
            for claim_key, problem in problems.get(key, {}).items():
                if problem is None:
                    claims.pop(claim_key, None)
                else:
                    claims[claim_key] = problem
            if not parse and not claims:
                if key in existing:
                    deletes.append(("error", key))
            elif (parse, claims) != (old.parse, dict(old.claims)):
                puts.append(ErrorRecord(parse, claims, iso(self.now)).item(key))
        return puts, deletes

    # -- rendering ----------------------------------------------------------------------------------
    def _render_round(self, journal: Journal, result: RunResult, bodies: dict[str, PageBody] | None = None) -> bool:
        """Render and write a round's outputs; False when time ran out first (the journal says where)."""
        lease = self.control.lease
        assert lease is not None
        _, renderer = self.settings(lease.generation)
        view = self.reader(lease.generation)
        plan = render_plan_from_data(journal.data["render"])
        view.add_anchors(plan.anchors)
        sitemap = journal.data["sitemap"]
        patch = SitemapPatch(
            {k: (datetime.fromisoformat(v) if v else None) for k, v in sitemap["set"].items()}, set(sitemap["drop"])
        )
        jobs, deletes = self._expand(plan, view, renderer, patch)
        if not self.write_outputs(journal, jobs, deletes, view, renderer, patch, result, bodies or {}):
            return False
        finishing: list[Item] = []
        if journal.data.get("schedule"):
            page = self.ports.table.query(view.p + "schedule", limit=1)
            next_due = page.items[0]["sk"].partition("\x00")[0] if page.items else ""
            self.control.lease = replace(lease, next_due=next_due)
            finishing.append(self.control.lease.item())
        self.control.save_journal(None, finishing)
        return True

    def _expand(
        self, plan: RenderPlan, view: GenerationReader, renderer: Renderer, patch: SitemapPatch
    ) -> tuple[list[Output], list[str]]:
        """The outputs a render plan names, against the index after the round, in a fixed order."""
        outputs: dict[str, Output] = {output.key: output for output in plan.outputs}
        config = view.config
        for list_id, (first, last) in sorted(plan.list_ranges.items()):
            state = view.list_state(list_id)
            if not list_exists(list_id, state, config):
                continue
            pages = list_pages(state.size, config.pagerSize)
            for number in range(first, min(last or pages, pages) + 1):
                page = list_page(list_id, number, config)
                outputs[page.key] = page
        around = parallel(lambda item: _around(view, *item), sorted(plan.around))
        for entries in around:
            for entry in entries:
                neighbour = PageOutput(entry.source_key, entry.path)
                outputs[neighbour.key] = neighbour
        deletes = set(plan.delete)
        if plan.sitemap:
            urls, published_parts = self.sitemap_urls(view, renderer, patch)
            parts = sitemap_parts(len(urls))
            for part in range(parts + 1):
                outputs[SitemapOutput(part).key] = SitemapOutput(part)
            deletes.update(published_parts)
        ordered = [outputs[key] for key in sorted(outputs) if is_enabled(outputs[key], config)]
        return ordered, sorted(key for key in deletes if key not in outputs)

    def sitemap_urls(
        self, view: GenerationReader, renderer: Renderer, patch: SitemapPatch
    ) -> tuple[list[SitemapUrl], list[str]]:
        """The sitemap's URLs after the round (the published sitemap patched, else from the index),
        and the part files published now."""
        if self._sitemap is not None and self._sitemap[0] is patch:
            return self._sitemap[1], self._sitemap[2]
        urls: list[SitemapUrl] | None = None
        parts: list[str] = []
        published = None if patch.full else self.ports.site.read("sitemap.xml")
        parsed = parse_sitemap(published, renderer.config) if published is not None else None
        if parsed is not None and parsed.parts:
            parts = parsed.parts
            bodies = parallel(self.ports.site.read, parts)
            found = [parse_sitemap(body, renderer.config) if body else None for body in bodies]
            if all(part is not None and not part.parts for part in found):
                urls = patch.apply(url for part in found if part is not None for url in part.urls)
        elif parsed is not None:
            urls = patch.apply(parsed.urls)
        if urls is None:
            urls = renderer.sitemap_urls(view)
            if not parts:
                parts = [key for key in self.control.all_outputs() if key.startswith("sitemap-")]
        self._sitemap = (patch, urls, parts)
        return urls, parts

    def write_outputs(
        self,
        journal: Journal,
        jobs: Sequence[Output],
        deletes: Sequence[str],
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        result: RunResult,
        bodies: dict[str, PageBody],
        force: bool = False,
    ) -> bool:
        """Render `jobs` in chunks from the journal's cursor, write what changed, then delete `deletes`.

        Each chunk records its paths as pending before it writes, and its progress after; False
        when the time ran out (the journal says where to go on).
        """
        cursor = int(journal.data.get("cursor", 0))
        while True:
            last = cursor + RENDER_CHUNK >= len(jobs)
            if cursor >= len(jobs) and not deletes:
                return True
            if self.time_to_hand_on():
                return False
            self.renew()
            chunk = list(jobs[cursor : cursor + RENDER_CHUNK])
            gone = list(deletes) if last else []
            rendered = self._render_chunk(chunk, view, renderer, patch, bodies)
            published = self.control.output_hashes([*rendered, *gone])
            changed = {key: value for key, value in rendered.items() if force or published.get(key) != value[3]}
            touched = sorted({*changed, *gone})
            if touched:
                # Write-ahead: the paths are pending before any object changes (SPEC 3.3.2).
                pending = invalidation_paths(touched, existing=self.control.pending())
                self.control.transact([self.control.pending_item(pending)])
                parallel(lambda item: self.ports.site.put(item[0], *item[1][:3]), sorted(changed.items()))
                if gone:
                    self.ports.site.delete(gone)
            records = [{"pk": "out", "sk": key, "hash": value[3]} for key, value in sorted(changed.items())]
            removals = [("out", key) for key in gone]
            cursor += len(chunk)
            result.written.extend(sorted(changed))
            result.deleted.extend(gone)
            self.progressed()
            if last:
                self.control.transact_many(records, removals)
                journal.data["cursor"] = cursor
                return True
            journal.data["cursor"] = cursor
            self.control.save_journal(journal, records, removals)

    def _render_chunk(
        self,
        chunk: Sequence[Output],
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        bodies: dict[str, PageBody],
    ) -> dict[str, tuple[bytes, str, str, str]]:
        """key -> (bytes, Content-Type, Cache-Control, hash) of each output that exists."""
        pages = [o for o in chunk if isinstance(o, PageOutput) and o.source_key not in bodies]
        view.records(o.source_key for o in pages)
        fetched = parallel(lambda o: (o.source_key, self._body(o.source_key, view)), pages)
        bodies.update({key: body for key, body in fetched if body is not None})
        assets = [o for o in chunk if isinstance(o, AssetOutput)]
        copied = dict(parallel(lambda o: (o.key, self._asset_bytes(o)), assets))
        rendered: dict[str, tuple[bytes, str, str, str]] = {}
        for output in chunk:
            type_ = content_type(output.key)
            if isinstance(output, AssetOutput):
                body = copied.get(output.key)
                if body is not None:
                    rendered[output.key] = (body, type_, cache_control(output), f"v:{output.version}:{type_}")
                continue
            data = self._render_one(output, view, renderer, patch, bodies)
            if data is not None:
                rendered[output.key] = (data, type_, cache_control(output), content_hash(data, type_))
        return rendered

    def _render_one(
        self,
        output: Output,
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        bodies: dict[str, PageBody],
    ) -> bytes | None:
        if isinstance(output, PageOutput):
            entry = view.entry(output.source_key)
            if entry is None or entry.path != output.path or output.source_key not in bodies:
                return None
            return renderer.render_page(output, view, bodies[output.source_key])
        if isinstance(output, SitemapOutput):
            urls, _ = self.sitemap_urls(view, renderer, patch)
            try:
                return renderer.render_sitemap_of(urls, output.part)
            except KeyError:
                return None
        if isinstance(output, ListOutput | FeedOutput) and not list_exists(
            output.list_id, view.list_state(output.list_id), view.config
        ):
            return None
        return renderer.render(output, view, bodies.__getitem__)

    def _body(self, key: str, view: GenerationReader) -> PageBody | None:
        """A page's body, parsed from exactly the version its record was made from."""
        record = view.record(key)
        if not isinstance(record, PageRecord):
            return None
        found = self.ports.source.read(key, record.version or None, MAX_SOURCE_BYTES + 1)
        found = found or self.ports.source.read(key, None, MAX_SOURCE_BYTES + 1)
        if found is None:
            return None
        try:
            return parse_page(key, found.body, view.config, ()).body
        except ContentError:
            return None

    def _asset_bytes(self, output: AssetOutput) -> bytes | None:
        found = self.ports.source.read(output.source_key, output.version or None)
        return found.body if found is not None else None

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
            if not lease.generation:
                return False  # nothing to publish with until the settings are fixed
            return False
        if settings_keys:
            self.control.transact([], [("error", key) for key in settings_keys])
        if special or not lease.generation or settings.digest != lease.config_hash:
            start_rebuild(self, inbox, settings, repair=REPAIR_KEY in special)
            return True
        return False


def _around(view: GenerationReader, list_id: str, sort_key: str) -> list[Entry]:
    """The entries listed just before and just after a sort key (which may no longer be on the list)."""
    pk = view.p + f"list:{list_id}"
    found: list[Entry] = []
    for page in (
        view.table.query(pk, high=before_bound(sort_key), reverse=True, limit=1),
        view.table.query(pk, low=after_bound(sort_key), limit=1),
    ):
        found += [entry_from_data(unpack(item["data"])) for item in page.items]
    return found


def _item_data(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as JSON-able data (bytes as latin-1 text), for the journal of a large round."""
    return {k: ({"b": v.decode("latin-1")} if isinstance(v, bytes) else v) for k, v in item.items()}


def _item_from_data(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v["b"].encode("latin-1") if isinstance(v, dict) and "b" in v else v) for k, v in data.items()}


_ = Lease
