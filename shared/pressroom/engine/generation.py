"""The index of one site generation in the table: its items, and how to read them.

The items and their keys are laid out in `engine.table_layout`; a list's pages are read by
`engine.list_paging`, and a plan becomes item writes in `engine.plan_writes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote

from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.codec import intro_from_data, pack, record_from_data, unpack
from pressroom.core.planning.conversions import published_set
from pressroom.core.planning.plan import AssetRecord, ListState, PageRecord, Record, list_exists
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.mime import HEADERS_RULES
from pressroom.core.rendering.theme import theme_digest
from pressroom.core.site.lists import in_sitemap, term_from_spellings
from pressroom.core.site.model import Entry, Intro, Term
from pressroom.core.site.resolve import Claim, ClaimKind, owner
from pressroom.engine.fanout import parallel_reads
from pressroom.engine.list_paging import UNKNOWN_EDGES, Edges, ListPaging
from pressroom.engine.table_layout import (
    GenerationKeys,
    all_term_buckets,
    claim_prefix,
    gen_prefix,
    list_of_sk,
    list_sk,
    record_items,
    schedule_due_bound,
    schedule_parts,
    term_bucket,
)
from pressroom.ports import Item, Table

INDEX_FORMAT = 4
"""The layout of a generation's items (2: a list's blocks are in its state item; 3: a page's
image uses are output keys, `/image/KEY`; 4: the sitemap's URL count, `gN:lists` `m`). A
generation of another layout is rebuilt, as one built with another theme is (`built_by`)."""


def built_by() -> str:
    """What a generation records it was built with: the theme and the index layout."""
    return f"{theme_digest()}+index{INDEX_FORMAT}+headers{HEADERS_RULES}"


def list_state_item(
    pk: str, sk: str, state: ListState, blocks: Sequence[tuple[str, int]], edges: Edges = UNKNOWN_EDGES
) -> Item:
    """A list's state item: its state, its blocks, and its first and last keys where known."""
    item: Item = {"pk": pk, "sk": sk, "size": state.size, "live": state.live, "intro": state.intro}
    if state.spellings:
        item["sp"] = pack(dict(state.spellings))
    if state.hidden:
        item["hidden"] = True
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
    hidden = bool(item.get("hidden", False))
    return ListState(int(item["size"]), int(item["live"]), bool(item["intro"]), MappingProxyType(spellings), hidden)


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


