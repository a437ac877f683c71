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
from typing import TYPE_CHECKING, Any

from pressroom.core.planning.codec import record_from_data, record_to_data, unpack
from pressroom.core.planning.plan import (
    AssetRecord,
    EmptyIndex,
    IntroRecord,
    PageRecord,
    Reading,
    Record,
    is_live,
    list_exists,
    plan_round,
)
from pressroom.core.reading.config import SiteSettings, config_from_data, config_to_data, is_settings_key
from pressroom.core.reading.content import MAX_SOURCE_BYTES, SourceKind, parse_intro
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.rendering.theme import is_fingerprinted
from pressroom.core.site.model import HOME_LIST, PageBody
from pressroom.core.site.outputs import site_outputs
from pressroom.engine.control import ErrorRecord, Journal, iso
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader, built_by, compile_plan, gen_prefix, record_item
from pressroom.engine.reading import kind_of, parse_bundle_page
from pressroom.exceptions import ContentError

if TYPE_CHECKING:
    from pressroom.engine.invocation import RunResult
    from pressroom.engine.publisher import Publisher


def start_rebuild(publisher: Publisher, inbox: list[tuple[str, str]], settings: SiteSettings, repair: bool) -> None:
    """Journal a rebuild into the next generation; the inbox's changes are all in it."""
    control = publisher.control
    lease = control.lease
    assert lease is not None
    target = lease.generation + 1
    old_settings, _ = publisher.settings(lease.generation)
    data = {
        "kind": "rebuild",
        "phase": "parse",
        "target": target,
        "old": lease.generation,
        "old_taxonomies": list(old_settings.config.taxonomies),
        "reuse": bool(lease.generation) and settings.digest == lease.config_hash,
        "repair": repair,
        "now": publisher.now.isoformat(),
        "cursor": "",
        "step": 0,
    }
    meta = {
        "pk": gen_prefix(target) + "meta",
        "sk": "config",
        "data": _pack({"config": config_to_data(settings.config), "layouts": dict(settings.layouts),
                       "digest": settings.digest, "theme": built_by()}),
    }  # fmt: skip
    # The journal first (with the settings it builds with), the inbox after: a crash in between
    # leaves changes that the rebuild already covers, never a rebuild nobody knows of with its
    # changes gone from the inbox.
    control.save_journal(Journal(data), [meta])
    control.transact_many([], [("inbox", sk) for sk, _ in inbox])


def _pack(data: Any) -> bytes:
    from pressroom.core.planning.codec import pack

    return pack(data)


def run_rebuild(publisher: Publisher, journal: Journal, result: RunResult) -> bool:
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
            publisher.control.save_journal(None)
            return True
        if publisher.time_to_hand_on():
            return False
        publisher.renew()
        step = steps[journal.phase]
        finished = step(publisher, journal, result)
        publisher.progressed()
        if finished is None:
            return False
        if finished:
            journal = Journal(dict(journal.data, phase=_NEXT[journal.phase], step=0, cursor=0))
        publisher.control.save_journal(journal)


_NEXT = {"parse": "index", "index": "switch", "switch": "render", "render": "sweep", "sweep": "collect"}
_NEXT["collect"] = "done"

PARSE_CHUNK = 250
WRITE_CHUNK = 2000
KEPT_BODIES = 5000
"""Parsed bodies an invocation keeps from the parse to the render (the render reads the others
again): a first push or a rebuild within one invocation reads and parses each page once."""


def _settings(publisher: Publisher, journal: Journal) -> tuple[SiteSettings, Any]:
    return publisher.settings(int(journal.data["target"]))


