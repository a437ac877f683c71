"""The outputs of a site: every file pressroom writes, named by value, and the whole set of them.

An output names what it is made from (a page's source key, a list and a page number, ...); its
`key` is where it is written. The full build renders `site_outputs`; the event path renders the
outputs its planner names. Both name them with these values, so both write the same keys.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pressroom.core.model import HOME_LIST
from pressroom.core.site import SiteIndex
from pressroom.core.theme import stylesheet_key
from pressroom.core.urls import feed_key, list_page_path, page_key


def static_keys() -> tuple[str, ...]:
    """The outputs that depend on the configuration only; the stylesheet's name is fingerprinted."""
    return ("robots.txt", "404.html", stylesheet_key())


SITEMAP_URL_LIMIT = 50_000
"""URLs one sitemap file may hold (sitemaps.org); past it `sitemap.xml` becomes a sitemap index."""


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


@dataclass(frozen=True)
class SitemapOutput:
    """`sitemap.xml` (part 0); past SITEMAP_URL_LIMIT URLs, it indexes parts 1.. `sitemap-N.xml`."""

    part: int = 0

    @property
    def key(self) -> str:
        return f"sitemap-{self.part}.xml" if self.part else "sitemap.xml"


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
    """A non-Markdown source file, copied byte for byte to `key` (a bundle's file: under its page)."""

    source_key: str
    key: str
    version: str = ""
    """Which bytes the event path copies (empty: the current ones)."""


Output = (
    PageOutput | ListOutput | FeedOutput | TaxonomyOutput | SitemapOutput | AliasOutput | StaticOutput | AssetOutput
)


def sitemap_parts(url_count: int) -> int:
    """How many `sitemap-N.xml` files a sitemap of `url_count` URLs needs: 0 while one file holds them."""
    return 0 if url_count <= SITEMAP_URL_LIMIT else math.ceil(url_count / SITEMAP_URL_LIMIT)


def list_pages(size: int, pager_size: int) -> int:
    """How many pages a list that exists has: an empty one still has its first page."""
    return max(1, math.ceil(size / pager_size))


def list_outputs(list_id: str, size: int, pager_size: int) -> list[Output]:
    """Every page of a list that exists, and its feed."""
    pages: list[Output] = [ListOutput(list_id, n) for n in range(1, list_pages(size, pager_size) + 1)]
    return [*pages, FeedOutput(list_id)]


class PublishedPage(Protocol):
    """What names a page's outputs: an Entry, or the index's row of a published page."""

    @property
    def source_key(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


def site_lists(index: SiteIndex) -> list[str]:
    """Every list that exists: the home page, each section, each term with pages."""
    list_ids = {HOME_LIST, *index.sections()}
    for taxonomy in index.config.taxonomies:
        list_ids.update(term.list_id for term in index.terms(taxonomy))
    return sorted(list_ids)


def sitemap_url_count(index: SiteIndex, pages: int) -> int:
    """The sitemap lists the home page, the sections, the taxonomy indexes, the terms and the pages."""
    return len(site_lists(index)) + len(index.config.taxonomies) + pages


def site_outputs(
    index: SiteIndex,
    entries: Iterable[PublishedPage],
    assets: Mapping[str, str],
    statics: Sequence[str] | None = None,
) -> list[Output]:
    """Every output of the site: the full build renders exactly these, and so does a rebuild.

    `assets` maps each published asset's output key to its source key.
    """
    pager_size = index.config.pagerSize
    outputs: list[Output] = [StaticOutput(name) for name in (static_keys() if statics is None else statics)]
    outputs.extend(TaxonomyOutput(taxonomy) for taxonomy in index.config.taxonomies)
    for list_id in site_lists(index):
        outputs.extend(list_outputs(list_id, index.list_size(list_id), pager_size))
    pages = 0
    for entry in entries:
        pages += 1
        outputs.append(PageOutput(entry.source_key, entry.path))
        outputs.extend(AliasOutput(alias, entry.path) for alias in entry.aliases)
    parts = sitemap_parts(sitemap_url_count(index, pages))
    outputs.extend(SitemapOutput(part) for part in range(parts + 1))
    outputs.extend(AssetOutput(source, key) for key, source in sorted(assets.items()))
    return outputs
