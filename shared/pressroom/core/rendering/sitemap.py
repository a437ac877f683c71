"""The sitemap as a set of URLs that a change patches, so an event need not read every page's row.

The sitemap lists every URL of the site, so any new page changes it. Rather than read all of
them from the index on every such event, the event path reads the published sitemap files
(which it alone writes, from the index), applies the round's URLs set and dropped, and renders
the result with the same template as the full build. What it reads back is exactly what the
template wrote; anything else (a custom `sitemap.xml` layout, a file edited by hand) does not
parse, and the sitemap is then rendered from the index instead.

Up to SITEMAP_URL_LIMIT URLs the sitemap is one file, `sitemap.xml`. Past it, `sitemap.xml` is a
sitemap index of part files in two families: the lists' URLs (home, sections, taxonomies, terms:
`sitemap-lists-K-of-N.xml`, about SITEMAP_LIST_PART_URLS each, so the terms a round adds are
mostly in one part) and the pages' (`sitemap-pages-K-of-N.xml`, about SITEMAP_PART_URLS each).
Each family has a power of two of parts (`sitemap_layout`) and a URL is in the part its path
hashes to (`sitemap_part`): a part's members do not depend on the others', so a new page, however
old, changes its own part alone, and an event reads and writes the parts its URLs hash to and
nothing else. The index of the generation keeps how many URLs of each family the sitemap has
(`SitemapCounts`), so the event path knows the parts without reading them; when a family's count
crosses a power of two its parts are redistributed, once, from all of them (and when the sitemap
becomes an index, from the index of the generation). The full build splits its URLs with the
same functions, so both agree byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.search import SearchPatch


@dataclass(frozen=True)
class SitemapUrl:
    path: str
    """The link path (`/posts/x/`), as the sitemap sorts it."""
    lastmod: datetime | None


SITEMAP_URL_LIMIT = 50_000
"""URLs one sitemap file may hold (sitemaps.org); past it `sitemap.xml` becomes a sitemap index."""
SITEMAP_PART_URLS = 1_024
"""Page URLs one part of a sitemap index holds on average, at most: the parts double as the site
grows. A part is about 100 KB, what an event that adds a page reads, renders and writes back."""
SITEMAP_LIST_PART_URLS = 8_192
"""List URLs one part holds on average, at most: a site's terms are in one part up to thousands of
them, so a page with new tags changes two parts (its own and the lists'), not one per tag."""
SITEMAP_KEY = "sitemap.xml"
FAMILIES = ("lists", "pages")
_ANY_PART_KEY = re.compile(r"sitemap-(?:(?:lists|pages)-)?\d+(?:-of-\d+)?\.xml")


@dataclass(frozen=True)
class SitemapCounts:
    """How many URLs of each family the sitemap lists."""

    lists: int
    pages: int

    @property
    def total(self) -> int:
        return self.lists + self.pages

    def of(self, family: str) -> int:
        return self.lists if family == "lists" else self.pages


def sitemap_layout(counts: SitemapCounts) -> dict[str, int] | None:
    """How many part files each family has: None while `sitemap.xml` holds every URL, else for
    each family a power of two (0 for a family without URLs) such that each part holds at most
    its SITEMAP_*PART_URLS on average."""
    if counts.total <= SITEMAP_URL_LIMIT:
        return None
    layout = {}
    for family in FAMILIES:
        count, average = counts.of(family), SITEMAP_LIST_PART_URLS if family == "lists" else SITEMAP_PART_URLS
        parts = 1 if count else 0
        while parts * average < count:
            parts *= 2
        layout[family] = parts
    return layout


def sitemap_part(path: str, parts: int) -> int:
    """The part (1..parts) a URL is in: a stable hash of its link path (the same on every run and machine)."""
    return 1 + int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big") % parts


def sitemap_key(family: str, part: int, parts: int) -> str:
    """`sitemap.xml` (no family: the sitemap, or the index of its parts), or `sitemap-FAMILY-K-of-N.xml`."""
    return f"sitemap-{family}-{part}-of-{parts}.xml" if family else SITEMAP_KEY


def layout_keys(layout: Mapping[str, int]) -> list[str]:
    """The part files of a sitemap index, as it lists them."""
    return [sitemap_key(family, part, layout[family]) for family in FAMILIES for part in range(1, layout[family] + 1)]


def is_sitemap_part(key: str) -> bool:
    """A part file of a sitemap index, of this layout or an earlier one (`sitemap-K.xml`)."""
    return _ANY_PART_KEY.fullmatch(key) is not None


def split_urls(urls: Iterable[SitemapUrl], parts: int) -> list[list[SitemapUrl]]:
    """The URLs of each part 1..parts (at index part - 1), each by path."""
    split: list[list[SitemapUrl]] = [[] for _ in range(parts)]
    for url in urls:
        split[sitemap_part(url.path, parts) - 1].append(url)
    for part in split:
        part.sort(key=lambda url: url.path)
    return split


@dataclass(frozen=True)
class SitemapLine:
    """One URL as the `sitemap.xml` template shows it: its path and last modification, and both
    as written (`loc`, absolute; `modified`, ISO 8601 or empty), made once in code."""

    path: str
    lastmod: datetime | None
    loc: str
    modified: str


def sitemap_lines(urls: Sequence[SitemapUrl], absolute: Callable[[str], str]) -> list[SitemapLine]:
    return [
        SitemapLine(url.path, url.lastmod, absolute(url.path), url.lastmod.isoformat() if url.lastmod else "")
        for url in urls
    ]


@dataclass(frozen=True)
class ParsedSitemap:
    urls: list[SitemapUrl]
    parts: list[str]
    """The part files a sitemap index names (empty for a plain sitemap)."""


_URL = re.compile(r"^<url><loc>([^<]*)</loc>(?:<lastmod>([^<]*)</lastmod>)?</url>$")
_PART = re.compile(r"^<sitemap><loc>([^<]*)</loc></sitemap>$")


def parse_sitemap(data: bytes, config: SiteConfig) -> ParsedSitemap | None:
    """The URLs (or part files) of a sitemap the theme's template wrote; None for anything else."""
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None
    if len(lines) < 3 or not lines[0].startswith("<?xml"):
        return None
    base = config.base_url
    base_path = urlsplit(base).path or "/"
    urls: list[SitemapUrl] = []
    parts: list[str] = []
    if lines[1].startswith("<urlset") and lines[-1] == "</urlset>":
        for line in lines[2:-1]:
            match = _URL.match(line)
            if match is None or not match.group(1).startswith(base):
                return None
            lastmod = None
            if match.group(2):
                try:
                    lastmod = datetime.fromisoformat(match.group(2))
                except ValueError:
                    return None
            path = "/" + match.group(1)[len(base) :]
            urls.append(SitemapUrl(_unescape(path) if base_path else path, lastmod))
        return ParsedSitemap(urls, [])
    if lines[1].startswith("<sitemapindex") and lines[-1] == "</sitemapindex>":
        for line in lines[2:-1]:
            match = _PART.match(line)
            if match is None or not match.group(1).startswith(base):
                return None
            parts.append(match.group(1)[len(base) :])
        return ParsedSitemap([], parts)
    return None


def _unescape(text: str) -> str:
    return (
        text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&#34;", '"')
    )


@dataclass
class SitemapPatch:
    """URLs a round sets (with their last modification) and drops; with the round's search records."""

    changed: Mapping[str, datetime | None] = field(default_factory=dict)
    dropped: Iterable[str] = field(default_factory=frozenset)
    search: SearchPatch | None = None
    """What the round changes in the search index (None: render it from the index)."""
    full: bool = False
    """Render every URL from the index instead (a rebuild)."""
    lists: frozenset[str] = frozenset()
    """Which of the paths set are lists' (the others are pages')."""
    dropped_lists: frozenset[str] = frozenset()
    """Which of the paths dropped are lists'."""
    counts: SitemapCounts | None = None
    """How many URLs the sitemap has after the round (None: unknown, render it from the index)."""
    before: SitemapCounts | None = None
    """And before it: with `counts`, whether part files are redistributed."""

    def apply(self, urls: Iterable[SitemapUrl]) -> list[SitemapUrl]:
        dropped = set(self.dropped)
        kept = {url.path: url for url in urls if url.path not in dropped}
        kept.update({path: SitemapUrl(path, lastmod) for path, lastmod in self.changed.items()})
        return sorted(kept.values(), key=lambda url: url.path)

    def touched(self) -> set[str]:
        """Every path the round sets or drops."""
        return set(self.changed) | set(self.dropped)

    def part(self, family: str, part: int | None = None, parts: int = 1) -> SitemapPatch:
        """The URLs of this patch that belong in one family, and in one part of it (None: any)."""

        def wanted(path: str, lists: frozenset[str]) -> bool:
            return (path in lists) == (family == "lists") and (part is None or sitemap_part(path, parts) == part)

        changed = {path: lastmod for path, lastmod in self.changed.items() if wanted(path, self.lists)}
        dropped = {path for path in self.dropped if wanted(path, self.dropped_lists)}
        return SitemapPatch(changed, dropped, lists=self.lists, dropped_lists=self.dropped_lists)


def read_parts(
    read_many: Callable[[Sequence[str]], Sequence[bytes | None]],
    family: str,
    wanted: Sequence[int],
    parts: int,
    config: SiteConfig,
) -> dict[int, list[SitemapUrl]] | None:
    """The URLs of each wanted part file of a family; None if one is missing, not as the template
    wrote it, or holds a URL of another part."""
    bodies = read_many([sitemap_key(family, part, parts) for part in wanted])
    found: dict[int, list[SitemapUrl]] = {}
    for part, body in zip(wanted, bodies, strict=True):
        parsed = parse_sitemap(body, config) if body is not None else None
        if parsed is None or parsed.parts or any(sitemap_part(url.path, parts) != part for url in parsed.urls):
            return None
        found[part] = parsed.urls
    return found
