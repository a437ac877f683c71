"""Entries and intros as the index stores them: what goes in comes back equal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import MappingProxyType

from pressroom.core.planning.codec import entry_from_json, entry_to_json, intro_from_json, intro_to_json
from pressroom.core.reading.config import parse_config
from pressroom.core.reading.content import parse_page
from pressroom.core.site.model import Entry, Intro

PARIS = parse_config("timeZone: Europe/Paris\n")[0]


def full_entry() -> Entry:
    """An entry with every field set, parsed the way the event path parses it."""
    data = (
        "---\ntitle: Caf\u00e9 & <b>\ndate: 2025-07-12 10:00:00\nlastmod: 2025-07-13T00:00:00Z\n"
        "publishDate: 2025-07-12\nexpiryDate: 2030-01-01\ntags: [Core beliefs, C#]\ncategories: Columns\n"
        "aliases: [/old/]\nweight: 3\ndescription: d\nicon: flask\nshowReadingTime: false\n"
        "series: {name: Intro, parts: [1, 2025-01-01]}\n---\nHello *world*, 🛣️.\n\n<!--more-->\n\nMore.\n"
    ).encode()
    return parse_page("posts/x/index.md", data, PARIS, ["index.md", "feature.png"]).entry


def test_an_entry_round_trips_equal() -> None:
    entry = full_entry()
    assert entry.feature == "feature.png"
    restored = entry_from_json(entry_to_json(entry))
    assert restored == entry
    assert restored.order_key == entry.order_key
    assert restored.params["series"] == {"name": "Intro", "parts": [1, "2025-01-01"]}


def test_dates_keep_their_instant_and_offset() -> None:
    restored = entry_from_json(entry_to_json(full_entry()))
    assert restored.date is not None
    assert restored.date.isoformat() == "2025-07-12T10:00:00+02:00"
    assert restored.lastmod == datetime(2025, 7, 13, tzinfo=UTC)


def test_encoding_is_stable_so_unchanged_entries_store_the_same_text() -> None:
    entry = full_entry()
    text = entry_to_json(entry)
    assert entry_to_json(entry_from_json(text)) == text
    assert "🛣️" in text  # stored as UTF-8, not escaped
    assert json.loads(text)["tags"] == ["Core beliefs", "C#"]


def test_a_minimal_entry_round_trips() -> None:
    entry = Entry(source_key="about.md", path="about", section="", title="About")
    restored = entry_from_json(entry_to_json(entry))
    assert restored == entry
    assert restored.date is None
    assert restored.tags == ()
    assert isinstance(restored.params, MappingProxyType)


def test_an_intro_round_trips_equal() -> None:
    intro = Intro(
        source_key="tags/python/_index.md",
        list_id="tags/python",
        title="Python",
        html="<p>All about <em>snakes</em>.</p>\n",
        description="Snakes",
        params=MappingProxyType({"icon": "python", "links": [1, 2]}),
    )
    restored = intro_from_json(intro_to_json(intro))
    assert restored == intro
    assert intro_to_json(restored) == intro_to_json(intro)
