"""Rendering a round's outputs from the index snapshot, and writing the ones whose bytes changed.

Write-ahead: every chunk records its paths as pending before an object changes, and what it
published after; a crash between leaves paths a later holder invalidates, never a record that
ran ahead of S3.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pressroom.core.images.variants import variants_beside
from pressroom.core.planning.invalidation import invalidation_paths
from pressroom.core.planning.plan import RenderPlan, list_exists
from pressroom.core.rendering.kinds import Reads, Rewrite, Rewriter, Writing
from pressroom.core.rendering.mime import Headers, headers
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.site.model import PageBody
from pressroom.core.site.outputs import Output, OutputKind, PageOutput, SitemapOutput, list_page
from pressroom.core.site.paging import list_paging
from pressroom.engine.control import Control, Journal
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader
from pressroom.engine.invocation import Ports, RunResult
from pressroom.engine.reading import body_of
from pressroom.exceptions import ContentError, RenderError
from pressroom.ports import Item, SiteStore

RENDER_CHUNK = 250
"""Outputs rendered, compared and written per journal step."""
IMAGES_PER_CHUNK = 2
"""Images whose variants one journal step makes at most. The slowest images accepted take about
5.5 s (a 50-megapixel PNG) to 8 s (a 12-megapixel HEIC, decoded at full size) on Lambda at
1,024 MB (BENCHMARKS.md, per image), so a step of two fits the 20 s an invocation keeps in hand
(`publisher.SAFETY_SECONDS`): a first publish of a photo blog hands on between steps, never in
the middle of one."""
_PRODUCERS = tuple(dict.fromkeys(kind.producer for kind in OutputKind.kinds() if kind.producer is not None))
"""The producers of read-modify-write kinds, in the order their kinds are declared (the order a
round reads their published files in)."""


def chunk_end(jobs: Sequence[Output], cursor: int) -> int:
    """Where the journal step starting at `cursor` ends: after RENDER_CHUNK outputs, or before the
    variant of a third image (`IMAGES_PER_CHUNK`). The jobs are the same on every retry, so the
    journal's cursor always falls on a step's start."""
    images: set[str] = set()
    end = cursor
    for output in jobs[cursor : cursor + RENDER_CHUNK]:
        if output.named_by_bytes:
            image = output.found_under()
            if image not in images and len(images) == IMAGES_PER_CHUNK:
                break
            images.add(image)
        end += 1
    return end


def content_hash(body: bytes, type_: str) -> str:
    """What the index remembers of a published object: its bytes and its headers (`type_`)."""
    return hashlib.sha256(type_.encode() + b"\0" + body).hexdigest()


class Pace(Protocol):
    """The holder's clock: whether to stop and hand on, keeping the lease, marking progress."""

    def time_to_hand_on(self) -> bool: ...
    def renew(self) -> float: ...
    def before_write(self) -> None: ...
    def progressed(self) -> None: ...


def _from_source(
    output: Output,
    read: Reads,
    body: bytes | None,
    stored: Headers,
    config: Any,
    errors: list[ContentError],
    adopted: bool,
) -> tuple[bytes | None, Headers, str] | None:
    """An output made from its source's `body`, recorded by the source's version (not read again
    to compare); None for bytes when `adopted` (found at its name, which says its bytes); None
    when the source is gone or cannot be made into it (its error added, once per file: its copy
    and its variants fail alike)."""
    recorded = f"v:{read.version}:{stored.digest_text(':')}"
    if adopted:
        return None, stored, recorded + ":from-source"
    if body is None:
        return None
    try:
        made = output.from_source(body, config)
    except ContentError as error:
        if all(known.source_key != error.source_key for known in errors):
            errors.append(error)
        return None
    # Bytes the kind changed (a photo's metadata removed) are marked, so that a change of setting
    # that keeps them writes the output again.
    return made, stored, recorded + (":from-source" if made != body else "")


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


class PublishedSite:
    """The site as published before the round, as read-modify-write kinds read it (`kinds.Published`)."""

    def __init__(self, site: SiteStore, control: Control) -> None:
        self._site = site
        self._control = control

    def read(self, key: str) -> bytes | None:
        return self._site.read(key)

    def read_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return parallel(self._site.read, keys)

    def output_keys(self) -> list[str]:
        return self._control.all_outputs()


