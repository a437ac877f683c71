"""The index of one site generation in the table: its items, how to read them, how a plan changes them.

Every item of a generation has a `pk` starting `g{N}:`; a whole-site rebuild writes a new
generation beside the current one and switches to it in one write, so nothing ever renders
from a half-built index. Each partition answers one question:

| pk | sk | holds |
| --- | --- | --- |
| `gN:meta` | `config` | the configuration and layouts the generation was built with |
| `gN:src` | source key | the record of a page, intro or asset (`core.plan` records) |
| `gN:claim` | output key `\\0` claim | every claim on a key (`core.resolve`): its owner is the smallest |
| `gN:lists` | `h`, `s:SECTION`, `t:TAX/TERM`, `x:TAX` | a list's state: size, live pages, intro, spellings, blocks |
| `gN:list:LIST` | sort key `\\1` | an entry as the list shows it: a pager page is one query |
| `gN:order:LIST` | sort key `\\1` | nothing: the list's keys alone, for counting ranks |
| `gN:terms:TAX` | bucket `00`..`15` | term -> (display name, count), for the taxonomy index |
| `gN:intro` | `#LIST` | a list's intro (the `_index.md` that won it) |
| `gN:sitemap` | link path | last modification of each URL of the sitemap |
| `gN:schedule` | instant `\\0` source key | when a page's publication changes by the clock |

A rank (how many entries order before a key) is the count of the blocks before it plus one
bounded COUNT inside its block, so it costs the same at 500 entries or 500,000. A list's blocks
(a bound and the count of each, one per 256 to 512 entries; a bound is the shortest prefix of
the block's first key that orders after the key before it, about a dozen characters: a few KB
packed at 50,000 entries, far below DynamoDB's 400 KB an item) are kept in its state item,
which every change of the list rewrites anyway: reading the state reads them. The state also
keeps the list's first and last keys while they are known (a change that removes one without a
key past it forgets it), so a key placed at either end (a new newest post, a post older than
all) has its rank and its missing neighbour without a read. Stored sort keys end in `\\1` so
"before k" and "after k" are the inclusive bounds `k\\0` and `k\\2`.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pressroom.core.planning.codec import (
    entry_from_data,
    entry_to_data,
    intro_from_data,
    intro_to_data,
    pack,
    record_from_data,
    record_to_data,
    unpack,
)
from pressroom.core.planning.plan import AssetRecord, ListState, PageRecord, Record, RoundPlan, list_exists
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.mime import HEADERS_RULES
from pressroom.core.rendering.theme import theme_digest
from pressroom.core.site.lists import term_from_spellings
from pressroom.core.site.model import HOME_LIST, Entry, Intro, Term
from pressroom.core.site.resolve import Claim
from pressroom.ports import Item, Table

INDEX_FORMAT = 2
"""The layout of a generation's items (2: a list's blocks are in its state item). A generation
of another layout is rebuilt, as one built with another theme is (`built_by`)."""
BLOCK_SIZE = 256
"""Entries a rank block aims at; a block over twice this is split in two."""
TERM_BUCKETS = 16
SENTINEL = " "
"""The first block's first key: below every stored sort key (which start with a digit)."""
PARALLEL_READS = 8
READ_AHEAD = 1000
"""Entries one step of a pager walk reads at most (one Query page holds up to 1 MB)."""


def built_by() -> str:
    """What a generation records it was built with: the theme and the index layout."""
    return f"{theme_digest()}+index{INDEX_FORMAT}+headers{HEADERS_RULES}"


def gen_prefix(generation: int) -> str:
    return f"g{generation}:"


def record_items(generation: int, keys: Iterable[str]) -> list[tuple[str, str]]:
    """The items holding these source keys' records in a generation (to read with other items)."""
    return [(gen_prefix(generation) + "src", key) for key in keys]


def stored(sort_key: str) -> str:
    return sort_key + "\x01"


def before_bound(sort_key: str) -> str:
    """The highest stored key that orders before `sort_key` is at most this."""
    return sort_key + "\x00"


def after_bound(sort_key: str) -> str:
    """Every stored key that orders after `sort_key` is at least this."""
    return sort_key + "\x02"


def list_sk(list_id: str, config: SiteConfig) -> str:
    """A list's key in the `lists` partition, prefixed by its kind so sections can be listed."""
    if list_id == HOME_LIST:
        return "h"
    if "/" in list_id:
        return f"t:{list_id}"
    if list_id in config.taxonomies:
        return f"x:{list_id}"
    return f"s:{list_id}"


def term_bucket(slug: str) -> str:
    return f"{zlib.crc32(slug.encode('utf-8')) % TERM_BUCKETS:02d}"


