"""Phase eight: the lists the round changes, their new states, and the pages of them that render.

Lists are planned from a few facts of the old index: its size and the rank of the smallest (and
largest) sort key the round changes. Pages before that rank are untouched; when the size
changes, every page from it to the end shifts, else only up to the largest changed rank. Which
pages sit next to a changed entry is only known once the change is applied, so the plan names
them symbolically (`RenderPlan.around`) and the renderer resolves them against the new index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import ListState, is_section_list, is_series_list, list_exists
from pressroom.core.planning.round_plan import ListChange
from pressroom.core.planning.terms import spelled, stamp_term_names
from pressroom.core.rendering.search import search_record
from pressroom.core.site.lists import in_sitemap, lists_of, term_from_spellings
from pressroom.core.site.model import Entry
from pressroom.core.site.outputs import (
    PageOutput,
    list_feed,
    list_page,
    list_taxonomy_outputs,
    pager_alias,
)
from pressroom.core.site.paging import list_paging
from pressroom.core.site.series import part_view
from pressroom.core.site.urls import href


def plan_lists(ledger: Ledger, intro_lists: set[str]) -> None:
    """Every list a page joins, leaves or changes on, or whose intro or existence changed."""
    config, render = ledger.config, ledger.result.render
    spellings = stamp_term_names(ledger)
    changes = _plan_entries(ledger)
    touched = set(changes) | {k for k, names in spellings.items() if any(names.values())}
    touched |= intro_lists | {list_id for list_id in ledger.lists_after if is_section_list(list_id, config)}
    ledger.load_lists(touched)
    # The ranks `_plan_changed_pages` counts (each a read of the index), read together.
    ledger.state.prepare_ranks(
        (list_id, key)
        for list_id, change in changes.items()
        if change.keys
        for key in ({min(change.keys)} if change.growth else {min(change.keys), max(change.keys)})
    )
    taxonomies: set[str] = set()
    for list_id in sorted(touched):
        if list_id in config.taxonomies:
            if list_id in intro_lists:
                taxonomies.add(list_id)
            continue
        _plan_list(ledger, list_id, changes.get(list_id, ListChange()), spellings.get(list_id, {}), intro_lists)
        if "/" in list_id:
            taxonomy, _, slug = list_id.partition("/")
            before = term_from_spellings(taxonomy, slug, ledger.lists_before[list_id].spellings)
            after = term_from_spellings(taxonomy, slug, ledger.lists_after[list_id].spellings)
            if before != after:
                taxonomies.add(taxonomy)
            if before is not None and after is not None and before.name != after.name:
                ledger.result.renamed.add(list_id)
    for taxonomy in sorted(taxonomies):
        render.outputs.update(list_taxonomy_outputs(taxonomy))
    render.sitemap = bool(ledger.result.sitemap_set or ledger.result.sitemap_drop)


def _plan_entries(ledger: Ledger) -> dict[str, ListChange]:
    """Each page's published entry before and after: its page, its places on lists, its search
    record and sitemap URL (`in_sitemap`). Returns the changes by list."""
    result, config = ledger.result, ledger.config
    changes: dict[str, ListChange] = defaultdict(ListChange)
    for key in sorted(ledger.new):
        old_record, new_record = ledger.old_page(key), ledger.new_page(key)
        old = old_record.published_entry() if old_record is not None else None
        new = new_record.published_entry() if new_record is not None else None
        if new is not None and new.has_page and (key in ledger.reread or old is None):
            result.render.outputs.add(PageOutput(key, new.path))
        if old is None and new is None:
            continue
        _place(ledger, old, new, changes)
        # The sitemap and search hold fewer pages than the lists (`in_sitemap`).
        old = old if old is not None and in_sitemap(old) else None
        new = new if new is not None and in_sitemap(new) else None
        lists, pages = result.sitemap_growth
        result.sitemap_growth = (lists, pages + (new is not None) - (old is not None))
        old_doc = search_record(old, old_record.text, config) if old is not None and old_record else None
        new_doc = search_record(new, new_record.text, config) if new is not None and new_record else None
        if old_doc != new_doc:
            if old_doc is not None:
                result.search_drop.add(old_doc["url"])
            if new_doc is not None:
                result.search_set[new_doc["url"]] = new_doc
        old_url = (href(old.path), old.last_modified) if old is not None else None
        new_url = (href(new.path), new.last_modified) if new is not None else None
        if old_url != new_url:
            if old_url is not None:
                result.sitemap_drop.add(old_url[0])
            if new_url is not None:
                result.sitemap_set[new_url[0]] = new_url[1]
                result.sitemap_pages.add(new_url[0])
    return changes


def _place(ledger: Ledger, old: Entry | None, new: Entry | None, changes: dict[str, ListChange]) -> None:
    """Where one page leaves, joins or changes on each of its lists; its section's neighbours."""
    config, render = ledger.config, ledger.result.render
    old_lists = set(lists_of(old, config)) if old is not None else set()
    new_lists = set(lists_of(new, config)) if new is not None else set()
    for list_id in old_lists | new_lists:
        old_key = old.order_key if old is not None and list_id in old_lists else None
        new_key = new.order_key if new is not None and list_id in new_lists else None
        neighbours = is_section_list(list_id, config)
        series = is_series_list(list_id, config)
        if old_key is not None and old_key == new_key:
            assert old is not None and new is not None
            if _shown(old) != _shown(new) or new.source_key in ledger.restyled:
                changes[list_id].updated[new_key] = _shown(new)
                if neighbours and (old.title, old.url) != (new.title, new.url):  # what a neighbour shows
                    render.around.add((list_id, new_key))
                if series and part_view(old) != part_view(new):
                    render.members.add(list_id)
            continue
        if series:
            render.members.add(list_id)  # a part joins, leaves or moves: every part's box changes
        if old_key is not None:
            changes[list_id].removed.add(old_key)
            if neighbours:
                render.around.add((list_id, old_key))
        if new_key is not None and new is not None:
            changes[list_id].inserted[new_key] = _shown(new)
            if neighbours:
                render.around.add((list_id, new_key))


