"""The site model: frozen values that the planner and the templates share.

An `Entry` is what every derived page (lists, term pages, feeds, sitemap, neighbours) needs to
know about a page: it is exactly what the index stores, so derived pages render from the index
without reading any other source file. A `PageBody` adds what only the page itself shows.
"""

from __future__ import annotations

import copyreg
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from pressroom.core.site.urls import href, urlize

DEFAULT_TAXONOMIES = ("tags", "categories")

HOME_LIST = ""
"""The list id of the home page; a section's list id is its name, a term's is `tags/TERM`."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DATE_SPAN = 10**20
_NO_DATE = "9" * 21
SORT_TITLE_BYTES = 256
"""Bytes of a title that order a list; past them the source key decides (a DynamoDB sort key holds 1,024)."""


def sort_key(weight: int | None, date: datetime | None, title: str, source_key: str) -> str:
    """Hugo's default order as one string whose code-point order is the list order.

    Weight first (set weights ascending, negative before positive, unset last), then date
    (newest first, undated last), then title, then source key. The same string orders the full
    build's lists and is the sort key of the index's list items (DynamoDB compares UTF-8
    bytes, which order as code points do), so both paths order alike by construction.

    >>> sort_key(-3, None, "a", "k") < sort_key(2, None, "a", "k") < sort_key(10, None, "a", "k")
    True
    >>> sort_key(None, None, "a", "k") > sort_key(2**40, None, "a", "k")
    True
    """
    if weight is None:
        weight_part = "2"
    elif weight >= 0:
        digits = str(weight)
        weight_part = f"1{len(digits):03d}{digits}"
    else:
        digits = str(-weight)
        # Larger magnitudes first: complement the length and every digit.
        weight_part = f"0{999 - len(digits):03d}" + "".join(str(9 - int(d)) for d in digits)
    if date is None:
        date_part = _NO_DATE
    else:
        micros = (date - _EPOCH) // _MICROSECOND
        date_part = f"{_DATE_SPAN - micros:021d}"
    title_part = title.encode("utf-8")[:SORT_TITLE_BYTES].decode("utf-8", "ignore")
    return f"{weight_part}{date_part}{title_part}\x00{source_key}"


def _read_only(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


# Read-only `params` must cross process boundaries (the parallel build pickles parsed pages).
copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))


def _frozen_params() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Entry:
    """A published page as lists, feeds, the sitemap and its neighbours see it."""

    source_key: str
    path: str
    section: str
    title: str
    date: datetime | None = None
    lastmod: datetime | None = None
    weight: int | None = None
    description: str = ""
    summary_html: str = ""
    truncated: bool = False
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    reading_time: int = 0
    word_count: int = 0
    publish_date: datetime | None = None
    expiry_date: datetime | None = None
    draft: bool | None = None
    """None: the page does not say (a cascade may, see `core.site.build_options`)."""
    feature: str | None = None
    params: Mapping[str, Any] = field(default_factory=_frozen_params)
    other_terms: Mapping[str, tuple[str, ...]] = field(default_factory=_frozen_params)
    """Terms of taxonomies other than tags and categories (`series`, ...), by taxonomy."""
    term_display: Mapping[str, str] = field(default_factory=_frozen_params)
    """Term list id -> the term's name across the site (its smallest spelling in use, SPEC 2),
    as of the round that last planned this entry (see `core.plan`)."""
    render: str = "always"
    """Front matter `build.render` with what is cascaded to it, as the planner decided it
    (`core.site.build_options`): `always`, `link` (a URL and no page file) or `never` (neither)."""
    listing: str = "always"
    """`build.list`, decided likewise: `always`, `local` (its section's and terms' lists only) or
    `never` (no list); see `core.site.lists.lists_of`."""
    publish_resources: bool = True
    """`build.publishResources`: false publishes only the bundle files its page uses."""

    @property
    def has_page(self) -> bool:
        """Whether the page has a file of its own (and its aliases): Hugo renders `render: always` only."""
        return self.render == "always"

    @property
    def url(self) -> str:
        """Its link; empty for a page never rendered (Hugo's `RelPermalink` is empty too)."""
        return "" if self.render == "never" else href(self.path)

    @property
    def order_key(self) -> str:
        """This entry's place in every list it is on (see `sort_key`)."""
        return sort_key(self.weight, self.date, self.title, self.source_key)

    def terms(self, taxonomy: str) -> tuple[str, ...]:
        if taxonomy == "tags":
            return self.tags
        if taxonomy == "categories":
            return self.categories
        return tuple(self.other_terms.get(taxonomy, ()))

    def term_spellings(self, taxonomy: str) -> dict[str, str]:
        """Slug -> the spelling this entry uses; of two spellings of one term, the smallest counts."""
        spellings: dict[str, str] = {}
        for name in self.terms(taxonomy):
            slug = urlize(name)
            if slug and (slug not in spellings or name < spellings[slug]):
                spellings[slug] = name
        return spellings

    def term_names(self, taxonomy: str) -> tuple[tuple[str, str], ...]:
        """(display name, link) of each of this entry's terms, once per term, in front matter order.

        The name is the site's (`term_display`); an entry never planned shows its own spelling.
        A page never rendered is in no term (Hugo's taxonomies leave it out).
        """
        if self.render == "never":
            return ()
        return tuple(
            (self.term_display.get(f"{taxonomy}/{slug}", own), href(f"{taxonomy}/{slug}"))
            for slug, own in self.term_spellings(taxonomy).items()
        )

    def term_lists(self, taxonomies: Sequence[str] = DEFAULT_TAXONOMIES) -> tuple[str, ...]:
        """The list ids of this entry's term pages: `tags/python`, `categories/columns`."""
        ids: list[str] = []
        for taxonomy in taxonomies:
            for term in self.terms(taxonomy):
                slug = urlize(term)
                list_id = f"{taxonomy}/{slug}"
                if slug and list_id not in ids:
                    ids.append(list_id)
        return tuple(ids)

    def is_live(self, now: datetime, drafts: bool = False, future: bool = False, expired: bool = False) -> bool:
        """Published at `now`: not a draft, not scheduled for later, not expired (unless the
        site builds those: Hugo's `buildDrafts`, `buildFuture`, `buildExpired`)."""
        if self.draft and not drafts:
            return False
        publish_at = self.publish_date or self.date
        if publish_at is not None and publish_at > now and not future:
            return False
        return expired or not (self.expiry_date is not None and self.expiry_date <= now)

    @property
    def last_modified(self) -> datetime | None:
        return self.lastmod or self.date


@dataclass(frozen=True)
class PageBody:
    """What only the page itself shows: its rendered content and table of contents, and which of
    the theme's libraries it needs (Mermaid for a diagram, KaTeX for maths)."""

    html: str
    toc_html: str = ""
    has_diagram: bool = False
    has_math: bool = False


@dataclass(frozen=True)
class Intro:
    """Front matter and text of an `_index.md`: the title and intro of the home, a section or a term."""

    source_key: str
    list_id: str
    title: str
    html: str = ""
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=_frozen_params)
    dates: Mapping[str, Any] = field(default_factory=_frozen_params)
    """Its own `draft`, `publishDate` and `expiryDate` as given (they hide a section's list)."""


@dataclass(frozen=True)
class Term:
    """A taxonomy term as the taxonomy index shows it."""

    taxonomy: str
    slug: str
    name: str
    count: int

    @property
    def list_id(self) -> str:
        return f"{self.taxonomy}/{self.slug}"

    @property
    def url(self) -> str:
        return href(self.list_id)


def reading_minutes(words: int) -> int:
    """Hugo's rule: ceil(words / 213)."""
    return math.ceil(words / 213)
