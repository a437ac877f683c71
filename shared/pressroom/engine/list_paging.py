"""A list's pages read from a generation: ranks, slices and neighbours, at a cost that does not grow with the list.

A rank (how many entries order before a key) is the count of the blocks before it plus one
bounded COUNT inside its block, so it costs the same at 500 entries or 500,000. A list's blocks
(a bound and the count of each, one per 256 to 512 entries; a bound is the shortest prefix of
the block's first key that orders after the key before it, about a dozen characters: a few KB
packed at 50,000 entries, far below DynamoDB's 400 KB an item) are kept in its state item,
which every change of the list rewrites anyway: reading the state reads them. The state also
keeps the list's first and last keys while they are known (a change that removes one without a
key past it forgets it), so a key placed at either end (a new newest post, a post older than
all) has its rank and its missing neighbour without a read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pressroom.core.planning.codec import entry_from_data, unpack
from pressroom.core.site.model import Entry
from pressroom.engine.fanout import parallel_reads
from pressroom.engine.table_layout import GenerationKeys, after_bound, before_bound, stored
from pressroom.ports import Item, Table

SENTINEL = " "
"""The first block's first key: below every stored sort key (which start with a digit)."""
READ_AHEAD = 1000
"""Entries one step of a pager walk reads at most (one Query page holds up to 1 MB)."""

Edges = tuple[str | None, str | None]
"""A list's first and last stored sort keys; None where not known."""
UNKNOWN_EDGES: Edges = (None, None)


class ListShapes(Protocol):
    """What paging needs of a list besides its entries: read with its state (`GenerationReader`)."""

    def blocks(self, list_id: str) -> list[tuple[str, int]]: ...

    def edges(self, list_id: str) -> Edges: ...

    def list_size(self, list_id: str) -> int: ...


@dataclass
class ListCache:
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


