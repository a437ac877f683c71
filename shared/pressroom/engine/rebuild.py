"""A whole-site rebuild: a new generation of the index, built in chunks beside the current one.

The steps, each recorded in the journal before the next, each safe to run again:

1. `parse`: the source is listed in key order, a chunk at a time; every page, intro and asset
   is read and parsed into the new generation (a record whose bytes and settings are unchanged
   is copied from the current generation instead of read again);
2. `index`: the new generation's records are planned as one round against an empty index (the
   planner the full build uses) and the compiled writes applied, a chunk at a time;
3. `switch`: the lease's generation pointer moves to the new generation, in one write: from
   here on every reader sees the new index, complete;
4. `render`: every output of the site (`site_outputs`, as in the full build) is rendered from
   the new generation and written where its bytes changed (everywhere, to repair);
5. `sweep`: published objects that are no longer outputs are deleted;
6. `collect`: the old generation's items are deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pressroom.core.planning.codec import pack
from pressroom.core.planning.conversions import published_set, record_reading, unplanned_record
from pressroom.core.planning.plan import AssetRecord, EmptyIndex, PageRecord, Record, plan_round
from pressroom.core.reading.config import SiteSettings, config_to_data, is_settings_key
from pressroom.core.reading.content import MAX_SOURCE_BYTES, SourceKind
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.rendering.theme import is_fingerprinted
from pressroom.core.site.model import PageBody
from pressroom.core.site.outputs import site_outputs
from pressroom.engine.ahead import swept_stems
from pressroom.engine.control import ErrorRecord, Journal, iso
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader, GenerationState, built_by
from pressroom.engine.invocation import RunResult
from pressroom.engine.plan_writes import compile_plan, record_item
from pressroom.engine.publishing_run import PublishingRun
from pressroom.engine.reading import kind_of, made_by_this_encoder, parse_read
from pressroom.engine.table_layout import (
    GENERATION_PARTITIONS,
    INBOX,
    GenerationKeys,
    error_key,
    list_of_sk,
    schedule_parts,
)
from pressroom.exceptions import ContentError


def start_rebuild(run: PublishingRun, inbox: list[tuple[str, str]], settings: SiteSettings, repair: bool) -> None:
    """Journal a rebuild into the next generation; the inbox's changes are all in it."""
    control = run.control
    lease = control.lease
    assert lease is not None
    target = lease.generation + 1
    old_settings, _ = run.settings(lease.generation)
    data = {
        "kind": "rebuild",
        "phase": "parse",
        "target": target,
        "old": lease.generation,
        "old_taxonomies": list(old_settings.config.taxonomies),
        "reuse": bool(lease.generation) and settings.digest == lease.config_hash,
        "repair": repair,
        "now": run.now.isoformat(),
        "cursor": "",
        "step": 0,
        "sweep": swept_stems(key for _, key in inbox),
    }
    meta_pk, meta_sk = GenerationKeys(target).config
    meta = {
        "pk": meta_pk,
        "sk": meta_sk,
        "data": pack({"config": config_to_data(settings.config), "layouts": dict(settings.layouts),
                       "digest": settings.digest, "theme": built_by()}),
    }  # fmt: skip
    # The journal first (with the settings it builds with), the inbox after: a crash in between
    # leaves changes that the rebuild already covers, never a rebuild nobody knows of with its
    # changes gone from the inbox.
    control.save_journal(Journal(data), [meta])
    control.transact_many([], [(INBOX, sk) for sk, _ in inbox])


def run_rebuild(run: PublishingRun, journal: Journal, result: RunResult) -> bool:
    """Advance a rebuild while time remains; False when it must go on in another invocation."""
    steps = {
        "parse": _parse,
        "index": _index,
        "switch": _switch,
        "render": _render,
        "sweep": _sweep,
        "collect": _collect,
    }
    while True:
        if journal.phase == "done":
            run.control.save_journal(None)
            return True
        if run.time_to_hand_on():
            return False
        run.renew()
        step = steps[journal.phase]
        finished = step(run, journal, result)
        run.progressed()
        if finished is None:
            return False
        if finished:
            journal = Journal(dict(journal.data, phase=_NEXT[journal.phase], step=0, cursor=0))
        run.control.save_journal(journal)


_NEXT = {"parse": "index", "index": "switch", "switch": "render", "render": "sweep", "sweep": "collect"}
_NEXT["collect"] = "done"

PARSE_CHUNK = 250
WRITE_CHUNK = 2000
KEPT_BODIES = 5000
"""Parsed bodies an invocation keeps from the parse to the render (the render reads the others
again): a first push or a rebuild within one invocation reads and parses each page once."""