class GenerationState:
    """Reads of one generation as the planner makes them (its `IndexState`): records, claims,
    list states with their blocks, ranks, term buckets; remembered for the life of the reader.

    It is never used across a write: the engine is the only writer, so what it remembers stays
    true while it lives.
    """

    def __init__(self, table: Table, generation: int, config: SiteConfig) -> None:
        self.table = table
        self.generation = generation
        self.config = config
        self.keys = GenerationKeys(generation)
        self.p = gen_prefix(generation)
        self.paging = ListPaging(table, self.keys, config.pagerSize, self)
        self._records: dict[str, Record | None] = {}
        self._whole = False
        """Every record is known (`all_records` ran to its end)."""
        self._lists: dict[str, ListState | None] = {}
        self._buckets: dict[tuple[str, str], dict[str, list[Any]]] = {}
        self._sitemap_urls: tuple[int, int] | None = None

    def _learn_record(self, key: str, item: Item | None) -> None:
        """A source's record item (None: there is none), read or written."""
        self._records[key] = record_from_data(unpack(item["data"])) if item else None

    def _learn_state(self, list_id: str, item: Item | None) -> None:
        """A list's state item (None: there is none), read or written: its state and its blocks."""
        self._lists[list_id] = _list_state_from_item(item) if item else None
        self.paging.cache(list_id).blocks = _blocks_from_item(item)
        self.paging.cache(list_id).edges = _edges_from_item(item)

    def query_all(self, pk: str, **options: Any) -> Iterator[Item]:
        after: str | None = None
        while True:
            page = self.table.query(pk, after=after, **options)
            yield from page.items
            if page.cursor is None:
                return
            after = page.cursor

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
        found = self.table.get_many([*(self.keys.record(key) for key in wanted), *extra])
        for key in wanted:
            self._learn_record(key, found.get(self.keys.record(key)))
        return {key: item for key in extra if (item := found.get(key)) is not None}

    def learn_records(self, keys: Sequence[str], found: Mapping[tuple[str, str], Item]) -> None:
        """The records of `keys` as read with other items (`found`: those that exist; see `record_items`)."""
        for key, item in zip(keys, record_items(self.generation, keys), strict=True):
            self._learn_record(key, found.get(item))

    def record(self, key: str) -> Record | None:
        return self.records([key]).get(key)

    def all_records(self) -> Iterator[tuple[str, Record]]:
        """Every source's record (key, record) in key order, read from every source row and
        remembered: for a rebuild, the published set, a search index rendered whole."""
        for item in self.query_all(self.keys.src):
            record = record_from_data(unpack(item["data"]))
            self._records.setdefault(item["sk"], record)
            yield item["sk"], record
        self._whole = True

    def claims(self, keys: Iterable[str]) -> dict[str, list[Claim]]:
        wanted = list(dict.fromkeys(keys))

        def claims_of(key: str) -> list[Claim]:
            prefix = claim_prefix(key)
            return [Claim.decode(item["sk"][len(prefix) :]) for item in self.query_all(self.keys.claim, prefix=prefix)]

        found = parallel_reads(claims_of, wanted)
        return dict(zip(wanted, found, strict=True))

    def lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> dict[str, ListState]:
        """The states of these lists; `counting`: term lists whose counts change, whose term
        buckets (`compile_plan` rewrites them) are read in the same request."""
        list_ids = list(list_ids)
        wanted = [list_id for list_id in dict.fromkeys(list_ids) if list_id not in self._lists]
        if wanted:
            keys = {list_id: self.keys.state_of(list_id, self.config) for list_id in wanted}
            buckets = {(term.partition("/")[0], term_bucket(term.partition("/")[2])) for term in counting}
            # The sitemap's count rides along with the first list states read (the planner's).
            count = [self.keys.sitemap_count] if self._sitemap_urls is None else []
            found = self._read_buckets(sorted(buckets), [*keys.values(), *count])
            for list_id, key in keys.items():
                self._learn_state(list_id, found.get(key))
            if count:
                self._learn_sitemap_urls(found.get(count[0]))
        return {list_id: state for list_id in list_ids if (state := self._lists.get(list_id)) is not None}

    def list_state(self, list_id: str) -> ListState:
        return self.lists([list_id]).get(list_id) or ListState()

    def sitemap_urls(self) -> tuple[int, int]:
        """How many list URLs (sections, terms: those that come and go) and page URLs the sitemap
        lists ((0, 0) in a generation without any)."""
        if self._sitemap_urls is None:
            key = self.keys.sitemap_count
            self._learn_sitemap_urls(self.table.get_many([key]).get(key))
        assert self._sitemap_urls is not None
        return self._sitemap_urls

    def _learn_sitemap_urls(self, item: Item | None) -> None:
        self._sitemap_urls = (int(item["lists"]), int(item["pages"])) if item else (0, 0)

    def blocks(self, list_id: str) -> list[tuple[str, int]]:
        """The list's blocks: (bound, entries) in order, each bound at most its first stored sort
        key and above every key before; read with its state."""
        cache = self.paging.cache(list_id)
        if cache.blocks is None:
            self.lists([list_id])  # every list state known is known from its item: with its blocks
        assert cache.blocks is not None
        return cache.blocks

    def edges(self, list_id: str) -> Edges:
        """The list's first and last stored sort keys, where known; read with its state."""
        self.blocks(list_id)
        return self.paging.cache(list_id).edges

    def prepare_ranks(self, wanted: Iterable[tuple[str, str]]) -> None:
        """Count these ranks together (`ListPaging.prepare_ranks`)."""
        self.paging.prepare_ranks(wanted)

    def rank(self, list_id: str, sort_key: str) -> int:
        """Entries ordering before `sort_key` (`ListPaging.rank`)."""
        return self.paging.rank(list_id, sort_key)

    def assets_under(self, folder: str) -> dict[str, AssetRecord]:
        return {key: record for key, record in self._records_under(folder).items() if isinstance(record, AssetRecord)}

    def pages_under(self, folder: str) -> dict[str, PageRecord]:
        return {key: record for key, record in self._records_under(folder).items() if isinstance(record, PageRecord)}

    def _records_under(self, folder: str) -> dict[str, Record]:
        """Every record below `folder/` ("": every record of the generation)."""
        found: dict[str, Record] = {}
        for item in self.query_all(self.keys.src, prefix=folder + "/" if folder else None):
            record = record_from_data(unpack(item["data"]))
            self._records.setdefault(item["sk"], record)
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
        keys = {pair: (self.keys.terms(pair[0]), pair[1]) for pair in missing}
        if not keys and not extra:
            return {}
        found = self.table.get_many([*keys.values(), *extra])
        for pair, key in keys.items():
            item = found.get(key)
            self._buckets[pair] = unpack(item["data"]) if item else {}
        return found

    def list_size(self, list_id: str) -> int:
        return self.list_state(list_id).size


