"""The sitemap as a set of URLs that a change patches, so an event need not read every page's row.

The sitemap lists every URL of the site, so any new page changes it. Rather than read all of
them from the index on every such event, the event path reads the published `sitemap.xml`
(which it alone writes, from the index), applies the round's URLs set and dropped, and renders
the result with the same template as the full build. What it reads back is exactly what the
template wrote; anything else (a custom `sitemap.xml` layout, a file edited by hand) does not
parse, and the sitemap is then rendered from the index instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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

    def apply(self, urls: Iterable[SitemapUrl]) -> list[SitemapUrl]:
        dropped = set(self.dropped)
        kept = {url.path: url for url in urls if url.path not in dropped}
        kept.update({path: SitemapUrl(path, lastmod) for path, lastmod in self.changed.items()})
        return sorted(kept.values(), key=lambda url: url.path)
