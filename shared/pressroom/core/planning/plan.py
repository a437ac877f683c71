"""Planning a round: what a batch of changed sources does to the index, and which outputs it affects.

Pure: it reads the index as it was before the round through `IndexState` (no writes, no clock:
`now` is given) and returns a `RoundPlan`, the index's new records and the outputs to render
and delete. Ownership of every key the round touches is decided with `core.resolve`'s rules, the
ones the full build applies to the whole site, in the same order (sections, pages, then aliases
and assets), so a round ends where a full build of the same sources would.

Lists are planned from a few facts of the old index: its size and the rank of the smallest (and
largest) sort key the round changes. Pages before that rank are untouched; when the size
changes, every page from it to the end shifts, else only up to the largest changed rank. Which
pages sit next to a changed entry is only known once the change is applied, so the plan names
them symbolically (`RenderPlan.around`) and the renderer resolves them against the new index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Protocol

from pressroom.core.reading.config import SiteConfig
from pressroom.core.reading.content import SourceKind
from pressroom.core.rendering.mime import refused_reason
from pressroom.core.site.model import HOME_LIST, Entry, Intro
from pressroom.core.site.outputs import (
    SITE_REPLACES,
    AliasOutput,
    AssetOutput,
    Output,
    PageOutput,
    SearchOutput,
    StaticOutput,
    list_feed,
    list_page,
    list_pages,
    list_taxonomy_outputs,
    pager_alias,
)
from pressroom.core.site.resolve import (
    Claim,
    ClaimKind,
    alias_claims,
    asset_output,
    bundle_folders,
    bundle_page_keys,
    claim_error,
    is_bundle_page,
    owner,
    page_claim,
    reserved_asset_reason,
    section_claims,
    section_exists,
)
from pressroom.core.rendering.search import SearchRecord, search_record
from pressroom.core.site.series import SERIES, part_view
from pressroom.core.site.lists import lists_of, term_from_spellings
from pressroom.core.site.urls import href
from pressroom.exceptions import ContentError

# -- what the index records of each source ----------------------------------------------------


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


def list_exists(list_id: str, state: ListState, config: SiteConfig) -> bool:
    """The home page always exists; a section while `section_exists`; a term while it has pages
    or an `_index.md` (as in Hugo, whose users link to such a term's page)."""
    if list_id == HOME_LIST:
        return True
    if "/" in list_id:
        return state.size > 0 or (state.intro and list_id.partition("/")[0] in config.taxonomies)
    if list_id in config.taxonomies:
        return False  # a taxonomy's intro: the taxonomy index is no list
    return section_exists(state.live, state.intro)


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


# -- the round's input and output --------------------------------------------------------------


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
    sitemap_set: dict[str, datetime | None] = field(default_factory=dict)
    """Sitemap URL (a link path) -> last modification, for URLs new or changed."""
    sitemap_drop: set[str] = field(default_factory=set)
    sitemap_pages: set[str] = field(default_factory=set)
    """Which of `sitemap_set` are pages (the index keeps their rows; lists come from their states)."""
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


def plan_round(readings: Sequence[Reading], state: IndexState, now: datetime) -> RoundPlan:
    """Everything a batch of readings changes, planned against the index before them."""
    return _RoundPlanner(state, now).plan(readings)


def _shown(entry: Entry) -> Entry:
    """What lists, feeds and term pages show of an entry: everything but its aliases."""
    return entry if not entry.aliases else replace(entry, aliases=())


def _alias_of(key: str) -> str:
    return key[: -len("/index.html")]


class _RoundPlanner:
    """One plan; the steps run in the order of `core.resolve` (see its docstring)."""

    def __init__(self, state: IndexState, now: datetime) -> None:
        self.state = state
        self.config = state.config
        self.now = now
        self.old: dict[str, Record | None] = {}
        self.new: dict[str, Record | None] = {}
        self.reread: set[str] = set()
        self.result = RoundPlan()
        self.added: dict[str, set[Claim]] = defaultdict(set)
        self.removed: dict[str, set[Claim]] = defaultdict(set)
        self.claims_before: dict[str, list[Claim]] = {}
        self.lists_before: dict[str, ListState] = {}
        self.lists_after: dict[str, ListState] = {}
        self.changed_assets: set[str] = set()

    # -- reads, batched and remembered
    def _load(self, keys: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.old]
        if wanted:
            found = self.state.records(wanted)
            for key in wanted:
                self.old[key] = found.get(key)
                self.new.setdefault(key, self.old[key])

    def _load_claims(self, keys: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.claims_before]
        if wanted:
            found = self.state.claims(wanted)
            for key in wanted:
                self.claims_before[key] = sorted(found.get(key, ()))

    def _load_lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> None:
        wanted = [list_id for list_id in dict.fromkeys(list_ids) if list_id not in self.lists_before]
        if wanted:
            found = self.state.lists(wanted, counting)
            for list_id in wanted:
                self.lists_before[list_id] = found.get(list_id, ListState())
                self.lists_after[list_id] = self.lists_before[list_id]

    def _page(self, key: str, which: Mapping[str, Record | None]) -> PageRecord | None:
        record = which.get(key)
        return record if isinstance(record, PageRecord) else None

    # -- claims
    def _claim(self, key: str, claim: Claim) -> None:
        if claim in self.removed[key]:
            self.removed[key].discard(claim)
        else:
            self.added[key].add(claim)

    def _unclaim(self, key: str, claim: Claim) -> None:
        if claim in self.added[key]:
            self.added[key].discard(claim)
        else:
            self.removed[key].add(claim)

    def _changed_keys(self) -> list[str]:
        return sorted(key for key in set(self.added) | set(self.removed) if self.added[key] or self.removed[key])

    def _claims_after(self, key: str) -> list[Claim]:
        kept = {c for c in self.claims_before[key] if c not in self.removed[key]}
        return sorted(kept | self.added[key])

    def _load_claimants(self, keys: Sequence[str]) -> None:
        self._load_claims(keys)
        sources = {
            claim.source
            for key in keys
            for claim in self.claims_before[key] + self._claims_after(key)
            if claim.kind is not ClaimKind.SECTION
        }
        self._load(sources)

    def _problem(self, source: str, key: str, claim: Claim, winner: Claim | None) -> None:
        problems = self.result.problems.setdefault(source, {})
        if winner is None or winner == claim:
            problems[key] = None
        else:
            problems[key] = claim_error(key, claim, winner, self._path_of).problem

    def _path_of(self, source: str) -> str:
        record = self._page(source, self.new) or self._page(source, self.old)
        return record.entry.path if record is not None else source

    # -- the steps
    def plan(self, readings: Sequence[Reading]) -> RoundPlan:
        self._load(reading.key for reading in readings)
        for reading in readings:
            self._read(reading)
        intro_lists = self._plan_intros()
        self._plan_sections(intro_lists)
        self._plan_page_claims()
        pages = self._resolve_pages()
        self._plan_late_claims(pages)
        self._resolve_late()
        self._plan_lists(intro_lists)
        self._plan_schedule()
        for key, record in self.new.items():
            if record != self.old.get(key):
                self.result.records[key] = record
        self.result.claims_added = {(k, c) for k, claims in self.added.items() for c in claims}
        self.result.claims_removed = {(k, c) for k, claims in self.removed.items() for c in claims}
        self.result.sitemap_drop -= set(self.result.sitemap_set)
        self.result.search_drop -= set(self.result.search_set)
        if self.result.search_set or self.result.search_drop:
            self.result.render.outputs.add(SearchOutput())
        return self.result

    def _read(self, reading: Reading) -> None:
        key, old = reading.key, self.old.get(reading.key)
        if reading.error is not None:
            self.result.errors.append(reading.error)
            return
        if reading.recheck:
            if isinstance(old, PageRecord):
                live = is_live(old.entry, self.now, self.config)
                published = old.published and live
                aliases = old.aliases if published else ()
                due = next_change(old.entry, self.now, self.config)
                rechecked = replace(old, live=live, published=published, aliases=aliases, due=due)
                if rechecked == old:
                    return  # its bytes and what the clock decides are as published: nothing to do
                self.new[key] = rechecked
            self.reread.add(key)
            return
        self.reread.add(key)
        if reading.version is None:
            self.new[key] = None
        elif reading.kind is SourceKind.PAGE and reading.page is not None:
            entry = reading.page
            live = is_live(entry, self.now, self.config)
            published = isinstance(old, PageRecord) and old.published and live
            aliases = old.aliases if isinstance(old, PageRecord) and published else ()
            due = next_change(entry, self.now, self.config)
            self.new[key] = PageRecord(entry, reading.version, live, published, aliases, due, reading.etag)
        elif reading.kind is SourceKind.INTRO and reading.intro is not None:
            self.new[key] = IntroRecord(reading.intro, reading.version, reading.etag)
        elif reading.kind is SourceKind.ASSET:
            claim_key = old.claim_key if isinstance(old, AssetRecord) else None
            published = old.published if isinstance(old, AssetRecord) else False
            self.new[key] = AssetRecord(reading.version, claim_key, published, reading.etag)

    def _plan_intros(self) -> set[str]:
        """Lists whose intro changed. The intros of one list claim it: the smallest source key wins."""
        lists: set[str] = set()
        for key in sorted(self.reread):
            old, new = self.old.get(key), self.new.get(key)
            if not isinstance(old, IntroRecord) and not isinstance(new, IntroRecord):
                continue
            list_id = (new if isinstance(new, IntroRecord) else old).intro.list_id  # type: ignore[union-attr]
            lists.add(list_id)
            claim = Claim(ClaimKind.PAGE, key)
            if isinstance(old, IntroRecord) != isinstance(new, IntroRecord):
                (self._claim if isinstance(new, IntroRecord) else self._unclaim)(intro_claim_key(list_id), claim)
        self._load_claimants([intro_claim_key(list_id) for list_id in lists])
        changed: set[str] = set()
        for list_id in sorted(lists):
            key = intro_claim_key(list_id)
            before, after = owner(self.claims_before[key]), owner(self._claims_after(key))
            old_intro = self._intro_of(before, self.old)
            new_intro = self._intro_of(after, self.new)
            if old_intro != new_intro:
                changed.add(list_id)
                self.result.intros[list_id] = new_intro
        return changed

    def _intro_of(self, claim: Claim | None, which: Mapping[str, Record | None]) -> Intro | None:
        record = which.get(claim.source) if claim is not None else None
        return record.intro if isinstance(record, IntroRecord) else None

    def _is_series(self, list_id: str) -> bool:
        return list_id.startswith(SERIES + "/") and SERIES in self.config.taxonomies

    def _is_section(self, list_id: str) -> bool:
        return bool(list_id) and "/" not in list_id and list_id not in self.config.taxonomies

    def _plan_sections(self, intro_lists: set[str]) -> None:
        """Sections whose live pages or intro changed; one that appears or goes claims or frees its URL."""
        delta: dict[str, int] = defaultdict(int)
        for key in self.reread:
            for record, sign in ((self._page(key, self.old), -1), (self._page(key, self.new), 1)):
                if record is not None and record.live and record.entry.section:
                    delta[record.entry.section] += sign
        touched = {s for s, d in delta.items() if d} | {s for s in intro_lists if self._is_section(s)}
        # With the lists the round's pages are on (placing and naming them reads those later): one
        # request for both; a list read and not needed costs no more.
        on = {
            list_id
            for key in self.reread
            for record in (self._page(key, self.old), self._page(key, self.new))
            if record is not None
            for list_id in lists_of(record.entry, self.config)
        }
        # The terms a round's page joins or leaves change their counts: read beside (a hint: a
        # live page may yet lose its URL, `_resolve_pages` tells).
        counting: set[str] = set()
        taxonomies = self.config.taxonomies
        for key in self.reread:
            old_record, new_record = self._page(key, self.old), self._page(key, self.new)
            old_terms = set(old_record.entry.term_lists(taxonomies)) if old_record and old_record.published else set()
            new_terms = set(new_record.entry.term_lists(taxonomies)) if new_record and new_record.live else set()
            counting |= old_terms ^ new_terms
        self._load_lists(touched | on, counting)
        for section in sorted(touched):
            before = self.lists_before[section]
            intro = self.result.intros[section] is not None if section in self.result.intros else before.intro
            after = replace(before, live=before.live + delta.get(section, 0), intro=intro)
            self.lists_after[section] = after
            existed, exists = section_exists(before.live, before.intro), section_exists(after.live, after.intro)
            if existed != exists:
                for key, claim in section_claims(section):
                    (self._claim if exists else self._unclaim)(key, claim)

    def _plan_page_claims(self) -> None:
        for key in self.reread:
            old, new = self._page(key, self.old), self._page(key, self.new)
            old_claim = page_claim(old.entry) if old is not None and old.live else None
            new_claim = page_claim(new.entry) if new is not None and new.live else None
            if old_claim != new_claim:
                if old_claim is not None:
                    self._unclaim(*old_claim)
                if new_claim is not None:
                    self._claim(*new_claim)

    def _resolve_pages(self) -> set[str]:
        """Which pages own their page keys; returns every page whose publication or source changed."""
        keys = [key for key in self._changed_keys() if not key.startswith("/")]
        self._load_claimants(keys)
        for key in keys:
            winner = owner(self._claims_after(key))
            after = set(self._claims_after(key))
            for claim in set(self.claims_before[key]) | after:
                if claim.kind is not ClaimKind.PAGE:
                    continue
                if claim not in after:
                    self.result.problems.setdefault(claim.source, {})[key] = None
                    continue
                record = self._page(claim.source, self.new)
                if record is None:
                    continue
                published = record.live and winner == claim
                if published != record.published:
                    aliases = record.aliases if published else ()
                    self.new[claim.source] = replace(record, published=published, aliases=aliases)
                self._problem(claim.source, key, claim, winner)
        pages = set()
        for key in self.new:
            old, new = self._page(key, self.old), self._page(key, self.new)
            if old is None and new is None:
                continue
            if key in self.reread or (old.published if old else False) != (new.published if new else False):
                pages.add(key)
        return pages

    def _plan_late_claims(self, pages: set[str]) -> None:
        """Aliases of published pages, and assets, claim their keys once pages are decided."""
        for key in sorted(pages):
            old, new = self._page(key, self.old), self._page(key, self.new)
            before = dict(alias_claims(old.entry)) if old is not None and old.published else {}
            after = dict(alias_claims(new.entry)) if new is not None and new.published else {}
            for claim_key in set(before) - set(after):
                self._unclaim(claim_key, before[claim_key])
            for claim_key in set(after) - set(before):
                self._claim(claim_key, after[claim_key])
        assets = {key for key in self.reread if isinstance(self.new.get(key) or self.old.get(key), AssetRecord)}
        for key in sorted(pages):
            old, new = self._page(key, self.old), self._page(key, self.new)
            placed_before = (old.published, old.entry.path) if old is not None else None
            placed_after = (new.published, new.entry.path) if new is not None else None
            if is_bundle_page(self.config.site_key(key)) and placed_before != placed_after:
                for asset, record in self.state.assets_under(key.rsplit("/", 1)[0]).items():
                    if asset not in self.old:
                        self.old[asset] = self.new[asset] = record
                    assets.add(asset)
        language = self.config.contentLanguage
        self._load(
            page for asset in assets for folder in bundle_folders(asset) for page in bundle_page_keys(folder, language)
        )
        for asset in sorted(assets):
            previous, current = self.old.get(asset), self.new.get(asset)
            old_key = previous.claim_key if isinstance(previous, AssetRecord) else None
            new_key = None
            if isinstance(current, AssetRecord):
                new_key = self._asset_claim_key(asset)
                published = current.published and new_key == old_key
                self.new[asset] = replace(current, claim_key=new_key, published=published)
            claim = Claim(ClaimKind.ASSET, asset)
            if old_key != new_key:
                if old_key is not None:
                    self._unclaim(old_key, claim)
                if new_key is not None:
                    self._claim(new_key, claim)
            elif (
                new_key is not None
                and isinstance(previous, AssetRecord)
                and isinstance(current, AssetRecord)
                and previous.version != current.version
            ):
                self.changed_assets.add(asset)

    def _asset_claim_key(self, asset: str) -> str | None:
        """The key an asset claims now: its own, or its bundle page's URL; None if it may not claim."""
        problems = self.result.problems.setdefault(asset, {})
        problems["/reserved"] = None
        bundle = None
        static = self.config.is_static(asset)
        for folder in [] if static else bundle_folders(asset):
            found = [
                self._page(k, self.new) for k in bundle_page_keys(folder, self.config.contentLanguage) if k != asset
            ]
            bundle = next((record for record in found if record is not None), None)
            if bundle is not None:
                break
        if bundle is not None and not bundle.published:
            return None  # a draft, future, expired or displaced page's files stay unpublished
        key = asset_output(asset, bundle.entry if bundle is not None else None, self.config.site_key(asset))
        reason = reserved_asset_reason(key, self.config.reserved_roots)
        if reason is None and self.config.is_authored(asset):
            reason = refused_reason(asset)
        if reason is not None:
            problems["/reserved"] = f"not published: {reason}"
            return None
        return key

    def _resolve_late(self) -> None:
        """Owners of every key the round touched: aliases and assets publish or not, outputs render or go."""
        keys = [key for key in self._changed_keys() if not key.startswith("/")]
        self._load_claimants(keys)
        render = self.result.render
        alias_outcomes: dict[str, dict[str, bool]] = defaultdict(dict)
        for key in keys:
            before, after = owner(self.claims_before[key]), owner(self._claims_after(key))
            claims_after = set(self._claims_after(key))
            for claim in set(self.claims_before[key]) | claims_after:
                if claim.kind not in (ClaimKind.ALIAS, ClaimKind.ASSET):
                    continue
                if claim in claims_after:
                    self._problem(claim.source, key, claim, after)
                else:
                    self.result.problems.setdefault(claim.source, {})[key] = None
                if claim.kind is ClaimKind.ALIAS:
                    alias_outcomes[claim.source][key] = claim == after
                else:
                    record = self.new.get(claim.source)
                    if isinstance(record, AssetRecord) and record.claim_key == key:
                        self.new[claim.source] = replace(record, published=claim == after)
            if after is None:
                if key in SITE_REPLACES:
                    render.outputs.add(StaticOutput(key))  # the site's own file is gone: the theme's is back
                elif before is not None:
                    render.delete.add(key)
            elif before != after:
                self._render_owner(key, after)
        for source, outcomes in alias_outcomes.items():
            record = self._page(source, self.new)
            if record is None:
                continue
            owned = set(record.aliases)
            for key, owns in outcomes.items():
                (owned.add if owns else owned.discard)(_alias_of(key))
            aliases = tuple(a for a in record.entry.aliases if a in owned) if record.published else ()
            if aliases != record.aliases:
                self.new[source] = replace(record, aliases=aliases)
        for asset in sorted(self.changed_assets):
            record = self.new.get(asset)
            if isinstance(record, AssetRecord) and record.published and record.claim_key is not None:
                render.outputs.add(AssetOutput(asset, record.claim_key, record.version))
        for key in sorted(self.new):
            old, new = self._page(key, self.old), self._page(key, self.new)
            moved = new is not None and old is not None and old.entry.path != new.entry.path
            if moved and new is not None and new.published and old is not None and old.published:
                render.outputs.update(AliasOutput(alias, new.entry.path) for alias in new.aliases)

    def _render_owner(self, key: str, claim: Claim) -> None:
        """A key's new owner renders there (pages and sections render from the planning of lists)."""
        if claim.kind is ClaimKind.ALIAS:
            record = self._page(claim.source, self.new)
            if record is not None:
                self.result.render.outputs.add(AliasOutput(_alias_of(key), record.entry.path))
        elif claim.kind is ClaimKind.ASSET:
            asset = self.new.get(claim.source)
            if isinstance(asset, AssetRecord):
                self.result.render.outputs.add(AssetOutput(claim.source, key, asset.version))

    def _plan_lists(self, intro_lists: set[str]) -> None:
        render = self.result.render
        changes: dict[str, ListChange] = defaultdict(ListChange)
        spellings = self._stamp_term_names()
        sitemap_set, sitemap_drop = self.result.sitemap_set, self.result.sitemap_drop
        for key in sorted(self.new):
            old_record, new_record = self._page(key, self.old), self._page(key, self.new)
            old = old_record.published_entry() if old_record is not None else None
            new = new_record.published_entry() if new_record is not None else None
            if new is not None and (key in self.reread or old is None):
                render.outputs.add(PageOutput(key, new.path))
            if old is None and new is None:
                continue
            self._place(key, old, new, changes)
            old_doc = search_record(old, self.config) if old is not None else None
            new_doc = search_record(new, self.config) if new is not None else None
            if old_doc != new_doc:
                if old_doc is not None:
                    self.result.search_drop.add(old_doc["url"])
                if new_doc is not None:
                    self.result.search_set[new_doc["url"]] = new_doc
            old_url = (href(old.path), old.last_modified) if old is not None else None
            new_url = (href(new.path), new.last_modified) if new is not None else None
            if old_url != new_url:
                if old_url is not None:
                    sitemap_drop.add(old_url[0])
                if new_url is not None:
                    sitemap_set[new_url[0]] = new_url[1]
                    self.result.sitemap_pages.add(new_url[0])
        touched = set(changes) | {k for k, names in spellings.items() if any(names.values())}
        touched |= intro_lists | {list_id for list_id in self.lists_after if self._is_section(list_id)}
        self._load_lists(touched)
        # The ranks `_plan_list` counts (each a read of the index), read together.
        self.state.prepare_ranks(
            (list_id, key)
            for list_id, change in changes.items()
            if change.keys
            for key in ({min(change.keys)} if change.growth else {min(change.keys), max(change.keys)})
        )
        taxonomies: set[str] = set()
        for list_id in sorted(touched):
            if list_id in self.config.taxonomies:
                if list_id in intro_lists:
                    taxonomies.add(list_id)
                continue
            self._plan_list(list_id, changes.get(list_id, ListChange()), spellings.get(list_id, {}), intro_lists)
            if "/" in list_id:
                taxonomy, _, slug = list_id.partition("/")
                before = term_from_spellings(taxonomy, slug, self.lists_before[list_id].spellings)
                after = term_from_spellings(taxonomy, slug, self.lists_after[list_id].spellings)
                if before != after:
                    taxonomies.add(taxonomy)
                if before is not None and after is not None and before.name != after.name:
                    self.result.renamed.add(list_id)
        for taxonomy in sorted(taxonomies):
            render.outputs.update(list_taxonomy_outputs(taxonomy))
        render.sitemap = bool(sitemap_set or sitemap_drop)

    def _stamp_term_names(self) -> dict[str, dict[str, int]]:
        """Stamp every published entry of the round with its terms' names after the round.

        A term's name is the smallest spelling in use across the site (SPEC 2), the same on every
        page that shows it, so an entry carries the names as of when it was last planned. A round
        that renames a term (a new smallest spelling, or the last page of one gone) reports it in
        `renamed`: the pages of the other entries with that term then follow in a rebuild.
        Returns the round's spelling changes by term list.
        """
        pairs: list[tuple[str, PageRecord, Entry | None, Entry]] = []
        deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        placed: set[str] = set()
        for key in sorted(self.new):
            old_record, new_record = self._page(key, self.old), self._page(key, self.new)
            old = old_record.published_entry() if old_record is not None else None
            new = new_record.published_entry() if new_record is not None else None
            if old != new:
                placed.update(lists_of(old, self.config) if old is not None else ())
                placed.update(lists_of(new, self.config) if new is not None else ())
            for taxonomy in self.config.taxonomies:
                for entry, sign in ((old, -1), (new, 1)):
                    if entry is not None:
                        for slug, name in entry.term_spellings(taxonomy).items():
                            deltas[f"{taxonomy}/{slug}"][name] += sign
            if new_record is not None and new is not None:
                pairs.append((key, new_record, old, new))
        changed = {list_id for list_id, names in deltas.items() if any(names.values())}
        # An entry keeps the names it was stamped with for terms the round leaves alone.
        needed = set(changed)
        for _, _, old, new in pairs:
            needed.update(
                list_id
                for list_id in new.term_lists(self.config.taxonomies)
                if old is None or list_id not in old.term_display
            )
        self._load_lists(needed | placed)  # with the lists the entries change on: one read for the round
        names: dict[str, str] = {}
        for list_id in needed:
            taxonomy, _, slug = list_id.partition("/")
            term = term_from_spellings(taxonomy, slug, _spelled(self.lists_after[list_id].spellings, deltas[list_id]))
            if term is not None:
                names[list_id] = term.name
        for key, record, old, new in pairs:
            kept = old.term_display if old is not None else {}
            display = {
                list_id: names[list_id] if list_id in names else kept[list_id]
                for list_id in new.term_lists(self.config.taxonomies)
                if list_id in names or list_id in kept
            }
            if display != record.entry.term_display:
                self.new[key] = replace(record, entry=replace(record.entry, term_display=MappingProxyType(display)))
        return deltas

    def _place(self, key: str, old: Entry | None, new: Entry | None, changes: dict[str, ListChange]) -> None:
        """Where one page leaves, joins or changes on each of its lists; its section's neighbours."""
        render = self.result.render
        old_lists = set(lists_of(old, self.config)) if old is not None else set()
        new_lists = set(lists_of(new, self.config)) if new is not None else set()
        for list_id in old_lists | new_lists:
            old_key = old.order_key if old is not None and list_id in old_lists else None
            new_key = new.order_key if new is not None and list_id in new_lists else None
            neighbours = self._is_section(list_id)
            series = self._is_series(list_id)
            if old_key is not None and old_key == new_key:
                assert old is not None and new is not None
                if _shown(old) != _shown(new):
                    changes[list_id].updated[new_key] = _shown(new)
                    if neighbours and (old.title, old.path) != (new.title, new.path):
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

    def _plan_list(
        self, list_id: str, change: ListChange, spell_delta: Mapping[str, int], intro_lists: set[str]
    ) -> None:
        """One list's new state, and the pages and feed of it the round renders or deletes."""
        render, config = self.result.render, self.config
        before = self.lists_before[list_id]
        spellings = _spelled(self.lists_after[list_id].spellings, spell_delta)
        after = replace(
            self.lists_after[list_id], size=before.size + change.growth, spellings=MappingProxyType(spellings)
        )
        if "/" in list_id and list_id in self.result.intros:
            after = replace(after, intro=self.result.intros[list_id] is not None)
        self.lists_after[list_id] = after
        if after != before:
            self.result.list_states[list_id] = after
        if change.keys:
            self.result.lists[list_id] = change
        existed, exists = list_exists(list_id, before, config), list_exists(list_id, after, config)
        if existed != exists and list_id:
            if exists:
                self.result.sitemap_set[href(config.list_path(list_id))] = None
            else:
                self.result.sitemap_drop.add(href(config.list_path(list_id)))
        pages_before = list_pages(before.size, config.pagerSize) if existed else 0
        pages_after = list_pages(after.size, config.pagerSize) if exists else 0
        render.delete.update(list_page(list_id, n, config).key for n in range(pages_after + 1, pages_before + 1))
        if not exists:
            if existed:
                render.delete.add(list_feed(list_id, config).key)
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
                first_page = sorted(change.inserted)[: config.pagerSize]
                render.anchors.setdefault(list_id, {}).update(enumerate(first_page))
            render.outputs.add(list_feed(list_id, config))
            if not existed and config.pagerAliases:
                render.outputs.add(pager_alias(list_id, config))
            return
        if not change.keys:
            return
        per_page = config.pagerSize
        lowest = min(change.keys)
        first_rank = self.state.rank(list_id, lowest)
        first = first_rank // per_page + 1
        if lowest not in change.removed:
            render.anchors.setdefault(list_id, {})[first_rank] = lowest
        if change.growth:
            if pages_before != pages_after:
                first = min(first, pages_before, pages_after)
            render.include_range(list_id, first, None)
        else:
            highest = max(change.keys)
            high_rank = first_rank if highest == lowest else self.state.rank(list_id, highest)
            in_old_list = highest in change.removed or highest in change.updated
            last = max(high_rank + in_old_list - 1, first_rank) // per_page + 1
            render.include_range(list_id, first, last)
            if highest not in change.removed and highest != lowest:
                shift = sum(1 for k in change.inserted if k < highest) - sum(1 for k in change.removed if k < highest)
                render.anchors.setdefault(list_id, {})[high_rank + shift] = highest
        limit = config.feed_limit
        if limit is None or first_rank < limit:
            render.outputs.add(list_feed(list_id, config))

    def _plan_schedule(self) -> None:
        for key in self.reread:
            old, new = self._page(key, self.old), self._page(key, self.new)
            old_due = old.due if old is not None else None
            new_due = new.due if new is not None else None
            if old_due != new_due:
                if old_due is not None:
                    self.result.schedule_drop.add((old_due, key))
                if new_due is not None:
                    self.result.schedule_add.add((new_due, key))


def _spelled(spellings: Mapping[str, int], delta: Mapping[str, int]) -> dict[str, int]:
    """A term list's spellings with a round's changes applied (a count at zero is dropped)."""
    after = dict(spellings)
    for name, count in delta.items():
        after[name] = after.get(name, 0) + count
        if after[name] <= 0:
            del after[name]
    return after


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
