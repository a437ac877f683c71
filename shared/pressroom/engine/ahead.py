"""Image variants made by the invocation that receives the upload, before it records the change.

A photo's variants take a second or more to make, and they depend on the photo's bytes alone:
their names carry a hash of those bytes, the processing and the encoder (`core.images.variants`),
so an object at a variant's name is that variant, whoever wrote it. So the invocation an upload
reaches makes them at once, without waiting for the lease, and writes those the site bucket does
not have yet: a burst of photos is processed by as many invocations as the trigger runs at once,
and the holder's round adopts each variant it finds at its name (`engine.writing`) instead of
making it again. What is published stays the holder's to decide:

- the variants are made beside the key the image would be published at now, placed by the
  holder's own rule (`core.site.resolve.asset_place`) with its bundle page read from the source
  as the holder reads it: only a file a live page's bundle publishes, or one the site publishes
  on its own (`static/`, `assets/`), gets them ahead;
- the change is recorded in the inbox only *after* the variants are written, with a mark naming
  where they were written (`sweep_mark`): the round that takes the mark, which comes after every
  write made ahead of it, deletes each variant there that no published page shows (an image no
  page uses, a version replaced meanwhile, a page moved), so SPEC 3.3.1 holds with images;
- an invocation can die between those writes and the inbox's record, and its event comes back
  (Lambda retries it, SQS delivers it again) to an invocation that may no longer reach where the
  first wrote (the photo deleted meanwhile, its page moved or a draft) or finds it all written
  (the same bytes): so before its first write, an invocation records where it writes under the
  event's id (`table_layout.ahead_key`), and whichever try of that event records the change
  records a mark for each place an earlier try wrote too, then forgets them (`forget_written`);
- a failure here costs nothing but time: the holder makes what is missing, and reports what
  cannot be made (a truncated file, a bomb) as it does for every file.

Pillow is imported only when a received key is named as a raster image: an event of Markdown
alone reads nothing more than before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from pressroom.core.images.exceptions import ImageError
from pressroom.core.images.facts import VARIANT_ROLES, is_raster_name
from pressroom.core.images.processing import MAX_FILE_BYTES, process
from pressroom.core.images.variants import encoder_identity, variant_stem
from pressroom.core.reading.config import SiteConfig, SiteSettings
from pressroom.core.reading.content import MAX_SOURCE_BYTES, SourceKind
from pressroom.core.rendering.mime import headers
from pressroom.core.site.build_options import decide
from pressroom.core.site.resolve import BundlePage, asset_place
from pressroom.engine.invocation import Ports
from pressroom.engine.reading import kind_of, parse_bundle_page
from pressroom.engine.table_layout import AHEAD, ahead_key
from pressroom.exceptions import ContentError
from pressroom.ports import SiteStore, Source, Table

SWEEP_PREFIX = "\x01sweep:"
"""Inbox keys that name where variants were written ahead (`STEM` of `STEM.HASH.WIDTH.EXT`)."""


def sweep_mark(stem: str) -> str:
    """The inbox key that asks the round to sweep the variants written beside `stem`."""
    return SWEEP_PREFIX + stem


def swept_stems(keys: Iterable[str]) -> list[str]:
    """The stems the inbox's marks name."""
    return sorted({key[len(SWEEP_PREFIX) :] for key in keys if key.startswith(SWEEP_PREFIX)})


