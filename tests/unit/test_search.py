"""The search index (`/index.json` and its parts): one record per published page, patched by the event path."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.unit.test_site_and_plan import compare, post, seven_posts

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import build_site
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering import search as search_index
from pressroom.core.rendering.mime import headers
from pressroom.core.rendering.search import (
    TEXT_CHARS,
    SearchPatch,
    page_text,
    parse_search_index,
    parse_search_manifest,
    patch_search_files,
    render_search_index,
    search_files,
    search_part,
    search_parts,
    search_record,
)
from pressroom.core.site.model import Entry
from pressroom.engine.publisher import Ports, Publisher

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = itertools.count()


def test_a_record_holds_what_the_search_page_shows_and_matches() -> None:
    entry = Entry(
        "posts/a.md",
        "posts/a",
        "posts",
        "Caching <well>",
        date=datetime(2025, 3, 1, 23, 30, tzinfo=UTC),
        summary_html="<p>First &amp; second.</p><p>Third " + "word " * 100 + "</p>",
        tags=("Static Sites", "static sites", "AWS"),
    )
    record = search_record(entry, "First & second.", SiteConfig(timeZone="Europe/Madrid"))
    assert record["url"] == "/posts/a/"
    assert record["title"] == "Caching <well>"
    assert record["date"] == "2025-03-01"  # the day the page shows: in the offset the date was written in
    assert record["tags"] == ["Static Sites", "AWS"]  # one name per term: the smallest spelling
    assert record["summary"].startswith("First & second. Third word")
    assert len(record["summary"]) <= 241 and record["summary"].endswith("…")
    assert record["text"] == "First & second."


def test_a_part_reads_back_as_it_was_written_and_a_patch_replaces_records() -> None:
    records = [{"url": "/b/", "title": "B"}, {"url": "/a/", "title": "A </script>"}]
    data = render_search_index(records)
    assert data.splitlines()[1] == b'{"title":"A </script>","url":"/a/"},'  # ordered by URL
    parsed = parse_search_index(data)
    assert parsed == {"/a/": records[1], "/b/": records[0]}
    patched = SearchPatch({"/c/": {"url": "/c/", "title": "C"}}, {"/a/"}).apply(parsed)
    assert render_search_index(patched) == render_search_index([records[0], {"url": "/c/", "title": "C"}])
    assert render_search_index([]) == b"[]\n"
    assert parse_search_index(b"<html>") is None
    assert parse_search_index(b'[{"title": "no url"}]') is None


def test_parts_double_as_the_site_grows_and_each_record_is_in_the_part_its_url_hashes_to() -> None:
    assert [search_parts(n) for n in (0, 128, 129, 256, 257, 50_000)] == [1, 1, 2, 2, 4, 512]
    config = SiteConfig(baseURL="https://example.github.io/blog/")
    records = [{"url": f"/blog/posts/p{n}/", "title": f"P{n}"} for n in range(300)]
    files = search_files(records, config)
    table = json.loads(files["index.json"])
    assert table["pages"] == 300 and len(table["parts"]) == 4
    assert table["parts"][1]["url"] == "/blog/search/part-1-of-4.json"
    seen: list[str] = []
    for part, entry in enumerate(table["parts"]):
        found = json.loads(files[f"search/part-{part}-of-4.json"])
        assert len(found) == entry["pages"] and {search_part(r["url"], 4) for r in found} <= {part}
        seen += [r["url"] for r in found]
    assert sorted(seen) == sorted(r["url"] for r in records)
    assert parse_search_manifest(files["index.json"], config) == [e["pages"] for e in table["parts"]]
    assert parse_search_manifest(files["index.json"].replace(b"300", b"301"), config) is None
    assert parse_search_manifest(b"[]\n", config) is None  # the one-file index of earlier versions


def test_the_full_build_indexes_every_published_page_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "SEARCH_PART_PAGES", 2)
    files = {
        **seven_posts(),
        "about.md": b"---\ntitle: About\n---\nMe.\n",
        "posts/d.md": b"---\ntitle: D\ndraft: true\n---\n",
    }
    site = build_site(files, NOW)
    records = all_records(site.outputs.get)
    assert sorted(records) == ["/about/", *(f"/posts/p{n}/" for n in range(1, 8))]
    assert sorted(key for key in site.outputs if key.startswith("search/part-")) == [
        f"search/part-{n}-of-4.json" for n in range(4)
    ]
    assert records["/posts/p1/"] == {
        "date": "2025-01-01",
        "section": "posts",
        "summary": "About P1",
        "tags": ["Python"],
        "text": "Body one",
        "title": "P1",
        "url": "/posts/p1/",
    }


def test_a_change_search_shows_renders_the_index_and_one_it_does_not_leaves_it() -> None:
    before = seven_posts()
    retitled = compare(before, {**before, "posts/p4.md": post("P4 renamed", 4, ("Go",))}, "posts/p4.md")
    assert "index.json" in retitled.rendered
    body_only = compare(before, {**before, "posts/p4.md": post("P4", 4, ("Go",), body="Other body")}, "posts/p4.md")
    assert "index.json" in body_only.rendered  # the record holds the body's text
    modified = post("P4", 4, ("Go",)).replace(b"summary:", b"lastmod: 2025-02-01\nsummary:")
    dated = compare(before, {**before, "posts/p4.md": modified}, "posts/p4.md")
    assert "index.json" not in dated.rendered  # the record shows no lastmod
    removed = compare(before, {k: v for k, v in before.items() if k != "posts/p4.md"}, "posts/p4.md")
    assert "index.json" in removed.rendered


def all_records(read: Callable[[str], bytes | None]) -> dict[str, dict[str, Any]]:
    """URL -> record of every part the table names, read as the search page reads them."""
    table = json.loads(read("index.json") or b"")
    records: dict[str, dict[str, Any]] = {}
    for part in table["parts"]:
        found = parse_search_index(read(part["url"].lstrip("/")) or b"")
        assert found is not None and len(found) == part["pages"]
        records.update(found)
    return records


class CountingSite(MemorySite):
    def __init__(self) -> None:
        super().__init__()
        self.reads: list[str] = []

    def read(self, key: str, version: str | None = None, max_bytes: int | None = None) -> bytes | None:
        self.reads.append(key)
        return super().read(key, version, max_bytes)


def publish(ports: Ports, changes: Mapping[str, bytes | None]) -> None:
    """Upload (bytes) or remove (None) source files, then run one publisher on their events."""
    for name, data in changes.items():
        if data is None:
            ports.source.remove(name)  # type: ignore[attr-defined]
        else:
            ports.source.upload(name, data)  # type: ignore[attr-defined]
    publisher = Publisher(ports, NOW)
    publisher.accept([(f"e{next(EVENTS)}", name) for name in sorted(changes)])
    publisher.run()


def search_keys(outputs: Mapping[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k == "index.json" or k.startswith("search/part-")}


def test_the_event_path_reads_and_writes_only_the_parts_a_round_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "SEARCH_PART_PAGES", 4)  # seven posts: two parts
    site = CountingSite()
    ports = Ports(MemoryBucket(), site, MemoryTable(), clock=time.time)
    files = seven_posts()
    publish(ports, files)
    published = {key: site.read(key) or b"" for key in search_keys(build_site(files, NOW).outputs)}
    assert published == search_keys(build_site(files, NOW).outputs)
    # A hand-edited record in the part the round does not touch shows that part was left alone.
    changed_part = search_part("/posts/p9/", 2)
    other = f"search/part-{1 - changed_part}-of-2.json"
    kept = parse_search_index(site.read(other) or b"")
    assert kept
    first = sorted(kept)[0]
    kept[first]["title"] = "Edited by hand"
    site.put(other, render_search_index(kept.values()), headers(other))
    files["posts/p9.md"] = post("P9", 9)
    site.reads.clear()
    publish(ports, {"posts/p9.md": files["posts/p9.md"]})
    assert {k for k in site.reads if k == "index.json" or k.startswith("search/")} == {
        "index.json",
        f"search/part-{changed_part}-of-2.json",
    }  # and no look for parts left over by a redistribution cut short: a round just planned has none
    records = all_records(site.read)
    assert records[first]["title"] == "Edited by hand"
    expected = all_records(build_site(files, NOW).outputs.get)
    expected[first]["title"] = "Edited by hand"
    assert records == expected


def test_past_a_power_of_two_the_event_path_redistributes_the_parts_as_the_full_build_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search_index, "SEARCH_PART_PAGES", 4)
    site = MemorySite()
    ports = Ports(MemoryBucket(), site, MemoryTable(), clock=time.time)
    files = seven_posts()
    publish(ports, files)
    added = {f"posts/p{day}.md": post(f"P{day}", day) for day in (8, 9)}  # nine pages: four parts
    files.update(added)
    publish(ports, added)
    expected = search_keys(build_site(files, NOW).outputs)
    assert len(expected) == 5
    assert search_keys({key: site.read(key) or b"" for key in site.list_keys()}) == expected
    removed = {f"posts/p{day}.md": None for day in (1, 2, 3)}  # six pages: two parts again, four-part files go
    for name in removed:
        del files[name]
    publish(ports, removed)
    expected = search_keys(build_site(files, NOW).outputs)
    assert len(expected) == 3
    assert search_keys({key: site.read(key) or b"" for key in site.list_keys()}) == expected


def test_a_record_links_under_the_base_urls_path() -> None:
    """A site at `https://host/blog/`: the search page's results must link to `/blog/posts/a/`."""
    entry = Entry("posts/a.md", "posts/a", "posts", "A", date=datetime(2025, 3, 1, tzinfo=UTC))
    record = search_record(entry, "", SiteConfig(baseURL="https://example.github.io/blog/"))
    assert record["url"] == "/blog/posts/a/"


