"""The search index (`/index.json`): one small record per published page, for the search page.

A record is a pure function of one entry (`search_record`), so the index is the set of its pages'
records, and a round changes only the records of the pages it changes. Like the sitemap, the
event path does not read every page's row to write it: it reads the published `index.json` (which
it alone writes), drops and replaces the round's records (`SearchPatch`) and writes it back. The
full build renders the same records from its index, with the same function, so both agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from pressroom.core.config import SiteConfig
from pressroom.core.model import Entry

SUMMARY_CHARS = 240
"""How much of a page's summary its record keeps: enough to show and search, small per page."""

_TAG_RE = re.compile(r"<[^>]+>")

SearchRecord = dict[str, Any]


def search_record(entry: Entry, config: SiteConfig) -> SearchRecord:
    """What the search page knows of one page: link, title, date, section, tags and summary text."""
    text = entry.description or unescape(_TAG_RE.sub(" ", entry.summary_html))
    text = " ".join(text.split())
    if len(text) > SUMMARY_CHARS:
        text = text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return {
        "url": config.rel_url(entry.url),
        "title": entry.title,
        "date": entry.date.date().isoformat() if entry.date else "",
        "section": entry.section,
        "tags": [name for name, _ in entry.term_names("tags")],
        "summary": text,
    }


def render_search_index(records: Iterable[SearchRecord]) -> bytes:
    """A JSON array, one record a line, ordered by URL: the same bytes for the same pages."""
    lines = [
        json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        for record in sorted(records, key=lambda record: str(record["url"]))
    ]
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8") if lines else b"[]\n"


def parse_search_index(data: bytes) -> dict[str, SearchRecord] | None:
    """URL -> record of an index `render_search_index` wrote; None for anything else."""
    try:
        records = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(records, list) or not all(
        isinstance(record, dict) and isinstance(record.get("url"), str) for record in records
    ):
        return None
    return {record["url"]: record for record in records}


@dataclass
class SearchPatch:
    """Records a round sets (by URL) and URLs it drops."""

    changed: Mapping[str, SearchRecord] = field(default_factory=dict)
    dropped: Iterable[str] = field(default_factory=frozenset)

    def apply(self, records: Mapping[str, SearchRecord]) -> list[SearchRecord]:
        dropped = set(self.dropped)
        kept = {url: record for url, record in records.items() if url not in dropped}
        kept.update(self.changed)
        return list(kept.values())
