"""A round's input and output: the readings, the index as it was before them, and the plan.

`plan_round` (in `plan.py`) takes readings and an `IndexState` and returns a `RoundPlan`: the
index's new records and claims, and, in its `RenderPlan`, the outputs to render and delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.records import AssetRecord, ListState, PageRecord, Record
from pressroom.core.reading.config import SiteConfig
from pressroom.core.reading.content import SourceKind
from pressroom.core.rendering.search import SearchRecord
from pressroom.core.site.model import Entry, Intro
from pressroom.core.site.outputs import Output
from pressroom.core.site.resolve import Claim
from pressroom.exceptions import ContentError


@dataclass(frozen=True)
class Reading:
    """One source key as the round read it."""

    key: str
    kind: SourceKind
    version: str | None
    """None: the key does not exist (now)."""
    page: Entry | None = None
    intro: Intro | None = None
    error: ContentError | None = None
    """It exists but cannot be published: what was published from it stays as it was."""
    recheck: bool = False
    """Not read again (its schedule came due, or its bytes are unchanged): re-decided from its record."""
    etag: str = ""
    text: str = ""
    """A page's plain text for its search record (`PageRecord.text`)."""
    images: tuple[str, ...] = ()
    """The images a page shows, by output key (`PageRecord.images`)."""
    image: ImageFacts | None = None
    """An asset's image facts (`AssetRecord.image`)."""
    image_problem: str = ""
    """Why an asset named as a raster image has no facts (refused: too large, lying, unreadable)."""


class IndexState(Protocol):
    """The index as it was before the round (reads only)."""

    config: SiteConfig

    def records(self, keys: Iterable[str]) -> Mapping[str, Record]: ...

    def claims(self, keys: Iterable[str]) -> Mapping[str, Sequence[Claim]]: ...

    def lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> Mapping[str, ListState]:
        """The states of these lists (those that exist). `counting`: term lists among them whose
        counts the round changes (a hint: what changing them needs may be read beside)."""
        ...

    def rank(self, list_id: str, sort_key: str) -> int:
        """How many entries of the list order before `sort_key`."""
        ...

    def prepare_ranks(self, wanted: Iterable[tuple[str, str]]) -> None:
        """(list, sort key) ranks about to be asked for: a hint to read them together."""
        ...

    def assets_under(self, folder: str) -> Mapping[str, AssetRecord]:
        """Every asset record below `folder/`."""
        ...

    def pages_under(self, folder: str) -> Mapping[str, PageRecord]:
        """Every page record below `folder/` (a cascade or a bundle there decides whether they exist)."""
        ...


@dataclass
class ListChange:
    """One list's entries: those leaving it, those joining it, and those shown differently in place."""

    removed: set[str] = field(default_factory=set)
    inserted: dict[str, Entry] = field(default_factory=dict)
    updated: dict[str, Entry] = field(default_factory=dict)

    @property
    def keys(self) -> set[str]:
        return self.removed | set(self.inserted) | set(self.updated)

    @property
    def growth(self) -> int:
        return len(self.inserted) - len(self.removed)


@dataclass
class RenderPlan:
    """The outputs a round renders (from the index after the round) and deletes."""

    outputs: set[Output] = field(default_factory=set)
    list_ranges: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    """List -> (first page, last page); None: to its last page."""
    around: set[tuple[str, str]] = field(default_factory=set)
    """(section list, sort key): the pages listed next to that sort key render."""
    members: set[str] = field(default_factory=set)
    """Lists every page of which renders, as they are after the round: a series, whose parts show each other."""
    delete: set[str] = field(default_factory=set)
    sitemap: bool = False
    anchors: dict[str, dict[int, str]] = field(default_factory=dict)
    """List -> rank -> sort key, as they are after the round: where to start reading a list page."""

    def include_range(self, list_id: str, first: int, last: int | None) -> None:
        old = self.list_ranges.get(list_id)
        if old is not None:
            first = min(first, old[0])
            last = None if last is None or old[1] is None else max(last, old[1])
        self.list_ranges[list_id] = (first, last)

    @property
    def empty(self) -> bool:
        return not (self.outputs or self.list_ranges or self.around or self.members or self.delete or self.sitemap)


@dataclass
class RoundPlan:
    """The index's new records and the outputs to render: everything one round does."""

    records: dict[str, Record | None] = field(default_factory=dict)
    claims_added: set[tuple[str, Claim]] = field(default_factory=set)
    claims_removed: set[tuple[str, Claim]] = field(default_factory=set)
    lists: dict[str, ListChange] = field(default_factory=dict)
    list_states: dict[str, ListState] = field(default_factory=dict)
    """The new state of every list the round changed (a list that stops existing keeps one)."""
    intros: dict[str, Intro | None] = field(default_factory=dict)
    """The intro of a list, where it changed."""
    hidden_intros: dict[str, bool] = field(default_factory=dict)
    """Whether a list's `_index.md` is one the build leaves out, where that changed."""
    sitemap_set: dict[str, datetime | None] = field(default_factory=dict)
    """Sitemap URL (a link path) -> last modification, for URLs new or changed."""
    sitemap_drop: set[str] = field(default_factory=set)
    sitemap_pages: set[str] = field(default_factory=set)
    """Which of `sitemap_set` are pages (the index keeps their rows; lists come from their states)."""
    sitemap_lists: set[str] = field(default_factory=set)
    """Which of `sitemap_set` are lists' (sections, terms), not pages'."""
    sitemap_lists_dropped: set[str] = field(default_factory=set)
    """Which of `sitemap_drop` are lists' (a URL that passes from a page to a list is in both)."""
    sitemap_growth: tuple[int, int] = (0, 0)
    """How many list and page URLs the round adds to the sitemap, less those it takes off (the
    index keeps the counts: with them the event path knows the sitemap's part files)."""
    search_set: dict[str, SearchRecord] = field(default_factory=dict)
    """Search index URL -> record, for pages new or shown differently (see `core.search`)."""
    search_drop: set[str] = field(default_factory=set)
    renamed: set[str] = field(default_factory=set)
    """Term lists whose name the round changed: every page that shows the term follows in a rebuild."""
    schedule_add: set[tuple[datetime, str]] = field(default_factory=set)
    schedule_drop: set[tuple[datetime, str]] = field(default_factory=set)
    problems: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Source key -> claimed key -> why it lost that claim (None: it has no problem there)."""
    errors: list[ContentError] = field(default_factory=list)
    """Files that could not be read: what was published from them stays."""
    render: RenderPlan = field(default_factory=RenderPlan)


class EmptyIndex:
    """The index of a site with nothing in it: a rebuild, and the full build, plan against it."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config

    def records(self, keys: Iterable[str]) -> Mapping[str, Record]:
        return {}

    def claims(self, keys: Iterable[str]) -> Mapping[str, Sequence[Claim]]:
        return {}

    def lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> Mapping[str, ListState]:
        return {}

    def rank(self, list_id: str, sort_key: str) -> int:
        return 0

    def prepare_ranks(self, wanted: Iterable[tuple[str, str]]) -> None:
        return None

    def assets_under(self, folder: str) -> Mapping[str, AssetRecord]:
        return {}

    def pages_under(self, folder: str) -> Mapping[str, PageRecord]:
        return {}
