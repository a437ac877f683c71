"""The search index: one small record per published page, for the search page, in part files.

A record is a pure function of one entry and its page's text (`search_record`), so the index is
the set of its pages' records, and a round changes only the records of the pages it changes. The
text (`page_text`) is made where the page is parsed and kept on its record in the index
(`PageRecord.text`), so the event path, which has records and not bodies, writes the same
record as the full build.

The records are split into `search_parts(pages)` part files (`search/part-K-of-N.json`, a power
of two of them, about SEARCH_PART_PAGES pages each) by a stable hash of the page's URL
(`search_part`); `/index.json` is their table of contents: how many pages the index holds and,
for each part, its URL and its number of pages. The search page reads the table, then the parts.

Like the sitemap, the event path does not read every page's row to write it: it reads the
published table and only the parts the round's URLs hash to, drops and replaces their records
(`SearchPatch`) and writes those parts and the table back (`patch_search_files`), so an event
reads and writes a part or two whatever the size of the site. When the page count crosses a
power of two the parts are redistributed, once, from all of them. The full build renders the
same files from its index with `search_files`, so both agree byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import Entry
from pressroom.core.site.urls import key_href

SEARCH_INDEX_KEY = "index.json"
"""The search index's table of contents: how many pages it has and the part files that hold them;
each part holds the title, link, date, terms, summary and text of its pages."""
SEARCH_PART_PAGES = 128
"""Pages one search part file holds on average, at most: the parts double as the site grows. With
TEXT_CHARS of text a record is about 1.3 KB, so a part is about 180 KB (55-75 KB gzipped): what
an event reads and writes back, and what the search page shows results from as each arrives."""
_SEARCH_PART = re.compile(r"search/part-(\d+)-of-(\d+)\.json")


def search_part_key(part: int, parts: int) -> str:
    """`search/part-K-of-N.json`: the records of the pages whose URL hashes to part K of N."""
    return f"search/part-{part}-of-{parts}.json"


def is_search_part(key: str) -> bool:
    return _SEARCH_PART.fullmatch(key) is not None


def search_part_of_key(key: str) -> tuple[int, int] | None:
    """(K, N) of the part file at `key`; None for any other key."""
    found = _SEARCH_PART.fullmatch(key)
    return (int(found[1]), int(found[2])) if found else None


def search_parts(pages: int) -> int:
    """How many part files a search index of `pages` pages has: a power of two, so that each holds
    at most SEARCH_PART_PAGES on average; the event path reads and writes only the parts it changes."""
    parts = 1
    while parts * SEARCH_PART_PAGES < pages:
        parts *= 2
    return parts


SUMMARY_CHARS = 240
"""How much of a page's summary its record keeps: enough to show and search, small per page."""
TEXT_CHARS = 1_000
"""How much of a page's plain text its record keeps (`page_text`): about 170 words, the opening of
a post, where it says what it is about. Measured (README, "Search"): the whole index of a
1,000-post blog stays under half a megabyte gzipped, about one photo, where the full text of every
page would be four times that."""

_TAG_RE = re.compile(r"<[^>]+>")
_UNSEARCHED_RE = re.compile(
    r"<!--.*?-->|<(script|style|template|pre|textarea)\b[^>]*>.*?</\1\s*>|<a\b[^>]*footnote-backref[^>]*>.*?</a>",
    re.DOTALL | re.IGNORECASE,
)
"""What a reader does not read as the page's words: comments, scripts, styles, code blocks (code
is most of a technical post's bytes, its words are keywords and punctuation that match common
queries and would spend the record's length; inline `code` in a sentence stays), footnote
back-links."""
_INLINE_TAG_RE = re.compile(
    r"</?(?:a|abbr|b|bdi|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|u|var)\b[^>]*>",
    re.IGNORECASE,
)
"""Tags inside a word's run of text (`H<sub>2</sub>O` is one word); any other tag separates words."""

SearchRecord = dict[str, Any]


def page_text(html: str) -> str:
    """A page's words as its search record keeps them: the rendered body without tags and without
    what `_UNSEARCHED_RE` names, entities decoded, whitespace collapsed, at most TEXT_CHARS
    characters (cut at a space)."""
    text = _TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", _UNSEARCHED_RE.sub(" ", html)))
    text = " ".join(unescape(text).split())
    if len(text) > TEXT_CHARS:
        cut = text[: TEXT_CHARS + 1].rsplit(" ", 1)[0]
        text = cut if cut != text[: TEXT_CHARS + 1] else text[:TEXT_CHARS]
    return text