def test_a_redistribution_cut_short_is_finished_as_it_began(monkeypatch: pytest.MonkeyPatch) -> None:
    """A round that crosses a power of two and stops before deleting the old parts (a crash, a
    hand-on) must, read again, name the same files and deletes: the writer resumes by position."""
    monkeypatch.setattr(search_index, "SEARCH_PART_PAGES", 2)
    config = SiteConfig()
    records = [{"url": f"/posts/p{n}/", "title": f"P{n}"} for n in range(4)]  # two parts
    bucket = dict(search_files(records, config))
    patch = SearchPatch({"/posts/p9/": {"url": "/posts/p9/", "title": "P9"}}, set())  # five: four parts

    def read_many(keys: Sequence[str]) -> list[bytes | None]:
        return [bucket.get(key) for key in keys]

    first = patch_search_files(bucket["index.json"], read_many, patch, config)
    assert first is not None
    files, gone = first
    assert sorted(gone) == ["search/part-0-of-2.json", "search/part-1-of-2.json"]
    assert files == search_files([*records, patch.changed["/posts/p9/"]], config)
    bucket.update(files)  # every file written, the old parts not yet deleted
    assert patch_search_files(bucket["index.json"], read_many, patch, config) == first
    del bucket["search/part-3-of-4.json"]  # the table written, one new part not: render it whole
    assert patch_search_files(bucket["index.json"], read_many, patch, config) is None


