"""Sources to readings, records to readings, and records to what the site publishes: one rule each,
shared by the full build (`core.build`), the rebuild (`engine.rebuild`) and the event path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pressroom.core.images.exceptions import ImageError
from pressroom.core.images.facts import ImageFacts
from pressroom.core.planning.records import AssetRecord, IntroRecord, PageRecord, Record, is_live
from pressroom.core.planning.round_plan import Reading
from pressroom.core.reading.config import SiteConfig
from pressroom.core.reading.content import SourceKind
from pressroom.core.site.image_uses import home_uses
from pressroom.core.site.model import Entry, Intro
from pressroom.core.site.outputs import VariantOutput, variant_outputs


def reading_of(
    key: str,
    kind: SourceKind,
    version: str | None,
    content: Entry | Intro | None = None,
    etag: str = "",
    text: str = "",
    images: tuple[str, ...] = (),
    image: ImageFacts | ImageError | None = None,
) -> Reading:
    """A source of `kind` as the planner reads it: a page with its entry (and its plain text, for
    its search record, and the images it shows, by output key), an intro with its intro, an asset with
    its version (and an image's facts, or why it has none)."""
    if kind is SourceKind.PAGE:
        assert content is None or isinstance(content, Entry)
        return Reading(key, kind, version, page=content, etag=etag, text=text, images=images)
    if kind is SourceKind.INTRO:
        assert content is None or isinstance(content, Intro)
        return Reading(key, kind, version, intro=content, etag=etag)
    if isinstance(image, ImageError):
        return Reading(key, kind, version, etag=etag, image_problem=image.problem)
    return Reading(key, kind, version, etag=etag, image=image)


def record_reading(key: str, record: Record) -> Reading:
    """A record as the reading it was made from (a rebuild plans a generation from its records)."""
    if isinstance(record, PageRecord):
        return reading_of(key, SourceKind.PAGE, record.version, record.entry, record.etag, record.text, record.images)
    if isinstance(record, IntroRecord):
        return reading_of(key, SourceKind.INTRO, record.version, record.intro, record.etag)
    return reading_of(key, SourceKind.ASSET, record.version, etag=record.etag, image=record.image)


def unplanned_record(reading: Reading, now: datetime, config: SiteConfig) -> Record:
    """A reading of an existing source as a record before any planning (nothing granted yet):
    what a rebuild's parse stores, to plan the generation from."""
    assert reading.version is not None
    if reading.kind is SourceKind.PAGE:
        assert reading.page is not None
        live = is_live(reading.page, now, config)
        return PageRecord(
            reading.page, reading.version, live, etag=reading.etag, text=reading.text, images=reading.images
        )
    if reading.kind is SourceKind.INTRO:
        assert reading.intro is not None
        return IntroRecord(reading.intro, reading.version, etag=reading.etag)
    return AssetRecord(reading.version, etag=reading.etag, image=reading.image)


@dataclass
class PublishedSet:
    """What a set of records publishes: the pages' entries, and the assets' output keys."""

    pages: list[Entry] = field(default_factory=list)
    """In the order of the records."""
    texts: dict[str, str] = field(default_factory=dict)
    """Source key -> each published page's plain text (its search record's)."""
    assets: dict[str, str] = field(default_factory=dict)
    """Output key -> the source key of the asset published there."""
    versions: dict[str, str] = field(default_factory=dict)
    """Output key -> the version of the asset's bytes published there (the event path copies those)."""
    images: dict[str, ImageFacts] = field(default_factory=dict)
    """Output key -> the facts of the image published there (what a page needs to show its variants)."""
    variants: list[VariantOutput] = field(default_factory=list)
    """The variants of the published images that published pages (or the home) show, by source key."""


def published_set(records: Iterable[tuple[str, Record | None]], config: SiteConfig) -> PublishedSet:
    """The published pages and assets among these (source key, record) pairs, and the variants
    of the images the pages show (`PageRecord.images`) and the home shows (`home_uses`)."""
    found = PublishedSet()
    used: set[str] = set(home_uses(config))
    images: list[tuple[str, AssetRecord]] = []
    for key, record in records:
        if isinstance(record, PageRecord) and (entry := record.published_entry()) is not None:
            found.pages.append(entry)
            found.texts[key] = record.text
            used.update(record.images)
        elif isinstance(record, AssetRecord) and record.published and record.claim_key is not None:
            found.assets[record.claim_key] = key
            found.versions[record.claim_key] = record.version
            if record.image is not None:
                found.images[record.claim_key] = record.image
                images.append((key, record))
    for key, record in images:
        if record.claim_key in used:
            found.variants.extend(image_variants(key, record))
    return found


def image_variants(key: str, record: AssetRecord | None) -> list[VariantOutput]:
    """The variants the image `key` publishes while a published page (or the home) shows it
    where it is published (none when it is not a published image)."""
    if record is None or record.image is None or not record.published or record.claim_key is None:
        return []
    return variant_outputs(key, record.claim_key, record.version, record.image)