def _settings(run: PublishingRun, journal: Journal) -> tuple[SiteSettings, Any]:
    return run.settings(int(journal.data["target"]))


def _parse(run: PublishingRun, journal: Journal, result: RunResult) -> bool | None:
    """One chunk of the source into the new generation; True once the listing is exhausted."""
    data = journal.data
    settings, _ = _settings(run, journal)
    config = settings.config
    listed = run.ports.source.list("", start_after=data["cursor"], limit=PARSE_CHUNK)
    keys = [item for item in listed if kind_of(item.key, config) is not None and not is_settings_key(item.key)]
    target = GenerationKeys(int(data["target"]))
    reused: dict[str, Record] = {}
    previous: dict[str, Record] = {}
    if data["old"] and keys:
        previous = GenerationReader(run.ports.table, int(data["old"]), config).records(item.key for item in keys)
    if data["reuse"]:
        reused = {
            item.key: found
            for item in keys
            if (found := previous.get(item.key)) is not None
            and found.etag
            and found.etag == item.etag
            and (not isinstance(found, AssetRecord) or found.image is None or made_by_this_encoder(found))
        }
    to_read = [item.key for item in keys if item.key not in reused]

    def read(key: str) -> tuple[str, Any]:
        if kind_of(key, config) is SourceKind.ASSET:
            return key, run.ports.source.stat(key)
        return key, run.ports.source.read(key, None, MAX_SOURCE_BYTES + 1)

    read_now = dict(parallel(read, to_read))
    bodies: dict[tuple[str, str], PageBody] = run.memo.setdefault(("bodies", data["target"]), {})
    etags = {item.key: item.etag for item in keys}
    puts = [record_item(target, key, record) for key, record in reused.items()]
    errors: list[Any] = []
    error_deletes: list[tuple[str, str]] = []
    now = datetime.fromisoformat(data["now"])
    for key in to_read:
        kind = kind_of(key, config)
        assert kind is not None
        value = read_now[key]
        if value is None:
            continue
        try:
            reading, body = parse_read(run.ports.source, key, kind, value, config, etag=etags.get(key, ""))
        except ContentError as error:
            result.errors.append(error)
            errors.append(ErrorRecord(error.problem, {}, iso(run.now)).item(key))
            if key in previous:  # what was published from it stays, as on the event path
                puts.append(record_item(target, key, previous[key]))
            continue
        if body is not None and len(bodies) < KEPT_BODIES:
            bodies[(key, value.version)] = body
        error_deletes.append(error_key(key))
        puts.append(record_item(target, key, unplanned_record(reading, now, config)))
    run.control.transact_many(puts + errors, error_deletes)
    result.published.extend(item["sk"] for item in puts if item.get("kind") == "page")
    if len(listed) < PARSE_CHUNK:
        return True
    journal.data["cursor"] = listed[-1].key
    return False


def _plan(run: PublishingRun, journal: Journal) -> Any:
    """The new generation planned from its records: the same answer in every invocation."""
    settings, _ = _settings(run, journal)
    reader = GenerationReader(run.ports.table, int(journal.data["target"]), settings.config)
    readings = [record_reading(key, record) for key, record in reader.all_records()]
    now = datetime.fromisoformat(journal.data["now"])
    plan = plan_round(readings, EmptyIndex(settings.config), now)
    return plan, reader


def _index(run: PublishingRun, journal: Journal, result: RunResult) -> bool | None:
    """One chunk of the new generation's items (records, claims, lists, terms, ...).

    The items are the same in every step (planned from the records the parse wrote): made once
    an invocation, and only read again by the next one.
    """
    memo = ("items", journal.data["target"], journal.data["now"])
    if memo not in run.memo:
        plan, reader = _plan(run, journal)
        ops = compile_plan(plan, _EmptyReader(reader))
        problems = [
            ErrorRecord(None, {k: v for k, v in claims.items() if v}, iso(run.now)).item(key)
            for key, claims in sorted(plan.problems.items())
            if any(claims.values())
        ]
        run.memo[memo] = sorted(ops.puts.values(), key=lambda item: (item["pk"], item["sk"])) + problems
    items = run.memo[memo]
    step = int(journal.data["step"])
    chunk = items[step * WRITE_CHUNK : (step + 1) * WRITE_CHUNK]
    run.control.transact_many(chunk, [])
    if (step + 1) * WRITE_CHUNK >= len(items):
        del run.memo[memo]
        return True
    journal.data["step"] = step + 1
    return False


