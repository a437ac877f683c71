"""Reading the source for a round: each changed key's current state, as the planner's readings.

An event is a hint, not the truth: every key is read again (a page's bytes, an asset's version),
and a key whose version the index already has is only rechecked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pressroom.core.images.exceptions import ImageError, UnreadableImage
from pressroom.core.images.facts import ImageFacts, is_raster_name
from pressroom.core.images.processing import MAX_FILE_BYTES, image_facts
from pressroom.core.images.variants import decoding_identity, encoder_identity
from pressroom.core.planning.conversions import reading_of
from pressroom.core.planning.plan import AssetRecord, PageRecord, Reading, Record
from pressroom.core.reading.config import SiteConfig
from pressroom.core.reading.content import (
    MAX_SOURCE_BYTES,
    ParsedPage,
    SourceKind,
    bundle_dir,
    parse_intro,
    parse_page,
    publishable_kind,
)
from pressroom.core.site.model import PageBody
from pressroom.core.site.resolve import bundle_folders, bundle_page_keys
from pressroom.engine.fanout import parallel
from pressroom.engine.generation import GenerationReader
from pressroom.exceptions import ContentError
from pressroom.ports import Source

LIST_AT = 20
"""Keys in a round from which one listing of the source (their ETags) may save reading them."""
LIST_LIMIT = 1000
"""Keys one listing request returns."""


def kind_of(key: str, config: SiteConfig) -> SourceKind | None:
    """What a source key is to the planner: a page, an intro, an asset, or nothing (settings, ignored)."""
    return None if key.startswith("\x01") else publishable_kind(key, config)


def read_sources(
    source: Source,
    keys: Sequence[str],
    reader: GenerationReader,
    config: SiteConfig,
    due: set[str],
    before: Callable[[], Any] = lambda: None,
) -> tuple[list[Reading], dict[str, PageBody]]:
    """Every key's current state (read in parallel) as readings; parsed bodies kept for rendering.

    `before` reads the keys' records (and whatever else goes with them) beside the first reads.
    """
    keys = [key for key in keys if kind_of(key, config) is not None]

    def read(key: str) -> Any:
        if kind_of(key, config) is SourceKind.ASSET:
            return source.stat(key)
        return source.read(key, None, MAX_SOURCE_BYTES + 1)

    listed = _listing(source, keys) if len(keys) >= LIST_AT else None
    if listed is not None:
        # Many keys (a push of many files): one listing tells which the index already has, by
        # their ETags; only the others are read.
        before()
        records = reader.records(keys)
        same = {
            key
            for key in keys
            if kind_of(key, config) is not SourceKind.ASSET
            and (record := records.get(key)) is not None
            and record.etag
            and listed.get(key) == record.etag
        }
        to_read = [key for key in keys if key not in same]
        found = dict(zip(to_read, parallel(read, to_read), strict=True))
    else:
        same = set()
        first = parallel(lambda job: job(), [before, *(lambda key=key: read(key) for key in keys)])
        found = dict(zip(keys, first[1:], strict=True))
        records = reader.records(keys)
    # An asset added to or gone from a bundle may change its page (its feature image): read it again.
    candidates = {
        page
        for key in keys
        if kind_of(key, config) is SourceKind.ASSET and not config.is_static(key)
        for folder in bundle_folders(key)
        for page in bundle_page_keys(folder, config.contentLanguage)
    }
    forced = sorted(set(reader.records(candidates)) - set(keys))
    found.update(zip(forced, parallel(read, forced), strict=True))
    readings: list[Reading] = []
    bodies: dict[str, PageBody] = {}
    for key in sorted(set(keys) | set(forced)):
        kind = kind_of(key, config)
        assert kind is not None
        if key in same and key not in forced:
            if isinstance(records.get(key), PageRecord):
                readings.append(Reading(key, kind, records[key].version, recheck=True))
            continue  # the bytes the index has (the listing's ETag says so): nothing to do
        value = found[key] if key in found else read(key)
        reading = _reading(source, key, kind, value, config, records.get(key), reader, key in forced)
        if reading is not None:
            readings.append(reading[0])
            if reading[1] is not None:
                bodies[key] = reading[1]
    readings += [Reading(key, SourceKind.PAGE, None, recheck=True) for key in sorted(due - set(keys) - set(forced))]
    return readings, bodies


def _reading(
    source: Source,
    key: str,
    kind: SourceKind,
    value: Any,
    config: SiteConfig,
    record: Record | None,
    reader: GenerationReader,
    forced: bool,
) -> tuple[Reading, PageBody | None] | None:
    """A key read (`value`) as its reading and parsed body; None when it is as its record has it
    (`record`, or the reader's when None)."""
    if kind is SourceKind.ASSET:
        return parse_read(source, key, kind, value, config, etag=value or "", known=record)
    if value is None:
        return Reading(key, kind, None), None
    record = record or reader.record(key)
    if record is not None and record.version == value.version and not forced:
        if isinstance(record, PageRecord):
            return Reading(key, kind, value.version, recheck=True), None
        return None  # the same bytes again: nothing to do
    try:
        return parse_read(source, key, kind, value, config)
    except ContentError as error:
        return Reading(key, kind, value.version, error=error), None


def parse_read(
    source: Source,
    key: str,
    kind: SourceKind,
    found: Any,
    config: SiteConfig,
    etag: str = "",
    known: Record | None = None,
) -> tuple[Reading, PageBody | None]:
    """A source key as read (an asset's version, with its `etag`; a page's or intro's object) as
    the planner's reading, with a page's parsed body. ContentError when it cannot be parsed.

    An image's facts are read from its bytes, unless its record (`known`) has this version's."""
    if kind is SourceKind.ASSET:
        return reading_of(key, kind, found, etag=etag, image=_image(source, key, found, known)), None
    if kind is SourceKind.PAGE:
        parsed = parse_bundle_page(source, key, found.body, config)
        reading = reading_of(key, kind, found.version, parsed.entry, found.etag, parsed.text, images=parsed.image_uses)
        return reading, parsed.body
    return reading_of(key, kind, found.version, parse_intro(key, found.body, config), found.etag), None


def _image(source: Source, key: str, version: str | None, known: Record | None) -> ImageFacts | ImageError | None:
    """The facts of the image `key` at `version` (its header and digest), or why it has none;
    None for a file not named as a raster image, or gone."""
    if version is None or not is_raster_name(key):
        return None
    if isinstance(known, AssetRecord) and known.version == version and made_by_this_encoder(known):
        return known.image
    found = source.read(key, version, MAX_FILE_BYTES + 1)
    if found is None:
        return None
    try:
        return image_facts(found.body, key)
    except UnreadableImage:
        return None
    except ImageError as error:
        return error


def made_by_this_encoder(record: AssetRecord) -> bool:
    """Whether an image's record names its variants for the encoder here (a deploy with another
    Pillow or libavif reads each image again: its old names cannot be made any more)."""
    return record.image is not None and record.image.identity == decoding_identity(
        encoder_identity(), record.image.format
    )


def _listing(source: Source, keys: Sequence[str]) -> dict[str, str] | None:
    """The ETags of the keys from the first on, as one listing (up to LIST_LIMIT keys) shows them;
    None when it would cover too few of them to save reads."""
    ordered = sorted(keys)
    first = ordered[0]
    listed = source.list("", start_after=first[:-1], limit=LIST_LIMIT)
    etags = {item.key: item.etag for item in listed if item.key >= first}
    if sum(1 for key in ordered if key in etags) < LIST_AT:
        return None
    return etags


def parse_bundle_page(source: Source, key: str, body: bytes, config: SiteConfig) -> ParsedPage:
    """Parse a page; a bundle's page lists its folder for its files (its feature image)."""
    folder = key.rsplit("/", 1)[0] if bundle_dir(config.site_key(key)) is not None else None
    siblings: list[str] = []
    if folder is not None:
        prefix = folder + "/"
        siblings = [name for item in source.list(prefix) if "/" not in (name := item.key[len(prefix) :])]
    return parse_page(key, body, config, siblings)


def body_of(source: Source, key: str, view: GenerationReader) -> PageBody | None:
    """A page's body, parsed from exactly the version its record was made from."""
    record = view.record(key)
    if not isinstance(record, PageRecord):
        return None
    found = source.read(key, record.version or None, MAX_SOURCE_BYTES + 1)
    found = found or source.read(key, None, MAX_SOURCE_BYTES + 1)
    if found is None:
        return None
    try:
        return parse_bundle_page(source, key, found.body, view.config).body  # its bundle's files too
    except ContentError:
        return None