class ListPaging:
    """The lists of one generation, paged: what it read is remembered for the life of its reader."""

    def __init__(self, table: Table, keys: GenerationKeys, pager_size: int, shapes: ListShapes) -> None:
        self.table = table
        self.keys = keys
        self.pager_size = pager_size
        self.shapes = shapes
        self.caches: dict[str, ListCache] = {}
        self.written: dict[str, dict[str, Item]] = {}
        """list id -> stored sort key -> entry item, of the entries the round before this reader wrote."""
        self._ranks: dict[tuple[str, str], int] = {}
        self._adjacent: dict[tuple[str, str], tuple[Entry | None, Entry | None]] = {}
        """(list id, sort key) -> the entries just before and just after it."""

    def cache(self, list_id: str) -> ListCache:
        return self.caches.setdefault(list_id, ListCache())

    def add_anchors(self, anchors: Mapping[str, Mapping[int, str]]) -> None:
        """Known ranks of sort keys (from the plan): a list page near one reads around it."""
        for list_id, ranks in anchors.items():
            cache = self.cache(list_id)
            written = self.written.get(list_id, {})
            for rank, key in ranks.items():
                cache.keys[rank] = stored(key)
                cache.ranks[stored(key)] = rank
                if stored(key) in written:  # the round wrote it: its entry is known, not read back
                    cache.entries[rank] = entry_from_data(unpack(written[stored(key)]["data"]))

    # -- ranks
    def prepare_ranks(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Count these ranks together: every list's blocks at once, then every count at once."""
        pairs = [pair for pair in dict.fromkeys(wanted) if pair not in self._ranks]
        lists = sorted({list_id for list_id, _ in pairs if self.cache(list_id).blocks is None})
        parallel_reads(self.shapes.blocks, lists)
        found = parallel_reads(lambda pair: self._count_rank(*pair), pairs)
        self._ranks.update(zip(pairs, found, strict=True))

    def rank(self, list_id: str, sort_key: str) -> int:
        """Entries ordering before `sort_key`: the blocks before its block, then one COUNT in it."""
        if (list_id, sort_key) not in self._ranks:
            self._ranks[(list_id, sort_key)] = self._count_rank(list_id, sort_key)
        return self._ranks[(list_id, sort_key)]

    def _count_rank(self, list_id: str, sort_key: str) -> int:
        blocks = self.shapes.blocks(list_id)
        size = sum(count for _, count in blocks)
        target = stored(sort_key)
        first, last = self.shapes.edges(list_id)
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
                self.keys.order(list_id),
                low=None if first == SENTINEL else first,
                high=before_bound(sort_key),
                count_only=True,
                after=after,
            )
            counted += page.count
            if page.cursor is None:
                return base + counted
            after = page.cursor

    # -- slices
    def list_slice(self, list_id: str, start: int, stop: int) -> list[Entry]:
        stop = min(stop, self.shapes.list_size(list_id))
        start = max(start, 0)
        if start >= stop:
            return []
        cache = self.cache(list_id)
        if any(rank not in cache.entries for rank in range(start, stop)):
            # Pages rendered in turn (a new newest post shifts every pager page) read on from
            # where the last read stopped: read ahead, twice as far each time, so a walk of
            # P pages costs about log2(P) queries instead of P. A lone page reads itself only.
            cache.span = min(READ_AHEAD, max(stop - start, 2 * cache.span)) if start == cache.read_to else stop - start
            ahead = min(self.shapes.list_size(list_id), max(stop, start + cache.span))
            self._fetch(list_id, start, ahead)
            cache.read_to = ahead
        return [cache.entries[rank] for rank in range(start, stop) if rank in cache.entries]

    def _fetch(self, list_id: str, start: int, stop: int) -> None:
        """Read entries `start` to `stop`: around a rank whose key is known, else from a seek."""
        cache = self.cache(list_id)
        while start < stop and start in cache.entries:
            start += 1
        while stop > start and stop - 1 in cache.entries:
            stop -= 1
        if start >= stop:
            return
        near = [rank for rank in cache.keys if start - 2 * self.pager_size <= rank <= stop]
        if start == 0:
            self._forward(list_id, 0, stop, low=None)
        elif near:
            anchor = min(near, key=lambda rank: (rank > start, abs(rank - start)))
            key = cache.keys[anchor]

            def backward() -> None:
                page = self.table.query(
                    self.keys.list(list_id), high=before_bound(key[:-1]), reverse=True, limit=anchor - start
                )
                for offset, item in enumerate(page.items):
                    self._remember(list_id, anchor - 1 - offset, item)

            # From the anchor on, and back from it to the start: two reads at once.
            reads = [lambda: self._forward(list_id, anchor, stop, low=key)] if anchor < stop else []
            parallel_reads(lambda read: read(), [*reads, *([backward] if anchor > start else [])])
        else:
            key = self._seek(list_id, start)
            self._forward(list_id, start, stop, low=key)

    def _seek(self, list_id: str, rank: int) -> str:
        """The stored sort key at `rank`: find its block, then count into it on the key-only copy."""
        base = 0
        first = SENTINEL
        for block_first, count in self.shapes.blocks(list_id):
            if base + count > rank:
                first = block_first
                break
            base += count
        low = None if first == SENTINEL else first
        page = self.table.query(self.keys.order(list_id), low=low, limit=rank - base + 1)
        key: str = page.items[-1]["sk"]
        return key

    def _forward(self, list_id: str, rank: int, stop: int, low: str | None) -> None:
        """Entries in order from the stored key `low` (None: the list's start), which is at `rank`."""
        pk = self.keys.list(list_id)
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
        cache = self.cache(list_id)
        cache.entries[rank] = entry_from_data(unpack(item["data"]))
        cache.keys[rank] = item["sk"]
        cache.ranks[item["sk"]] = rank

    # -- neighbours
    def around(self, list_id: str, sort_key: str) -> tuple[Entry | None, Entry | None]:
        """The entries listed just before and just after a sort key (which may not be on the list).

        A side is read only when it is not known already: past the list's known first or last
        key there is none, and next to a key whose rank is known (a plan's anchor, a page read)
        it may have been read. The read before a ranked key takes the rest of its page with it
        (or the page before, when the key opens a page): the pages a change re-renders are those.
        """
        if (list_id, sort_key) in self._adjacent:
            return self._adjacent[(list_id, sort_key)]
        pk = self.keys.list(list_id)
        key = stored(sort_key)
        cache = self.cache(list_id)
        first, last = cache.edges if cache.blocks is not None else UNKNOWN_EDGES
        rank = cache.ranks.get(key)
        if rank is not None and cache.keys.get(rank) != key:
            rank = None  # not known to be on the list
        size = self.shapes.list_size(list_id) if rank is not None else 0
        sides: list[Entry | None] = [None, None]
        reads = []
        if rank == 0 or (first is not None and key <= first):
            pass
        elif rank is not None and rank - 1 in cache.entries:
            sides[0] = cache.entries[rank - 1]
        else:
            ahead = 1 if rank is None else rank - ((rank - 1) // self.pager_size) * self.pager_size

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
        parallel_reads(lambda read: read(), reads)
        self._adjacent[(list_id, sort_key)] = (sides[0], sides[1])
        return sides[0], sides[1]