class OutputWriter:
    """Renders and writes outputs for the lease holder; keeps the read-modify-write files (the
    sitemap, the search index) it made for the round's patch."""

    def __init__(self, ports: Ports, control: Control, pace: Pace) -> None:
        self.ports = ports
        self.control = control
        self.pace = pace
        self.site = FencedSite(ports.site, pace)
        self.published = PublishedSite(ports.site, control)
        self._rewrites: dict[Rewriter, tuple[SitemapPatch, Rewrite]] = {}

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
            pages = list_paging(list_id, config).pages(state.size)
            for number in range(first, min(last or pages, pages) + 1):
                page = list_page(list_id, number, config)
                outputs[page.key] = page
        around = parallel(lambda item: view.around(*item), sorted(plan.around))
        for entries in around:
            for entry in entries:
                if entry is not None and entry.has_page:
                    neighbour = PageOutput(entry.source_key, entry.path)
                    outputs[neighbour.key] = neighbour
        for list_id in sorted(plan.members):
            for entry in view.list_slice(list_id, 0, view.list_size(list_id)):
                if entry.has_page:
                    member = PageOutput(entry.source_key, entry.path)
                    outputs[member.key] = member
        deletes = set(plan.delete)
        if plan.sitemap:
            outputs[SitemapOutput().key] = SitemapOutput()
        wanted = {output.producer for output in outputs.values() if output.producer is not None}
        for producer in _PRODUCERS:
            if producer in wanted:
                rewrite = self.rewrite(producer, view, renderer, patch)
                outputs.update({output.key: output for output in rewrite.outputs})
                deletes.update(rewrite.gone)
        # Kinds written outside the lease (made from an upload's bytes) have writers of their own.
        ordered = [
            outputs[key]
            for key in sorted(outputs)
            if outputs[key].enabled(config) and outputs[key].written is Writing.IN_ROUND
        ]
        return ordered, sorted(key for key in deletes if key not in outputs)

    def rewrite(self, producer: Rewriter, view: GenerationReader, renderer: Renderer, patch: SitemapPatch) -> Rewrite:
        """The files of a read-modify-write kind after the round, made once per patch."""
        made = self._rewrites.get(producer)
        if made is None or made[0] is not patch:
            made = (patch, producer.rewrite(renderer, view, self.published, patch))
            self._rewrites[producer] = made
        return made[1]

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
            end = chunk_end(jobs, cursor)
            last = end >= len(jobs)
            if cursor >= len(jobs) and not deletes:
                return True
            if self.pace.time_to_hand_on():
                return False
            self.pace.renew()
            chunk = list(jobs[cursor:end])
            gone = list(deletes) if last else []
            rendered, published = self._render_chunk(chunk, gone, view, renderer, patch, bodies, result.errors, force)
            changed = {key: value for key, value in rendered.items() if force or published.get(key) != value[2]}
            touched = sorted({*changed, *gone})
            if touched:
                # Write-ahead: the paths are pending before any object changes (SPEC 3.3.2).
                self.control.save_pending(invalidation_paths(touched, existing=self.control.pending()))
                # An object found at its name (made ahead: `engine.ahead`) is recorded, not written.
                made = [(key, body, stored) for key, (body, stored, _) in sorted(changed.items()) if body is not None]
                parallel(lambda item: self.site.put(*item), made)
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
        force: bool = False,
    ) -> tuple[dict[str, tuple[bytes | None, Headers, str]], dict[str, str]]:
        """key -> (bytes, headers, hash) of each output that exists; and the
        published hash of each output of the chunk and each of `gone` that has one. An output its
        template cannot render is left out (what was published stays), its error added to `errors`.
        An output named by its bytes that the site already holds has None for bytes (adopted:
        recorded and invalidated, not made again), unless `force` (a repair) writes everything."""
        config = view.config
        reads = [output.reads(config) for output in chunk]
        pages = [r.body for r in reads if r.body is not None and r.body not in bodies]
        listed = [r for r in reads if r.list_id is not None]
        # What the chunk's outputs read, read first and together: list states, intros, term buckets,
        # the pages' records and the published hashes (one request), then in parallel the sources
        # of its pages and assets and each list page's entries.
        out_keys = [*(o.key for o in chunk), *gone]
        read_first = view.prefetch(
            (r.list_id for r in listed if r.list_id is not None),
            [r.taxonomy for r in reads if r.taxonomy is not None],
            records=pages,
            extra=self.control.output_item_keys(out_keys),
        )
        published = self.control.output_hashes(out_keys, read_first)
        unpublished = [o for o in chunk if o.named_by_bytes and o.key not in published]
        adopted = self._found(unpublished) if unpublished and not force else set()
        sources = [(o, r) for o, r in zip(chunk, reads, strict=True) if r.source is not None and o.key not in adopted]
        slices = sorted(
            {
                (r.list_id, r.entries[0], view.list_size(r.list_id) if r.entries[1] is None else r.entries[1])
                for r in listed
                if r.list_id is not None and list_exists(r.list_id, view.list_state(r.list_id), config)
            }
        )
        by_list: dict[str, list[tuple[str, int, int]]] = {}
        for item in slices:
            by_list.setdefault(item[0], []).append(item)
        reading: list[Callable[[], tuple[str, Any, Any]]] = [
            *(lambda key=key: ("page", key, body_of(self.ports.source, key, view)) for key in pages),
            # Once per source and version: an image's variants are all made from one read.
            *(lambda r=r: ("source", r, self._source_bytes(r)) for r in dict.fromkeys(r for _, r in sources)),
            *(
                lambda wanted=wanted: ("list", "", [view.list_slice(*item) for item in wanted])
                for wanted in by_list.values()
            ),
        ]
        found = parallel(lambda read: read(), reading)
        bodies.update({key: body for kind, key, body in found if kind == "page" and body is not None})
        copied: dict[Reads, bytes | None] = {read: body for kind, read, body in found if kind == "source"}
        rendered: dict[str, tuple[bytes | None, Headers, str]] = {}
        for output, read in zip(chunk, reads, strict=True):
            # The headers are part of what was published: a changed Cache-Control rule rewrites.
            stored = headers(output.key, output.authored(config))
            if read.source is not None:
                made = _from_source(output, read, copied.get(read), stored, config, errors, output.key in adopted)
                if made is not None:
                    rendered[output.key] = made
                continue
            try:
                data = self._render_one(output, read, view, renderer, patch, bodies)
            except RenderError as error:
                errors.append(error)
                continue
            if data is not None:
                rendered[output.key] = (data, stored, content_hash(data, stored.digest_text()))
        return rendered, published

    def _render_one(
        self,
        output: Output,
        read: Reads,
        view: GenerationReader,
        renderer: Renderer,
        patch: SitemapPatch,
        bodies: dict[str, PageBody],
    ) -> bytes | None:
        """The output's bytes; None when what it shows is no longer the site's (a page moved or
        gone, a list that no longer exists, a read-modify-write file the round does not write)."""
        if output.producer is not None:
            return self.rewrite(output.producer, view, renderer, patch).produce(output, renderer)
        if read.body is not None and (not output.current(view) or read.body not in bodies):
            return None
        if read.list_id is not None and not list_exists(read.list_id, view.list_state(read.list_id), view.config):
            return None
        return renderer.render(output, view, bodies.__getitem__)

    def _found(self, outputs: Sequence[Output]) -> set[str]:
        """The keys of `outputs` (kinds named by their bytes) that the site already holds: one
        listing for each prefix they are found under."""
        prefixes = sorted({output.found_under() for output in outputs})
        present = {key for keys in parallel(self.ports.site.list_keys, prefixes) for key in keys}
        return {output.key for output in outputs if output.key in present}

    def strays(self, stems: Sequence[str], wanted: Sequence[str]) -> list[str]:
        """Variants written ahead beside these image stems (`engine.ahead`) that no output of
        the round is and no record says published: no page shows them, so they go."""
        listed = parallel(lambda stem: variants_beside(self.ports.site.list_keys(stem + "."), stem), stems)
        found = sorted({key for keys in listed for key in keys} - set(wanted))
        published = self.control.output_hashes(found)
        return [key for key in found if key not in published]

    def _source_bytes(self, read: Reads) -> bytes | None:
        assert read.source is not None
        found = self.ports.source.read(read.source, read.version or None)
        return found.body if found is not None else None