def made_ahead(
    ports: Ports,
    site_generation: Callable[[], int],
    settings: Callable[[int], tuple[SiteSettings, Any]],
    changes: Sequence[tuple[str, str]],
    now: datetime,
) -> list[tuple[str, str]]:
    """The variants of the images among the (event id, key) changes, made with the settings the
    site is built with now (`make_variants_ahead`), and the marks to record with the changes:
    those of the places this invocation wrote, and of those an earlier try of the same events
    wrote before it died. Nothing is read for changes without images, nor before the first
    build (its rebuild makes them)."""
    events = [event for event, key in changes if is_raster_name(key)]
    if not events:
        return []
    generation = site_generation()
    if not generation:
        return []
    found = ports.table.get_many([ahead_key(event) for event in events])
    earlier: dict[str, list[str]] = {item["sk"]: json.loads(item["stems"]) for item in found.values()}

    def writing(event: str, stem: str) -> None:
        stems = sorted({*earlier.get(event, []), stem})
        ports.table.write_many([{"pk": AHEAD, "sk": event, "stems": json.dumps(stems)}])

    made = make_variants_ahead(ports.source, ports.site, changes, settings(generation)[0].config, now, writing)
    marks = {(event, sweep_mark(stem)) for event, stems in earlier.items() for stem in stems}
    return sorted({*marks, *made})


def forget_written(table: Table, marks: Sequence[tuple[str, str]]) -> None:
    """Once the inbox holds these marks (`made_ahead`), what their events' tries wrote ahead is
    the round's to sweep: forget where it was."""
    events = sorted({event for event, key in marks if key.startswith(SWEEP_PREFIX)})
    if events:
        table.write_many(deletes=[ahead_key(event) for event in events])


def make_variants_ahead(
    source: Source,
    site: SiteStore,
    changes: Sequence[tuple[str, str]],
    config: SiteConfig,
    now: datetime,
    writing: Callable[[str, str], None] = lambda event, stem: None,
) -> list[tuple[str, str]]:
    """Make and write the variants of the received images that the site bucket lacks; for each
    image that wrote any, the change that asks the round to sweep beside it (`sweep_mark`), under
    the image's event id. `writing(event id, stem)` is told before the first write beside a stem.
    One image at a time: a function's memory holds one decoded photo, and concurrency comes from
    invocations."""
    marks = []
    for event, key in changes:
        if not is_raster_name(key) or kind_of(key, config) is not SourceKind.ASSET:
            continue
        try:
            stem = _make_one(source, site, key, config, now, partial(writing, event))
        except ContentError:
            continue  # the holder reports it, in the words of the file
        if stem is not None:
            marks.append((event, sweep_mark(stem)))
    return marks


def _make_one(
    source: Source, site: SiteStore, key: str, config: SiteConfig, now: datetime, writing: Callable[[str], None]
) -> str | None:
    asset_key = published_at(source, key, config, now)
    if asset_key is None:
        return None
    found = source.read(key, None, MAX_FILE_BYTES + 1)
    if found is None:
        return None
    try:
        made = process(found.body, asset_key, encoder_identity(), VARIANT_ROLES)
    except ImageError:
        return None
    stem = variant_stem(asset_key)
    present = set(site.list_keys(stem + "."))
    missing = [variant for variant in made.variants if variant.variant.key not in present]
    if not missing:
        return None  # the same bytes again, or made already: nothing written, nothing to sweep
    writing(stem)
    for variant in missing:
        site.put(variant.variant.key, variant.data, headers(variant.variant.key))
    return stem


def published_at(source: Source, key: str, config: SiteConfig, now: datetime) -> str | None:
    """Where the image would be published now (`asset_place`, the holder's rule): beside its bundle
    page while the page is live and publishes it, or at its key in the site for a file published
    on its own; None where it would not be published (or its bundle page is unreadable).

    The page is decided by its own front matter (its dates, `draft`, `build`), not the cascades
    of the `_index.md` files above it, which would cost a read each: where one of those withdraws
    the page or its files, the variants written here are swept by the round (`sweep_mark`)."""

    def bundle_page(page_key: str) -> BundlePage | None:
        found = source.read(page_key, None, MAX_SOURCE_BYTES + 1)
        if found is None:
            return None
        entry = parse_bundle_page(source, page_key, found.body, config).entry
        dates = (entry.draft, entry.publish_date or entry.date, entry.expiry_date)
        decision = decide(page_key, "page", entry.params, dates, config, now, {})
        return replace(entry, publish_resources=decision.options.publish_resources), decision.shown

    return asset_place(key, config, bundle_page)[0]