class GenerationReader(GenerationState):
    """Reads of one generation, remembered for the life of the reader.

    Before a round's changes are applied it is the planner's `IndexState`; a fresh one after
    them is the renderer's `SiteIndex`: list pages and neighbours (`engine.list_paging`), terms,
    intros, and the whole-generation reads of a full render.
    """

    def __init__(self, table: Table, generation: int, config: SiteConfig) -> None:
        super().__init__(table, generation, config)
        self._intros: dict[str, Intro | None] = {}
        self._images_at: dict[str, ImageFacts | None] = {}

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
        view._sitemap_urls = self._sitemap_urls
        for list_id, cache in self.paging.caches.items():
            if cache.blocks is not None:
                view.paging.cache(list_id).blocks = list(cache.blocks)
                view.paging.cache(list_id).edges = cache.edges
        keys = self.keys
        by_sk = {list_sk(list_id, self.config): list_id for list_id in self._lists}
        for (pk, sk), item in [*((key, None) for key in ops.deletes), *ops.puts.items()]:
            if pk == keys.src:
                view._learn_record(sk, item)
            elif pk == keys.lists and sk in by_sk:
                view._learn_state(by_sk[sk], item)
            elif (pk, sk) == keys.sitemap_count:
                view._learn_sitemap_urls(item)
            elif pk == keys.intro:
                view._intros[sk[1:]] = intro_from_data(unpack(item["data"])) if item else None
            elif item is not None and pk.startswith(keys.list("")):
                view.paging.written.setdefault(pk[len(keys.list("")) :], {})[sk] = item
        return view

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
        states = {list_id: self.keys.state_of(list_id, self.config) for list_id in wanted}
        states = {list_id: key for list_id, key in states.items() if list_id not in self._lists}
        intros = {
            list_id: self.keys.intro_of(list_id)
            for list_id in dict.fromkeys([*wanted, *taxonomies])
            if list_id not in self._intros
        }
        buckets = [(taxonomy, bucket) for taxonomy in taxonomies for bucket in all_term_buckets()]
        sources = [key for key in dict.fromkeys(records) if key not in self._records]
        found = self._read_buckets(
            buckets, [*states.values(), *intros.values(), *(self.keys.record(key) for key in sources), *extra]
        )
        for source in sources:
            self._learn_record(source, found.get(self.keys.record(source)))
        for list_id, key in states.items():
            self._learn_state(list_id, found.get(key))
        for list_id, key in intros.items():
            item = found.get(key)
            self._intros[list_id] = intro_from_data(unpack(item["data"])) if item else None
        return {key: item for key in extra if (item := found.get(key)) is not None}

    def add_anchors(self, anchors: Mapping[str, Mapping[int, str]]) -> None:
        """Known ranks of sort keys (from the plan): a list page near one reads around it."""
        self.paging.add_anchors(anchors)

    # -- the SiteIndex port, for rendering
    def entry(self, source_key: str) -> Entry | None:
        record = self.record(source_key)
        return record.published_entry() if isinstance(record, PageRecord) else None

    def images_at(self, keys: Iterable[str]) -> Mapping[str, ImageFacts]:
        """The images published at these output keys: each key's owner (its claims, read in
        parallel) and the owners' records (one request); from the records alone once every
        record is known (a rebuild's render)."""
        keys = list(dict.fromkeys(keys))
        wanted = [key for key in keys if key not in self._images_at]
        if wanted and self._whole:
            published = {
                record.claim_key: record.image
                for record in self._records.values()
                if isinstance(record, AssetRecord) and record.published and record.claim_key is not None
            }
            self._images_at.update((key, published.get(key)) for key in wanted)
        elif wanted:
            owners = {key: owner(claims) for key, claims in self.claims(wanted).items()}
            sources = self.records(o.source for o in owners.values() if o is not None and o.kind is ClaimKind.ASSET)
            for key in wanted:
                found = owners[key]
                record = sources.get(found.source) if found is not None and found.kind is ClaimKind.ASSET else None
                shown = isinstance(record, AssetRecord) and record.published and record.claim_key == key
                self._images_at[key] = record.image if shown and isinstance(record, AssetRecord) else None
        return {key: facts for key in keys if (facts := self._images_at.get(key)) is not None}

    def list_slice(self, list_id: str, start: int, stop: int) -> Sequence[Entry]:
        return self.paging.list_slice(list_id, start, stop)

    def neighbours(self, list_id: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
        return self.paging.around(list_id, entry.order_key)

    def around(self, list_id: str, sort_key: str) -> tuple[Entry | None, Entry | None]:
        """The entries listed just before and just after a sort key (`ListPaging.around`)."""
        return self.paging.around(list_id, sort_key)

    def terms(self, taxonomy: str) -> Sequence[Term]:
        buckets = self.term_bucket_items(taxonomy, all_term_buckets())
        terms = [
            Term(taxonomy, slug, name, count) for bucket in buckets.values() for slug, (name, count) in bucket.items()
        ]
        return sorted(terms, key=lambda term: term.slug)

    def term(self, list_id: str) -> Term | None:
        taxonomy, _, slug = list_id.partition("/")
        return term_from_spellings(taxonomy, slug, self.list_state(list_id).spellings)

    def intro(self, list_id: str) -> Intro | None:
        if list_id not in self._intros:
            item = self.table.get(*self.keys.intro_of(list_id))
            self._intros[list_id] = intro_from_data(unpack(item["data"])) if item else None
        return self._intros[list_id]

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        """Every URL row of the sitemap (pages only: lists come from sections and terms)."""
        pages = []
        for item in self.query_all(self.keys.sitemap):
            lastmod = datetime.fromisoformat(item["m"]) if item.get("m") else None
            pages.append((unquote(item["sk"]).strip("/"), lastmod))
        return pages

    def published_pages(self) -> Sequence[tuple[Entry, str]]:
        """Every page the search index holds (`in_sitemap`) with its text, read from every source
        row: for a rebuild, or a search index that must be rendered whole (the event path patches the published one
        instead, see `core.rendering.search`)."""
        published = published_set(self.all_records(), self.config)
        pages = sorted((entry for entry in published.pages if in_sitemap(entry)), key=lambda entry: entry.path)
        return [(entry, published.texts[entry.source_key]) for entry in pages]

    def sections(self) -> Sequence[str]:
        found = []
        for item in self.query_all(self.keys.lists, prefix="s:"):
            name = list_of_sk(item["sk"])
            if list_exists(name, _list_state_from_item(item), self.config):
                found.append(name)
        return sorted(found)

    def intro_terms(self, taxonomy: str) -> Sequence[str]:
        """Terms with an `_index.md` and no page: one query over the taxonomy's term lists (full renders only)."""
        found = []
        for item in self.query_all(self.keys.lists, prefix=f"t:{taxonomy}/"):
            state = _list_state_from_item(item)
            if state.size == 0 and not state.spellings and list_exists(list_of_sk(item["sk"]), state, self.config):
                found.append(list_of_sk(item["sk"]))
        return sorted(found)

    def schedule_due(self, now: datetime) -> list[tuple[str, str]]:
        """(schedule sort key, source key) of every page whose time has come by `now`."""
        found = self.query_all(self.keys.schedule, high=schedule_due_bound(now))
        return [(item["sk"], schedule_parts(item["sk"])[1]) for item in found]
