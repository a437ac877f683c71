"""The event path on moto: after the queue drains, the site bucket equals the full build (SPEC 3.3).

Each test drives the real handler through the worker (or sends it one event), as Lambda would.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pressroom.adapters.files import read_tree
from support.accounts import Site, assert_changes_invalidated, assert_converged, hand_on_often
from support.sources import billion_laughs, multilingual_root

CONTENT = Path(__file__).resolve().parents[2] / "content"
EVENTS = Path(__file__).resolve().parents[2] / "infra" / "events"


def post(title: str, date: str, tags: list[str], body: str = "Some words here.", **extra: Any) -> bytes:
    front = {"title": title, "date": date, "tags": tags, **extra}
    return ("---\n" + json.dumps(front) + "\n---\n\n" + body + "\n").encode()


def test_publishing_the_sample_blog_equals_the_full_build(site: Site) -> None:
    for key, body in read_tree(CONTENT).items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    paths = site.invalidated_paths()
    assert "/posts/why-i-left-hugo/" in paths or "/posts/*" in paths or "/*" in paths
    assert site.errors() == {}


def test_edits_retags_deletes_and_bad_content_converge(site: Site) -> None:
    site.put("site.yaml", b"title: Test\npagerSize: 2\nbaseURL: https://t.example/\n")
    for n in range(5):
        site.put(f"posts/p{n}.md", post(f"Post {n}", f"2024-01-0{n + 1}", ["shared", f"t{n}"]))
    site.drain()
    assert_converged(site)
    site.put("posts/p2.md", post("Post two, retitled", "2025-06-01", ["other"], aliases=["/old/p2/"]))
    site.delete("posts/p0.md")
    site.put("posts/p3.md", post("Post 3", "2024-01-04", ["shared"], draft=True))
    site.drain()
    assert_converged(site)
    good = site.published()["posts/p4/index.html"]
    site.s3.put_object(Bucket=site.names["SOURCE_BUCKET"], Key="posts/p4.md", Body=b"---\ntitle: [unclosed\n---\n")
    site.drain()
    assert site.published()["posts/p4/index.html"] == good, "a bad edit must leave the published page alone"
    errors = site.errors()
    assert list(errors) == ["posts/p4.md"] and "YAML" in errors["posts/p4.md"][0]
    assert site.dead_letters() == 0, "content problems never reach the DLQ"
    site.put("posts/p4.md", post("Post 4 fixed", "2024-01-05", ["shared"]))
    site.drain()
    assert_converged(site)
    assert site.errors() == {}


def test_written_and_deleted_objects_are_all_invalidated(site: Site) -> None:
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.drain()
    before = site.published()
    site.delete("posts/a.md")
    site.put("posts/b.md", post("B", "2024-02-01", ["y"]))
    site.drain()
    assert_changes_invalidated(site, before)
    assert_converged(site)


def test_a_home_list_with_no_post_still_has_its_page_and_feed(site: Site) -> None:
    """Issue 9: with no post on the home list, `index.html` and `index.xml` were never written."""
    site.put("site.yaml", b"title: Quiet\nparams:\n  mainSections: [posts]\n")
    site.put("about.md", b"---\ntitle: About\n---\nJust a page.\n")
    site.put("notes/n.md", post("A note", "2024-01-01", ["x"]))
    site.drain()
    assert {"index.html", "index.xml"} <= set(site.published())
    assert_converged(site)


def test_a_scheduled_post_appears_and_an_expired_one_goes_on_the_tick(site: Site) -> None:
    site.put("posts/soon.md", post("Soon", "2026-11-30T09:00:00+00:00", ["later"]))
    site.put("posts/ending.md", post("Ending", "2026-01-01", ["now"], expiryDate="2026-12-01T00:00:00+00:00"))
    site.drain()
    assert "posts/soon/index.html" not in site.published()
    assert "posts/ending/index.html" in site.published()
    before = site.published()
    site.now = datetime(2026, 12, 2, tzinfo=UTC)  # the hourly tick, with no upload in between
    site.invoke({"pressroom": "tick"})
    published = site.published()
    assert "posts/soon/index.html" in published
    assert "posts/ending/index.html" not in published
    assert b"Soon" in published["index.html"][0] and b"Ending" not in published["index.html"][0]
    assert_converged(site)
    assert_changes_invalidated(site, before)


def test_a_tick_that_fails_while_publishing_publishes_on_its_retry(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9: the tick deleted the schedule items before publishing; one failure lost the post."""
    from pressroom.adapters.aws.s3 import S3SiteStore

    site.put("posts/soon.md", post("Soon", "2026-11-30T09:00:00+00:00", ["later"]))
    site.drain()
    site.now = datetime(2026, 12, 2, tzinfo=UTC)
    put = S3SiteStore.put
    calls = [0]

    def failing_put(self: S3SiteStore, *args: Any) -> None:
        calls[0] += 1
        if calls[0] == 1:
            raise ConnectionError("the site bucket is unreachable")
        put(self, *args)

    monkeypatch.setattr(S3SiteStore, "put", failing_put)
    with pytest.raises(ConnectionError):
        site.invoke({"pressroom": "tick"})
    assert calls[0] >= 1
    site.invoke({"pressroom": "tick"})  # EventBridge Scheduler retries a failed invocation
    assert "posts/soon/index.html" in site.published()
    assert_converged(site)


