"""Which pages exist, and which of them a change affects.

The full build is `site_outputs` over the whole index; the event path asks `plan_change` which
outputs one changed entry touches, given the positions the index reports before and after.
Both name outputs with the same values, so "incremental equals full build" holds by design.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from pressroom.core.model import HOME_LIST, Entry, Term
from pressroom.core.site import SiteIndex
from pressroom.core.urls import TAXONOMIES, feed_key, list_page_path, page_key

STYLESHEET_KEY = "css/main.css"
STATIC_KEYS = ("robots.txt", "404.html", STYLESHEET_KEY)


@dataclass(frozen=True)
class PageOutput:
    """A content page, rendered from its source (body) and its neighbours (from the index)."""

    source_key: str
    path: str

    @property
    def key(self) -> str:
        return page_key(self.path)


@dataclass(frozen=True)
class ListOutput:
    """Page `number` (1-based) of the home, a section or a term list."""

    list_id: str
    number: int

    @property
    def key(self) -> str:
        return page_key(list_page_path(self.list_id, self.number))


@dataclass(frozen=True)
class FeedOutput:
    list_id: str

    @property
    def key(self) -> str:
        return feed_key(self.list_id)


@dataclass(frozen=True)
class TaxonomyOutput:
    taxonomy: str

    @property
    def key(self) -> str:
        return page_key(self.taxonomy)


SITEMAP_URL_LIMIT = 50_000
"""URLs one sitemap file may hold (sitemaps.org); past it `sitemap.xml` becomes a sitemap index."""


@dataclass(frozen=True)
class SitemapOutput:
    """`sitemap.xml` (part 0); past SITEMAP_URL_LIMIT URLs, it indexes parts 1.. `sitemap-N.xml`."""

    part: int = 0

    @property
    def key(self) -> str:
        return f"sitemap-{self.part}.xml" if self.part else "sitemap.xml"


def sitemap_parts(url_count: int) -> int:
    """How many `sitemap-N.xml` files a sitemap of `url_count` URLs needs: 0 while one file holds them."""
    return 0 if url_count <= SITEMAP_URL_LIMIT else math.ceil(url_count / SITEMAP_URL_LIMIT)


@dataclass(frozen=True)
class AliasOutput:
    alias: str
    target_path: str

    @property
    def key(self) -> str:
        return page_key(self.alias)


@dataclass(frozen=True)
class StaticOutput:
    """robots.txt, 404.html and the stylesheet: they depend on the configuration only."""

    name: str

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class AssetOutput:
    """A non-Markdown source file, copied byte for byte."""

    source_key: str

    @property
    def key(self) -> str:
        return self.source_key


Output = (
    PageOutput | ListOutput | FeedOutput | TaxonomyOutput | SitemapOutput | AliasOutput | StaticOutput | AssetOutput
)


def pager_count(size: int, list_id: str, pager_size: int) -> int:
    """How many pages a list has; the home list always has its first page, other lists exist if not empty."""
    if size == 0:
        return 1 if list_id == HOME_LIST else 0
    return math.ceil(size / pager_size)


def list_outputs(list_id: str, size: int, pager_size: int) -> list[Output]:
    pages: list[Output] = [ListOutput(list_id, n) for n in range(1, pager_count(size, list_id, pager_size) + 1)]
    return [*pages, FeedOutput(list_id)] if pages else []


class PublishedPage(Protocol):
    """What names a page's outputs: an Entry, or the index's row of a published page."""

    @property
    def source_key(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


def site_outputs(index: SiteIndex, entries: Iterable[PublishedPage], assets: Iterable[str]) -> list[Output]:
    """Every output of the site: the full build renders exactly these, and so does a rebuild."""
    pager_size = index.config.pagerSize
    outputs: list[Output] = [StaticOutput(name) for name in STATIC_KEYS]
    list_ids = {HOME_LIST, *index.sections()}
    for taxonomy in TAXONOMIES:
        outputs.append(TaxonomyOutput(taxonomy))
        list_ids.update(term.list_id for term in index.terms(taxonomy))
    for list_id in sorted(list_ids):
        outputs.extend(list_outputs(list_id, index.list_size(list_id), pager_size))
    pages = 0
    for entry in entries:
        pages += 1
        outputs.append(PageOutput(entry.source_key, entry.path))
        outputs.extend(AliasOutput(alias, entry.path) for alias in entry.aliases)
    # The sitemap lists the home page, the sections, the taxonomy indexes, the terms and the pages.
    urls = len(list_ids) + len(TAXONOMIES) + pages
    outputs.extend(SitemapOutput(part) for part in range(sitemap_parts(urls) + 1))
    outputs.extend(AssetOutput(key) for key in assets)
    return outputs


@dataclass(frozen=True)
class ListSpot:
    """An entry's place on one list: its position (None: not on it) and the list's size."""

    position: int | None
    size: int


@dataclass(frozen=True)
class EntryChange:
    """One page's entry before and after a change, with its places on every list it touches.

    `neighbours` are the source keys and paths of the entries next to it in its section, before
    and after: their pages show its title and link, so they re-render when it moves.
    """

    old: Entry | None
    new: Entry | None
    before: Mapping[str, ListSpot] = field(default_factory=dict)
    after: Mapping[str, ListSpot] = field(default_factory=dict)
    neighbours: Sequence[Entry] = ()
    terms_before: Mapping[str, Term | None] = field(default_factory=dict)
    terms_after: Mapping[str, Term | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ChangePlan:
    render: frozenset[Output]
    gone: frozenset[Output]
    """Outputs that stop existing; the event path checks each against the index before deleting it."""

    @property
    def delete(self) -> frozenset[str]:
        return frozenset(output.key for output in self.gone)


def _list_visible(entry: Entry | None) -> Entry | None:
    """What lists, feeds and term pages show of an entry: everything but its aliases."""
    return None if entry is None else replace(entry, aliases=())


def plan_list(
    list_id: str, before: ListSpot, after: ListSpot, shown_changed: bool, pager_size: int, feed_limit: int
) -> tuple[set[Output], set[Output]]:
    """The pages of one list that change when one entry moves on, off or within it, and those it loses."""
    render: set[Output] = set()
    delete: set[Output] = set()
    pages_before = pager_count(before.size, list_id, pager_size)
    pages_after = pager_count(after.size, list_id, pager_size)
    positions = [p for p in (before.position, after.position) if p is not None]
    if not positions:
        return render, delete
    low, high = min(positions), max(positions)
    if before.position == after.position and before.size == after.size:
        if not shown_changed:
            return render, delete
    elif before.size != after.size:
        high = max(before.size, after.size)  # everything after the insertion point shifts
    first_page = low // pager_size + 1
    if pages_before != pages_after and min(pages_before, pages_after) > 0:
        # The page that was (or becomes) the last one gains or loses its "older" link.
        first_page = min(first_page, min(pages_before, pages_after))
    last_page = min(high // pager_size + 1, pages_after)
    render.update(ListOutput(list_id, n) for n in range(first_page, last_page + 1))
    delete.update(ListOutput(list_id, n) for n in range(pages_after + 1, pages_before + 1))
    if pages_after == 0:
        delete.add(FeedOutput(list_id))
    elif low < feed_limit:
        render.add(FeedOutput(list_id))
    return render, delete


def plan_change(change: EntryChange, pager_size: int, feed_limit: int) -> ChangePlan:
    """Every output one changed page affects, and the keys that stop existing."""
    old, new = change.old, change.new
    render: set[Output] = set()
    delete: set[Output] = set()
    shown_changed = _list_visible(old) != _list_visible(new)
    absent = ListSpot(None, 0)
    for list_id in sorted(set(change.before) | set(change.after)):
        before = change.before.get(list_id, absent)
        after = change.after.get(list_id, absent)
        list_render, list_delete = plan_list(list_id, before, after, shown_changed, pager_size, feed_limit)
        render |= list_render
        delete |= list_delete
    for list_id in sorted(set(change.terms_before) | set(change.terms_after)):
        term_before, term_after = change.terms_before.get(list_id), change.terms_after.get(list_id)
        if term_before == term_after:
            continue
        render.add(TaxonomyOutput(list_id.split("/", 1)[0]))
        if term_after is not None and (term_before is None or term_before.name != term_after.name):
            size = change.after.get(list_id, absent).size
            render.update(o for o in list_outputs(list_id, size, pager_size))
    if new is not None:
        render.add(PageOutput(new.source_key, new.path))
        render.update(AliasOutput(alias, new.path) for alias in new.aliases)
    if old is not None:
        if new is None or old.path != new.path:
            delete.add(PageOutput(old.source_key, old.path))
        delete.update(AliasOutput(alias, old.path) for alias in set(old.aliases) - set(new.aliases if new else ()))
    if _sitemap_changed(change):
        render.add(SitemapOutput())
    neighbours_moved = (old is None) != (new is None) or (
        old is not None
        and new is not None
        and (old.title, old.path, old.order_key) != (new.title, new.path, new.order_key)
    )
    if neighbours_moved:
        render.update(PageOutput(e.source_key, e.path) for e in change.neighbours)
    rendered_keys = {output.key for output in render}
    return ChangePlan(frozenset(render), frozenset(o for o in delete if o.key not in rendered_keys))


def _sitemap_changed(change: EntryChange) -> bool:
    """The sitemap lists pages (with their last modification), sections and terms: does one come, go or change?"""
    old, new = change.old, change.new
    if old is None or new is None or (old.path, old.last_modified) != (new.path, new.last_modified):
        return True
    terms = set(change.terms_before) | set(change.terms_after)
    if any((change.terms_before.get(t) is None) != (change.terms_after.get(t) is None) for t in terms):
        return True
    return _sections_changed(change)


def _sections_changed(change: EntryChange) -> bool:
    """A section appears or disappears (its URL enters or leaves the sitemap)."""
    for list_id in set(change.before) | set(change.after):
        if list_id and "/" not in list_id:
            size_before = change.before.get(list_id, ListSpot(None, 0)).size
            size_after = change.after.get(list_id, ListSpot(None, 0)).size
            if (size_before == 0) != (size_after == 0):
                return True
    return False
