"""The full build: every source file in, every output of the site out.

Pure: `build_site` takes the source files as bytes and `now`, and returns every output's bytes
with the errors and warnings found on the way.

The build runs in two phases with the index built in between: pages are parsed, the index is
built from their entries, then the outputs are rendered (a page needs its neighbours, so no
page can render before every page has parsed). Each phase is a range of work handed to a
`Pool`: in this process by default, or, from a shell, on several processes (`shells.pools`
forks them, so they inherit what they work on instead of receiving it pickled, and sends them
only ranges of it). Given a `sink` (`pressroom build` passes the folder writer of
`adapters.files`), each output goes to it in the process that rendered it, so its bytes never
travel back to the parent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from pressroom.core.images.exceptions import ImageError, UnreadableImage
from pressroom.core.images.facts import ImageFacts, is_raster_name
from pressroom.core.images.processing import image_facts
from pressroom.core.images.variants import decoding_identity, encoder_identity
from pressroom.core.planning.conversions import published_set, reading_of
from pressroom.core.planning.plan import EmptyIndex, Reading, list_exists, plan_round
from pressroom.core.reading.config import PUBLISHED, BuildMode, SiteConfig, settings_of
from pressroom.core.reading.content import ParsedPage, SourceKind, parse_intro, parse_page, publishable_kind
from pressroom.core.rendering.mime import Headers, headers
from pressroom.core.rendering.renderer import Renderer, validate_layouts
from pressroom.core.site.lists import MemoryIndex, SiteIndex
from pressroom.core.site.model import Entry, Intro, PageBody
from pressroom.core.site.outputs import Output, VariantOutput, site_outputs
from pressroom.exceptions import ConfigError, ContentError, RenderError

OutputSink = Callable[[str, bytes], None]
"""Takes each output (key, bytes) as it is rendered, maybe in a forked worker process."""

_T = TypeVar("_T")


class Pool(Protocol):
    """Runs a phase of the build: the build's only parallelism, which a shell passes in.

    `work(start, stop)` does the items of range(start, stop) and returns their results; a pool
    may call it in other processes (what it returns must then pickle), on chunks that together
    cover range(count) once. `weight` is what one item costs, counted in rendered outputs (a page's
    parse is `PARSE_WEIGHT`, an image's outputs `IMAGE_WEIGHT`): a pool sizes its chunks, and
    decides whether other processes are worth starting, by the work's cost rather than its count.
    """

    def map_chunks(self, work: Callable[[int, int], list[_T]], count: int, weight: int = 1) -> list[_T]:
        """The results of `work` over range(count), in order."""
        ...


class SerialPool:
    """The whole range in one call, in this process."""

    def map_chunks(self, work: Callable[[int, int], list[_T]], count: int, weight: int = 1) -> list[_T]:
        return work(0, count)


SERIAL = SerialPool()
"""The default pool: no processes."""

IMAGE_WEIGHT = 20
"""What one image's outputs (its published copy and its variants) cost, in rendered outputs
(`Pool`): making a photo's variants takes about as long as rendering 1,000 outputs, linking them
from the cache about as long as 2, so a site with ten photos builds them on every core."""
PARSE_WEIGHT = 2
"""What parsing a page costs, in rendered outputs (`Pool`): 2.5 ms against 0.7 ms on the bench's
photo blog, whose 150 pages parse in 0.36 s on one core and 0.23 s on two."""


class BytesCache(Protocol):
    """Bytes kept between builds under names that never name other bytes (`OutputKind.cached_as`:
    an image's variants), which a shell passes in (`pressroom build --cache-dir`): a rebuild makes
    no variant that did not change. Safe to use from several processes at once."""

    def get(self, name: str) -> bytes | None: ...

    def put(self, name: str, data: bytes) -> None: ...

    def send(self, name: str, key: str) -> bool:
        """Publish the bytes kept as `name` as the output `key` of the build's sink, without
        reading them (a file of the cache linked or copied into the output folder); False when it
        keeps no such bytes or cannot publish them itself (then `get` gives them to the sink)."""
        ...


@dataclass
class SiteBuild:
    """Every output key with its bytes, and what the author should hear about."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    """Empty when the build was given a sink: the bytes went there."""
    keys: list[str] = field(default_factory=list)
    """Every output key, whether its bytes are in `outputs` or went to the sink."""
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed: dict[str, ParsedPage] = field(default_factory=dict)
    """Every page that parsed, published or not (for `pressroom check`)."""
    published: int = 0
    entries: list[Entry] = field(default_factory=list)
    intros: list[Intro] = field(default_factory=list)
    authored: set[str] = field(default_factory=set)
    """The output keys copied from an author's file (`content/`, not `static/`)."""
    images: dict[str, ImageFacts] = field(default_factory=dict)
    """Source key -> the facts of each raster image read (or known: `build_site`'s `known`)."""

    def headers(self, key: str) -> Headers:
        """What the output `key` is stored with besides its bytes (an author's active file: inert)."""
        return headers(key, key in self.authored)


def siblings_of(keys: Iterable[str]) -> dict[str, list[str]]:
    """Folder -> the file names in it (a bundle's index.md needs its feature image)."""
    folders: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        folder, _, name = key.rpartition("/")
        folders[folder].append(name)
    return folders


@dataclass(frozen=True)
class _Failure:
    """A ContentError as plain values, to cross from a worker process to the parent.

    A ContentError pickles as its message alone and cannot be rebuilt from it, so one sent back
    as it is breaks the whole pool.
    """

    kind: type[ContentError]
    source_key: str
    problem: str
    line: int | None
    key: str = ""
    """The output that failed, for a render's failure."""

    def error(self) -> ContentError:
        return self.kind(self.source_key, self.problem, self.line)


def _parse_one(job: tuple[str, bytes, SiteConfig, Sequence[str]]) -> ParsedPage | _Failure:
    key, data, config, siblings = job
    try:
        return parse_page(key, data, config, siblings)
    except ContentError as error:
        return _Failure(type(error), error.source_key, error.problem, error.line)


def parse_pages(
    jobs: Sequence[tuple[str, bytes, SiteConfig, Sequence[str]]], pool: Pool = SERIAL
) -> list[ParsedPage | ContentError]:
    """Parse pages, on the pool's processes if it has them (Markdown is most of a build's cost)."""
    parsed = pool.map_chunks(_ParseJob(jobs).parse, len(jobs), PARSE_WEIGHT)
    return [page.error() if isinstance(page, _Failure) else page for page in parsed]


@dataclass(frozen=True)
class _ParseJob:
    """What parsing needs: the pages, handed to a pool's processes (see `Pool`)."""

    jobs: Sequence[tuple[str, bytes, SiteConfig, Sequence[str]]]

    def parse(self, start: int, stop: int) -> list[ParsedPage | _Failure]:
        return [_parse_one(job) for job in self.jobs[start:stop]]


def build_site(
    files: Mapping[str, bytes],
    now: datetime,
    pool: Pool = SERIAL,
    sink: OutputSink | None = None,
    mode: BuildMode = PUBLISHED,
    cache: BytesCache | None = None,
    known: Mapping[str, ImageFacts] | None = None,
) -> SiteBuild:
    """Build the whole site from the source files (key -> bytes) as of `now`.

    Who publishes what is decided by the event path's planner, planning every source as one
    round against an empty index: the same rules, applied by the same code. With a `sink`,
    every output is handed to it instead of kept in `SiteBuild.outputs`. Parsing and rendering
    run on `pool` (a shell's process pool, or this process); `mode` is what `pressroom dev`
    adds to the site's settings (drafts, future and expired pages, the development environment);
    `cache` keeps the image variants made, for the next build. `known`: the facts of images whose
    files the shell knows unchanged since a build read them (`SiteBuild.images`): their bytes are
    neither read nor hashed again, and with every output of theirs in the cache, not read at all.
    """
    result = SiteBuild()
    try:
        settings = settings_of(files, mode)
        validate_layouts(settings)
    except ConfigError as error:
        result.errors.append(error)
        return result
    config = settings.config
    result.warnings.extend(settings.warnings)
    renderer = Renderer(config, dict(settings.layouts))
    folders = siblings_of(files)
    page_jobs: list[tuple[str, bytes, SiteConfig, Sequence[str]]] = []
    readings: list[Reading] = []
    for key in sorted(files):
        kind = publishable_kind(key, config)
        if kind is SourceKind.PAGE:
            page_jobs.append((key, files[key], config, folders[key.rpartition("/")[0]]))
        elif kind is SourceKind.INTRO:
            try:
                readings.append(reading_of(key, kind, "", parse_intro(key, files[key], config)))
            except ContentError as error:
                result.errors.append(error)
        elif kind is SourceKind.ASSET:
            facts = _image_facts(key, files, known or {})
            if isinstance(facts, ImageFacts):
                result.images[key] = facts
            readings.append(reading_of(key, kind, "", image=facts))
    bodies: dict[str, PageBody] = {}
    for parsed in parse_pages(page_jobs, pool):
        if isinstance(parsed, ContentError):
            result.errors.append(parsed)
            continue
        result.warnings.extend(parsed.warnings)
        result.parsed[parsed.entry.source_key] = parsed
        bodies[parsed.entry.source_key] = parsed.body
        reading = reading_of(
            parsed.entry.source_key, SourceKind.PAGE, "", parsed.entry, text=parsed.text, images=parsed.image_uses
        )
        readings.append(reading)
    plan = plan_round(readings, EmptyIndex(config), now)
    published = published_set(sorted(plan.records.items()), config)
    entries, assets = published.pages, published.assets
    result.authored = {output_key for output_key, key in assets.items() if config.is_authored(key)}
    result.errors.extend(
        ContentError(key, problem)
        for key, problems in sorted(plan.problems.items())
        for problem in sorted(p for p in problems.values() if p)
    )
    sections = [s for s, state in plan.list_states.items() if s and "/" not in s and list_exists(s, state, config)]
    intros = [intro for intro in plan.intros.values() if intro is not None]
    index = MemoryIndex(config, entries, intros, sections, published.texts, published.images)
    result.published = len(entries)
    result.entries, result.intros = entries, intros
    outputs = site_outputs(index, entries, assets, variants=published.variants)
    result.keys, result.outputs, failed = render_outputs(
        renderer, index, outputs, bodies.__getitem__, files, pool, sink, cache, result.images
    )
    named = {error.source_key for error in result.errors}  # an image cut short: no facts, no copy
    result.errors.extend(error for error in failed if error.source_key not in named)
    return result


def _image_facts(
    key: str, files: Mapping[str, bytes], known: Mapping[str, ImageFacts]
) -> ImageFacts | ImageError | None:
    """A raster image's facts for its record (header only, no pixel decoded), or why it has none
    (its pages link it as written); None for any other file. Known facts are taken as they are
    when this encoder made them (another Pillow names other variants)."""
    if not is_raster_name(key):
        return None
    if key in known and known[key].identity == decoding_identity(encoder_identity(), known[key].format):
        return known[key]
    try:
        return image_facts(files[key], key)
    except UnreadableImage:
        return None
    except ImageError as error:
        return error


def render_outputs(
    renderer: Renderer,
    index: SiteIndex,
    outputs: Iterable[Output],
    body_of: Callable[[str], PageBody],
    files: Mapping[str, bytes],
    pool: Pool = SERIAL,
    sink: OutputSink | None = None,
    cache: BytesCache | None = None,
    images: Mapping[str, ImageFacts] | None = None,
) -> tuple[list[str], dict[str, bytes], list[ContentError]]:
    """Every output key, and every output's bytes by key, in the order of `outputs`; of two
    outputs with one key, the first wins. With a `sink`, the bytes go to it and the dict is empty.
    An output its template cannot render (`RenderError`) is left out, with its error.

    Outputs made from a source file's bytes (`Reads.source`: an asset, copied without a photo's
    location data by its `from_source`, an image's variants) are made on `pool` too, each file's
    together (an image's variants from one decoding), a file that fails named once. `images`:
    the facts of the source images, which name their outputs in the cache.
    """
    chosen: dict[str, Output] = {}
    for output in outputs:
        chosen.setdefault(output.key, output)
    config = renderer.config
    sources = {key: source for key, output in chosen.items() if (source := output.reads(config).source) is not None}
    to_render = [output for key, output in chosen.items() if key not in sources]
    job = _RenderJob(renderer, index, to_render, body_of, sink)
    rendered = pool.map_chunks(job.render, len(to_render))
    failed: dict[str, ContentError] = {
        failure.key: failure.error() for failure in rendered if isinstance(failure, _Failure)
    }
    errors = list(failed.values())
    by_source: dict[str, list[Output]] = defaultdict(list)
    for key, source in sources.items():
        by_source[source].append(chosen[key])
    groups = list(by_source.items())
    weight = -(-sum(_SourceJob.weight(outputs) for _, outputs in groups) // max(1, len(groups)))
    source_job = _SourceJob(config, files, groups, sink, cache, images or {})
    made_by_file = pool.map_chunks(source_job.make, len(groups), weight)
    copied: dict[str, bytes] = {}
    for (_, group), results in zip(groups, made_by_file, strict=True):
        failures = [
            (output, result) for output, result in zip(group, results, strict=True) if isinstance(result, _Failure)
        ]
        if failures:  # named once: a file's copy and its variants fail alike
            errors.append(failures[0][1].error())
        failed.update((output.key, result.error()) for output, result in failures)
        copied.update((o.key, r) for o, r in zip(group, results, strict=True) if isinstance(r, bytes))
    keys = [key for key in chosen if key not in failed]
    if sink is not None:
        return keys, {}, errors
    bodies = iter(rendered)
    made = {key: copied.get(key) if key in sources else next(bodies) for key in chosen}
    return keys, {key: body for key, body in made.items() if isinstance(body, bytes)}, errors


@dataclass(frozen=True)
class _SourceJob:
    """What making outputs from source files' bytes needs, each file's outputs in one process (an
    image decoded once for all its variants), handed to a pool's processes (see `Pool`)."""

    config: SiteConfig
    files: Mapping[str, bytes]
    groups: Sequence[tuple[str, Sequence[Output]]]
    """Source key -> the outputs made from its bytes."""
    sink: OutputSink | None = None
    cache: BytesCache | None = None
    images: Mapping[str, ImageFacts] = field(default_factory=dict)

    @staticmethod
    def weight(outputs: Sequence[Output]) -> int:
        """What making a source file's outputs costs, in rendered outputs: an image with variants
        `IMAGE_WEIGHT`, a file copied 1."""
        return IMAGE_WEIGHT if any(isinstance(output, VariantOutput) for output in outputs) else 1

    def make(self, start: int, stop: int) -> list[list[bytes | _Failure | None]]:
        """For each file of groups[start:stop], each output's bytes (None: they went to the sink),
        or its failure."""
        done: list[list[bytes | _Failure | None]] = []
        for source, outputs in self.groups[start:stop]:
            made: list[bytes | _Failure | None] = []
            for output in outputs:
                try:
                    data = self._made(output, source)
                except ContentError as error:
                    made.append(_Failure(type(error), error.source_key, error.problem, error.line, output.key))
                    continue
                if self.sink is not None and data is not None:
                    self.sink(output.key, data)
                made.append(None if self.sink is not None else data)
            done.append(made)
        return done

    def _made(self, output: Output, source: str) -> bytes | None:
        """The output's bytes, from the cache when it keeps them, else made (and kept); None when
        the cache published them to the sink itself (`BytesCache.send`: its file linked, not read)."""
        name = output.cached_as(self.config, self.images.get(source)) if self.cache is not None else None
        if self.cache is None or name is None:
            return output.from_source(self.files[source], self.config)
        if self.sink is not None and self.cache.send(name, output.key):
            return None
        data = self.cache.get(name)
        if data is None:
            data = output.from_source(self.files[source], self.config)
            self.cache.put(name, data)
            if self.sink is not None and self.cache.send(name, output.key):
                return None  # written once, into the cache, and linked from the output folder
        return data


@dataclass(frozen=True)
class _RenderJob:
    """What rendering needs: the renderer, the index and the bodies, handed to a pool's processes
    (see `Pool`)."""

    renderer: Renderer
    index: SiteIndex
    outputs: Sequence[Output]
    body_of: Callable[[str], PageBody]
    sink: OutputSink | None = None

    def render(self, start: int, stop: int) -> list[bytes | _Failure]:
        """The bytes of outputs[start:stop] (none when they went to the sink), and a failure for
        each output its template could not render, in order."""
        done: list[bytes | _Failure] = []
        for output in self.outputs[start:stop]:
            try:
                data = self.renderer.render(output, self.index, self.body_of)
            except RenderError as error:
                done.append(_Failure(type(error), error.source_key, error.problem, error.line, output.key))
                continue
            if self.sink is None:
                done.append(data)
            else:
                self.sink(output.key, data)
        return done
