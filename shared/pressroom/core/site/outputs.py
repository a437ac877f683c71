"""The outputs of a site: every file pressroom writes, named by value, and the whole set of them.

An output names what it is made from (a page's source key, a list and a page number, ...); its
`key` is where it is written. The full build renders `site_outputs`; the event path renders the
outputs its planner names. Both name them with these values, so both write the same keys.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import HOME_LIST
from pressroom.core.site.lists import SiteIndex
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.core.site.urls import feed_key, list_page_path, page_key

THEME_FILES = ("favicon.ico", "js/theme.js", "js/main.js")
"""The theme's static files, published as they are (from `theme/static/`)."""
SITE_REPLACES = frozenset({"favicon.ico"})
"""Theme files a site's own file of that name replaces (a Blowfish site's `static/favicon.ico`):
every page links them by that name, so the site's file is what browsers show."""
SEARCH_PAGE_KEY = "search/index.html"
SEARCH_INDEX_KEY = "index.json"
"""The search index's table of contents: how many pages it has and the part files that hold them
(`SearchOutput`); each part holds the title, link, date, terms and summary of its pages."""
SEARCH_PART_PAGES = 256
"""Pages one search part file holds on average, at most: the parts double as the site grows."""
_SEARCH_PART = re.compile(r"search/part-(\d+)-of-(\d+)\.json")


def static_keys() -> tuple[str, ...]:
    """The outputs that depend on the configuration only; the stylesheet's name is fingerprinted."""
    return ("robots.txt", "404.html", stylesheet_key(), *THEME_FILES, SEARCH_PAGE_KEY)


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
    path: str | None = None
    """The list's site path where it is not its id (a term permalink); see `list_page`."""

    @property
    def site_path(self) -> str:
        return self.list_id if self.path is None else self.path

    @property
    def key(self) -> str:
        return page_key(list_page_path(self.site_path, self.number))


@dataclass(frozen=True)
class FeedOutput:
    list_id: str
    path: str | None = None

    @property
    def key(self) -> str:
        return feed_key(self.list_id if self.path is None else self.path)


@dataclass(frozen=True)
class TaxonomyOutput:
    taxonomy: str

    @property
    def key(self) -> str:
        return page_key(self.taxonomy)


@dataclass(frozen=True)
class TaxonomyFeedOutput:
    """`tags/index.xml`: the feed of a taxonomy's terms, as Hugo writes it."""

    taxonomy: str

    @property
    def key(self) -> str:
        return feed_key(self.taxonomy)


@dataclass(frozen=True)
class SitemapOutput:
    """`sitemap.xml` (part 0); past SITEMAP_URL_LIMIT URLs, it indexes parts 1.. `sitemap-N.xml`."""

    part: int = 0

    @property
    def key(self) -> str:
        return f"sitemap-{self.part}.xml" if self.part else "sitemap.xml"


@dataclass(frozen=True)
class SearchOutput:
    """`index.json`, the search index: a record of every published page (see `core.search`)."""

    @property
    def key(self) -> str:
        return SEARCH_INDEX_KEY


@dataclass(frozen=True)
class SearchPartOutput:
    """`search/part-K-of-N.json`: the records of the pages whose URL hashes to part K of N (`core.search`)."""

    part: int
    parts: int

    @property
    def key(self) -> str:
        return f"search/part-{self.part}-of-{self.parts}.json"


def is_search_part(key: str) -> bool:
    return _SEARCH_PART.fullmatch(key) is not None


def search_output(key: str) -> SearchOutput | SearchPartOutput:
    """The search output written at `key` (the table, or a part)."""
    found = _SEARCH_PART.fullmatch(key)
    return SearchPartOutput(int(found[1]), int(found[2])) if found else SearchOutput()


def search_parts(pages: int) -> int:
    """How many part files a search index of `pages` pages has: a power of two, so that each holds
    at most SEARCH_PART_PAGES on average; the event path reads and writes only the parts it changes."""
    parts = 1
    while parts * SEARCH_PART_PAGES < pages:
        parts *= 2
    return parts