def search_record(entry: Entry, text: str, config: SiteConfig) -> SearchRecord:
    """What the search page knows of one page: link, title, date, section, tags, summary and its
    text (`page_text` of its body, kept on its record)."""
    summary = entry.description or unescape(_TAG_RE.sub(" ", entry.summary_html))
    summary = " ".join(summary.split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return {
        "url": config.rel_url(entry.url),
        "title": entry.title,
        "date": entry.date.date().isoformat() if entry.date else "",
        "section": entry.section,
        "tags": [name for name, _ in entry.term_names("tags")],
        "summary": summary,
        "text": text,
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
    fresh: bool = False
    """Nothing of the round is published yet (it was just planned, not resumed): no redistribution
    of its own can have been cut short, and one of an earlier round was finished before it began."""

    def apply(self, records: Mapping[str, SearchRecord]) -> list[SearchRecord]:
        dropped = set(self.dropped)
        kept = {url: record for url, record in records.items() if url not in dropped}
        kept.update(self.changed)
        return list(kept.values())

    def part(self, part: int, parts: int) -> SearchPatch:
        """The records of this patch that belong in one part."""
        return SearchPatch(
            {url: record for url, record in self.changed.items() if search_part(url, parts) == part},
            {url for url in self.dropped if search_part(url, parts) == part},
            self.fresh,
        )

    def urls(self) -> set[str]:
        return set(self.changed) | set(self.dropped)


def search_part(url: str, parts: int) -> int:
    """The part a page's record is in: a stable hash of its URL (the same on every run and machine)."""
    return int.from_bytes(hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest(), "big") % parts


def render_search_manifest(counts: Sequence[int], config: SiteConfig) -> bytes:
    """`/index.json`: the page count and each part's URL and page count, one part a line."""
    parts = len(counts)
    lines = [
        json.dumps(
            {"pages": count, "url": config.rel_url(key_href(search_part_key(part, parts)))},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        for part, count in enumerate(counts)
    ]
    return (f'{{"pages":{sum(counts)},"parts":[\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


def parse_search_manifest(data: bytes, config: SiteConfig) -> list[int] | None:
    """Each part's page count, read from a table `render_search_manifest` wrote; None for anything else."""
    try:
        table = json.loads(data.decode("utf-8"))
        counts = [part["pages"] for part in table["parts"]]
    except (UnicodeDecodeError, ValueError, TypeError, KeyError):
        return None
    if not counts or not all(isinstance(count, int) and count >= 0 for count in counts):
        return None
    return counts if render_search_manifest(counts, config) == data else None


def search_files(records: Iterable[SearchRecord], config: SiteConfig) -> dict[str, bytes]:
    """Every file of the search index of these records, by key: the table and each part."""
    records = list(records)
    parts = search_parts(len(records))
    split: list[list[SearchRecord]] = [[] for _ in range(parts)]
    for record in records:
        split[search_part(str(record["url"]), parts)].append(record)
    files = {SEARCH_INDEX_KEY: render_search_manifest([len(part) for part in split], config)}
    files.update({search_part_key(k, parts): render_search_index(part) for k, part in enumerate(split)})
    return files


def patch_search_files(
    manifest: bytes | None,
    read_many: Callable[[Sequence[str]], Sequence[bytes | None]],
    patch: SearchPatch,
    config: SiteConfig,
) -> tuple[dict[str, bytes], list[str]] | None:
    """The files a round writes to the published search index (`manifest` its table), and the part
    files it deletes; None when the published index is missing or not as pressroom wrote it (then
    render it whole from the index).

    Reads only the parts the patch's URLs hash to (and, resuming a round, whether the first part
    of half or twice the count is left over), unless the page count crosses a power of two: then every part,
    once, to redistribute the records. Read again after some of its files were written, it
    names the same files and deletes, so a round that hands on or retries ends the same.
    """
    counts = parse_search_manifest(manifest, config) if manifest is not None else None
    if counts is None:
        return None
    parts = len(counts)
    # A redistribution cut short (a crash or a hand-on before its old parts were deleted) left
    # the first part of the old count: finish it as it began, with every part and those deletes.
    others = [n for n in (parts // 2, parts * 2) if n >= 1 and n != parts and not patch.fresh]
    left = [n for n, body in zip(others, read_many([search_part_key(0, n) for n in others]), strict=True) if body]
    touched = sorted({search_part(url, parts) for url in patch.urls()})
    patched = _read_parts(read_many, touched, parts)
    if patched is None:
        return None
    for part in touched:
        patched[part] = {r["url"]: r for r in patch.part(part, parts).apply(patched[part])}
        counts[part] = len(patched[part])
    if left or search_parts(sum(counts)) != parts:
        rest = _read_parts(read_many, [part for part in range(parts) if part not in patched], parts)
        if rest is None:
            return None
        records = [record for found in (patched, rest) for part in found.values() for record in part.values()]
        files = search_files(records, config)
        old_keys = [search_part_key(k, n) for n in (parts, *left) for k in range(n)]
        return files, [key for key in old_keys if key not in files]
    files = {SEARCH_INDEX_KEY: render_search_manifest(counts, config)}
    files.update({search_part_key(k, parts): render_search_index(patched[k].values()) for k in touched})
    return files, []


def _read_parts(
    read_many: Callable[[Sequence[str]], Sequence[bytes | None]], wanted: Sequence[int], parts: int
) -> dict[int, dict[str, SearchRecord]] | None:
    """URL -> record of each wanted part; None if one is missing, not ours, or holds a record of another part."""
    bodies = read_many([search_part_key(part, parts) for part in wanted])
    found: dict[int, dict[str, SearchRecord]] = {}
    for part, body in zip(wanted, bodies, strict=True):
        records = parse_search_index(body) if body is not None else None
        if records is None or any(search_part(url, parts) != part for url in records):
            return None
        found[part] = records
    return found