def _parse(publisher: Publisher, journal: Journal, result: RunResult) -> bool | None:
    """One chunk of the source into the new generation; True once the listing is exhausted."""
    data = journal.data
    settings, _ = _settings(publisher, journal)
    config = settings.config
    listed = publisher.ports.source.list("", start_after=data["cursor"], limit=PARSE_CHUNK)
    keys = [item for item in listed if kind_of(item.key, config) is not None and not is_settings_key(item.key)]
    target = gen_prefix(int(data["target"]))
    reused: dict[str, Record] = {}
    previous: dict[str, Record] = {}
    if data["old"] and keys:
        previous = GenerationReader(publisher.ports.table, int(data["old"]), config).records(item.key for item in keys)
    if data["reuse"]:
        reused = {
            item.key: found
            for item in keys
            if (found := previous.get(item.key)) is not None and found.etag and found.etag == item.etag
        }
    to_read = [item.key for item in keys if item.key not in reused]

    def read(key: str) -> tuple[str, Any]:
        if kind_of(key, config) is SourceKind.ASSET:
            return key, publisher.ports.source.stat(key)
        return key, publisher.ports.source.read(key, None, MAX_SOURCE_BYTES + 1)

    read_now = dict(parallel(read, to_read))
    bodies: dict[tuple[str, str], PageBody] = publisher.memo.setdefault(("bodies", data["target"]), {})
    etags = {item.key: item.etag for item in keys}
    puts = [record_item(target, key, record) for key, record in reused.items()]
    errors: list[Any] = []
    error_deletes: list[tuple[str, str]] = []
    now = datetime.fromisoformat(data["now"])
    for key in to_read:
        kind = kind_of(key, config)
        value = read_now[key]
        if value is None:
            continue
        made: Record
        try:
            if kind is SourceKind.ASSET:
                made = AssetRecord(value, etag=etags.get(key, ""))
            elif kind is SourceKind.PAGE:
                parsed = parse_bundle_page(publisher.ports.source, key, value.body, config)
                made = PageRecord(parsed.entry, value.version, is_live(parsed.entry, now, config), etag=value.etag)
                if len(bodies) < KEPT_BODIES:
                    bodies[(key, value.version)] = parsed.body
            else:
                made = IntroRecord(parse_intro(key, value.body, config), value.version, etag=value.etag)
        except ContentError as error:
            result.errors.append(error)
            errors.append(ErrorRecord(error.problem, {}, iso(publisher.now)).item(key))
            if key in previous:  # what was published from it stays, as on the event path
                puts.append(record_item(target, key, previous[key]))
            continue
        error_deletes.append(("error", key))
        puts.append(record_item(target, key, made))
    publisher.control.transact_many(puts + errors, error_deletes)
    result.published.extend(item["sk"] for item in puts if item.get("kind") == "page")
    if len(listed) < PARSE_CHUNK:
        return True
    journal.data["cursor"] = listed[-1].key
    return False


def _plan(publisher: Publisher, journal: Journal) -> Any:
    """The new generation planned from its records: the same answer in every invocation."""
    settings, _ = _settings(publisher, journal)
    reader = GenerationReader(publisher.ports.table, int(journal.data["target"]), settings.config)
    readings: list[Reading] = []
    for item in reader.query_all(reader.p + "src"):
        record = record_from_data(unpack(item["data"]))
        key = item["sk"]
        if isinstance(record, PageRecord):
            readings.append(Reading(key, SourceKind.PAGE, record.version, page=record.entry, etag=record.etag))
        elif isinstance(record, IntroRecord):
            readings.append(Reading(key, SourceKind.INTRO, record.version, intro=record.intro, etag=record.etag))
        else:
            readings.append(Reading(key, SourceKind.ASSET, record.version, etag=record.etag))
    now = datetime.fromisoformat(journal.data["now"])
    plan = plan_round(readings, EmptyIndex(settings.config), now)
    return plan, reader


def _index(publisher: Publisher, journal: Journal, result: RunResult) -> bool | None:
    """One chunk of the new generation's items (records, claims, lists, terms, ...).

    The items are the same in every step (planned from the records the parse wrote): made once
    an invocation, and only read again by the next one.
    """
    memo = ("items", journal.data["target"], journal.data["now"])
    if memo not in publisher.memo:
        plan, reader = _plan(publisher, journal)
        ops = compile_plan(plan, _EmptyReader(reader))
        problems = [
            ErrorRecord(None, {k: v for k, v in claims.items() if v}, iso(publisher.now)).item(key)
            for key, claims in sorted(plan.problems.items())
            if any(claims.values())
        ]
        publisher.memo[memo] = sorted(ops.puts.values(), key=lambda item: (item["pk"], item["sk"])) + problems
    items = publisher.memo[memo]
    step = int(journal.data["step"])
    chunk = items[step * WRITE_CHUNK : (step + 1) * WRITE_CHUNK]
    publisher.control.transact_many(chunk, [])
    if (step + 1) * WRITE_CHUNK >= len(items):
        del publisher.memo[memo]
        return True
    journal.data["step"] = step + 1
    return False


def _switch(publisher: Publisher, journal: Journal, result: RunResult) -> bool:
    target = int(journal.data["target"])
    settings, _ = _settings(publisher, journal)
    page = publisher.ports.table.query(gen_prefix(target) + "schedule", limit=1)
    next_due = page.items[0]["sk"].partition("\x00")[0] if page.items else ""
    publisher.control.update(generation=target, config_hash=settings.digest, next_due=next_due)
    return True


