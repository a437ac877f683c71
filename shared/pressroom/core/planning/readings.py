"""The round's first phase: each reading becomes its source's new record.

What a record was granted (a page's key and aliases, an asset's claim) carries over as it was:
the phases after this one decide it again from the claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import AssetRecord, IntroRecord, PageRecord, is_live, next_change
from pressroom.core.planning.round_plan import Reading
from pressroom.core.reading.content import SourceKind
from pressroom.core.site.build_options import context_keys

IMAGE_PROBLEM = "/image"
"""Where an image's refusal is kept among its problems (no output key starts with `/`)."""


def apply_readings(ledger: Ledger, readings: Sequence[Reading]) -> None:
    """Read the records of the readings' keys, with those of the `_index.md` and bundle `index.md`
    files above them (the content rules read those next: one batch for both), then apply each
    reading to its own."""
    config = ledger.config
    ledger.load(
        key
        for reading in readings
        for key in (reading.key, *context_keys(reading.key, config.contentDir, config.contentLanguage))
    )
    for reading in readings:
        apply_reading(ledger, reading)


def apply_reading(ledger: Ledger, reading: Reading) -> None:
    """One reading's new record; a recheck re-decides a page's record by the clock alone."""
    key, old, now, config = reading.key, ledger.old.get(reading.key), ledger.now, ledger.config
    if reading.error is not None:
        ledger.result.errors.append(reading.error)
        return
    if reading.recheck:
        if isinstance(old, PageRecord):
            live = is_live(old.entry, now, config)
            published = old.published and live
            aliases = old.aliases if published else ()
            due = next_change(old.entry, now, config)
            rechecked = replace(old, live=live, published=published, aliases=aliases, due=due)
            if rechecked == old:
                return  # its bytes and what the clock decides are as published: nothing to do
            ledger.new[key] = rechecked
        ledger.reread.add(key)
        return
    ledger.reread.add(key)
    if reading.version is None:
        ledger.new[key] = None
    elif reading.kind is SourceKind.PAGE and reading.page is not None:
        entry = reading.page
        live = is_live(entry, now, config)
        published = isinstance(old, PageRecord) and old.published and live
        aliases = old.aliases if isinstance(old, PageRecord) and published else ()
        due = next_change(entry, now, config)
        ledger.new[key] = PageRecord(
            entry, reading.version, live, published, aliases, due, reading.etag, reading.text, reading.images
        )
    elif reading.kind is SourceKind.INTRO and reading.intro is not None:
        ledger.new[key] = IntroRecord(reading.intro, reading.version, reading.etag)
    elif reading.kind is SourceKind.ASSET:
        claim_key = old.claim_key if isinstance(old, AssetRecord) else None
        published = old.published if isinstance(old, AssetRecord) else False
        ledger.new[key] = AssetRecord(reading.version, claim_key, published, reading.etag, reading.image)
        ledger.result.problems.setdefault(key, {})[IMAGE_PROBLEM] = reading.image_problem or None