def search_outputs(pages: int) -> list[Output]:
    """The search index of a site of `pages` published pages: its table of contents and its parts."""
    parts = search_parts(pages)
    return [SearchOutput(), *(SearchPartOutput(part, parts) for part in range(parts))]


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
    PageOutput
    | ListOutput
    | FeedOutput
    | TaxonomyOutput
    | TaxonomyFeedOutput
    | SitemapOutput
    | SearchOutput
    | SearchPartOutput
    | AliasOutput
    | StaticOutput
    | AssetOutput
)

_KIND_OF_STATIC = {"robots.txt": "robotstxt", "404.html": "404"}


def is_enabled(output: Output, config: SiteConfig) -> bool:
    """Whether the site writes this output: Hugo's `disableKinds` and `enableRobotsTXT`.

    Both the full build (`site_outputs`) and the event path (its render plans) filter with it.
    """
    match output:
        case FeedOutput() | TaxonomyFeedOutput():
            return config.outputs_kind("rss") and (
                not isinstance(output, TaxonomyFeedOutput) or config.outputs_kind("taxonomy")
            )
        case TaxonomyOutput():
            return config.outputs_kind("taxonomy")
        case SitemapOutput():
            return config.outputs_kind("sitemap")
        case StaticOutput() if output.name in _KIND_OF_STATIC:
            return config.outputs_kind(_KIND_OF_STATIC[output.name])
    return True


def _path_field(list_id: str, config: SiteConfig) -> str | None:
    path = config.list_path(list_id)
    return None if path == list_id else path


def list_page(list_id: str, number: int, config: SiteConfig) -> ListOutput:
    """Page `number` of a list, at the list's site path (every list page is named through here)."""
    return ListOutput(list_id, number, _path_field(list_id, config))


def list_feed(list_id: str, config: SiteConfig) -> FeedOutput:
    return FeedOutput(list_id, _path_field(list_id, config))


def pager_alias(list_id: str, config: SiteConfig) -> AliasOutput:
    """`LIST/page/1/`: Hugo's redirect to a list's first page."""
    path = config.list_path(list_id)
    return AliasOutput(f"{path}/page/1" if path else "page/1", path)


def list_taxonomy_outputs(taxonomy: str) -> list[Output]:
    """A taxonomy's index page and its feed of terms."""
    return [TaxonomyOutput(taxonomy), TaxonomyFeedOutput(taxonomy)]


def sitemap_parts(url_count: int) -> int:
    """How many `sitemap-N.xml` files a sitemap of `url_count` URLs needs: 0 while one file holds them."""
    return 0 if url_count <= SITEMAP_URL_LIMIT else math.ceil(url_count / SITEMAP_URL_LIMIT)


def list_pages(size: int, pager_size: int) -> int:
    """How many pages a list that exists has: an empty one still has its first page."""
    return max(1, math.ceil(size / pager_size))


def list_outputs(list_id: str, size: int, config: SiteConfig) -> list[Output]:
    """Every page of a list that exists, its feed, and its `page/1/` redirect."""
    pages: list[Output] = [list_page(list_id, n, config) for n in range(1, list_pages(size, config.pagerSize) + 1)]
    alias = [pager_alias(list_id, config)] if config.pagerAliases else []
    return [*pages, list_feed(list_id, config), *alias]


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
        list_ids.update(index.intro_terms(taxonomy))
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
    config = index.config
    outputs: list[Output] = [
        StaticOutput(name)
        for name in (static_keys() if statics is None else statics)
        if not (name in SITE_REPLACES and name in assets)
    ]
    for taxonomy in config.taxonomies:
        outputs.extend(list_taxonomy_outputs(taxonomy))
    for list_id in site_lists(index):
        outputs.extend(list_outputs(list_id, index.list_size(list_id), config))
    pages = 0
    for entry in entries:
        pages += 1
        outputs.append(PageOutput(entry.source_key, entry.path))
        outputs.extend(AliasOutput(alias, entry.path) for alias in entry.aliases)
    parts = sitemap_parts(sitemap_url_count(index, pages))
    outputs.extend(SitemapOutput(part) for part in range(parts + 1))
    outputs.extend(search_outputs(pages))
    outputs.extend(AssetOutput(source, key) for key, source in sorted(assets.items()))
    return [output for output in outputs if is_enabled(output, config)]
