"""What the index records of each source, and the rules a round reads them by.

A page's record keeps the entry it asks for beside what it was granted when last applied (its
page key, its aliases): a round re-decides the grants from the claims (`core.site.resolve`), so
the record says what the site shows of it. Lists keep only their counts (`ListState`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from pressroom.core.images.facts import ImageFacts
from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import HOME_LIST, Entry, Intro
from pressroom.core.site.resolve import section_exists
from pressroom.core.site.series import SERIES


@dataclass(frozen=True)
class PageRecord:
    """A parsed page: the entry it asks for, and what it was granted when last applied."""

    entry: Entry
    """As parsed, with every alias it asks for."""
    version: str
    live: bool
    """Live when last applied: a live page claims its page key."""
    published: bool = False
    """It owns its page key."""
    aliases: tuple[str, ...] = ()
    """The aliases it owns (and publishes)."""
    due: datetime | None = None
    """When the clock alone changes its publication (see `next_change`): its schedule item."""
    etag: str = ""
    """What a listing shows of the bytes it was parsed from (a rebuild reuses the record while equal)."""
    text: str = ""
    """Its body's plain text as its search record holds it (`core.rendering.search.page_text`):
    kept here, not on the entry, which every list item of the page copies."""
    images: tuple[str, ...] = ()
    """The output keys of the images it shows (`ParsedPage.image_uses`): while it is published it
    uses them (`core.planning.images`), and renders again when the image published at one changes."""

    def published_entry(self) -> Entry | None:
        """The entry the site shows: None unless published, with only the aliases it owns."""
        if not self.published:
            return None
        return self.entry if self.aliases == self.entry.aliases else replace(self.entry, aliases=self.aliases)


@dataclass(frozen=True)
class IntroRecord:
    intro: Intro
    version: str
    etag: str = ""


@dataclass(frozen=True)
class AssetRecord:
    version: str
    claim_key: str | None = None
    """The output key it claims: None while its bundle page is unpublished or the key is reserved."""
    published: bool = False
    etag: str = ""
    image: ImageFacts | None = None
    """A raster image's header facts and digest (None: not an image, or one that cannot be read):
    what a page that shows it needs to name its variants."""


Record = PageRecord | IntroRecord | AssetRecord


@dataclass(frozen=True)
class ListState:
    """What the index keeps of one list besides its entries."""

    size: int = 0
    """Published entries on it."""
    live: int = 0
    """A section's live pages, published or not: with `intro`, whether the section exists."""
    intro: bool = False
    """An `_index.md` introduces it."""
    spellings: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """A term list's spellings, with how many of its entries use each."""
    hidden: bool = False
    """A section's `_index.md` is one the build leaves out: the section has no list page."""


def list_exists(list_id: str, state: ListState, config: SiteConfig) -> bool:
    """The home page always exists; a section while `section_exists`; a term while a page has it
    (if only pages on no list, its page is empty: Hugo's) or an `_index.md` (as in Hugo, whose
    users link to such a term's page)."""
    if list_id == HOME_LIST:
        return True
    if "/" in list_id:
        return (
            state.size > 0 or bool(state.spellings) or (state.intro and list_id.partition("/")[0] in config.taxonomies)
        )
    if list_id in config.taxonomies:
        return False  # a taxonomy's intro: the taxonomy index is no list
    return section_exists(state.live, state.intro, state.hidden)


def intro_claim_key(list_id: str) -> str:
    """The key intros of one list claim (no output key starts with `/`): the smallest source wins."""
    return f"/intro/{list_id}"


def is_live(entry: Entry, now: datetime, config: SiteConfig) -> bool:
    """Published at `now` under the site's `buildDrafts`, `buildFuture` and `buildExpired`."""
    return entry.is_live(now, config.buildDrafts, config.buildFuture, config.buildExpired)


def next_change(entry: Entry, now: datetime, config: SiteConfig | None = None) -> datetime | None:
    """When a page's publication changes by the clock alone: a future publish date, or an expiry."""
    drafts = future = expired = False
    if config is not None:
        drafts, future, expired = config.buildDrafts, config.buildFuture, config.buildExpired
    if entry.draft and not drafts:
        return None
    publish_at = entry.publish_date or entry.date
    if publish_at is not None and publish_at > now and not future:
        return publish_at
    if entry.expiry_date is not None and entry.expiry_date > now and not expired:
        return entry.expiry_date
    return None


def is_section_list(list_id: str, config: SiteConfig) -> bool:
    """A section's list: not the home page's, not a term's, not a taxonomy's."""
    return bool(list_id) and "/" not in list_id and list_id not in config.taxonomies


def is_series_list(list_id: str, config: SiteConfig) -> bool:
    """A term list of the series taxonomy, whose parts show each other."""
    return list_id.startswith(SERIES + "/") and SERIES in config.taxonomies