def _switch(run: PublishingRun, journal: Journal, result: RunResult) -> bool:
    target = int(journal.data["target"])
    settings, _ = _settings(run, journal)
    page = run.ports.table.query(GenerationKeys(target).schedule, limit=1)
    next_due = schedule_parts(page.items[0]["sk"])[0] if page.items else ""
    run.control.update(generation=target, config_hash=settings.digest, next_due=next_due)
    return True


def _outputs(run: PublishingRun, journal: Journal) -> tuple[list[Any], GenerationReader, Any]:
    settings, renderer = _settings(run, journal)
    view = GenerationReader(run.ports.table, int(journal.data["target"]), settings.config)
    published = published_set(view.all_records(), settings.config)
    outputs = site_outputs(
        view, published.pages, published.assets, versions=published.versions, variants=published.variants
    )
    # The fingerprinted stylesheet first: no page links to a name that is not there yet.
    return sorted(outputs, key=lambda output: (not is_fingerprinted(output.key), output.key)), view, renderer


def _render(run: PublishingRun, journal: Journal, result: RunResult) -> bool | None:
    outputs, view, renderer = _outputs(run, journal)
    patch = SitemapPatch(full=True)
    # The bodies this invocation parsed, of exactly the versions the generation holds.
    parsed = run.memo.get(("bodies", journal.data["target"]), {})
    bodies = {
        key: body
        for (key, version), body in parsed.items()
        if isinstance(record := view.record(key), PageRecord) and record.version == version
    }
    done = run.writer.write(
        journal, outputs, [], view, renderer, patch, result, bodies, force=bool(journal.data["repair"])
    )
    if done:
        run.memo.pop(("bodies", journal.data["target"]), None)
    return True if done else None


def _sweep(run: PublishingRun, journal: Journal, result: RunResult) -> bool | None:
    """Published objects that are no longer outputs go (their paths pending, as for every delete)."""
    outputs, view, renderer = _outputs(run, journal)
    wanted = {output.key for output in outputs}
    # A repair looks at the bucket itself: an object put there by hand has no record.
    published = run.ports.site.list_keys() if journal.data["repair"] else run.control.all_outputs()
    stale = [key for key in published if key not in wanted]
    # Variants made ahead beside the rebuild's images (`engine.ahead`) that no output is.
    stale += run.writer.strays(journal.data.get("sweep") or [], sorted(wanted))
    if not stale:
        return True
    journal.data["cursor"] = 0
    done = run.writer.write(journal, [], stale, view, renderer, SitemapPatch(full=True), result, {}, False)
    return True if done else None


def _collect(run: PublishingRun, journal: Journal, result: RunResult) -> bool | None:
    """Delete the old generation, partition by partition (nobody reads it any more)."""
    old = int(journal.data["old"])
    if not old:
        return True
    table = run.ports.table
    keys = GenerationKeys(old)
    partitions = [keys.prefix + name for name in GENERATION_PARTITIONS]
    partitions += [keys.terms(taxonomy) for taxonomy in journal.data["old_taxonomies"]]
    for sk in [item["sk"] for item in _keys(table, keys.lists)]:
        list_id = list_of_sk(sk)
        partitions += [keys.list(list_id), keys.order(list_id), keys.blocks(list_id)]
    partitions.append(keys.lists)
    for pk in partitions:
        while True:
            if run.time_to_hand_on():
                return None
            items = [(pk, item["sk"]) for item in table.query(pk, limit=1000, attributes=()).items]
            if not items:
                break
            table.write_many(deletes=items)
    return True


def _keys(table: Any, pk: str) -> Sequence[Any]:
    found = []
    after = None
    while True:
        page = table.query(pk, after=after, attributes=())
        found += page.items
        if page.cursor is None:
            return found
        after = page.cursor


class _EmptyReader(GenerationState):
    """A reader of a generation still empty of everything but records: it answers without asking."""

    def __init__(self, reader: GenerationState) -> None:
        super().__init__(reader.table, reader.generation, reader.config)

    def blocks(self, list_id: str) -> list[tuple[str, int]]:
        return []

    def lists(self, list_ids: Any, counting: Any = ()) -> dict[str, Any]:
        return {}

    def sitemap_urls(self) -> tuple[int, int]:
        return (0, 0)

    def term_bucket_items(self, taxonomy: str, buckets: Any) -> dict[str, dict[str, list[Any]]]:
        return {bucket: {} for bucket in buckets}

    def term_bucket_items_of(self, wanted: Any) -> None:
        return None
