"""Regressions: each test pins a bug found in review (term counts, alias claims, feed links,
lastBuildDate, line numbers of bundle links, comment-only site.yaml) that is now fixed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

from pressroom.core.build import build_site
from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.core.reading.lint import check_site

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def page(front: str, body: str = "Text.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


# --- site.py: a page with two spellings of one term is counted twice -------------------------------


def test_taxonomy_index_counts_each_page_once_per_term() -> None:
    files = {
        "posts/a.md": page("title: A\ntags: [Python, python]\n"),
        "posts/b.md": page("title: B\ntags: [python]\n"),
    }
    site = build_site(files, NOW)
    term_page = site.outputs["tags/python/index.html"].decode()
    assert len(re.findall(r'<article class="summary">', term_page)) == 2
    # The index must agree with the term page: two pages, not three spellings.
    assert '<a href="/tags/python/">Python</a> <span class="count">2</span>' in site.outputs["tags/index.html"].decode()


# --- build.py: an alias over a section's list page is not refused ---------------------------------


def test_an_alias_over_a_section_list_is_refused_with_an_error() -> None:
    files = {
        "posts/a.md": page("title: A\naliases: [/posts/]\n"),
        "posts/b.md": page("title: B\n"),
    }
    site = build_site(files, NOW)
    assert "<h1>Posts</h1>" in site.outputs["posts/index.html"].decode()
    assert [error.source_key for error in site.errors] == ["posts/a.md"]
    assert "/posts/" in str(site.errors[0])


# --- render.py / templates: feed URLs of terms like C# are not percent-encoded --------------------


def test_feed_links_of_a_term_with_a_hash_are_percent_encoded() -> None:
    site = build_site({"posts/a.md": page("title: A\ntags: ['C#']\n")}, NOW)
    term_page = site.outputs["tags/c#/index.html"].decode()
    feed = site.outputs["tags/c#/index.xml"].decode()
    assert 'href="https://example.com/tags/c%23/index.xml"' in term_page
    assert 'href="https://example.com/tags/c%23/index.xml"' in feed
    assert "c#/index.xml" not in term_page + feed  # `#` starts a fragment: the link would lead to /tags/c


# --- templates/feed.xml: lastBuildDate is the first listed item's date, not the newest --------------


def test_feed_last_build_date_is_not_older_than_any_item() -> None:
    files = {
        "posts/pinned.md": page("title: Pinned\nweight: 1\ndate: 2020-01-01\n"),
        "posts/new.md": page("title: New\ndate: 2025-06-01\n"),
    }
    channel = ElementTree.fromstring(build_site(files, NOW).outputs["index.xml"]).find("channel")
    assert channel is not None
    last_build = parsedate_to_datetime(channel.findtext("lastBuildDate") or "")
    newest = max(parsedate_to_datetime(item.findtext("pubDate") or "") for item in channel.iter("item"))
    assert last_build >= newest


# --- check.py: relative links and images are reported without their line --------------------------


def test_a_relative_missing_image_is_reported_with_its_line() -> None:
    files = {"posts/trip/index.md": page("title: Trip\n", "Intro.\n\n![Road](road.png)\n\n[next](../nothere/)\n")}
    findings = [(f.line, f.message) for f in check_site(files, NOW).errors]
    assert [line for line, _ in findings] == [6, 8]
    assert "road.png" in findings[0][1]
    assert "nothere" in findings[1][1]


# --- config.py: a site.yaml with only comments is refused -----------------------------------------


def test_a_site_yaml_of_only_comments_gives_the_defaults() -> None:
    config, warnings = parse_config("# title: Not yet\n# pagerSize: 5\n")
    assert config == SiteConfig()
    assert warnings == []
