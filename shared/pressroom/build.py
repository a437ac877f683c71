"""The full build: every source file in, every output of the site out.

Pure apart from the process pool it may use: `build_site` takes the source files as bytes and
`now`, and returns every output's bytes with the errors and warnings found on the way.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from multiprocessing import get_context

from pressroom.config import SiteConfig, parse_config
from pressroom.content import ParsedPage, SourceKind, classify, parse_intro, parse_page
from pressroom.exceptions import ConfigError, ContentError
from pressroom.model import Entry, Intro, PageBody
from pressroom.plan import AssetOutput, Output, site_outputs
from pressroom.render import Renderer
from pressroom.site import MemoryIndex
from pressroom.urls import page_key

_PARALLEL_THRESHOLD = 200  # below this many pages, a process pool costs more than it saves


@dataclass
class SiteBuild:
    """Every output key with its bytes, and what the author should hear about."""

    outputs: dict[str, bytes] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    parsed: dict[str, ParsedPage] = field(default_factory=dict)
    """Every page that parsed, published or not (for `pressroom check`)."""
    published: int = 0
    entries: list[Entry] = field(default_factory=list)
    intros: list[Intro] = field(default_factory=list)


def layouts_of(files: Mapping[str, bytes]) -> dict[str, str]:
    """Template overrides from the content tree's `layouts/` folder, by template name."""
    prefix = "layouts/"
    return {
        key[len(prefix) :]: data.decode("utf-8", "replace")
        for key, data in files.items()
        if key.startswith(prefix) and classify(key) is SourceKind.LAYOUT
    }


def siblings_of(keys: Iterable[str]) -> dict[str, list[str]]:
    """Folder -> the file names in it (a bundle's index.md needs its feature image)."""
    folders: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        folder, _, name = key.rpartition("/")
        folders[folder].append(name)
    return folders


def _parse_one(job: tuple[str, bytes, SiteConfig, Sequence[str]]) -> ParsedPage | ContentError:
    key, data, config, siblings = job
    try:
        return parse_page(key, data, config, siblings)
    except ContentError as error:
        return error


def parse_pages(
    jobs: Sequence[tuple[str, bytes, SiteConfig, Sequence[str]]], workers: int
) -> list[ParsedPage | ContentError]:
    """Parse pages, on several processes when it pays (Markdown is most of a build's cost)."""
    if workers <= 1 or len(jobs) < _PARALLEL_THRESHOLD:
        return [_parse_one(job) for job in jobs]
    chunk = max(1, len(jobs) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(_parse_one, jobs, chunksize=chunk))


def resolve_claims(entries: Iterable[Entry]) -> tuple[list[Entry], list[ContentError]]:
    """Two pages claiming one URL: the smaller source key wins, the other is reported.

    A page also may not take a section's list URL; an alias never displaces a page.
    """
    winners: dict[str, Entry] = {}
    errors: list[ContentError] = []
    ordered = sorted(entries, key=lambda entry: entry.source_key)
    sections = {entry.section for entry in ordered if entry.section}
    for entry in ordered:
        owner = winners.get(entry.path)
        if owner is not None:
            errors.append(
                ContentError(entry.source_key, f"claims /{entry.path}/, already published by {owner.source_key}")
            )
        elif entry.path in sections:
            errors.append(ContentError(entry.source_key, f"claims /{entry.path}/, the list of section {entry.path!r}"))
        else:
            winners[entry.path] = entry
    claimed = set(winners)
    kept: list[Entry] = []
    for entry in winners.values():
        aliases = []
        for alias in entry.aliases:
            if alias in claimed or alias in sections:
                errors.append(ContentError(entry.source_key, f"alias /{alias}/ is already taken; it is not published"))
            else:
                claimed.add(alias)
                aliases.append(alias)
        kept.append(entry if len(aliases) == len(entry.aliases) else _with_aliases(entry, aliases))
    return kept, errors


def _with_aliases(entry: Entry, aliases: Sequence[str]) -> Entry:
    return replace(entry, aliases=tuple(aliases))


def build_site(files: Mapping[str, bytes], now: datetime, workers: int | None = None) -> SiteBuild:
    """Build the whole site from the source files (key -> bytes) as of `now`."""
    result = SiteBuild()
    try:
        config, config_warnings = parse_config(_text_or_none(files.get("site.yaml")))
    except ConfigError as error:
        result.errors.append(error)
        return result
    result.warnings.extend(config_warnings)
    renderer = Renderer(config, layouts_of(files))
    folders = siblings_of(files)
    page_jobs: list[tuple[str, bytes, SiteConfig, Sequence[str]]] = []
    intros: list[Intro] = []
    assets: list[str] = []
    for key in sorted(files):
        kind = classify(key)
        if kind is SourceKind.PAGE:
            page_jobs.append((key, files[key], config, folders[key.rpartition("/")[0]]))
        elif kind is SourceKind.INTRO:
            try:
                intros.append(parse_intro(key, files[key], config))
            except ContentError as error:
                result.errors.append(error)
        elif kind is SourceKind.ASSET:
            assets.append(key)
    bodies: dict[str, PageBody] = {}
    entries: list[Entry] = []
    for parsed in parse_pages(page_jobs, workers if workers is not None else (os.cpu_count() or 1)):
        if isinstance(parsed, ContentError):
            result.errors.append(parsed)
            continue
        result.warnings.extend(parsed.warnings)
        result.parsed[parsed.entry.source_key] = parsed
        if parsed.entry.is_live(now):
            entries.append(parsed.entry)
            bodies[parsed.entry.source_key] = parsed.body
    entries, claim_errors = resolve_claims(entries)
    result.errors.extend(claim_errors)
    index = MemoryIndex(config, entries, intros)
    result.published = len(entries)
    result.entries, result.intros = entries, intros
    page_keys = {page_key(entry.path) for entry in entries}
    outputs = site_outputs(index, entries, [key for key in assets if key not in page_keys])
    result.outputs = render_outputs(renderer, index, outputs, bodies.__getitem__, files)
    return result


def render_outputs(
    renderer: Renderer,
    index: MemoryIndex,
    outputs: Iterable[Output],
    body_of: Callable[[str], PageBody],
    files: Mapping[str, bytes],
) -> dict[str, bytes]:
    rendered: dict[str, bytes] = {}
    for output in outputs:
        if isinstance(output, AssetOutput):
            rendered.setdefault(output.key, files[output.source_key])
        else:
            rendered.setdefault(output.key, renderer.render(output, index, body_of))
    return rendered


def _text_or_none(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8-sig", "replace")