def _shown(entry: Entry) -> Entry:
    """What lists, feeds and term pages show of an entry: everything but its aliases."""
    return entry if not entry.aliases else replace(entry, aliases=())


def _plan_list(
    ledger: Ledger, list_id: str, change: ListChange, spell_delta: Mapping[str, int], intro_lists: set[str]
) -> None:
    """One list's new state, and the pages and feed of it the round renders or deletes."""
    render, config = ledger.result.render, ledger.config
    before, after = ledger.lists_before[list_id], _list_state(ledger, list_id, change, spell_delta)
    existed, exists = list_exists(list_id, before, config), list_exists(list_id, after, config)
    if existed != exists and list_id:
        lists, pages = ledger.result.sitemap_growth
        ledger.result.sitemap_growth = (lists + (1 if exists else -1), pages)
        (ledger.result.sitemap_lists if exists else ledger.result.sitemap_lists_dropped).add(
            href(config.list_path(list_id))
        )
        if exists:
            ledger.result.sitemap_set[href(config.list_path(list_id))] = None
        else:
            ledger.result.sitemap_drop.add(href(config.list_path(list_id)))
    paging = list_paging(list_id, config)
    pages_before = paging.pages(before.size) if existed else 0
    pages_after = paging.pages(after.size) if exists else 0
    render.delete.update(list_page(list_id, n, config).key for n in range(pages_after + 1, pages_before + 1))
    if not exists:
        if existed:
            render.delete.add(list_feed(list_id, config).key)
            if paging.paginated:
                render.delete.add(pager_alias(list_id, config).key)
        return
    heading_changed = False
    if "/" in list_id:
        taxonomy, _, slug = list_id.partition("/")
        term_before = term_from_spellings(taxonomy, slug, before.spellings)
        term_after = term_from_spellings(taxonomy, slug, after.spellings)
        heading_changed = term_before is not None and term_after is not None and term_before.name != term_after.name
    if not existed or heading_changed or list_id in intro_lists:
        render.include_range(list_id, 1, None)
        if not before.size:
            # Its entries are the round's own: their ranks are known, so its first page reads nothing.
            first_page = sorted(change.inserted)[: paging.per_page]
            render.anchors.setdefault(list_id, {}).update(enumerate(first_page))
        render.outputs.add(list_feed(list_id, config))
        if not existed and config.pagerAliases and paging.paginated:
            render.outputs.add(pager_alias(list_id, config))
        return
    if change.keys:
        _plan_changed_pages(ledger, list_id, change, pages_before, pages_after)


def _list_state(ledger: Ledger, list_id: str, change: ListChange, spell_delta: Mapping[str, int]) -> ListState:
    """One list's state after the round, kept in the ledger and, where it changed, in the plan."""
    before = ledger.lists_before[list_id]
    spellings = spelled(ledger.lists_after[list_id].spellings, spell_delta)
    size = before.size + change.growth
    after = replace(ledger.lists_after[list_id], size=size, spellings=MappingProxyType(spellings))
    if "/" in list_id and list_id in ledger.result.intros:
        after = replace(after, intro=ledger.result.intros[list_id] is not None)
    ledger.lists_after[list_id] = after
    if after != before:
        ledger.result.list_states[list_id] = after
    if change.keys:
        ledger.result.lists[list_id] = change
    return after


def _plan_changed_pages(ledger: Ledger, list_id: str, change: ListChange, pages_before: int, pages_after: int) -> None:
    """The pages of an existing list that its changed entries move, from their ranks in the old index."""
    render, config = ledger.result.render, ledger.config
    per_page = list_paging(list_id, config).per_page
    lowest = min(change.keys)
    first_rank = ledger.state.rank(list_id, lowest)
    first = first_rank // per_page + 1
    if lowest not in change.removed:
        render.anchors.setdefault(list_id, {})[first_rank] = lowest
    if change.growth:
        if pages_before != pages_after:
            first = min(first, pages_before, pages_after)
        render.include_range(list_id, first, None)
    else:
        highest = max(change.keys)
        high_rank = first_rank if highest == lowest else ledger.state.rank(list_id, highest)
        in_old_list = highest in change.removed or highest in change.updated
        last = max(high_rank + in_old_list - 1, first_rank) // per_page + 1
        render.include_range(list_id, first, last)
        if highest not in change.removed and highest != lowest:
            shift = sum(1 for k in change.inserted if k < highest) - sum(1 for k in change.removed if k < highest)
            render.anchors.setdefault(list_id, {})[high_rank + shift] = highest
    limit = config.feed_limit
    if limit is None or first_rank < limit:
        render.outputs.add(list_feed(list_id, config))
