"""The search index (`/index.json`): one record per published page, patched by the event path."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.unit.test_site_and_plan import compare, post, seven_posts

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import build_site
from pressroom.core.config import SiteConfig
from pressroom.core.model import Entry
from pressroom.core.search import SearchPatch, parse_search_index, render_search_index, search_record
from pressroom.engine.publisher import Ports, Publisher

NOW = datetime(2026, 1, 1, tzinfo=UTC)


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
    record = search_record(entry, SiteConfig(timeZone="Europe/Madrid"))
    assert record["url"] == "/posts/a/"
    assert record["title"] == "Caching <well>"
    assert record["date"] == "2025-03-01"  # the day the page shows: in the offset the date was written in
    assert record["tags"] == ["Static Sites", "AWS"]  # one name per term: the smallest spelling
    assert record["summary"].startswith("First & second. Third word")
    assert len(record["summary"]) <= 241 and record["summary"].endswith("…")


def test_the_index_reads_back_as_it_was_written_and_a_patch_replaces_records() -> None:
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


def test_the_full_build_indexes_every_published_page_and_nothing_else() -> None:
    files = {
        **seven_posts(),
        "about.md": b"---\ntitle: About\n---\nMe.\n",
        "posts/d.md": b"---\ntitle: D\ndraft: true\n---\n",
    }
    site = build_site(files, NOW, workers=1)
    records = json.loads(site.outputs["index.json"])
    assert [r["url"] for r in records] == ["/about/", *(f"/posts/p{n}/" for n in range(1, 8))]
    assert records[1] == {
        "date": "2025-01-01",
        "section": "posts",
        "summary": "About P1",
        "tags": ["Python"],
        "title": "P1",
        "url": "/posts/p1/",
    }


def test_a_change_search_shows_renders_the_index_and_one_it_does_not_leaves_it() -> None:
    before = seven_posts()
    retitled = compare(before, {**before, "posts/p4.md": post("P4 renamed", 4, ("Go",))}, "posts/p4.md")
    assert "index.json" in retitled.rendered
    body_only = compare(before, {**before, "posts/p4.md": post("P4", 4, ("Go",), body="Other body")}, "posts/p4.md")
    assert "index.json" not in body_only.rendered
    removed = compare(before, {k: v for k, v in before.items() if k != "posts/p4.md"}, "posts/p4.md")
    assert "index.json" in removed.rendered


def test_the_event_path_patches_the_published_index_to_what_a_full_build_writes() -> None:
    source, site, table = MemoryBucket(), MemorySite(), MemoryTable()
    files = seven_posts()
    for name, data in files.items():
        source.upload(name, data)
    publisher = Publisher(Ports(source, site, table), NOW)
    publisher.accept([(f"e{n}", name) for n, name in enumerate(sorted(files))])
    publisher.run()
    assert site.read("index.json") == build_site(files, NOW, workers=1).outputs["index.json"]
    # A hand-edited record shows the event path patched the published index rather than rebuilt it.
    published = parse_search_index(site.read("index.json") or b"")
    assert published is not None
    published["/posts/p1/"]["title"] = "Edited by hand"
    site.put("index.json", render_search_index(published.values()), "application/json", "")
    files["posts/p9.md"] = post("P9", 9)
    del files["posts/p2.md"]
    source.upload("posts/p9.md", files["posts/p9.md"])
    source.remove("posts/p2.md")
    publisher = Publisher(Ports(source, site, table), NOW)
    publisher.accept([("e100", "posts/p9.md"), ("e101", "posts/p2.md")])
    publisher.run()
    records = parse_search_index(site.read("index.json") or b"")
    assert records is not None
    assert "/posts/p9/" in records and "/posts/p2/" not in records
    assert records["/posts/p1/"]["title"] == "Edited by hand"
    expected = parse_search_index(build_site(files, NOW, workers=1).outputs["index.json"])
    assert expected is not None
    expected["/posts/p1/"]["title"] = "Edited by hand"
    assert records == expected


def test_a_record_links_under_the_base_urls_path() -> None:
    """A site at `https://host/blog/`: the search page's results must link to `/blog/posts/a/`."""
    entry = Entry("posts/a.md", "posts/a", "posts", "A", date=datetime(2025, 3, 1, tzinfo=UTC))
    record = search_record(entry, SiteConfig(baseURL="https://example.github.io/blog/"))
    assert record["url"] == "/blog/posts/a/"