Edges = tuple[str | None, str | None]
"""A list's first and last stored sort keys; None where not known."""
UNKNOWN_EDGES: Edges = (None, None)


def _list_state_to_item(
    pk: str, sk: str, state: ListState, blocks: Sequence[tuple[str, int]], edges: Edges = UNKNOWN_EDGES
) -> Item:
    item: Item = {"pk": pk, "sk": sk, "size": state.size, "live": state.live, "intro": state.intro}
    if state.spellings:
        item["sp"] = pack(dict(state.spellings))
    item["b"] = pack([[first, count] for first, count in blocks])
    if edges != UNKNOWN_EDGES:
        item["e"] = pack(list(edges))
    return item


def _blocks_from_item(item: Item | None) -> list[tuple[str, int]]:
    """A list's blocks, from its state item (none without one)."""
    return [(first, int(count)) for first, count in unpack(item["b"])] if item is not None else []


def _edges_from_item(item: Item | None) -> Edges:
    """A list's known first and last keys, from its state item (an item of before they were kept: none)."""
    if item is None or "e" not in item:
        return UNKNOWN_EDGES
    first, last = unpack(item["e"])
    return first, last


def _list_state_from_item(item: Item) -> ListState:
    spellings = unpack(item["sp"]) if "sp" in item else {}
    return ListState(int(item["size"]), int(item["live"]), bool(item["intro"]), MappingProxyType(spellings))


@dataclass
class _ListCache:
    """What one reader learned of one list: its blocks, and entries by rank."""

    blocks: list[tuple[str, int]] | None = None
    edges: Edges = UNKNOWN_EDGES
    """Known with the blocks (from the same item)."""
    entries: dict[int, Entry] = field(default_factory=dict)
    keys: dict[int, str] = field(default_factory=dict)
    """rank -> stored sort key, for entries read or ranks counted."""
    ranks: dict[str, int] = field(default_factory=dict)
    """stored sort key -> rank: `keys` the other way."""
    read_to: int = -1
    """Where the last read of entries stopped: a read that starts there walks the pager."""
    span: int = 0
    """How many entries that read asked for (doubled on each step of a walk)."""