def _outputs(publisher: Publisher, journal: Journal) -> tuple[list[Any], GenerationReader, Any]:
    settings, renderer = _settings(publisher, journal)
    view = GenerationReader(publisher.ports.table, int(journal.data["target"]), settings.config)
    pages = []
    assets: dict[str, str] = {}
    for item in view.query_all(view.p + "src"):
        record = record_from_data(unpack(item["data"]))
        if isinstance(record, PageRecord) and record.published:
            entry = record.published_entry()
            assert entry is not None
            pages.append(entry)
            view._records[item["sk"]] = record
        elif isinstance(record, AssetRecord) and record.published and record.claim_key:
            assets[record.claim_key] = item["sk"]
            view._records[item["sk"]] = record
    from pressroom.core.site.outputs import AssetOutput

    outputs = []
    for output in site_outputs(view, pages, assets):
        if isinstance(output, AssetOutput):
            found = view._records.get(output.source_key)
            output = AssetOutput(output.source_key, output.key, found.version if found else "")
        outputs.append(output)
    # The fingerprinted stylesheet first: no page links to a name that is not there yet.
    return sorted(outputs, key=lambda output: (not is_fingerprinted(output.key), output.key)), view, renderer


def _render(publisher: Publisher, journal: Journal, result: RunResult) -> bool | None:
    outputs, view, renderer = _outputs(publisher, journal)
    patch = SitemapPatch(full=True)
    # The bodies this invocation parsed, of exactly the versions the generation holds.
    parsed = publisher.memo.get(("bodies", journal.data["target"]), {})
    bodies = {
        key: body
        for (key, version), body in parsed.items()
        if isinstance(record := view._records.get(key), PageRecord) and record.version == version
    }
    done = publisher.writer.write(
        journal, outputs, [], view, renderer, patch, result, bodies, force=bool(journal.data["repair"])
    )
    if done:
        publisher.memo.pop(("bodies", journal.data["target"]), None)
    return True if done else None


def _sweep(publisher: Publisher, journal: Journal, result: RunResult) -> bool | None:
    """Published objects that are no longer outputs go (their paths pending, as for every delete)."""
    outputs, view, renderer = _outputs(publisher, journal)
    wanted = {output.key for output in outputs}
    # A repair looks at the bucket itself: an object put there by hand has no record.
    published = publisher.ports.site.list_keys() if journal.data["repair"] else publisher.control.all_outputs()
    stale = [key for key in published if key not in wanted]
    if not stale:
        return True
    journal.data["cursor"] = 0
    done = publisher.writer.write(journal, [], stale, view, renderer, SitemapPatch(full=True), result, {}, False)
    return True if done else None


def _collect(publisher: Publisher, journal: Journal, result: RunResult) -> bool | None:
    """Delete the old generation, partition by partition (nobody reads it any more)."""
    old = int(journal.data["old"])
    if not old:
        return True
    table = publisher.ports.table
    p = gen_prefix(old)
    partitions = [p + name for name in ("meta", "src", "claim", "intro", "sitemap", "schedule")]
    partitions += [p + f"terms:{taxonomy}" for taxonomy in journal.data["old_taxonomies"]]
    lists = [item["sk"] for item in _keys(table, p + "lists")]
    for sk in lists:
        list_id = "" if sk == "h" else sk[2:]
        partitions += [p + f"list:{list_id}", p + f"order:{list_id}", p + f"blocks:{list_id}"]
    partitions.append(p + "lists")
    for pk in partitions:
        while True:
            if publisher.time_to_hand_on():
                return None
            keys = [(pk, item["sk"]) for item in table.query(pk, limit=1000, attributes=()).items]
            if not keys:
                break
            table.write_many(deletes=keys)
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


class _EmptyReader(GenerationReader):
    """A reader of a generation still empty of everything but records: it answers without asking."""

    def __init__(self, reader: GenerationReader) -> None:
        super().__init__(reader.table, reader.generation, reader.config)

    def blocks(self, list_id: str) -> list[tuple[str, int]]:
        return []

    def lists(self, list_ids: Any, counting: Any = ()) -> dict[str, Any]:
        return {}

    def term_bucket_items(self, taxonomy: str, buckets: Any) -> dict[str, dict[str, list[Any]]]:
        return {bucket: {} for bucket in buckets}

    def term_bucket_items_of(self, wanted: Any) -> None:
        return None

    def query_all(self, pk: str, **options: Any) -> Any:
        if pk.endswith("src"):
            return super().query_all(pk, **options)
        return iter(())


_ = (HOME_LIST, list_exists, config_from_data, record_to_data)
