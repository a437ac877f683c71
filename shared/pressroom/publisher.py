"""The event path: publish what changed at some source keys, and everything it affects.

Imperative shell around the pure core: it reads the current state of each key (an event is a
hint, not the truth), updates the index, asks the planner which outputs the change touches,
renders them from the index, writes only the bytes that changed and invalidates exactly those.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pressroom.adapters.dynamo import DynamoIndex
from pressroom.build import build_site
from pressroom.config import CONFIG_KEY, SiteConfig, parse_config
from pressroom.content import ParsedPage, SourceKind, bundle_dir, classify, intro_list_id, parse_intro, parse_page
from pressroom.exceptions import ContentError
from pressroom.invalidation import invalidation_paths
from pressroom.model import Entry, PageBody
from pressroom.plan import (
    STATIC_KEYS,
    AssetOutput,
    EntryChange,
    FeedOutput,
    ListOutput,
    ListSpot,
    Output,
    PageOutput,
    StaticOutput,
    TaxonomyOutput,
    list_outputs,
    pager_count,
    plan_change,
)
from pressroom.ports import Cdn, SiteStore, Source
from pressroom.render import ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL, Renderer, cache_control, content_type
from pressroom.site import lists_of


def content_hash(body: bytes, type_: str) -> str:
    """What the index remembers of a published object: its bytes and its Content-Type."""
    return hashlib.sha256(type_.encode() + b"\0" + body).hexdigest()


@dataclass
class PublishResult:
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidated: list[str] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    def merge(self, other: PublishResult) -> None:
        self.written += other.written
        self.deleted += other.deleted
        self.invalidated += other.invalidated
        self.errors += other.errors
        self.published += other.published


@dataclass
class Publisher:
    """One invocation's worth of publishing: ports in, a PublishResult out."""

    source: Source
    site: SiteStore
    index: DynamoIndex
    cdn: Cdn | None
    now: datetime
    config: SiteConfig = field(init=False)
    renderer: Renderer = field(init=False)

    def __post_init__(self) -> None:
        self.config, _ = self._read_config()
        self.index.config = self.config
        self.renderer = Renderer(self.config, self._layouts())
        self._render: set[Output] = set()
        self._delete: set[str] = set()
        self._bodies: dict[str, PageBody | None] = {}
        self._assets: dict[str, bytes | None] = {}

    def _read_config(self) -> tuple[SiteConfig, list[str]]:
        data = self.source.read(CONFIG_KEY)
        return parse_config(None if data is None else data.decode("utf-8-sig", "replace"))

    def _layouts(self) -> dict[str, str]:
        keys = self.source.list_keys("layouts/")
        return {key[len("layouts/") :]: (self.source.read(key) or b"").decode("utf-8", "replace") for key in keys}

    # -- one key -------------------------------------------------------------------------
    def publish(self, keys: Iterable[str]) -> PublishResult:
        """Publish the current state of each key and write what changed.

        Invalidation is left to `send_invalidations`, once per invocation; the keys to
        invalidate are recorded in the index before any write, so a crash loses none.
        """
        result = PublishResult()
        wanted = sorted(set(keys))
        if any(classify(key) in {SourceKind.CONFIG, SourceKind.LAYOUT} for key in wanted):
            return self.rebuild()
        # Pages that depend on the configuration alone: cheap to render, and written only once.
        self._render.update(StaticOutput(name) for name in STATIC_KEYS)
        for key in wanted:
            try:
                self._publish_key(key)
                self.index.clear_error(key)
                result.published.append(key)
            except ContentError as error:
                self.index.record_error(key, error.problem, self.now)
                result.errors.append(error)
        self._flush(result)
        return result

    def _publish_key(self, key: str) -> None:
        kind = classify(key)
        if kind is SourceKind.PAGE:
            self._publish_page(key)
        elif kind is SourceKind.INTRO:
            self._publish_intro(key)
        elif kind is SourceKind.ASSET:
            self._publish_asset(key)

    def _parse(self, key: str) -> ParsedPage | None:
        data = self.source.read(key)
        if data is None:
            return None
        folder = bundle_dir(key)
        siblings = [k.rsplit("/", 1)[1] for k in self.source.list_keys(folder + "/")] if folder else []
        return parse_page(key, data, self.config, siblings)

    def _spots(self, lists: Iterable[str], entry: Entry | None) -> dict[str, ListSpot]:
        """Where `entry` stands on each list (None where it is not on it), and each list's size."""
        on = set(lists_of(entry, self.config)) if entry else set()
        return {
            list_id: ListSpot(
                self.index.position(list_id, entry) if entry and list_id in on else None, self.index.list_size(list_id)
            )
            for list_id in lists
        }

    def _neighbours(self, entry: Entry | None, spots: dict[str, ListSpot]) -> list[Entry]:
        section = entry.section if entry else ""
        spot = spots.get(section)
        if entry is None or not section or spot is None or spot.position is None:
            return []
        around = self.index.list_slice(section, max(spot.position - 1, 0), spot.position + 2)
        return [e for e in around if e != entry]

    def _publish_page(self, key: str) -> None:
        parsed = self._parse(key)
        old = self.index.entry(key)
        new = parsed.entry if parsed is not None and parsed.entry.is_live(self.now) else None
        if parsed is not None:
            self._bodies[key] = parsed.body
            if (moment := _next_change(parsed.entry, self.now)) is not None:
                self.index.schedule(key, moment)
        touched = sorted(
            set(lists_of(old, self.config) if old else ()) | set(lists_of(new, self.config) if new else ())
        )
        terms = [list_id for list_id in touched if "/" in list_id]
        before = self._spots(touched, old)
        terms_before = {list_id: self.index.term(list_id) for list_id in terms}
        neighbours = self._neighbours(old, before)
        self.index.apply(old, new)
        after = self._spots(touched, new)
        terms_after = {list_id: self.index.term(list_id) for list_id in terms}
        neighbours += self._neighbours(new, after)
        change = EntryChange(old, new, before, after, neighbours, terms_before, terms_after)
        plan = plan_change(change, self.config.pagerSize, self.config.feedLimit)
        self._render |= plan.render
        self._delete |= plan.delete

    def _publish_intro(self, key: str) -> None:
        data = self.source.read(key)
        intro = parse_intro(key, data, self.config) if data is not None else None
        list_id = intro_list_id(key)
        self.index.put_intro(list_id, intro)
        if list_id in {"tags", "categories"}:
            self._render.add(TaxonomyOutput(list_id))
        else:
            self._render.update(list_outputs(list_id, self.index.list_size(list_id), self.config.pagerSize))

    def _publish_asset(self, key: str) -> None:
        data = self.source.read(key)
        if data is not None:
            self._assets[key] = data
            self._render.add(AssetOutput(key))
        else:
            self._delete.add(key)
        folder = key.rsplit("/", 1)[0] if "/" in key else ""
        name = key.rsplit("/", 1)[-1].lower()
        if folder and name.startswith("feature"):
            for index_name in ("index.md", "index.markdown"):
                if self.index.entry(f"{folder}/{index_name}") is not None or self.source.read(f"{folder}/{index_name}"):
                    self._publish_page(f"{folder}/{index_name}")

    def due_keys(self) -> list[str]:
        """Pages whose publishDate or expiryDate has passed since they were last published (SPEC 3.4)."""
        return self.index.due(self.now)

    # -- writing -------------------------------------------------------------------------
    def _body_of(self, key: str) -> PageBody:
        if key not in self._bodies:
            try:
                parsed = self._parse(key)
            except ContentError:
                parsed = None
            self._bodies[key] = parsed.body if parsed else None
        body = self._bodies[key]
        if body is None:
            raise KeyError(key)
        return body

    def _render_one(self, output: Output) -> bytes | None:
        if isinstance(output, AssetOutput):
            return self._assets.get(output.source_key)
        if isinstance(output, PageOutput):
            entry = self.index.entry(output.source_key)
            if entry is None or entry.path != output.path:
                return None  # unpublished or moved since it was planned
            try:
                return self.renderer.render(output, self.index, self._body_of)
            except KeyError:
                return None
        if isinstance(output, ListOutput | FeedOutput):
            size = self.index.list_size(output.list_id)
            pages = pager_count(size, output.list_id, self.config.pagerSize)
            if pages == 0 or (isinstance(output, ListOutput) and output.number > pages):
                return None
        return self.renderer.render(output, self.index, self._body_of)

    def _flush(self, result: PublishResult) -> None:
        rendered: dict[str, tuple[bytes, str]] = {}
        for output in sorted(self._render, key=lambda o: o.key):
            body = self._render_one(output)
            if body is not None:
                rendered[output.key] = (body, cache_control(output))
        deletions = {key for key in self._delete if key not in rendered}
        self._write(rendered, deletions, result)
        self._render.clear()
        self._delete.clear()

    def _write(self, rendered: dict[str, tuple[bytes, str]], deletions: set[str], result: PublishResult) -> None:
        """Write what changed, delete what is gone; invalidation paths are recorded first (SPEC 3.3.2)."""
        published = self.index.output_hashes([*rendered, *deletions])
        changed = {
            key: digest
            for key, (body, _) in sorted(rendered.items())
            if published.get(key) != (digest := content_hash(body, content_type(key)))
        }
        gone = sorted(key for key in deletions if key in published)
        touched = sorted([*changed, *gone])
        if not touched:
            return
        self.index.add_pending_invalidations(touched)
        for key in sorted(changed):
            body, cache = rendered[key]
            self.site.put(key, body, content_type(key), cache)
        if gone:
            self.site.delete(gone)
        self.index.record_outputs(changed, gone)
        result.written.extend(sorted(changed))
        result.deleted.extend(gone)

    def send_invalidations(self, result: PublishResult) -> None:
        """Invalidate every pending key (this invocation's and any a crash left behind), then forget them."""
        pending = self.index.pending_invalidations()
        if not pending:
            return
        if self.cdn is not None:
            paths = invalidation_paths(pending)
            reference = hashlib.sha256("\n".join(sorted(pending)).encode() + self.now.isoformat().encode()).hexdigest()
            self.cdn.invalidate(paths, reference)
            result.invalidated.extend(paths)
        self.index.clear_pending_invalidations(pending)

    # -- everything ------------------------------------------------------------------------
    def rebuild(self) -> PublishResult:
        """Re-render the whole site from the source (site.yaml or layouts changed, or on request)."""
        result = PublishResult()
        keys = [key for key in self.source.list_keys() if classify(key) is not SourceKind.IGNORED]
        files = {key: data for key in keys if (data := self.source.read(key)) is not None}
        site = build_site(files, self.now, workers=1)
        result.errors.extend(site.errors)
        for error in site.errors:
            self.index.record_error(error.source_key, error.problem, self.now)
        live = {entry.source_key: entry for entry in site.entries}
        for key in sorted(set(self.index.published_keys()) | set(live)):
            old, new = self.index.entry(key), live.get(key)
            if old != new:
                self.index.apply(old, new)
        for intro in site.intros:
            self.index.put_intro(intro.list_id, intro)
        stale = set(self.index.published_keys("outputs")) - set(site.outputs)
        rendered = {
            key: (body, ASSET_CACHE_CONTROL if key in files else PAGE_CACHE_CONTROL)
            for key, body in site.outputs.items()
        }
        self._write(rendered, stale, result)
        result.published.extend(sorted(live))
        self.send_invalidations(result)
        return result


def _next_change(entry: Entry, now: datetime) -> datetime | None:
    """When a page's publication state will change by the clock alone: a future publish or an expiry."""
    if entry.draft:
        return None
    publish_at = entry.publish_date or entry.date
    if publish_at is not None and publish_at > now:
        return publish_at
    if entry.expiry_date is not None and entry.expiry_date > now:
        return entry.expiry_date
    return None