class GenerationReader:
    """Reads of one generation, remembered for the life of the reader.

    Before a round's changes are applied it is the planner's `IndexState`; a fresh one after
    them is the renderer's `SiteIndex`. It is never used across a write: the engine is the
    only writer, so what it remembers stays true while it lives.
    """

    def __init__(self, table: Table, generation: int, config: SiteConfig) -> None:
        self.table = table
        self.generation = generation
        self.config = config
        self.p = gen_prefix(generation)
        self._records: dict[str, Record | None] = {}
        self._lists: dict[str, ListState | None] = {}
        self._list_cache: dict[str, _ListCache] = {}
        self._intros: dict[str, Intro | None] = {}
        self._buckets: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self._ranks: dict[tuple[str, str], int] = {}
        self._written: dict[str, dict[str, Item]] = {}
        """list id -> stored sort key -> entry item, of the entries the round before this reader wrote."""
        self._adjacent: dict[tuple[str, str], tuple[Entry | None, Entry | None]] = {}
        """(list id, sort key) -> the entries just before and just after it."""

    def after(self, ops: Ops) -> GenerationReader:
        """A reader of the index once `ops` are applied: what this one read, changed as they change it.

        Only what is read whole carries over (records, list states, intros, a list's blocks),
        and the entries the ops write (`add_anchors` places them by rank); other list contents,
        claims and counts are read again.
        """
        view = GenerationReader(self.table, self.generation, self.config)
        view._records = dict(self._records)
        view._lists = dict(self._lists)
        view._intros = dict(self._intros)
        for list_id, cache in self._list_cache.items():
            if cache.blocks is not None:
                view._cache(list_id).blocks = list(cache.blocks)
                view._cache(list_id).edges = cache.edges
        src, lists, intro = self.p + "src", self.p + "lists", self.p + "intro"
        by_sk = {list_sk(list_id, self.config): list_id for list_id in self._lists}
        for (pk, sk), item in [*((key, None) for key in ops.deletes), *ops.puts.items()]:
            if pk == src:
                view._learn_record(sk, item)
            elif pk == lists and sk in by_sk:
                view._learn_state(by_sk[sk], item)
            elif pk == intro:
                view._intros[sk[1:]] = intro_from_data(unpack(item["data"])) if item else None
            elif item is not None and pk.startswith(self.p + "list:"):
                view._written.setdefault(pk[len(self.p) + 5 :], {})[sk] = item
        return view

    def _learn_record(self, key: str, item: Item | None) -> None:
        """A source's record item (None: there is none), read or written."""
        self._records[key] = record_from_data(unpack(item["data"])) if item else None

    def _learn_state(self, list_id: str, item: Item | None) -> None:
        """A list's state item (None: there is none), read or written: its state and its blocks."""
        self._lists[list_id] = _list_state_from_item(item) if item else None
        self._cache(list_id).blocks = _blocks_from_item(item)
        self._cache(list_id).edges = _edges_from_item(item)

    # -- plumbing
    def query_all(self, pk: str, **options: Any) -> Iterator[Item]:
        after: str | None = None
        while True:
            page = self.table.query(pk, after=after, **options)
            yield from page.items
            if page.cursor is None:
                return
            after = page.cursor

    def _parallel(self, function: Any, items: Sequence[Any]) -> list[Any]:
        if len(items) <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(PARALLEL_READS, len(items))) as pool:
            return list(pool.map(function, items))

    def add_anchors(self, anchors: Mapping[str, Mapping[int, str]]) -> None:
        """Known ranks of sort keys (from the plan): a list page near one reads around it."""
        for list_id, ranks in anchors.items():
            cache = self._cache(list_id)
            written = self._written.get(list_id, {})
            for rank, key in ranks.items():
                cache.keys[rank] = stored(key)
                cache.ranks[stored(key)] = rank
                if stored(key) in written:  # the round wrote it: its entry is known, not read back
                    cache.entries[rank] = entry_from_data(unpack(written[stored(key)]["data"]))

    def _cache(self, list_id: str) -> _ListCache:
        return self._list_cache.setdefault(list_id, _ListCache())

    # -- records, claims, lists (the planner's IndexState)
    def records(self, keys: Iterable[str]) -> dict[str, Record]:
        keys = list(keys)
        self.records_with(keys)
        return {key: record for key in keys if (record := self._records.get(key)) is not None}

    def records_with(self, keys: Iterable[str], extra: Sequence[tuple[str, str]] = ()) -> dict[tuple[str, str], Item]:
        """Read the records of `keys` (those not known yet) and the `extra` items, in one request;
        returns the extra items found."""
        wanted = [key for key in dict.fromkeys(keys) if key not in self._records]
        if not wanted and not extra:
            return {}
        found = self.table.get_many([*((self.p + "src", key) for key in wanted), *extra])
        for key in wanted:
            self._learn_record(key, found.get((self.p + "src", key)))
        return {key: item for key in extra if (item := found.get(key)) is not None}

    def learn_records(self, keys: Sequence[str], found: Mapping[tuple[str, str], Item]) -> None:
        """The records of `keys` as read with other items (`found`: those that exist; see `record_items`)."""
        for key, item in zip(keys, record_items(self.generation, keys), strict=True):
            self._learn_record(key, found.get(item))

    def record(self, key: str) -> Record | None:
        return self.records([key]).get(key)

    def claims(self, keys: Iterable[str]) -> dict[str, list[Claim]]:
        wanted = list(dict.fromkeys(keys))

        def claims_of(key: str) -> list[Claim]:
            prefix = f"{key}\x00"
            return [Claim.decode(item["sk"][len(prefix) :]) for item in self.query_all(self.p + "claim", prefix=prefix)]

        found = self._parallel(claims_of, wanted)
        return dict(zip(wanted, found, strict=True))

    def lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> dict[str, ListState]:
        """The states of these lists; `counting`: term lists whose counts change, whose term
        buckets (`compile_plan` rewrites them) are read in the same request."""
        list_ids = list(list_ids)
        wanted = [list_id for list_id in dict.fromkeys(list_ids) if list_id not in self._lists]
        if wanted:
            keys = {list_id: (self.p + "lists", list_sk(list_id, self.config)) for list_id in wanted}
            buckets = {(term.partition("/")[0], term_bucket(term.partition("/")[2])) for term in counting}
            found = self._read_buckets(sorted(buckets), list(keys.values()))
            for list_id, key in keys.items():
                self._learn_state(list_id, found.get(key))
        return {list_id: state for list_id in list_ids if (state := self._lists.get(list_id)) is not None}

    def list_state(self, list_id: str) -> ListState:
        return self.lists([list_id]).get(list_id) or ListState()

    def prefetch(
        self,
        list_ids: Iterable[str],
        taxonomies: Iterable[str] = (),
        records: Iterable[str] = (),
        extra: Sequence[tuple[str, str]] = (),
    ) -> dict[tuple[str, str], Item]:
        """What rendering reads first, in one request: these lists' states and intros, these
        taxonomies' intros and term buckets, these sources' records, and the `extra` items
        (returned, those found)."""
        wanted = list(dict.fromkeys(list_ids))
        taxonomies = list(dict.fromkeys(taxonomies))
        states = {list_id: (self.p + "lists", list_sk(list_id, self.config)) for list_id in wanted}
        states = {list_id: key for list_id, key in states.items() if list_id not in self._lists}
        intros = {
            list_id: (self.p + "intro", f"#{list_id}")
            for list_id in dict.fromkeys([*wanted, *taxonomies])
            if list_id not in self._intros
        }
        buckets = [(taxonomy, f"{n:02d}") for taxonomy in taxonomies for n in range(TERM_BUCKETS)]
        sources = [key for key in dict.fromkeys(records) if key not in self._records]
        found = self._read_buckets(
            buckets, [*states.values(), *intros.values(), *((self.p + "src", key) for key in sources), *extra]
        )
        for source in sources:
            self._learn_record(source, found.get((self.p + "src", source)))
        for list_id, key in states.items():
            self._learn_state(list_id, found.get(key))
        for list_id, key in intros.items():
            item = found.get(key)
            self._intros[list_id] = intro_from_data(unpack(item["data"])) if item else None
        return {key: item for key in extra if (item := found.get(key)) is not None}

    def blocks(self, list_id: str) -> list[tuple[str, int]]:
        """The list's blocks: (bound, entries) in order, each bound at most its first stored sort
        key and above every key before; read with its state."""
        cache = self._cache(list_id)
        if cache.blocks is None:
            self.lists([list_id])  # every list state known is known from its item: with its blocks
        assert cache.blocks is not None
        return cache.blocks

    def edges(self, list_id: str) -> Edges:
        """The list's first and last stored sort keys, where known; read with its state."""
        self.blocks(list_id)
        return self._cache(list_id).edges

    def prepare_ranks(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Count these ranks together: every list's blocks at once, then every count at once."""
        pairs = [pair for pair in dict.fromkeys(wanted) if pair not in self._ranks]
        lists = sorted({list_id for list_id, _ in pairs if self._cache(list_id).blocks is None})
        self._parallel(self.blocks, lists)
        found = self._parallel(lambda pair: self._count_rank(*pair), pairs)
        self._ranks.update(zip(pairs, found, strict=True))

    def rank(self, list_id: str, sort_key: str) -> int:
        """Entries ordering before `sort_key`: the blocks before its block, then one COUNT in it."""
        if (list_id, sort_key) not in self._ranks:
            self._ranks[(list_id, sort_key)] = self._count_rank(list_id, sort_key)
        return self._ranks[(list_id, sort_key)]

    def _count_rank(self, list_id: str, sort_key: str) -> int:
        blocks = self.blocks(list_id)
        size = sum(count for _, count in blocks)
        target = stored(sort_key)
        first, last = self.edges(list_id)
        if size == 0 or (first is not None and target <= first):
            return 0
        if last is not None and target >= last:
            return size - (target == last)
        chosen = 0
        for index, (block_first, _) in enumerate(blocks):
            if block_first > target:
                break
            chosen = index
        base = sum(count for _, count in blocks[:chosen])
        first = blocks[chosen][0]
        counted = 0
        after: str | None = None
        while True:
            page = self.table.query(
                self.p + f"order:{list_id}",
                low=None if first == SENTINEL else first,
                high=before_bound(sort_key),
                count_only=True,
                after=after,
            )
            counted += page.count
            if page.cursor is None:
                return base + counted
            after = page.cursor

    def assets_under(self, folder: str) -> dict[str, AssetRecord]:
        found: dict[str, AssetRecord] = {}
        for item in self.query_all(self.p + "src", prefix=folder + "/"):
            record = record_from_data(unpack(item["data"]))
            self._records.setdefault(item["sk"], record)
            if isinstance(record, AssetRecord):
                found[item["sk"]] = record
        return found

    def term_bucket_items(self, taxonomy: str, buckets: Iterable[str]) -> dict[str, dict[str, list[Any]]]:
        buckets = list(buckets)
        self._read_buckets([(taxonomy, bucket) for bucket in buckets])
        return {bucket: self._buckets[(taxonomy, bucket)] for bucket in buckets}

    def term_bucket_items_of(self, wanted: Mapping[str, Iterable[str]]) -> None:
        """Read the term buckets of several taxonomies (taxonomy -> buckets) in one request."""
        self._read_buckets((taxonomy, bucket) for taxonomy, buckets in wanted.items() for bucket in buckets)

    def _read_buckets(
        self, wanted: Iterable[tuple[str, str]], extra: Sequence[tuple[str, str]] = ()
    ) -> dict[tuple[str, str], Item]:
        """Read the (taxonomy, bucket) term buckets not known yet, with the `extra` items, in one request."""
        missing = [pair for pair in dict.fromkeys(wanted) if pair not in self._buckets]
        keys = {pair: (self.p + f"terms:{pair[0]}", pair[1]) for pair in missing}
        if not keys and not extra:
            return {}
        found = self.table.get_many([*keys.values(), *extra])
        for pair, key in keys.items():
            item = found.get(key)
            self._buckets[pair] = unpack(item["data"]) if item else {}
        return found

    # -- the SiteIndex port, for rendering
    def entry(self, source_key: str) -> Entry | None:
        record = self.record(source_key)
        return record.published_entry() if isinstance(record, PageRecord) else None

    def list_size(self, list_id: str) -> int:
        return self.list_state(list_id).size

    def list_slice(self, list_id: str, start: int, stop: int) -> Sequence[Entry]:
        stop = min(stop, self.list_size(list_id))
        start = max(start, 0)
        if start >= stop:
            return []
        cache = self._cache(list_id)
        if any(rank not in cache.entries for rank in range(start, stop)):
            # Pages rendered in turn (a new newest post shifts every pager page) read on from
            # where the last read stopped: read ahead, twice as far each time, so a walk of
            # P pages costs about log2(P) queries instead of P. A lone page reads itself only.
            cache.span = min(READ_AHEAD, max(stop - start, 2 * cache.span)) if start == cache.read_to else stop - start
            ahead = min(self.list_size(list_id), max(stop, start + cache.span))
            self._fetch(list_id, start, ahead)
            cache.read_to = ahead
        return [cache.entries[rank] for rank in range(start, stop) if rank in cache.entries]

    def _fetch(self, list_id: str, start: int, stop: int) -> None:
        """Read entries `start` to `stop`: around a rank whose key is known, else from a seek."""
        cache = self._cache(list_id)
        while start < stop and start in cache.entries:
            start += 1
        while stop > start and stop - 1 in cache.entries:
            stop -= 1
        if start >= stop:
            return
        near = [rank for rank in cache.keys if start - 2 * self.config.pagerSize <= rank <= stop]
        if start == 0:
            self._forward(list_id, 0, stop, low=None)
        elif near:
            anchor = min(near, key=lambda rank: (rank > start, abs(rank - start)))
            key = cache.keys[anchor]

            def backward() -> None:
                page = self.table.query(
                    self.p + f"list:{list_id}", high=before_bound(key[:-1]), reverse=True, limit=anchor - start
                )
                for offset, item in enumerate(page.items):
                    self._remember(list_id, anchor - 1 - offset, item)

            # From the anchor on, and back from it to the start: two reads at once.
            reads = [lambda: self._forward(list_id, anchor, stop, low=key)] if anchor < stop else []
            self._parallel(lambda read: read(), [*reads, *([backward] if anchor > start else [])])
        else:
            key = self._seek(list_id, start)
            self._forward(list_id, start, stop, low=key)

    def _seek(self, list_id: str, rank: int) -> str:
        """The stored sort key at `rank`: find its block, then count into it on the key-only copy."""
        base = 0
        first = SENTINEL
        for block_first, count in self.blocks(list_id):
            if base + count > rank:
                first = block_first
                break
            base += count
        page = self.table.query(
            self.p + f"order:{list_id}", low=None if first == SENTINEL else first, limit=rank - base + 1
        )
        key: str = page.items[-1]["sk"]
        return key

    def _forward(self, list_id: str, rank: int, stop: int, low: str | None) -> None:
        """Entries in order from the stored key `low` (None: the list's start), which is at `rank`."""
        pk = self.p + f"list:{list_id}"
        after: str | None = None
        position = rank
        while position < stop:
            page = self.table.query(
                pk, low=low if after is None else None, after=after, limit=min(stop - position, 1000)
            )
            for item in page.items:
                self._remember(list_id, position, item)
                position += 1
            if page.cursor is None or not page.items:
                return
            after = page.cursor

    def _remember(self, list_id: str, rank: int, item: Item) -> None:
        cache = self._cache(list_id)
        cache.entries[rank] = entry_from_data(unpack(item["data"]))
        cache.keys[rank] = item["sk"]
        cache.ranks[item["sk"]] = rank

    def neighbours(self, list_id: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
        return self.around(list_id, entry.order_key)

    def around(self, list_id: str, sort_key: str) -> tuple[Entry | None, Entry | None]:
        """The entries listed just before and just after a sort key (which may not be on the list).

        A side is read only when it is not known already: past the list's known first or last
        key there is none, and next to a key whose rank is known (a plan's anchor, a page read)
        it may have been read. The read before a ranked key takes the rest of its page with it
        (or the page before, when the key opens a page): the pages a change re-renders are those.
        """
        if (list_id, sort_key) in self._adjacent:
            return self._adjacent[(list_id, sort_key)]
        pk = self.p + f"list:{list_id}"
        key = stored(sort_key)
        cache = self._cache(list_id)
        first, last = cache.edges if cache.blocks is not None else UNKNOWN_EDGES
        rank = cache.ranks.get(key)
        if rank is not None and cache.keys.get(rank) != key:
            rank = None  # not known to be on the list
        size = self.list_size(list_id) if rank is not None else 0
        sides: list[Entry | None] = [None, None]
        reads = []
        if rank == 0 or (first is not None and key <= first):
            pass
        elif rank is not None and rank - 1 in cache.entries:
            sides[0] = cache.entries[rank - 1]
        else:
            per_page = self.config.pagerSize
            ahead = 1 if rank is None else rank - ((rank - 1) // per_page) * per_page

            def before() -> None:
                page = self.table.query(pk, high=before_bound(sort_key), reverse=True, limit=ahead)
                if rank is not None:
                    for offset, item in enumerate(page.items):
                        self._remember(list_id, rank - 1 - offset, item)
                sides[0] = entry_from_data(unpack(page.items[0]["data"])) if page.items else None

            reads.append(before)
        if (rank is not None and rank == size - 1) or (last is not None and key >= last):
            pass
        elif rank is not None and rank + 1 in cache.entries:
            sides[1] = cache.entries[rank + 1]
        else:

            def after() -> None:
                page = self.table.query(pk, low=after_bound(sort_key), limit=1)
                if rank is not None and page.items:
                    self._remember(list_id, rank + 1, page.items[0])
                sides[1] = entry_from_data(unpack(page.items[0]["data"])) if page.items else None

            reads.append(after)
        self._parallel(lambda read: read(), reads)
        self._adjacent[(list_id, sort_key)] = (sides[0], sides[1])
        return sides[0], sides[1]

    def terms(self, taxonomy: str) -> Sequence[Term]:
        buckets = self.term_bucket_items(taxonomy, [f"{n:02d}" for n in range(TERM_BUCKETS)])
        terms = [
            Term(taxonomy, slug, name, count) for bucket in buckets.values() for slug, (name, count) in bucket.items()
        ]
        return sorted(terms, key=lambda term: term.slug)

    def term(self, list_id: str) -> Term | None:
        taxonomy, _, slug = list_id.partition("/")
        return term_from_spellings(taxonomy, slug, self.list_state(list_id).spellings)

    def intro(self, list_id: str) -> Intro | None:
        if list_id not in self._intros:
            item = self.table.get(self.p + "intro", f"#{list_id}")
            self._intros[list_id] = intro_from_data(unpack(item["data"])) if item else None
        return self._intros[list_id]

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        """Every URL row of the sitemap (pages only: lists come from sections and terms)."""
        from urllib.parse import unquote

        pages = []
        for item in self.query_all(self.p + "sitemap"):
            lastmod = datetime.fromisoformat(item["m"]) if item.get("m") else None
            pages.append((unquote(item["sk"]).strip("/"), lastmod))
        return pages

    def published_pages(self) -> Sequence[Entry]:
        """Every published page, read from every source row: for a rebuild, or a search index that
        must be rendered whole (the event path patches the published one instead, see `core.search`)."""
        pages = []
        for item in self.query_all(self.p + "src"):
            record = record_from_data(unpack(item["data"]))
            self._records.setdefault(item["sk"], record)
            if isinstance(record, PageRecord) and (entry := record.published_entry()) is not None:
                pages.append(entry)
        return sorted(pages, key=lambda entry: entry.path)

    def sections(self) -> Sequence[str]:
        found = []
        for item in self.query_all(self.p + "lists", prefix="s:"):
            name = item["sk"][2:]
            if list_exists(name, _list_state_from_item(item), self.config):
                found.append(name)
        return sorted(found)

    def intro_terms(self, taxonomy: str) -> Sequence[str]:
        """Terms with an `_index.md` and no page: one query over the taxonomy's term lists (full renders only)."""
        found = []
        for item in self.query_all(self.p + "lists", prefix=f"t:{taxonomy}/"):
            state = _list_state_from_item(item)
            if state.size == 0 and list_exists(item["sk"][2:], state, self.config):
                found.append(item["sk"][2:])
        return sorted(found)

    def schedule_due(self, now: datetime) -> list[tuple[str, str]]:
        """(schedule sort key, source key) of every page whose time has come by `now`."""
        from datetime import UTC

        limit = now.astimezone(UTC).isoformat() + "\x00\U0010ffff"
        return [
            (item["sk"], item["sk"].partition("\x00")[2]) for item in self.query_all(self.p + "schedule", high=limit)
        ]


def schedule_sk(moment: datetime, key: str) -> str:
    from datetime import UTC

    return f"{moment.astimezone(UTC).isoformat()}\x00{key}"


# -- writing: a plan becomes items ------------------------------------------------------------


@dataclass
class Ops:
    """Items to put and keys to delete; later writes of a key replace earlier ones."""

    puts: dict[tuple[str, str], Item] = field(default_factory=dict)
    deletes: set[tuple[str, str]] = field(default_factory=set)

    def put(self, item: Item) -> None:
        key = (item["pk"], item["sk"])
        self.deletes.discard(key)
        self.puts[key] = item

    def delete(self, pk: str, sk: str) -> None:
        self.puts.pop((pk, sk), None)
        self.deletes.add((pk, sk))

    def __len__(self) -> int:
        return len(self.puts) + len(self.deletes)

    def size(self) -> int:
        """Roughly the bytes written, for DynamoDB's 4 MB a transaction."""
        total = 0
        for item in self.puts.values():
            total += sum(len(v) if isinstance(v, bytes | str) else 8 for v in item.values())
        return total + 100 * len(self.deletes)


def record_item(p: str, key: str, record: Record) -> Item:
    kind = "page" if isinstance(record, PageRecord) else "asset" if isinstance(record, AssetRecord) else "intro"
    return {"pk": p + "src", "sk": key, "kind": kind, "data": pack(record_to_data(record))}


def list_item(p: str, list_id: str, entry: Entry) -> Item:
    return {"pk": p + f"list:{list_id}", "sk": stored(entry.order_key), "data": pack(entry_to_data(entry))}


def compile_plan(plan: RoundPlan, reader: GenerationReader) -> Ops:
    """The item writes that take the index from the reader's state to the plan's (absolute values).

    Applying them twice, or after a crash applied some, ends in the same items: a round that
    is retried from its journal re-applies them as they are.
    """
    ops = Ops()
    p, config = reader.p, reader.config
    for key, record in plan.records.items():
        if record is None:
            ops.delete(p + "src", key)
        else:
            ops.put(record_item(p, key, record))
    for claim_key, claim in plan.claims_removed:
        ops.delete(p + "claim", f"{claim_key}\x00{claim.encode()}")
    for claim_key, claim in plan.claims_added:
        ops.put({"pk": p + "claim", "sk": f"{claim_key}\x00{claim.encode()}"})
    new_blocks: dict[str, list[tuple[str, int]]] = {}
    new_edges: dict[str, Edges] = {}
    for list_id, change in plan.lists.items():
        for key in change.removed:
            ops.delete(p + f"list:{list_id}", stored(key))
            ops.delete(p + f"order:{list_id}", stored(key))
        for entries in (change.inserted, change.updated):
            for key, entry in entries.items():
                ops.put(list_item(p, list_id, entry))
                ops.put({"pk": p + f"order:{list_id}", "sk": stored(key)})
        blocks = _compile_blocks(reader, list_id, change.removed, set(change.inserted))
        if blocks is not None:
            new_blocks[list_id] = blocks
            new_edges[list_id] = _compile_edges(reader, list_id, change.removed, set(change.inserted))
    terms_changed: dict[str, dict[str, tuple[str, int] | None]] = {}
    for list_id in sorted({*plan.list_states, *new_blocks}):
        state = plan.list_states[list_id] if list_id in plan.list_states else reader.list_state(list_id)
        sk = list_sk(list_id, config)
        if state == ListState():
            ops.delete(p + "lists", sk)
        else:
            if list_id in new_blocks:
                blocks, edges = new_blocks[list_id], new_edges[list_id]
            else:
                blocks, edges = reader.blocks(list_id), reader.edges(list_id)
            ops.put(_list_state_to_item(p + "lists", sk, state, blocks, edges))
        if "/" in list_id and list_id in plan.list_states:
            taxonomy, _, slug = list_id.partition("/")
            before = term_from_spellings(taxonomy, slug, reader.list_state(list_id).spellings)
            after = term_from_spellings(taxonomy, slug, state.spellings)
            if before != after:
                terms_changed.setdefault(taxonomy, {})[slug] = (after.name, after.count) if after else None
    reader.term_bucket_items_of(
        {taxonomy: {term_bucket(slug) for slug in terms} for taxonomy, terms in terms_changed.items()}
    )
    for taxonomy, terms in terms_changed.items():
        buckets = reader.term_bucket_items(taxonomy, {term_bucket(slug) for slug in terms})
        for bucket, contents in buckets.items():
            updated = dict(contents)
            for slug, value in terms.items():
                if term_bucket(slug) != bucket:
                    continue
                if value is None:
                    updated.pop(slug, None)
                else:
                    updated[slug] = list(value)
            if updated:
                ops.put({"pk": p + f"terms:{taxonomy}", "sk": bucket, "data": pack(updated)})
            else:
                ops.delete(p + f"terms:{taxonomy}", bucket)
    for list_id, intro in plan.intros.items():
        if intro is None:
            ops.delete(p + "intro", f"#{list_id}")
        else:
            ops.put({"pk": p + "intro", "sk": f"#{list_id}", "data": pack(intro_to_data(intro))})
    for link in plan.sitemap_drop:
        ops.delete(p + "sitemap", link)
    for link, lastmod in plan.sitemap_set.items():
        if link in plan.sitemap_pages:
            ops.put({"pk": p + "sitemap", "sk": link, "m": lastmod.isoformat() if lastmod else ""})
        else:
            ops.delete(p + "sitemap", link)
    for moment, key in plan.schedule_drop:
        ops.delete(p + "schedule", schedule_sk(moment, key))
    for moment, key in plan.schedule_add:
        ops.put({"pk": p + "schedule", "sk": schedule_sk(moment, key)})
    return ops


def _compile_edges(reader: GenerationReader, list_id: str, removed: set[str], inserted: set[str]) -> Edges:
    """A list's first and last keys once these keys leave and join it, where that can be told
    without reading the list: an edge that leaves is known again only if a key joins past it."""
    if sum(count for _, count in reader.blocks(list_id)) == 0:  # it was empty: the joined keys are all
        everything = {stored(key) for key in inserted}
        return (min(everything), max(everything)) if everything else UNKNOWN_EDGES
    gone = {stored(key) for key in removed}
    joined = {stored(key) for key in inserted} - gone
    first, last = reader.edges(list_id)
    if joined and (first is None or first in gone):
        first = min(joined) if first is not None and min(joined) < first else None
    elif joined and first is not None:
        first = min(first, min(joined))
    elif first in gone:
        first = None
    if joined and (last is None or last in gone):
        last = max(joined) if last is not None and max(joined) > last else None
    elif joined and last is not None:
        last = max(last, max(joined))
    elif last in gone:
        last = None
    return first, last


def _compile_blocks(
    reader: GenerationReader, list_id: str, removed: set[str], inserted: set[str]
) -> list[tuple[str, int]] | None:
    """A list's blocks once these keys leave and join it (a block grown past twice BLOCK_SIZE
    split); None when none do."""
    if not removed and not inserted:
        return None
    p = reader.p
    blocks = list(reader.blocks(list_id)) or [(SENTINEL, 0)]
    counts = dict(blocks)
    firsts = [first for first, _ in blocks]

    def block_of(sort_key: str) -> str:
        target = stored(sort_key)
        chosen = firsts[0]
        for first in firsts:
            if first <= target:
                chosen = first
            else:
                break
        return chosen

    changed: dict[str, list[str]] = {}
    for key in removed:
        counts[block_of(key)] -= 1
    for key in inserted:
        first = block_of(key)
        counts[first] += 1
        changed.setdefault(first, []).append(stored(key))
    after = {first: counts[first] for first in firsts if counts[first] or first == SENTINEL}
    for first, new_keys in changed.items():
        if counts[first] <= 2 * BLOCK_SIZE:
            continue
        old_keys = _block_keys(reader, p + f"order:{list_id}", first, dict(blocks)[first])
        removed_stored = {stored(key) for key in removed}
        keys = sorted((set(old_keys) - removed_stored) | set(new_keys))
        for start in range(0, len(keys), BLOCK_SIZE):
            chunk = keys[start : start + BLOCK_SIZE]
            block_first = first if start == 0 else separator(keys[start - 1], chunk[0])
            after[block_first] = len(chunk)
    return sorted(after.items())


def separator(before: str, first: str) -> str:
    """The shortest prefix of `first` that orders after `before` (`before < first`): a block's
    bound, as good as its first key for counting and seeking, and a fraction of its length
    (two posts' sort keys differ within their dates)."""
    common = 0
    while common < len(before) and before[common] == first[common]:
        common += 1
    return first[: common + 1]


def _block_keys(reader: GenerationReader, pk: str, first: str, count: int) -> list[str]:
    """The `count` stored keys of the block that starts at `first` (as the index holds them)."""
    keys: list[str] = []
    after: str | None = None
    while len(keys) < count:
        page = reader.table.query(
            pk, low=None if first == SENTINEL or after is not None else first, after=after, limit=count - len(keys)
        )
        keys += [item["sk"] for item in page.items]
        if page.cursor is None or not page.items:
            break
        after = page.cursor
    return keys
