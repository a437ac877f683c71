"""The event path: publish what changed at some source keys, and everything it affects.

Imperative shell around the pure core: it reads the current state of each key (an event is a
hint, not the truth), updates the index, asks the planner which outputs the change touches,
renders them from the index, writes only the bytes that changed and invalidates exactly those.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pressroom.adapters.aws.dynamodb import ConflictError, DynamoIndex, order_sort_key
from pressroom.adapters.files import InlineQueue
from pressroom.core.codec import output_from_json, output_to_json
from pressroom.core.config import CONFIG_KEY, SiteConfig, parse_config
from pressroom.core.content import ParsedPage, SourceKind, bundle_dir, classify, intro_list_id, parse_intro, parse_page
from pressroom.core.invalidation import invalidation_paths
from pressroom.core.model import Entry, PageBody, Term
from pressroom.core.plan import (
    STATIC_KEYS,
    AliasOutput,
    AssetOutput,
    EntryChange,
    FeedOutput,
    ListOutput,
    ListSpot,
    Output,
    PageOutput,
    SitemapOutput,
    StaticOutput,
    TaxonomyOutput,
    list_outputs,
    pager_count,
    plan_change,
    site_outputs,
    sitemap_parts,
)
from pressroom.core.render import Renderer, cache_control, content_type
from pressroom.core.site import lists_of, term_from_spellings
from pressroom.core.urls import TAXONOMIES, list_page_path
from pressroom.exceptions import ContentError, TransientError
from pressroom.ports import Cdn, Queue, SiteStore, Source

_CONFLICT_TRIES = 5
ABANDONED_AFTER = timedelta(minutes=20)
"""A pending invalidation older than the longest Lambda run (15 minutes) belongs to a dead invocation."""
_RENDER_ROUNDS = 5
INDEX_CHUNK = 50
"""Source keys per rebuild message: each is a GET, a parse and at most one transaction."""
RENDER_CHUNK = 100
"""Outputs per rebuild message: a few seconds of rendering (an invocation runs several)."""


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
    queue: Queue = field(default_factory=InlineQueue)
    """Where a rebuild fans out; an InlineQueue runs it here, chunk after chunk."""
    config: SiteConfig = field(init=False)
    renderer: Renderer = field(init=False)

    def __post_init__(self) -> None:
        self.config, _ = self._read_config()
        self.index.config = self.config
        self.renderer = Renderer(self.config, self._layouts())
        self._render: set[Output] = set()
        self._gone: set[Output] = set()
        self._shrunk: set[str] = set()
        self._bodies: dict[str, PageBody | None] = {}
        self._assets: dict[str, bytes | None] = {}
        self._planned_keys: set[str] = set()
        self._followups: set[str] = set()
        self._owner = uuid.uuid4().hex  # names this invocation's pending invalidations
        self._own_pending: set[str] = set()
        self._planning = True  # off while a rebuild re-indexes: it renders everything after

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
        A change to `site.yaml` or a layout starts a rebuild instead (see `rebuild`).
        """
        wanted = sorted(set(keys))
        if any(classify(key) in {SourceKind.CONFIG, SourceKind.LAYOUT} for key in wanted):
            return self.rebuild()
        result = PublishResult()
        # Pages that depend on the configuration alone: cheap to render, and written only once.
        self._render.update(StaticOutput(name) for name in STATIC_KEYS)
        # The taxonomy indexes exist even when empty, and cost one small query each.
        self._render.update(TaxonomyOutput(taxonomy) for taxonomy in TAXONOMIES)
        self._apply_keys(wanted, result)
        self._flush(result)
        return result

    def _apply_keys(self, keys: list[str], result: PublishResult) -> None:
        """Bring the index up to date with each key, planning the outputs when `_planning` is on."""
        pending = list(keys)
        done: set[str] = set()
        while pending:
            key = pending.pop(0)
            done.add(key)
            try:
                self._publish_key(key)
                self.index.clear_error(key)
                result.published.append(key)
            except ContentError as error:
                self.index.record_error(key, error.problem, self.now)
                result.errors.append(error)
            # Pages whose claim on a URL this change decided (see _claim) are published again.
            pending += sorted(self._followups - done - set(pending))
            self._followups.clear()

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

    def _publish_page(self, key: str) -> None:
        """Apply one page's current state to the index and plan every output it affects.

        Two workers racing on one page: the index write is conditional on what was read, so
        the loser reads again (a few tries, then the message is retried by SQS).
        """
        for _ in range(_CONFLICT_TRIES - 1):
            try:
                return self._publish_page_once(key)
            except ConflictError:
                self.index.forget()
        return self._publish_page_once(key)

    def _publish_page_once(self, key: str) -> None:
        current = self.index.entry(key)
        # A rebuild renders every output afterwards: it has no use for what was last rendered.
        pending, last_rendered = self.index.marker(key) if self._planning else (False, None)
        parsed = self._parse(key)
        new = parsed.entry if parsed is not None and parsed.entry.is_live(self.now) else None
        if parsed is not None:
            self._bodies[key] = parsed.body
            if (moment := _next_change(parsed.entry, self.now)) is not None:
                self.index.schedule(key, moment)
        # Plan from what was last rendered: the entry before this change, or, when an earlier
        # attempt applied a change and then crashed before publishing it, the entry before that.
        old = last_rendered if pending else current
        lost_to = self._claim(key, current, new)
        if lost_to is not None:
            new = None
        wanted = tuple(sorted(new.aliases)) if new else ()
        new, refused = self._claim_aliases(key, new)
        changed = current != new or set(self.index.wanted_aliases(key)) != set(wanted)
        if not self._planning:
            # A rebuild: the configuration may have moved the page on or off the home list.
            if changed or (new is not None and set(self.index.placed_on(key) or ()) != set(lists_of(new, self.config))):
                self.index.apply(key, current, new, wanted)
                self._planned_keys.add(key)
        elif changed or not pending:
            self.index.apply(key, current, new, wanted)
        if self._planning:
            self._planned_keys.add(key)
            self._plan(old, new)
        if lost_to is not None and parsed is not None:
            raise ContentError(key, f"claims /{parsed.entry.path}/, {lost_to}")
        if refused:
            taken = ", ".join(f"/{alias}/" for alias in refused)
            raise ContentError(key, f"alias {taken} is already taken; it is not published")

    def _claim(self, key: str, current: Entry | None, new: Entry | None) -> str | None:
        """Settle who publishes a URL two pages claim: the smaller source key, as the full build does.

        Returns why this page loses: the winner, or the section list at that URL. A winner
        displacing a published page or alias, or a page leaving a URL others wait for, sends
        those pages round again (`_followups`).
        """
        if current is not None and (new is None or current.path != new.path):
            self.index.unclaim(current.path, key)
            waiting = self.index.claimants(current.path) or self.index.claimants(current.path, "aliases")
            self._followups.update(waiting[:1])
        if new is None:
            return None
        if new.path in self.index.sections():
            return f"the list of section {new.path!r}"
        self.index.claim(new.path, key)
        claimants = self.index.claimants(new.path)
        if claimants[0] != key:
            return f"already published by {claimants[0]}"
        self._followups.update(other for other in claimants[1:] if self.index.entry(other) is not None)
        if current is None or current.path != new.path:
            self._followups.update(self.index.claimants(new.path, "aliases"))
        return None

    def _claim_aliases(self, key: str, new: Entry | None) -> tuple[Entry | None, list[str]]:
        """Settle aliases as the full build does: any page's own path beats an alias, a section's
        list too, then the smaller source key wins.

        Returns the entry with only the aliases it publishes, and those refused. A page that
        gives an alias up, or takes one over, sends the other claimants round again.
        """
        before = set(self.index.wanted_aliases(key))
        wanted = set(new.aliases) if new else set()
        for alias in sorted(before - wanted):
            self.index.unclaim(alias, key, "aliases")
            self._followups.update(self.index.claimants(alias, "aliases")[:1])
        for alias in sorted(wanted - before):
            self.index.claim(alias, key, "aliases")
        if new is None:
            return None, []
        kept: list[str] = []
        refused: list[str] = []
        for alias in new.aliases:
            holders = self.index.claimants(alias, "aliases")
            if holders[:1] != [key] or alias in self.index.sections() or self.index.claimants(alias):
                refused.append(alias)
            else:
                kept.append(alias)
                self._followups.update(other for other in holders[1:] if other != key)
        return (new if not refused else replace(new, aliases=tuple(kept))), refused

    def _plan(self, old: Entry | None, new: Entry | None) -> None:
        """Plan a change from `old` to `new` against the index, which already holds `new`.

        The places `old` had are derived from the index as it is now: its position is the count of
        entries ordering before its sort key, less `new` if that orders before it.
        """
        old_lists = set(lists_of(old, self.config)) if old else set()
        new_lists = set(lists_of(new, self.config)) if new else set()
        before: dict[str, ListSpot] = {}
        after: dict[str, ListSpot] = {}
        for list_id in sorted(old_lists | new_lists):
            size = self.index.list_size(list_id)
            new_position = self.index.position(list_id, new) if new and list_id in new_lists else None
            after[list_id] = ListSpot(new_position, size)
            old_position = None
            if old is not None and list_id in old_lists:
                old_position = self.index.position(list_id, old)
                if new is not None and list_id in new_lists and new.order_key < old.order_key:
                    old_position -= 1
            before[list_id] = ListSpot(old_position, size - (list_id in new_lists) + (list_id in old_lists))
        terms_before: dict[str, Term | None] = {}
        terms_after: dict[str, Term | None] = {}
        for list_id in sorted(i for i in old_lists | new_lists if "/" in i):
            taxonomy, _, slug = list_id.partition("/")
            spellings = self.index.term_spellings(list_id)
            terms_after[list_id] = term_from_spellings(taxonomy, slug, spellings)
            for entry, delta in ((new, -1), (old, 1)):
                name = entry.term_spellings(taxonomy).get(slug) if entry else None
                if name is not None:
                    spellings[name] = spellings.get(name, 0) + delta
            terms_before[list_id] = term_from_spellings(taxonomy, slug, spellings)
        neighbours: list[Entry] = []
        for entry in (old, new):
            if entry is not None and entry.section:
                neighbours += self.index.around(entry.section, order_sort_key(entry), entry.source_key)
        change = EntryChange(old, new, before, after, neighbours, terms_before, terms_after)
        plan = plan_change(change, self.config.pagerSize, self.config.feedLimit)
        self._render |= plan.render
        self._gone |= plan.gone
        # Sizes "before" are derived from the index as it is now, which other workers change too:
        # two removals racing each other may both see a list lose no page. See _beyond_lists_end.
        self._shrunk |= old_lists - new_lists

    def _publish_intro(self, key: str) -> None:
        data = self.source.read(key)
        intro = parse_intro(key, data, self.config) if data is not None else None
        list_id = intro_list_id(key)
        self.index.put_intro(list_id, intro)
        if not self._planning:
            return
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
            self._gone.add(AssetOutput(key))
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
        if isinstance(output, SitemapOutput):
            try:
                return self.renderer.render(output, self.index, self._body_of)
            except KeyError:
                return None  # a part the sitemap no longer needs
        return self.renderer.render(output, self.index, self._body_of)

    def _render_planned(self) -> tuple[dict[str, tuple[bytes, str]], set[str], set[str]]:
        """Render the planned outputs from the index as it is now.

        Returns what to write, what to delete, and what to delete only if it was published: the
        list pages, feeds and sitemap parts that no longer exist in the current index, though
        planned from an older one.
        """
        rendered: dict[str, tuple[bytes, str]] = {}
        vanished: set[str] = set()
        if SitemapOutput() in self._render:
            # Past SITEMAP_URL_LIMIT URLs, a change may move URLs across every part, and a
            # shrinking sitemap leaves a part too many (two, when workers race).
            parts = sitemap_parts(len(self.renderer.sitemap_urls(self.index)))
            self._render.update(SitemapOutput(part) for part in range(1, parts + 3))
        for output in sorted(self._render, key=lambda o: o.key):
            body = self._render_one(output)
            if body is not None:
                rendered[output.key] = (body, cache_control(output))
            elif isinstance(output, ListOutput | FeedOutput | SitemapOutput):
                vanished.add(output.key)
        deletions: set[str] = set()
        for output in sorted(self._gone - self._render, key=lambda o: o.key):
            if output.key in rendered:
                continue
            # Planned from the index as it was: another worker may since have published
            # something at that key (a page re-created, a list grown again). Then it stays.
            current = self._published_at(output)
            body = self._render_one(current) if current is not None else None
            if current is not None and body is not None:
                rendered[output.key] = (body, cache_control(current))
            else:
                deletions.add(output.key)
        beyond, emptied = self._beyond_lists_end()
        deletions |= beyond - set(rendered)
        return rendered, deletions, (vanished | emptied) - deletions - set(rendered)

    def _published_at(self, output: Output) -> Output | None:
        """What the current index and source publish at a gone output's key, if anything."""
        if isinstance(output, AssetOutput):
            if output.source_key not in self._assets:
                self._assets[output.source_key] = self.source.read(output.source_key)
            return output
        if isinstance(output, PageOutput | AliasOutput):
            path = output.path if isinstance(output, PageOutput) else output.alias
            for page in self.index.claimants(path)[:1]:
                return PageOutput(page, path)
            for holder in self.index.claimants(path, "aliases"):
                entry = self.index.entry(holder)
                if entry is not None and path in entry.aliases:
                    return AliasOutput(path, entry.path)
            return None
        return output

    def _beyond_lists_end(self) -> tuple[set[str], set[str]]:
        """Pages published beyond the current end of each list that lost an entry.

        Pager pages are read from the site bucket itself (one LIST per list), so pages a racing
        worker planned from its own view of the list's size, or wrote from an older index, are
        found too. Second, the first page and feed of lists now empty, to delete if published.
        """
        gone: set[str] = set()
        emptied: set[str] = set()
        for list_id in sorted(self._shrunk):
            pages = pager_count(self.index.list_size(list_id), list_id, self.config.pagerSize)
            if pages == 0:
                emptied |= {ListOutput(list_id, 1).key, FeedOutput(list_id).key}
            folder = list_page_path(list_id, 2).rsplit("/", 1)[0] + "/"
            for key in self.site.list_keys(folder):
                number, _, rest = key[len(folder) :].partition("/")
                if rest == "index.html" and number.isdigit() and int(number) > max(pages, 1):
                    gone.add(key)
        return gone, emptied

    def _flush(self, result: PublishResult, force: bool = False) -> None:
        """Render and write the planned outputs, again while other workers change the index meanwhile.

        Another worker may have rendered a page from an index that did not yet hold this
        worker's change, or this worker from one without the other's; whichever write lands
        last could then be stale. Every change increments the site version, so a worker that
        sees it move after writing renders its outputs again and writes them unconditionally:
        the last worker to check has written from the final index.
        """
        # Read the version before anything the renders read: cached reads from planning may
        # predate it, and a render older than the version it is checked against goes unnoticed.
        self.index.forget()
        version = self.index.version()
        self._write(*self._render_planned(), result, force=force)
        for _ in range(_RENDER_ROUNDS):
            self.index.forget()
            latest = self.index.version()
            if latest == version:
                break
            version = latest
            self._write(*self._render_planned(), result, force=True)
        else:
            raise TransientError("the index kept changing while rendering; the message will be retried")
        self.index.clear_markers(self._planned_keys)
        self._render.clear()
        self._gone.clear()
        self._shrunk.clear()
        self._planned_keys.clear()

    def _write(
        self,
        rendered: dict[str, tuple[bytes, str]],
        deletions: set[str],
        vanished: set[str],
        result: PublishResult,
        force: bool = False,
    ) -> None:
        """Write what changed, delete what is gone; invalidation paths are recorded first (SPEC 3.3.2).

        What changed is judged by the hashes the index keeps of published objects; `force`
        writes everything, for when those hashes may come from a concurrent stale write.
        """
        published = self.index.output_hashes([*rendered, *deletions, *vanished])
        digests = {key: content_hash(body, content_type(key)) for key, (body, _) in sorted(rendered.items())}
        changed = {key: digest for key, digest in digests.items() if force or published.get(key) != digest}
        # Deletions are not filtered by the recorded hashes: a write whose hash a crash kept from
        # being recorded must still be deleted. The planner names only keys that existed.
        gone = sorted(deletions | {key for key in vanished if key in published})
        touched = sorted([*changed, *gone])
        if not touched:
            return
        self.index.add_pending_invalidations(touched, self._owner, self.now)
        self._own_pending.update(touched)
        for key in sorted(changed):
            body, cache = rendered[key]
            self.site.put(key, body, content_type(key), cache)
        if gone:
            self.site.delete(gone)
        self.index.record_outputs(changed, gone)
        result.written.extend(sorted(changed))
        result.deleted.extend(gone)

    def send_invalidations(self, result: PublishResult) -> None:
        """Invalidate this invocation's writes and any a crashed one left pending, then forget them.

        Only this invocation's records and those old enough to belong to a dead one are removed:
        another live worker's record may be for a write it has not made yet.
        """
        pending = self.index.pending_invalidations()
        keys = self._own_pending | {item.key for item in pending}
        if not keys:
            return
        if self.cdn is not None:
            paths = invalidation_paths(keys)
            reference = hashlib.sha256(("\n".join(sorted(keys)) + self._owner).encode()).hexdigest()
            self.cdn.invalidate(paths, reference)
            result.invalidated.extend(paths)
        abandoned_before = self.now - ABANDONED_AFTER
        self.index.clear_pending_invalidations(
            [item for item in pending if item.owner == self._owner or item.at < abandoned_before]
        )
        self._own_pending.clear()

    # -- everything ------------------------------------------------------------------------
    def rebuild(self, repair: bool = False) -> PublishResult:
        """Re-render the whole site: `site.yaml` or a layout changed, or on request.

        It runs as chunks that each fit one invocation, fanned out through the queue:
        1. *index*: every source page and intro is parsed again with the current configuration
           and the index brought up to date (no rendering), `INDEX_CHUNK` keys per message;
        2. the chunk that finishes the last index chunk lists every output of the site from the
           index, deletes the published objects that are no longer outputs, and sends
        3. *render*: `RENDER_CHUNK` outputs per message, rendered and written where bytes changed.
        A newer rebuild replaces an older one: the older one's chunks stop when they see it.
        Without a queue, the chunks run here, one after another. To `repair` writes every
        output whatever the index remembers of it (an object lost or changed by hand).
        """
        keys = {key for key in self.source.list_keys() if classify(key) in {SourceKind.PAGE, SourceKind.INTRO}}
        keys |= set(self.index.published_keys())  # pages whose source is gone are unpublished too
        ordered = sorted(keys)
        chunks = [ordered[start : start + INDEX_CHUNK] for start in range(0, len(ordered), INDEX_CHUNK)]
        run = uuid.uuid4().hex
        self.index.start_rebuild(run, len(chunks))
        result = PublishResult()
        start = {"pressroom": "rebuild", "run": run, "repair": repair}
        messages = [{**start, "step": "index", "chunk": n, "keys": keys} for n, keys in enumerate(chunks)]
        if messages:
            self.queue.send(messages)
        else:
            result.merge(self._plan_rendering(start))
        if isinstance(self.queue, InlineQueue):
            while self.queue.messages:
                result.merge(self.rebuild_step(self.queue.messages.popleft()))
        return result

    def rebuild_step(self, message: Mapping[str, Any]) -> PublishResult:
        """Run one chunk of a rebuild (see `rebuild`); a chunk of a replaced run does nothing."""
        run = message["run"]
        result = PublishResult()
        if self.index.rebuild_run() != run:
            return result
        if message["step"] == "index":
            self._planning = False
            try:
                self._apply_keys(list(message["keys"]), result)
            finally:
                self._planning = True
            self.index.clear_markers(self._planned_keys)  # the render step renders every page
            self._planned_keys.clear()
            if self.index.finish_rebuild_chunk(run, int(message["chunk"])) == 0:
                result.merge(self._plan_rendering(message))
        else:
            self._render.update(output_from_json(item) for item in message["outputs"])
            self._flush(result, force=bool(message.get("repair")))
        return result

    def defer(self, message: Mapping[str, Any]) -> None:
        """Send a rebuild chunk back to the queue, to run in another invocation."""
        self.queue.send([message])

    def _plan_rendering(self, message: Mapping[str, Any]) -> PublishResult:
        """Every output of the site, from the index: delete what is no longer one, send the rest to render."""
        result = PublishResult()
        # The bucket is listed before the index is read: a page published in between is then
        # either in the listing and among the outputs, or in neither; never taken for stale.
        published = set(self.site.list_keys())
        assets = [key for key in self.source.list_keys() if classify(key) is SourceKind.ASSET]
        self.index.forget()
        outputs = site_outputs(self.index, self.index.pages(), assets)
        stale = published - {output.key for output in outputs}
        self._write({}, stale, set(), result)
        # Assets do not depend on the configuration or the layouts: they stay as they are.
        ordered = [output_to_json(o) for o in sorted(outputs, key=lambda o: o.key) if not isinstance(o, AssetOutput)]
        chunks = [ordered[start : start + RENDER_CHUNK] for start in range(0, len(ordered), RENDER_CHUNK)]
        start = {name: message[name] for name in ("pressroom", "run", "repair")}
        self.queue.send([{**start, "step": "render", "outputs": chunk} for chunk in chunks])
        return result


def is_rebuild_message(body: Mapping[str, Any]) -> bool:
    return body.get("pressroom") == "rebuild"


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