def test_a_round_just_planned_reads_only_the_table_and_the_parts_its_urls_hash_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a resumed round can find parts of another count left over: a fresh one does not look."""
    monkeypatch.setattr(search_index, "SEARCH_PART_PAGES", 2)
    config = SiteConfig()
    records = [{"url": f"/posts/p{n}/", "title": f"P{n}"} for n in range(8)]  # four parts
    bucket = dict(search_files(records, config))
    changed = {"/posts/p3/": {"url": "/posts/p3/", "title": "P3, edited"}}
    asked: list[str] = []

    def read_many(keys: Sequence[str]) -> list[bytes | None]:
        asked.extend(keys)
        return [bucket.get(key) for key in keys]

    fresh = patch_search_files(bucket["index.json"], read_many, SearchPatch(changed, set(), fresh=True), config)
    assert asked == [f"search/part-{search_part('/posts/p3/', 4)}-of-4.json"]
    asked.clear()
    resumed = patch_search_files(bucket["index.json"], read_many, SearchPatch(changed, set()), config)
    assert resumed == fresh and {"search/part-0-of-2.json", "search/part-0-of-8.json"} <= set(asked)


def body_post(title: str, day: int, body: str, **front: str) -> bytes:
    """A post whose summary (front matter) does not hold its body's words."""
    extra = "".join(f"{name}: {value}\n" for name, value in front.items())
    return f"---\ntitle: {title}\ndate: 2025-01-{day:02d}\nsummary: About {title}\n{extra}---\n{body}\n".encode()


def pages_with(records: Mapping[str, Mapping[str, Any]], word: str) -> list[str]:
    """URLs of the records whose text holds `word`, as the search page matches a body word."""
    return sorted(url for url, record in records.items() if word in str(record.get("text", "")).lower().split())