def test_a_hash_record_never_runs_ahead_of_the_bucket(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9: a PUT that took effect but answered an error, then a retry that skipped it as written."""
    from pressroom.adapters.aws.s3 import S3SiteStore

    site.put("site.yaml", b"title: Ahead\npagerSize: 1\n")
    for n in range(3):
        site.put(f"posts/p{n}.md", post(f"Post {n}", f"2024-01-0{n + 1}", ["x"]))
    site.drain()
    put = S3SiteStore.put
    answered: list[str] = []

    def took_effect_then_failed(self: S3SiteStore, key: str, *args: Any) -> None:
        put(self, key, *args)
        if key == "page/2/index.html" and not answered:
            answered.append(key)
            raise ConnectionError("the answer was lost")

    monkeypatch.setattr(S3SiteStore, "put", took_effect_then_failed)
    site.put("posts/p9.md", post("Newest", "2025-01-01", ["x"]))
    site.drain()
    assert answered == ["page/2/index.html"]
    assert_converged(site)


def test_two_pages_claiming_one_url_publish_the_smaller_key_and_report_the_other(site: Site) -> None:
    site.put("posts/zeta.md", post("Zeta", "2024-01-02", ["x"], slug="same"))
    site.drain()
    assert b"Zeta" in site.published()["posts/same/index.html"][0]
    site.put("posts/alpha.md", post("Alpha", "2024-01-01", ["y"], url="/posts/same/"))
    site.drain()
    assert_converged(site)
    assert b"Alpha" in site.published()["posts/same/index.html"][0]
    errors = site.errors()
    assert list(errors) == ["posts/zeta.md"] and "posts/alpha.md" in errors["posts/zeta.md"][0]
    site.delete("posts/alpha.md")
    site.drain()
    assert_converged(site)
    assert b"Zeta" in site.published()["posts/same/index.html"][0]
    assert site.errors() == {}, "a page that won its URL back has no ghost claim or error left"


def test_an_alias_two_pages_share_or_a_page_owns_is_kept_by_one_and_passed_on(site: Site) -> None:
    site.put("posts/b.md", post("B", "2024-01-02", ["x"], aliases=["/old/shared/", "/posts/c/"]))
    site.put("posts/a.md", post("A", "2024-01-01", ["x"], aliases=["/old/shared/"]))
    site.drain()
    assert_converged(site)
    site.put("posts/c.md", post("C", "2024-01-03", ["x"]))  # a page takes back the URL an alias held
    site.drain()
    assert_converged(site)
    site.delete("posts/a.md")  # the shared alias passes on to b
    site.drain()
    assert_converged(site)
    assert b"/posts/b/" in site.published()["old/shared/index.html"][0]
    site.delete("posts/c.md")
    site.drain()
    assert_converged(site)


def test_a_page_cannot_take_a_section_list_url(site: Site) -> None:
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("posts.md", b"---\ntitle: Posts page\n---\nNot a list.\n")
    site.drain()
    assert_converged(site)
    assert b"Posts page" not in site.published()["posts/index.html"][0]
    assert "section" in site.errors()["posts.md"][0]
    site.delete("posts/a.md")  # the section goes, the page takes its URL
    site.drain()
    assert_converged(site)
    assert b"Posts page" in site.published()["posts/index.html"][0]


@pytest.mark.parametrize("key", ["index.html", "posts/a/index.html", "index.xml", "sitemap.xml", "robots.txt"])
def test_an_asset_never_overwrites_a_generated_page(site: Site, key: str) -> None:
    """Issue 9: a source asset named like a generated page overwrote it on the event path."""
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.drain()
    site.put(key, b"<html>not the page</html>")
    site.drain()
    assert_converged(site)
    assert site.published()[key][0] != b"<html>not the page</html>"
    assert key in site.errors()


def test_an_asset_uploaded_and_deleted_in_one_batch_is_not_published(site: Site) -> None:
    """Issue 9: the asset cache wrote back an asset deleted within the same batch."""
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("img/photo.png", b"\x89PNG first")
    site.delete("img/photo.png")
    site.drain()
    assert "img/photo.png" not in site.published()
    assert_converged(site)


def test_bundle_files_follow_their_page_and_a_draft_bundle_publishes_none(site: Site) -> None:
    site.put("posts/trip/index.md", post("Trip", "2024-01-01", ["x"], slug="road-trip"))
    site.put("posts/trip/feature.png", b"\x89PNG feature")
    site.put("posts/trip/img/map.png", b"\x89PNG map")
    site.drain()
    assert_converged(site)
    assert {"posts/road-trip/feature.png", "posts/road-trip/img/map.png"} <= set(site.published())
    site.put("posts/trip/index.md", post("Trip", "2024-01-01", ["x"], slug="road-trip", draft=True))
    site.drain()
    assert_converged(site)
    assert not [key for key in site.published() if "road-trip" in key]


def test_intros_and_an_older_read_never_replace_a_newer_one(site: Site) -> None:
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("posts/_index.md", b"---\ntitle: First heading\n---\nFirst intro.\n")
    site.drain()
    site.put("posts/_index.md", b"---\ntitle: Second heading\n---\nSecond intro.\n")
    site.put("posts/_index.md", b"---\ntitle: Third heading\n---\nThird intro.\n")
    site.drain()
    assert b"Third heading" in site.published()["posts/index.html"][0]
    assert_converged(site)
    site.delete("posts/_index.md")
    site.drain()
    assert_converged(site)


def test_many_tags_and_a_huge_summary_publish_as_the_full_build_does(site: Site) -> None:
    """Issue 9: more than 100 operations for one change, and an item over DynamoDB's 400 KB."""
    tags = [f"tag {n}" for n in range(150)]
    site.put("posts/many.md", post("Many", "2024-01-01", tags))
    long_text = ("A long paragraph of words before the divider. " * 20 + "\n\n") * 600
    site.put("posts/long.md", post("Long", "2024-01-02", ["x"], body=long_text + "<!--more-->\n\nRest."))
    site.drain()
    assert_converged(site)
    assert site.dead_letters() == 0
    site.put("posts/many.md", post("Many", "2024-01-01", tags[:3]))
    site.drain()
    assert_converged(site)


def test_a_new_smallest_spelling_renames_the_term_on_every_page(site: Site) -> None:
    """SPEC 2: a term's name is its smallest spelling in use, on every page that shows it.

    A post that brings a smaller spelling, or takes the last one away, renames the term on the
    pages of posts that were not changed, and on every list that shows them.
    """
    site.put("site.yaml", b"title: Names\npagerSize: 2\nbaseURL: https://t.example/\n")
    for n in range(5):
        site.put(f"posts/p{n}.md", post(f"Post {n}", f"2024-01-0{n + 1}", ["static sites"]))
    site.drain()
    assert_converged(site)
    assert ">#static sites</a>" in site.published()["posts/p0/index.html"][0].decode()
    site.put("posts/p4.md", post("Post 4", "2024-01-05", ["Static Sites"]))
    site.drain()
    assert_converged(site)
    published = site.published()
    for key in ("posts/p0/index.html", "page/2/index.html", "tags/static-sites/index.html"):
        html = published[key][0].decode()
        assert ">#Static Sites</a>" in html, key
        assert ">#static sites</a>" not in html, key
    site.delete("posts/p4.md")
    site.drain()
    assert_converged(site)
    assert ">#static sites</a>" in site.published()["posts/p0/index.html"][0].decode()


def test_a_sites_own_favicon_replaces_the_themes_and_the_themes_comes_back(site: Site) -> None:
    """A Blowfish site has its own `static/favicon.ico`: it was refused as "generated by pressroom"."""
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.drain()
    theme_icon = site.published()["favicon.ico"]
    site.put("favicon.ico", b"\x00\x00\x01\x00 my own icon")
    site.drain()
    assert_converged(site)
    assert site.published()["favicon.ico"][0] == b"\x00\x00\x01\x00 my own icon"
    assert site.errors() == {}
    site.delete("favicon.ico")
    site.drain()
    assert_converged(site)
    assert site.published()["favicon.ico"] == theme_icon


def test_a_first_level_leaf_bundle_publishes_as_a_standalone_page(site: Site) -> None:
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("about/index.md", b"---\ntitle: About\n---\n![Me](me.png)\n")
    site.put("about/me.png", b"\x89PNG me")
    site.drain()
    assert_converged(site)
    assert {"about/index.html", "about/me.png"} <= set(site.published())
    assert site.errors() == {}
    site.delete("about/index.md")
    site.drain()
    assert_converged(site)


def test_a_multilingual_hugo_root_publishes_its_default_language(site: Site) -> None:
    for key, body in multilingual_root().items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    assert "posts/a/index.html" in site.published() and "posts/a.en/index.html" not in site.published()
    before = site.published()
    site.put("content/posts/a.en.md", b"---\ntitle: A (en) again\n---\nEnglish.\n")
    site.drain()
    assert site.published() == before, "a page of a language not built changes nothing"
    site.put("content/posts/x/cover.png", b"\x89PNG cover")
    site.delete("content/posts/a.zh-tw.md")
    site.drain()
    assert_converged(site)


def test_weights_past_two_to_the_thirty_one_order_as_numbers(site: Site) -> None:
    site.put("posts/big.md", post("Big", "2024-01-01", ["x"], weight=2**40))
    site.put("posts/small.md", post("Small", "2024-01-01", ["x"], weight=3))
    site.put("posts/negative.md", post("Negative", "2024-01-01", ["x"], weight=-(2**35)))
    site.drain()
    assert_converged(site)
    home = site.published()["index.html"][0].decode()
    assert home.index("Negative") < home.index("Small") < home.index("Big")


def test_a_site_yaml_change_rebuilds_everything_in_chunks_that_hand_on(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, body in read_tree(CONTENT).items():
        site.put(key, body)
    site.drain()
    before = site.published()
    hand_on_often(monkeypatch)
    config = site.files["site.yaml"].replace(b"Gradient Notes", b"Gradient Notes, renamed")
    site.put("site.yaml", config)
    stats = site.drain()
    assert stats.batches > 3, "the rebuild was handed on through the queue"
    assert_converged(site)
    assert b"Gradient Notes, renamed" in site.published()["index.html"][0]
    assert_changes_invalidated(site, before)


@pytest.mark.parametrize(
    "broken", [b"title: [unclosed\n", ("params:\n" + billion_laughs("  ")).encode()], ids=["syntax", "alias bomb"]
)
def test_a_broken_site_yaml_is_reported_and_the_site_keeps_its_last_good_settings(site: Site, broken: bytes) -> None:
    site.put("site.yaml", b"title: Good\npagerSize: 2\n")
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.drain()
    good = dict(site.files)
    site.put("site.yaml", broken)
    site.put("posts/b.md", post("B", "2024-01-02", ["x"]))
    site.drain()
    assert site.dead_letters() == 0
    errors = site.errors()
    assert list(errors) == ["site.yaml"] and "YAML" in errors["site.yaml"][0]
    assert_converged(site, {**good, "posts/b.md": site.files["posts/b.md"]})
    site.put("site.yaml", b"title: Fixed\npagerSize: 2\n")
    site.drain()
    assert_converged(site)
    assert site.errors() == {}


def test_a_broken_layout_is_reported_and_the_site_keeps_its_theme(site: Site) -> None:
    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.drain()
    good = dict(site.files)
    site.put("layouts/page.html", b"{% extends 'base.html' %}{% block main %}{{ oops(}}{% endblock %}")
    site.drain()
    assert "layouts/page.html" in site.errors()
    assert_converged(site, good)
    site.put("layouts/page.html", b"{% extends 'base.html' %}{% block main %}<p>Own page</p>{% endblock %}")
    site.drain()
    assert_converged(site)
    assert b"Own page" in site.published()["posts/a/index.html"][0]


def test_a_main_sections_change_moves_pages_off_the_home_list(site: Site) -> None:
    site.put("site.yaml", b"title: Sections\n")
    site.put("posts/a.md", post("A post", "2024-01-01", ["x"]))
    site.put("notes/b.md", post("A note", "2024-01-02", ["x"]))
    site.drain()
    assert b"A note" in site.published()["index.html"][0]
    site.put("site.yaml", b"title: Sections\nparams:\n  mainSections: [posts]\n")
    site.drain()
    assert_converged(site)
    assert b"A note" not in site.published()["index.html"][0]


def test_past_the_url_limit_the_sitemap_becomes_an_index_of_parts(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from pressroom.core.rendering import sitemap

    monkeypatch.setattr(sitemap, "SITEMAP_URL_LIMIT", 10)
    monkeypatch.setattr(sitemap, "SITEMAP_PART_URLS", 4)
    for n in range(25):
        site.put(f"posts/p{n:02d}.md", post(f"P{n}", f"2024-01-{n + 1:02d}", [f"t{n % 3}"]))
    site.drain()
    assert_converged(site)
    assert "sitemap-pages-8-of-8.xml" in site.published()
    for n in range(22):  # 10 URLs left: home, posts, 2 taxonomies, 3 terms, 3 pages
        site.delete(f"posts/p{n:02d}.md")
    site.drain()
    assert_converged(site)
    assert not [key for key in site.published() if key.startswith("sitemap-")]


def test_an_old_post_changes_only_the_sitemap_part_its_url_hashes_to(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 23: a new post older than all used to shift every part after its place in the sorted
    list, so every part was read, rendered and written again; now its own part alone is."""
    from pressroom.core.rendering import sitemap
    from pressroom.core.site import outputs

    monkeypatch.setattr(sitemap, "SITEMAP_URL_LIMIT", 10)
    monkeypatch.setattr(sitemap, "SITEMAP_PART_URLS", 4)
    for n in range(24):  # 31 URLs: home, posts, 2 taxonomies, 3 terms, 24 pages: 8 parts
        site.put(f"posts/p{n:02d}.md", post(f"P{n}", f"2024-01-{n + 1:02d}", [f"t{n % 3}"]))
    site.drain()
    before = site.published()
    assert "sitemap-pages-8-of-8.xml" in before
    rendered: list[list[str]] = []
    lines = outputs.sitemap_lines
    monkeypatch.setattr(
        outputs,
        "sitemap_lines",
        lambda urls, absolute: rendered.append([u.path for u in urls]) or lines(urls, absolute),
    )
    site.put("posts/old.md", post("Old", "2020-01-01", ["t0"]))
    site.drain()
    assert len(rendered) == 1 and "/posts/old/" in rendered[0], "only the post's own part is rendered"
    after = site.published()
    changed = {key for key in {*before, *after} if key.startswith("sitemap") and before.get(key) != after.get(key)}
    assert changed == {sitemap.sitemap_key("pages", sitemap.sitemap_part("/posts/old/", 8), 8)}
    assert_converged(site)


def test_sitemap_parts_follow_the_url_count_up_and_down(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """The part count doubles and halves as URLs come and go (a redistribution from every part),
    and the index's URL count stays that of the full build's sitemap."""
    from pressroom.core.rendering import sitemap

    monkeypatch.setattr(sitemap, "SITEMAP_URL_LIMIT", 6)
    monkeypatch.setattr(sitemap, "SITEMAP_PART_URLS", 2)
    monkeypatch.setattr(sitemap, "SITEMAP_LIST_PART_URLS", 4)
    for batch in range(4):
        for n in range(batch * 4, batch * 4 + 4):
            site.put(f"posts/p{n:02d}.md", post(f"P{n}", f"2024-02-{n + 1:02d}", [f"t{n}", "shared"]))
        site.drain()
        assert_converged(site)
    assert {"sitemap-pages-8-of-8.xml", "sitemap-lists-8-of-8.xml"} <= set(site.published())  # 16 pages, 21 lists
    site.put("posts/p03.md", post("P3", "2024-02-04", ["t3"], draft=True))
    site.put("posts/p05.md", post("P5 moved", "2024-02-06", ["t5"], slug="moved"))
    site.drain()
    assert_converged(site)
    for n in range(2, 16):
        site.delete(f"posts/p{n:02d}.md")
        if n % 5 == 0:
            site.drain()
            assert_converged(site)
    site.drain()
    assert_converged(site)
    assert {"sitemap-pages-1-of-1.xml", "sitemap-lists-2-of-2.xml"} <= set(site.published())  # 2 pages, 7 lists
    site.delete("posts/p01.md")
    site.put("posts/p00.md", post("P0", "2024-02-01", ["shared"]))
    site.drain()
    assert_converged(site)  # 6 URLs: one sitemap.xml again
    assert not [key for key in site.published() if key.startswith("sitemap-")]


def test_a_url_passing_between_a_page_and_a_list_leaves_its_sitemap_part(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A root page at /notes/ and a section `notes` claim the same URL: as the owner changes, the
    URL moves between the pages' parts and the lists' parts of the sitemap, never in both."""
    from pressroom.core.rendering import sitemap

    monkeypatch.setattr(sitemap, "SITEMAP_URL_LIMIT", 4)
    monkeypatch.setattr(sitemap, "SITEMAP_PART_URLS", 2)
    monkeypatch.setattr(sitemap, "SITEMAP_LIST_PART_URLS", 2)
    for n in range(4):
        site.put(f"posts/p{n}.md", post(f"P{n}", f"2024-03-0{n + 1}", ["x"]))
    site.put("notes.md", post("Notes page", "2024-03-09", ["x"]))
    site.drain()
    assert_converged(site)
    for step in range(2):
        site.put("notes/n.md", post("A note", "2024-03-10", ["x"]))
        site.drain()
        assert_converged(site)
        site.delete("notes/n.md")
        site.drain()
        assert_converged(site)
        site.put("notes.md", post("Notes page", "2024-03-09", ["x"], draft=bool(step)))


def test_hostile_keys_and_broken_files_in_one_batch_publish_the_rest_and_are_not_retried(site: Site) -> None:
    site.put("posts/good.md", post("Good", "2024-01-01", ["x"]))
    site.put("posts/with space +plus é.md", post("Spaced", "2024-01-02", ["x"]))
    site.put("posts/bom.md", b"\xef\xbb\xbf---\r\ntitle: BOM\r\n---\r\nText\r\n")
    site.put("posts/binary.md", b"\x00\x01\x02")
    site.put("posts/latin1.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    site.put("posts/escape.md", post("Escape", "2024-01-03", ["x"], url="/../../etc/"))
    site.put("posts/tags.md", post("Tags URL", "2024-01-03", ["x"], url="/tags/"))
    anchors = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcd", "bcde", strict=True)
    )
    site.put("posts/bomb.md", f"---\n{anchors}---\n".encode())  # an alias bomb
    site.put("posts/python.md", b"---\ntitle: !!python/object/apply:os.system [ls]\n---\n")
    site.put("posts/list.md", b"---\n- a\n- b\n---\n")
    site.put("posts/date.md", b"---\ntitle: D\ndate: 2023-02-30\n---\n")
    site.put("posts/huge.md", b"---\ntitle: Huge\n---\n" + b"x" * (5 * 1024 * 1024 + 10))
    site.s3.put_object(Bucket=site.names["SOURCE_BUCKET"], Key="posts/folder.md/", Body=b"")
    stats = site.drain()
    assert stats.failed_last == 0
    assert site.dead_letters() == 0
    published = site.published()
    assert {"posts/good/index.html", "posts/with-space-+plus-é/index.html", "posts/bom/index.html"} <= set(published)
    failed = set(site.errors())
    bad = {"posts/binary.md", "posts/latin1.md", "posts/escape.md", "posts/tags.md", "posts/bomb.md"}
    bad |= {"posts/python.md", "posts/list.md", "posts/date.md", "posts/huge.md"}
    assert failed == bad
    good = {key: body for key, body in site.files.items() if key not in bad}
    assert_converged(site, good)


def test_source_keys_that_would_leave_the_site_are_reported_and_never_published(site: Site) -> None:
    """S3 keys are any string: `..`, a leading `/` or a backslash is a content error naming the key."""
    site.put("posts/good.md", post("Good", "2024-01-01", ["x"]))
    site.drain()
    before = site.published()
    hostile = ["../outside.png", "posts/../../up.png", "posts/./dot.png", "posts//double.png", "posts/a\\b.png"]
    hostile += ["/abs.png", "/about.md", "posts/../index.md"]
    for key in hostile:
        site.put(key, post("Escaping", "2024-01-02", ["x"]) if key.endswith(".md") else b"\x89PNG")
    stats = site.drain()
    assert stats.failed_last == 0 and site.dead_letters() == 0
    assert set(site.errors()) == set(hostile)
    assert all("leave the site" in problems[0] for problems in site.errors().values()), site.errors()
    assert site.published() == before, "nothing published from them, nothing lost"
    assert_converged(site, {"posts/good.md": site.files["posts/good.md"]})


@pytest.mark.parametrize("key", ["../x.html", "posts/../../x.html", "/x.html", "a\\x.html", "a/./x.html"])
def test_the_site_writers_refuse_a_key_that_could_leave_the_site(site: Site, key: str) -> None:
    from pressroom.adapters.aws.s3 import S3SiteStore
    from pressroom.adapters.memory import MemorySite
    from pressroom.core.rendering.mime import headers
    from pressroom.exceptions import PressroomError

    bucket = S3SiteStore(site.s3, site.names["SITE_BUCKET"])
    for store in (bucket, MemorySite(name="site")):
        with pytest.raises(PressroomError, match="refused"):
            store.put(key, b"<p>escaped</p>", headers("x.html"))
        assert store.list_keys() == []


def test_the_sample_event_sam_local_invoke_sends_publishes_from_the_bucket_it_names(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = json.loads((EVENTS / "s3-put.json").read_text())
    record = event["Records"][0]
    bucket = record["s3"]["bucket"]["name"]
    key = record["s3"]["object"]["key"]
    from urllib.parse import unquote_plus

    site.s3.create_bucket(Bucket=bucket)
    site.s3.put_object(Bucket=bucket, Key=unquote_plus(key), Body=post("From sam", "2024-01-01", ["x"]))
    monkeypatch.delenv("SOURCE_BUCKET")
    site.invoke(event)
    assert any(b"From sam" in body for body, *_ in site.published().values())


def test_without_queue_url_the_handler_hands_on_to_the_queue_its_event_came_from(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressroom.engine import publisher, writing

    monkeypatch.delenv("QUEUE_URL")
    monkeypatch.setattr(writing, "RENDER_CHUNK", 3)
    steps = [0]
    out_of_time = publisher.Publisher.out_of_time

    def budget(self: publisher.Publisher) -> bool:
        steps[0] += 1
        return steps[0] % 3 == 0 or out_of_time(self)

    monkeypatch.setattr(publisher.Publisher, "out_of_time", budget)
    for n in range(6):
        site.put(f"posts/p{n}.md", post(f"P{n}", f"2024-01-0{n + 1}", ["x"]))
    stats = site.drain()
    assert stats.batches > 1
    assert_converged(site)


def test_a_new_stylesheet_gets_a_new_name_every_page_links_to_and_the_old_name_goes(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy that changes the theme's stylesheet: browsers keep the old one a year, so it
    must be a new name, and the site rebuilt to link to it, with no source change needed."""
    from pressroom.core.markdown import highlighting
    from pressroom.core.rendering import theme
    from pressroom.core.rendering.mime import IMMUTABLE_CACHE_CONTROL

    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("posts/b.md", post("B", "2024-01-02", ["x"]))
    site.drain()
    old = theme.stylesheet_key()
    assert site.published()[old][2] == IMMUTABLE_CACHE_CONTROL
    code_styles = highlighting.pygments_css()
    caches = (theme.stylesheet, theme.stylesheet_key, theme.theme_digest)
    monkeypatch.setattr(
        highlighting, "pygments_css", lambda: ".highlight .next-version { color: #123456 }\n" + code_styles
    )
    try:
        for cached in caches:
            cached.cache_clear()
        new = theme.stylesheet_key()
        assert new != old
        before = site.published()
        site.invoke({"pressroom": "tick"})  # the hourly tick after the deploy
        site.drain()
        published = site.published()
        assert old not in published
        assert f'href="/{new}"'.encode() in published["posts/a/index.html"][0]
        assert_converged(site)
        assert_changes_invalidated(site, before)
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()


def test_an_index_of_another_layout_is_rebuilt_before_any_event_reads_it(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deploy that changes how the index is laid out (INDEX_FORMAT): the next event rebuilds the
    site into a new generation instead of reading items it no longer understands."""
    from pressroom.engine import generation as index
    from pressroom.engine.control import Control
    from pressroom.shells.runtime import Resources, ports

    site.put("posts/a.md", post("A", "2024-01-01", ["x"]))
    site.put("posts/b.md", post("B", "2024-01-02", ["x"]))
    site.drain()
    table = Control(ports(Resources.from_env()).table).table
    built = table.get("lease", "site")
    assert built is not None
    monkeypatch.setattr(index, "INDEX_FORMAT", index.INDEX_FORMAT + 1)
    site.put("posts/c.md", post("C", "2024-01-03", ["x", "y"]))
    site.drain()
    rebuilt = table.get("lease", "site")
    assert rebuilt is not None and int(rebuilt["gen"]) > int(built["gen"])
    assert_converged(site)
