"""Rendering a round's outputs from the index snapshot, and writing the ones whose bytes changed.

Write-ahead: every chunk records its paths as pending before an object changes, and what it
published after; a crash between leaves paths a later holder invalidates, never a record that
ran ahead of S3.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from pressroom.core.planning.invalidation import invalidation_paths
from pressroom.core.rendering.mime import Headers, headers
from pressroom.core.site.model import PageBody
from pressroom.core.site.outputs import (
    SEARCH_INDEX_KEY,
    AssetOutput,
    FeedOutput,
    ListOutput,
    Output,
    PageOutput,
    SearchOutput,
    SearchPartOutput,
    SitemapOutput,
    TaxonomyFeedOutput,
    TaxonomyOutput,
    is_enabled,
    is_search_part,
    list_page,
    list_pages,
    search_output,
    sitemap_parts,
)
from pressroom.core.planning.plan import RenderPlan, list_exists
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.rendering.search import patch_search_files
from pressroom.core.rendering.sitemap import SitemapPatch, SitemapUrl, parse_sitemap
from pressroom.engine.control import Control, Journal
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader
from pressroom.engine.invocation import Ports, RunResult
from pressroom.engine.reading import body_of
from pressroom.exceptions import ContentError, RenderError
from pressroom.ports import Item, SiteStore

RENDER_CHUNK = 250
"""Outputs rendered, compared and written per journal step."""


def content_hash(body: bytes, type_: str) -> str:
    """What the index remembers of a published object: its bytes and its headers (`type_`)."""
    return hashlib.sha256(type_.encode() + b"\0" + body).hexdigest()


class Pace(Protocol):
    """The holder's clock: whether to stop and hand on, keeping the lease, marking progress."""

    def time_to_hand_on(self) -> bool: ...
    def renew(self) -> float: ...
    def before_write(self) -> None: ...
    def progressed(self) -> None: ...


class FencedSite:
    """The site bucket as the lease holder writes it: S3 writes are not fenced by the lease, so
    each starts only once the holder made sure its lease outlasts it (`Pace.before_write`)."""

    def __init__(self, site: SiteStore, pace: Pace) -> None:
        self._site = site
        self._pace = pace

    def put(self, key: str, body: bytes, headers: Headers) -> None:
        self._pace.before_write()
        self._site.put(key, body, headers)

    def delete(self, keys: Sequence[str]) -> None:
        self._pace.before_write()
        self._site.delete(keys)


