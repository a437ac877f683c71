"""A round's plan becomes item writes: the values that take a generation's items to the plan's.

They are absolute values: applying them twice, or after a crash applied some, ends in the same
items, so a round that is retried from its journal re-applies them as they are.
"""

from __future__ import annotations

from pressroom.core.planning.codec import entry_to_data, intro_to_data, pack, record_to_data
from pressroom.core.planning.plan import AssetRecord, ListState, PageRecord, Record, RoundPlan
from pressroom.core.site.lists import term_from_spellings
from pressroom.core.site.model import Entry
from pressroom.engine.generation import GenerationState, Ops, list_state_item
from pressroom.engine.list_paging import SENTINEL, UNKNOWN_EDGES, Edges
from pressroom.engine.table_layout import (
    GenerationKeys,
    claim_sk,
    intro_sk,
    list_sk,
    schedule_sk,
    stored,
    term_bucket,
)
from pressroom.ports import Item

BLOCK_SIZE = 256
"""Entries a rank block aims at; a block over twice this is split in two."""

TermChanges = dict[str, dict[str, tuple[str, int] | None]]
"""taxonomy -> term slug -> (display name, count), or None: the term is gone."""


def record_item(keys: GenerationKeys, key: str, record: Record) -> Item:
    kind = "page" if isinstance(record, PageRecord) else "asset" if isinstance(record, AssetRecord) else "intro"
    return {"pk": keys.src, "sk": key, "kind": kind, "data": pack(record_to_data(record))}


def list_item(keys: GenerationKeys, list_id: str, entry: Entry) -> Item:
    return {"pk": keys.list(list_id), "sk": stored(entry.order_key), "data": pack(entry_to_data(entry))}


def compile_plan(plan: RoundPlan, reader: GenerationState) -> Ops:
    """The item writes that take the index from the reader's state to the plan's (absolute values)."""
    ops = Ops()
    _records_and_claims(ops, plan, reader.keys)
    new_shapes = _list_entries(ops, plan, reader)
    terms_changed = _list_states(ops, plan, reader, new_shapes)
    _term_buckets(ops, reader, terms_changed)
    _intros_sitemap_schedule(ops, plan, reader.keys)
    if plan.sitemap_growth != (0, 0):
        lists, pages = sitemap_urls_after(plan, reader)
        ops.put({"pk": reader.keys.lists, "sk": "m", "lists": lists, "pages": pages})
    return ops


def sitemap_urls_after(plan: RoundPlan, reader: GenerationState) -> tuple[int, int]:
    """How many list and page URLs the index counts in the sitemap once the round is applied."""
    lists, pages = reader.sitemap_urls()
    return lists + plan.sitemap_growth[0], pages + plan.sitemap_growth[1]


def _records_and_claims(ops: Ops, plan: RoundPlan, keys: GenerationKeys) -> None:
    for key, record in plan.records.items():
        if record is None:
            ops.delete(keys.src, key)
        else:
            ops.put(record_item(keys, key, record))
    for claim_key, claim in plan.claims_removed:
        ops.delete(keys.claim, claim_sk(claim_key, claim.encode()))
    for claim_key, claim in plan.claims_added:
        ops.put({"pk": keys.claim, "sk": claim_sk(claim_key, claim.encode())})


def _list_entries(ops: Ops, plan: RoundPlan, reader: GenerationState) -> dict[str, tuple[list[tuple[str, int]], Edges]]:
    """The lists' entries and their key-only copies; returns the blocks and edges of the lists
    whose entries changed."""
    keys = reader.keys
    new_shapes: dict[str, tuple[list[tuple[str, int]], Edges]] = {}
    for list_id, change in plan.lists.items():
        for key in change.removed:
            ops.delete(keys.list(list_id), stored(key))
            ops.delete(keys.order(list_id), stored(key))
        for entries in (change.inserted, change.updated):
            for key, entry in entries.items():
                ops.put(list_item(keys, list_id, entry))
                ops.put({"pk": keys.order(list_id), "sk": stored(key)})
        blocks = _compile_blocks(reader, list_id, change.removed, set(change.inserted))
        if blocks is not None:
            new_shapes[list_id] = (blocks, _compile_edges(reader, list_id, change.removed, set(change.inserted)))
    return new_shapes


def _list_states(
    ops: Ops,
    plan: RoundPlan,
    reader: GenerationState,
    new_shapes: dict[str, tuple[list[tuple[str, int]], Edges]],
) -> TermChanges:
    """The lists' state items; returns the terms whose display name or count changed."""
    terms_changed: TermChanges = {}
    for list_id in sorted({*plan.list_states, *new_shapes}):
        state = plan.list_states[list_id] if list_id in plan.list_states else reader.list_state(list_id)
        sk = list_sk(list_id, reader.config)
        if state == ListState():
            ops.delete(reader.keys.lists, sk)
        else:
            if list_id in new_shapes:
                blocks, edges = new_shapes[list_id]
            else:
                blocks, edges = reader.blocks(list_id), reader.edges(list_id)
            ops.put(list_state_item(reader.keys.lists, sk, state, blocks, edges))
        if "/" in list_id and list_id in plan.list_states:
            taxonomy, _, slug = list_id.partition("/")
            before = term_from_spellings(taxonomy, slug, reader.list_state(list_id).spellings)
            after = term_from_spellings(taxonomy, slug, state.spellings)
            if before != after:
                terms_changed.setdefault(taxonomy, {})[slug] = (after.name, after.count) if after else None
    return terms_changed


def _term_buckets(ops: Ops, reader: GenerationState, terms_changed: TermChanges) -> None:
    """The term buckets of the changed terms, read (all in one request) and rewritten."""
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
                ops.put({"pk": reader.keys.terms(taxonomy), "sk": bucket, "data": pack(updated)})
            else:
                ops.delete(reader.keys.terms(taxonomy), bucket)


def _intros_sitemap_schedule(ops: Ops, plan: RoundPlan, keys: GenerationKeys) -> None:
    for list_id, intro in plan.intros.items():
        if intro is None:
            ops.delete(keys.intro, intro_sk(list_id))
        else:
            ops.put({"pk": keys.intro, "sk": intro_sk(list_id), "data": pack(intro_to_data(intro))})
    for link in plan.sitemap_drop:
        ops.delete(keys.sitemap, link)
    for link, lastmod in plan.sitemap_set.items():
        if link in plan.sitemap_pages:
            ops.put({"pk": keys.sitemap, "sk": link, "m": lastmod.isoformat() if lastmod else ""})
        else:
            ops.delete(keys.sitemap, link)
    for moment, key in plan.schedule_drop:
        ops.delete(keys.schedule, schedule_sk(moment, key))
    for moment, key in plan.schedule_add:
        ops.put({"pk": keys.schedule, "sk": schedule_sk(moment, key)})


def _compile_edges(reader: GenerationState, list_id: str, removed: set[str], inserted: set[str]) -> Edges:
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
    reader: GenerationState, list_id: str, removed: set[str], inserted: set[str]
) -> list[tuple[str, int]] | None:
    """A list's blocks once these keys leave and join it (a block grown past twice BLOCK_SIZE
    split); None when none do."""
    if not removed and not inserted:
        return None
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
        old_keys = _block_keys(reader, reader.keys.order(list_id), first, dict(blocks)[first])
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


def _block_keys(reader: GenerationState, pk: str, first: str, count: int) -> list[str]:
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