def test_a_word_only_in_a_posts_body_is_found_in_the_full_build_and_after_each_event() -> None:
    files = seven_posts()
    files["posts/p8.md"] = body_post("P8", 8, "Brewing is *zymurgy*, of `wort` and yeast.")
    records = all_records(build_site(files, NOW).outputs.get)
    assert records["/posts/p8/"]["text"] == "Brewing is zymurgy, of wort and yeast."
    assert pages_with(records, "zymurgy,") == ["/posts/p8/"]
    assert "zymurgy" not in records["/posts/p8/"]["title"] + records["/posts/p8/"]["summary"]
    ports = Ports(MemoryBucket(), MemorySite(), MemoryTable(), clock=time.time)
    publish(ports, seven_posts())
    publish(ports, {"posts/p8.md": files["posts/p8.md"]})
    assert all_records(ports.site.read) == records  # the event path writes the full build's record
    files["posts/p8.md"] = body_post("P8", 8, "Now about kombucha.")
    publish(ports, {"posts/p8.md": files["posts/p8.md"]})
    records = all_records(ports.site.read)
    assert records == all_records(build_site(files, NOW).outputs.get)
    assert pages_with(records, "kombucha.") == ["/posts/p8/"] and not pages_with(records, "zymurgy,")


def test_the_text_survives_the_clock_and_a_rebuild_planned_from_the_records() -> None:
    """A recheck (its time came) and a rebuild that reuses the records have no body: the record keeps the text."""
    files = seven_posts()
    files["posts/soon.md"] = body_post("Soon", 9, "Sourdough starters, fed daily.", publishDate="2026-02-01")
    ports = Ports(MemoryBucket(), MemorySite(), MemoryTable(), clock=time.time)
    publish(ports, files)
    assert "/posts/soon/" not in all_records(ports.site.read)
    later = datetime(2026, 3, 1, tzinfo=UTC)
    Publisher(ports, later).run()  # the schedule came due: rechecked from its record, not read again
    records = all_records(ports.site.read)
    assert records["/posts/soon/"]["text"] == "Sourdough starters, fed daily."
    assert records == all_records(build_site(files, later).outputs.get)
    rebuild = Publisher(ports, later)
    rebuild.request_rebuild()
    rebuild.run()
    assert all_records(ports.site.read) == records


def test_a_record_keeps_the_words_a_reader_reads_up_to_the_cap() -> None:
    html = (
        "<h2 id='a'>Why</h2>\n<p>H<sub>2</sub>O &amp; <em>tea</em>.<br>Next<script>var secret = 1;</script>"
        "<style>p { color: red }</style><!-- note --></p>\n<pre><code>def hidden(): pass\n</code></pre>\n"
        "<p>Inline <code>x = 1</code> stays.<sup><a href='#fn:1' class='footnote-ref'>1</a></sup></p>"
        "<p>Note.&#160;<a href='#fnref:1' class='footnote-backref' role='doc-backlink'>&#x21a9;&#xfe0e;</a></p>"
    )
    assert page_text(html) == "Why H2O & tea. Next Inline x = 1 stays.1 Note."
    words = " ".join(f"word{n}" for n in range(2_000))
    text = page_text(f"<p>{words}</p>")
    assert len(text) <= TEXT_CHARS and words.startswith(text + " ")  # cut at a space, never inside a word
    assert page_text("<p>" + "x" * (TEXT_CHARS + 50) + "</p>") == "x" * TEXT_CHARS
    long_post = body_post("Long", 3, words)
    records = all_records(build_site({**seven_posts(), "posts/p3.md": long_post}, NOW).outputs.get)
    assert records["/posts/p3/"]["text"] == text


def test_the_text_of_a_draft_never_reaches_the_search_index() -> None:
    files = seven_posts()
    files["posts/secret.md"] = body_post("Secret", 9, "The launch codename is Bluefin.", draft="true")
    assert not any(b"Bluefin" in data for data in search_keys(build_site(files, NOW).outputs).values())
    site = MemorySite()
    ports = Ports(MemoryBucket(), site, MemoryTable(), clock=time.time)
    publish(ports, files)
    assert not any(b"Bluefin" in (site.read(key) or b"") for key in site.list_keys())
    files["posts/p8.md"] = body_post("P8", 8, "Mentions Kestrel in public.")
    publish(ports, {"posts/p8.md": files["posts/p8.md"]})
    assert pages_with(all_records(site.read), "kestrel") == ["/posts/p8/"]
    files["posts/p8.md"] = body_post("P8", 8, "Mentions Kestrel in public.", draft="true")  # published, then a draft
    publish(ports, {"posts/p8.md": files["posts/p8.md"]})
    published = {key: site.read(key) or b"" for key in site.list_keys()}
    assert not any(b"Kestrel" in data or b"Bluefin" in data for data in search_keys(published).values())
    assert search_keys(published) == search_keys(build_site(files, NOW).outputs)