class OutputWriter:
    """Renders and writes outputs for the lease holder; keeps the sitemap it read for the invocation."""

    def __init__(self, ports: Ports, control: Control, pace: Pace) -> None:
        self.ports = ports
        self.control = control
        self.pace = pace
        self.site = FencedSite(ports.site, pace)
        self._sitemap: tuple[SitemapPatch, list[SitemapUrl], list[str]] | None = None
        self._search: tuple[SitemapPatch, dict[str, bytes], list[str]] | None = None

    def expand(
        self, plan: RenderPlan, view: GenerationReader, renderer: Renderer, patch: SitemapPatch
    ) -> tuple[list[Output], list[str]]:
        """The outputs a render plan names, against the index after the round, in a fixed order."""
        outputs: dict[str, Output] = {output.key: output for output in plan.outputs}
        config = view.config
        for list_id, (first, last) in sorted(plan.list_ranges.items()):
            state = view.list_state(list_id)
            if not list_exists(list_id, state, config):
                continue
            pages = list_pages(state.size, config.pagerSize)
            for number in range(first, min(last or pages, pages) + 1):
                page = list_page(list_id, number, config)
                outputs[page.key] = page
        around = parallel(lambda item: view.around(*item), sorted(plan.around))
        for entries in around:
            for entry in entries:
                if entry is not None:
                    neighbour = PageOutput(entry.source_key, entry.path)
                    outputs[neighbour.key] = neighbour
        for list_id in sorted(plan.members):
            for entry in view.list_slice(list_id, 0, view.list_size(list_id)):
                member = PageOutput(entry.source_key, entry.path)
                outputs[member.key] = member
        deletes = set(plan.delete)
        if plan.sitemap:
            urls, published_parts = self.sitemap_urls(view, renderer, patch)
            parts = sitemap_parts(len(urls))
            for part in range(parts + 1):
                outputs[SitemapOutput(part).key] = SitemapOutput(part)
            deletes.update(published_parts)
        if SEARCH_INDEX_KEY in outputs:
            files, gone = self.search_files(view, renderer, patch)
            outputs.update({key: search_output(key) for key in files})
            deletes.update(gone)
        ordered = [outputs[key] for key in sorted(outputs) if is_enabled(outputs[key], config)]
        return ordered, sorted(key for key in deletes if key not in outputs)

    def sitemap_urls(
        self, view: GenerationReader, renderer: Renderer, patch: SitemapPatch
    ) -> tuple[list[SitemapUrl], list[str]]:
        """The sitemap's URLs after the round (the published sitemap patched, else from the index),
        and the part files published now."""
        if self._sitemap is not None and self._sitemap[0] is patch:
            return self._sitemap[1], self._sitemap[2]
        urls: list[SitemapUrl] | None = None
        parts: list[str] = []
        published = None if patch.full else self.ports.site.read("sitemap.xml")
        parsed = parse_sitemap(published, renderer.config) if published is not None else None
        if parsed is not None and parsed.parts:
            parts = parsed.parts
            bodies = parallel(self.ports.site.read, parts)
            found = [parse_sitemap(body, renderer.config) if body else None for body in bodies]
            if all(part is not None and not part.parts for part in found):
                urls = patch.apply(url for part in found if part is not None for url in part.urls)
        elif parsed is not None:
            urls = patch.apply(parsed.urls)
        if urls is None:
            urls = renderer.sitemap_urls(view)
            if not parts:
                parts = [key for key in self.control.all_outputs() if key.startswith("sitemap-")]
        self._sitemap = (patch, urls, parts)
        return urls, parts

    def search_files(
        self, view: GenerationReader, renderer: Renderer, patch: SitemapPatch
    ) -> tuple[dict[str, bytes], list[str]]:
        """The search index files the round writes (the published table and the parts it changes,
        patched; else every file from the index), and the part files it deletes."""
        if self._search is not None and self._search[0] is patch:
            return self._search[1], self._search[2]
        published = self.ports.site.read(SEARCH_INDEX_KEY)
        found = None
        if patch.search is not None and published is not None:
            found = patch_search_files(published, self._read_many, patch.search, view.config)
        if found is None:
            # Rare (a first publish, a rebuild, a hand-edited or half-redistributed index): every
            # published part file is listed, so none is left behind.
            files = renderer.search_files(view)
            found = files, [key for key in self.control.all_outputs() if is_search_part(key) and key not in files]
        self._search = (patch, *found)
        return found

    def _read_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return parallel(self.ports.site.read, keys)

    def write(
        self,
        journal: Journal,
        jobs: Sequence[Output],
        deletes: Sequence[str],
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        result: RunResult,
        bodies: dict[str, PageBody],
        force: bool = False,
        closing: tuple[list[Item], list[tuple[str, str]]] | None = None,
    ) -> bool:
        """Render `jobs` in chunks from the journal's cursor, write what changed, then delete `deletes`.

        Each chunk records its paths as pending before it writes, and its progress after; False
        when the time ran out (the journal says where to go on). With `closing`, the last chunk's
        records are not written but added to it (puts, deletes), for the caller to write with
        its own next step.
        """
        cursor = int(journal.data.get("cursor", 0))
        while True:
            last = cursor + RENDER_CHUNK >= len(jobs)
            if cursor >= len(jobs) and not deletes:
                return True
            if self.pace.time_to_hand_on():
                return False
            self.pace.renew()
            chunk = list(jobs[cursor : cursor + RENDER_CHUNK])
            gone = list(deletes) if last else []
            rendered, published = self._render_chunk(chunk, gone, view, renderer, patch, bodies, result.errors)
            changed = {key: value for key, value in rendered.items() if force or published.get(key) != value[2]}
            touched = sorted({*changed, *gone})
            if touched:
                # Write-ahead: the paths are pending before any object changes (SPEC 3.3.2).
                self.control.save_pending(invalidation_paths(touched, existing=self.control.pending()))
                parallel(lambda item: self.site.put(item[0], *item[1][:2]), sorted(changed.items()))
                if gone:
                    self.site.delete(gone)
            records = [{"pk": "out", "sk": key, "hash": value[2]} for key, value in sorted(changed.items())]
            removals = [("out", key) for key in gone]
            cursor += len(chunk)
            result.written.extend(sorted(changed))
            result.deleted.extend(gone)
            self.pace.progressed()
            if last:
                if closing is not None:
                    closing[0].extend(records)
                    closing[1].extend(removals)
                else:
                    self.control.transact_many(records, removals)
                journal.data["cursor"] = cursor
                return True
            journal.data["cursor"] = cursor
            self.control.save_journal(journal, records, removals)

    def _render_chunk(
        self,
        chunk: Sequence[Output],
        gone: Sequence[str],
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        bodies: dict[str, PageBody],
        errors: list[ContentError],
    ) -> tuple[dict[str, tuple[bytes, Headers, str]], dict[str, str]]:
        """key -> (bytes, headers, hash) of each output that exists; and the
        published hash of each output of the chunk and each of `gone` that has one. An output its
        template cannot render is left out (what was published stays), its error added to `errors`."""
        pages = [o for o in chunk if isinstance(o, PageOutput) and o.source_key not in bodies]
        assets = [o for o in chunk if isinstance(o, AssetOutput)]
        listed = [o for o in chunk if isinstance(o, ListOutput | FeedOutput)]
        # What the chunk's outputs read, read first and together: list states, intros, term buckets,
        # the pages' records and the published hashes (one request), then in parallel the sources
        # of its pages and assets and each list page's entries.
        taxonomies = [o.taxonomy for o in chunk if isinstance(o, TaxonomyOutput | TaxonomyFeedOutput)]
        out_keys = [*(o.key for o in chunk), *gone]
        read_first = view.prefetch(
            (o.list_id for o in listed),
            taxonomies,
            records=(o.source_key for o in pages),
            extra=self.control.output_item_keys(out_keys),
        )
        published = self.control.output_hashes(out_keys, read_first)
        per_page, feed_limit = view.config.pagerSize, view.config.feed_limit
        slices = sorted(
            {
                (o.list_id, (o.number - 1) * per_page, o.number * per_page)
                if isinstance(o, ListOutput)
                else (o.list_id, 0, view.list_size(o.list_id) if feed_limit is None else feed_limit)
                for o in listed
                if list_exists(o.list_id, view.list_state(o.list_id), view.config)
            }
        )
        by_list: dict[str, list[tuple[str, int, int]]] = {}
        for item in slices:
            by_list.setdefault(item[0], []).append(item)
        found: list[tuple[str, str, Any]] = parallel(
            lambda read: read(),
            [
                *(lambda o=o: ("page", o.source_key, body_of(self.ports.source, o.source_key, view)) for o in pages),
                *(lambda o=o: ("asset", o.key, self._asset_bytes(o)) for o in assets),
                *(
                    lambda wanted=wanted: ("list", "", [view.list_slice(*item) for item in wanted])
                    for wanted in by_list.values()
                ),
            ],
        )
        bodies.update({key: body for kind, key, body in found if kind == "page" and body is not None})
        copied = {key: body for kind, key, body in found if kind == "asset"}
        rendered: dict[str, tuple[bytes, Headers, str]] = {}
        for output in chunk:
            # The headers are part of what was published: a changed Cache-Control rule rewrites.
            if isinstance(output, AssetOutput):
                body = copied.get(output.key)
                stored = headers(output.key, view.config.is_authored(output.source_key))
                if body is not None:
                    rendered[output.key] = (body, stored, f"v:{output.version}:{stored.digest_text(':')}")
                continue
            try:
                data = self._render_one(output, view, renderer, patch, bodies)
            except RenderError as error:
                errors.append(error)
                continue
            if data is not None:
                stored = headers(output.key)
                rendered[output.key] = (data, stored, content_hash(data, stored.digest_text()))
        return rendered, published

    def _render_one(
        self,
        output: Output,
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        bodies: dict[str, PageBody],
    ) -> bytes | None:
        if isinstance(output, PageOutput):
            entry = view.entry(output.source_key)
            if entry is None or entry.path != output.path or output.source_key not in bodies:
                return None
            return renderer.render_page(output, view, bodies[output.source_key])
        if isinstance(output, SearchOutput | SearchPartOutput):
            return self.search_files(view, renderer, patch)[0].get(output.key)
        if isinstance(output, SitemapOutput):
            urls, _ = self.sitemap_urls(view, renderer, patch)
            try:
                return renderer.render_sitemap_of(urls, output.part)
            except KeyError:
                return None
        if isinstance(output, ListOutput | FeedOutput) and not list_exists(
            output.list_id, view.list_state(output.list_id), view.config
        ):
            return None
        return renderer.render(output, view, bodies.__getitem__)

    def _asset_bytes(self, output: AssetOutput) -> bytes | None:
        found = self.ports.source.read(output.source_key, output.version or None)
        return found.body if found is not None else None
