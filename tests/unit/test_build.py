"""The full build (SPEC 2 and 3.3): a content tree in, every page of the site out, safely and repeatably."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from tests.support.html import without_theme_scripts

from pressroom.core.build import SiteBuild, build_site
from pressroom.core.rendering.mime import content_type
from pressroom.core.rendering.theme import library_files, stylesheet_key
from pressroom.core.site.urls import unsafe_key_reason
from pressroom.shells.pools import ForkedPool
from support.images import TINY_PNG

NOW = datetime(2026, 11, 29, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"


def page(front: str, body: str = "Some text.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


def blog() -> dict[str, bytes]:
    """Five posts (pagerSize 2, feedLimit 3), a bundle with an image, a root page and an alias."""
    files = {
        "site.yaml": b"title: Field Notes\nbaseURL: https://blog.example.com/\npagerSize: 2\nfeedLimit: 3\n",
        "_index.md": page("title: Welcome\n", "Hello from the home page.\n"),
        "posts/_index.md": page("title: All posts\n"),
        "about.md": page("title: About\n", "Who I am.\n"),
        "posts/road-trip/index.md": page("title: Road trip\ndate: 2025-03-01\ntags: [Travel]\n", "![Road](road.png)\n"),
        "posts/road-trip/road.png": TINY_PNG,
        "img/logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    for day in range(1, 5):
        tags = "[Python, Core beliefs]" if day % 2 else "[python]"
        aliases = "aliases: [/2019/first-post/]\n" if day == 1 else ""
        files[f"posts/Post {day}.md"] = page(f"title: Post {day}\ndate: 2025-01-0{day}\ntags: {tags}\n{aliases}")
    return files


@pytest.fixture(scope="module")
def blog_site() -> SiteBuild:
    """The blog built once: the tests that only read it share it."""
    return build_site(blog(), NOW)


def items(feed: bytes) -> list[str]:
    return [item.findtext("title") or "" for item in ElementTree.fromstring(feed).iter("item")]


def test_a_small_blog_builds_every_expected_page(blog_site: SiteBuild) -> None:
    site = blog_site
    assert site.errors == []
    assert site.published == 6
    variants = {key for key in site.outputs if re.fullmatch(r"posts/road-trip/road\.[0-9a-f]{12}\.1\.\w+", key)}
    assert sorted(key.rsplit(".", 1)[1] for key in variants) == ["avif", "png", "webp"]
    assert set(site.outputs) - variants == {
        "favicon.ico",
        "js/theme.js",
        "js/main.js",
        "js/diagrams.js",
        "js/maths.js",
        *library_files(),
        "search/index.html",
        "index.json",
        "search/part-0-of-1.json",
        "index.html",
        "page/2/index.html",
        "page/3/index.html",
        "index.xml",
        "posts/index.html",
        "posts/page/2/index.html",
        "posts/page/3/index.html",
        "posts/index.xml",
        "posts/post-1/index.html",
        "posts/post-2/index.html",
        "posts/post-3/index.html",
        "posts/post-4/index.html",
        "posts/road-trip/index.html",
        "posts/road-trip/road.png",
        "about/index.html",
        "2019/first-post/index.html",
        "tags/index.html",
        "tags/python/index.html",
        "tags/python/page/2/index.html",
        "tags/python/index.xml",
        "tags/core-beliefs/index.html",
        "tags/core-beliefs/index.xml",
        "tags/travel/index.html",
        "tags/travel/index.xml",
        "categories/index.html",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        stylesheet_key(),
        "img/logo.svg",
        # Hugo's redirects from each list's `page/1/`, and its taxonomy feeds:
        "page/1/index.html",
        "posts/page/1/index.html",
        "tags/python/page/1/index.html",
        "tags/core-beliefs/page/1/index.html",
        "tags/travel/page/1/index.html",
        "tags/index.xml",
        "categories/index.xml",
    }


def test_assets_are_copied_byte_for_byte() -> None:
    files = blog()
    site = build_site(files, NOW)
    assert site.outputs["posts/road-trip/road.png"] == files["posts/road-trip/road.png"]
    assert site.outputs["img/logo.svg"] == files["img/logo.svg"]


def test_every_output_has_the_content_type_of_its_kind(blog_site: SiteBuild) -> None:
    site = blog_site
    types = {key: content_type(key) for key in site.outputs}
    assert types["index.html"] == "text/html; charset=utf-8"
    assert types["posts/index.xml"] == "application/rss+xml"
    assert types["sitemap.xml"] == "application/xml"
    assert types[stylesheet_key()] == "text/css; charset=utf-8"
    assert types["posts/road-trip/road.png"] == "image/png"


def test_feeds_hold_the_newest_feed_limit_items(blog_site: SiteBuild) -> None:
    site = blog_site
    assert items(site.outputs["index.xml"]) == ["Road trip", "Post 4", "Post 3"]
    assert items(site.outputs["tags/python/index.xml"]) == ["Post 4", "Post 3", "Post 2"]
    assert items(site.outputs["tags/travel/index.xml"]) == ["Road trip"]


def test_list_pages_hold_pager_size_entries_newest_first(blog_site: SiteBuild) -> None:
    site = blog_site
    links = {
        key: re.findall(r'<h2><a href="([^"]+)">', site.outputs[key].decode())
        for key in ("index.html", "page/2/index.html", "page/3/index.html")
    }
    assert links == {
        "index.html": ["/posts/road-trip/", "/posts/post-4/"],
        "page/2/index.html": ["/posts/post-3/", "/posts/post-2/"],
        "page/3/index.html": ["/posts/post-1/"],
    }


def test_root_pages_are_published_but_not_listed(blog_site: SiteBuild) -> None:
    site = blog_site
    assert "Who I am." in site.outputs["about/index.html"].decode()
    assert all("/about/" not in site.outputs[key].decode() for key in ("index.html", "posts/index.html", "index.xml"))


def test_intro_titles_and_text_head_their_lists(blog_site: SiteBuild) -> None:
    site = blog_site
    home = site.outputs["index.html"].decode()
    assert "<h1>Welcome</h1>" in home
    assert "Hello from the home page." in home
    assert "Hello from the home page." not in site.outputs["page/2/index.html"].decode()
    assert "<h1>All posts</h1>" in site.outputs["posts/index.html"].decode()


def test_term_display_name_is_the_smallest_spelling_on_every_page(blog_site: SiteBuild) -> None:
    # SPEC 2: "Python" and "python" are one term, named by the smallest spelling in use, on every
    # page that shows it, whichever spelling a post uses.
    site = blog_site
    assert "<h1>Python</h1>" in site.outputs["tags/python/index.html"].decode()
    assert '<a href="/tags/python/">Python</a> <span class="count">4</span>' in site.outputs["tags/index.html"].decode()
    for key in ("posts/post-1/index.html", "posts/post-2/index.html", "index.html", "tags/core-beliefs/index.html"):
        html = site.outputs[key].decode()
        assert ">#Python</a>" in html, key
        assert ">#python</a>" not in html, key
    assert ">#Core beliefs</a>" in site.outputs["posts/post-1/index.html"].decode()


def test_bundle_images_stay_as_written_and_resolve_under_the_page(blog_site: SiteBuild) -> None:
    # As in Hugo: the bundle is published at its folder, so its relative image works as written,
    # and so do its variants' names beside it.
    html = blog_site.outputs["posts/road-trip/index.html"].decode()
    found = re.search(r'<img src="(road\.[0-9a-f]{12}\.1\.png)"', html)
    assert found is not None and f"posts/road-trip/{found.group(1)}" in blog_site.outputs
    assert "posts/road-trip/road.png" in blog_site.outputs


def test_alias_redirects_to_the_page(blog_site: SiteBuild) -> None:
    html = blog_site.outputs["2019/first-post/index.html"].decode()
    assert '<link rel="canonical" href="https://blog.example.com/posts/post-1/">' in html
    assert '<meta http-equiv="refresh" content="0; url=../../posts/post-1/">' in html


def test_neighbours_link_to_each_other(blog_site: SiteBuild) -> None:
    site = blog_site
    second = site.outputs["posts/post-2/index.html"].decode()
    assert 'rel="next" href="/posts/post-3/"' in second
    assert 'rel="prev" href="/posts/post-1/"' in second
    newest = site.outputs["posts/road-trip/index.html"].decode()
    assert 'rel="prev" href="/posts/post-4/"' in newest
    assert 'class="newer"' not in newest


def test_sitemap_and_robots(blog_site: SiteBuild) -> None:
    site = blog_site
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text or "" for loc in ElementTree.fromstring(site.outputs["sitemap.xml"]).iter(f"{namespace}loc")]
    assert "https://blog.example.com/posts/post-1/" in locations
    assert "https://blog.example.com/about/" in locations
    assert "https://blog.example.com/tags/core-beliefs/" in locations
    assert "https://blog.example.com/2019/first-post/" not in locations  # a redirect is not a page
    assert locations == sorted(locations)
    assert b"Sitemap: https://blog.example.com/sitemap.xml" in site.outputs["robots.txt"]
    assert b"Page not found" in site.outputs["404.html"]


def test_two_builds_of_the_same_input_are_byte_identical() -> None:
    first = build_site(blog(), NOW)
    second = build_site(dict(reversed(list(blog().items()))), NOW)
    assert first.outputs == second.outputs


def test_drafts_future_and_expired_posts_are_absent_everywhere() -> None:
    files = {
        "posts/live.md": page("title: Live\ndate: 2025-01-01\ntags: [shown]\n"),
        "posts/draft.md": page("title: Secret draft\ndate: 2025-01-02\ndraft: true\ntags: [hidden]\n"),
        "posts/future.md": page("title: Secret future\ndate: 2026-12-25\ntags: [hidden]\n"),
        "posts/scheduled.md": page("title: Secret scheduled\ndate: 2025-01-01\npublishDate: 2026-11-30\n"),
        "posts/expired.md": page("title: Secret expired\ndate: 2025-01-01\nexpiryDate: 2026-01-01\n"),
    }
    site = build_site(files, NOW)
    assert site.published == 1
    assert set(site.outputs) >= {"posts/live/index.html", "tags/shown/index.html"}
    assert not [key for key in site.outputs if "secret" in key or "draft" in key or "future" in key or "hidden" in key]
    assert not [key for key, body in site.outputs.items() if b"Secret" in body]


def test_the_scheduled_post_appears_once_its_time_has_come() -> None:
    files = {"posts/later.md": page("title: Later\ndate: 2025-01-01\npublishDate: 2026-11-30\n")}
    assert "posts/later/index.html" not in build_site(files, NOW).outputs
    assert "posts/later/index.html" in build_site(files, datetime(2026, 11, 30, tzinfo=UTC)).outputs


def test_hostile_text_is_escaped_in_every_output() -> None:
    files = {
        "site.yaml": f"title: '{HOSTILE}'\ndescription: '{HOSTILE}'\nauthor: '{HOSTILE}'\n".encode(),
        "posts/a.md": page(
            f"title: '{HOSTILE}'\ndescription: '{HOSTILE}'\ntags: ['{HOSTILE}']\ncategories: ['{HOSTILE}']\n"
            f"featureAlt: '{HOSTILE}'\nicon: '{HOSTILE}'\ndate: 2025-01-01\n",
            f"{HOSTILE}\n\n<img src=x onerror=alert(2)>\n\n<b>bold</b>\n",
        ),
        "posts/b.md": page(f"title: b\nsummary: '{HOSTILE}'\ndate: 2025-01-02\n"),
        "tags/_index.md": page(f"title: '{HOSTILE}'\n", f"{HOSTILE}\n"),
    }
    site = build_site(files, NOW)
    assert site.errors == []
    for key, body in site.outputs.items():
        text = body.decode("utf-8", "replace").lower()
        if key.endswith((".html", ".xml")):
            assert "<script" not in without_theme_scripts(text), key
            assert "<img src=x" not in text, key
            assert "<b>bold" not in text, key
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in site.outputs["posts/a/index.html"].decode()


def test_unsafe_html_true_passes_raw_html() -> None:
    files = {
        "site.yaml": b"unsafeHTML: true\n",
        "posts/a.md": page("title: A\n", '<div class="note"><b>bold</b></div>\n\nText with <kbd>Ctrl</kbd>.\n'),
    }
    html = build_site(files, NOW).outputs["posts/a/index.html"].decode()
    assert '<div class="note"><b>bold</b></div>' in html
    assert "<kbd>Ctrl</kbd>" in html


def test_javascript_links_are_not_links() -> None:
    files = {"posts/a.md": page("title: A\n", "[click](javascript:alert(1)) and [ok](https://example.org/)\n")}
    html = build_site(files, NOW).outputs["posts/a/index.html"].decode()
    assert not re.search(r"href=[\"']?\s*javascript:", html, re.IGNORECASE)
    assert '<a href="https://example.org/">ok</a>' in html


def test_two_pages_claiming_one_url_the_smaller_source_key_wins() -> None:
    files = {
        "posts/my-post.md": page("title: Lowercase file\n"),
        "posts/My Post.md": page("title: Spaced file\n"),
        "posts/other.md": page("title: Other\nslug: my-post\n"),
    }
    for _ in range(2):  # deterministic, whatever the order of the files
        site = build_site(files, NOW)
        assert "Spaced file" in site.outputs["posts/my-post/index.html"].decode()
        assert sorted(error.source_key for error in site.errors) == ["posts/my-post.md", "posts/other.md"]
        assert all("posts/My Post.md" in str(error) and "/posts/my-post/" in str(error) for error in site.errors)
        files = dict(reversed(list(files.items())))


def test_a_page_may_not_take_a_section_list_url() -> None:
    files = {"posts/a.md": page("title: A\n"), "notes/x.md": page("title: X\nurl: /posts/\n")}
    site = build_site(files, NOW)
    assert [error.source_key for error in site.errors] == ["notes/x.md"]
    assert "X" not in re.findall(r"<h1>(.*?)</h1>", site.outputs["posts/index.html"].decode())


def test_an_alias_taken_by_a_page_is_not_published() -> None:
    files = {"about.md": page("title: About\n"), "posts/a.md": page("title: A\naliases: [/about/]\n")}
    site = build_site(files, NOW)
    assert "<h1>About</h1>" in site.outputs["about/index.html"].decode()
    assert [error.source_key for error in site.errors] == ["posts/a.md"]


def test_a_broken_file_is_reported_while_the_rest_builds() -> None:
    files = {
        "posts/good.md": page("title: Good\n"),
        "posts/bad-yaml.md": b"---\ntitle: [unclosed\n---\nBody\n",
        "posts/bad-bytes.md": b"---\ntitle: caf\xe9\n---\n",
        "posts/bad-date.md": page("title: Bad\ndate: 2023-02-30\n"),
        "posts/_index.md": b"---\ntitle: never closed\n",
    }
    site = build_site(files, NOW)
    assert sorted(error.source_key for error in site.errors) == [
        "posts/_index.md",
        "posts/bad-bytes.md",
        "posts/bad-date.md",
        "posts/bad-yaml.md",
    ]
    assert "posts/good/index.html" in site.outputs
    assert "Good" in site.outputs["posts/index.html"].decode()


def test_a_bad_site_yaml_is_reported_and_nothing_is_built() -> None:
    site = build_site({"site.yaml": b"pagerSize: many\n", "posts/a.md": page("title: A\n")}, NOW)
    assert [error.source_key for error in site.errors] == ["site.yaml"]
    assert site.outputs == {}


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("site.yaml", "taxonomies:\n  tag: ../../escaped\n"),
        ("site.yaml", "taxonomies:\n  tag: tags/../..\n"),
        ("config/_default/permalinks.toml", 'tags = "/../../:slug/"\n'),
        ("config/_default/hugo.toml", 'staticDir = ["static", "../.."]\n'),
        ("config/_default/hugo.toml", 'contentDir = "../content"\n'),
    ],
)
def test_settings_that_would_publish_outside_the_site_are_refused_naming_their_file(name: str, settings: str) -> None:
    files = {name: settings.encode(), "posts/a.md": page("title: A\ntags: [x]\n")}
    files["content/posts/a.md"] = files["posts/a.md"]
    site = build_site(files, NOW)
    assert [error.source_key for error in site.errors] == [name]
    assert site.outputs == {}


def test_a_term_named_dot_or_dot_dot_is_refused_and_overwrites_no_list() -> None:
    files = {
        "posts/a.md": page('title: A\ntags: [".."]\n'),
        "posts/b.md": page('title: B\ncategories: ["."]\n'),
        "posts/c.md": page('title: C\ntags: [fine, "..."]\n'),
    }
    site = build_site(files, NOW)
    assert sorted(error.source_key for error in site.errors) == ["posts/a.md", "posts/b.md"]
    assert all(unsafe_key_reason(key) is None for key in site.outputs)
    assert "<h1>C</h1>" in site.outputs["posts/c/index.html"].decode()


@pytest.mark.parametrize(
    "key",
    [
        *("../outside.png", "posts/../../up.png", "posts/./dot.png", "posts//double.png", "posts/a\\b.png"),
        *("/abs.png", "/about.md", "posts//x.md"),
    ],
)
def test_a_source_key_that_leaves_the_root_is_a_content_error_naming_it(key: str) -> None:
    """Keys from the source bucket can hold anything: such a file is reported, never published."""
    body = page("title: Escaping\n") if key.endswith(".md") else b"\x89PNG"
    site = build_site({key: body, "posts/good.md": page("title: Good\n")}, NOW)
    assert [error.source_key for error in site.errors] == [key]
    assert all(unsafe_key_reason(output) is None for output in site.outputs)
    assert "posts/good/index.html" in site.outputs


def test_an_unknown_site_yaml_key_is_a_warning() -> None:
    site = build_site({"site.yaml": b"theme: blowfish\n"}, NOW)
    assert site.errors == []
    assert any("theme" in warning for warning in site.warnings)


def test_a_missing_title_is_a_warning_and_the_file_name_is_used() -> None:
    site = build_site({"posts/my-first-post.md": b""}, NOW)
    assert site.errors == []
    assert any(warning.startswith("posts/my-first-post.md") for warning in site.warnings)
    assert "<h1>My first post</h1>" in site.outputs["posts/my-first-post/index.html"].decode()


def test_layouts_page_html_overrides_the_theme() -> None:
    files = {
        "layouts/page.html": b"<!doctype html><title>{{ page.title }}</title><main>{{ body.html | safe }}</main>\n",
        "posts/a.md": page("title: A & B\n", "Hi.\n"),
    }
    site = build_site(files, NOW)
    assert site.outputs["posts/a/index.html"] == b"<!doctype html><title>A &amp; B</title><main><p>Hi.</p>\n</main>\n"
    assert "layouts/page.html" not in site.outputs


def test_a_sites_taxonomy_layout_gets_each_term_as_the_theme_documents_it() -> None:
    """A site's own `layouts/taxonomy.html` reads a term's `url` (its site path, for `| rel`) and
    `list_id`, under a base URL with a path too."""
    files = {
        "site.yaml": b"title: T\nbaseURL: https://x.example/blog/\n",
        "layouts/taxonomy.html": b"{% for term in terms %}"
        b"[{{ term.url | rel }}|{{ term.list_id }}|{{ term.count }}]{% endfor %}",
        "posts/a.md": page("title: A\ntags: [Go Lang]\n", "x\n"),
    }
    site = build_site(files, NOW)
    assert site.outputs["tags/index.html"] == b"[/blog/tags/go-lang/|tags/go-lang|1]"


def test_naive_dates_are_read_in_the_site_time_zone() -> None:
    files = {
        "site.yaml": b"timeZone: America/New_York\n",
        "posts/a.md": page("title: A\ndate: 2025-07-12 23:30:00\n"),
    }
    site = build_site(files, NOW)
    html = site.outputs["posts/a/index.html"].decode()
    assert '<time datetime="2025-07-12T23:30:00-04:00">12 July 2025</time>' in html
    assert b"<pubDate>Sat, 12 Jul 2025 23:30:00 -0400</pubDate>" in site.outputs["index.xml"]


def test_the_parallel_build_equals_the_serial_build() -> None:
    files = blog()
    files["posts/broken.md"] = b"---\ntitle: [unclosed\n---\n"
    parallel_pool = ForkedPool(2, parallel_from=1)  # both phases on processes, even for a small blog
    serial, parallel = build_site(files, NOW), build_site(files, NOW, parallel_pool)
    assert list(parallel.outputs.items()) == list(serial.outputs.items())  # same bytes, same order
    assert [str(error) for error in parallel.errors] == [str(error) for error in serial.errors] != []
    assert (parallel.published, parallel.entries, parallel.parsed) == (serial.published, serial.entries, serial.parsed)


def test_a_pool_counts_an_items_weight_before_starting_processes() -> None:
    """Ten images weigh as much as 200 rendered outputs (`IMAGE_WEIGHT`): a photo blog's images
    are made on every core, though it has fewer images than the threshold's count of outputs."""
    from pressroom.core.build import IMAGE_WEIGHT
    from pressroom.shells.pools import PARALLEL_THRESHOLD

    def pids(start: int, stop: int) -> list[int]:
        return [os.getpid()] * (stop - start)

    images = PARALLEL_THRESHOLD // IMAGE_WEIGHT
    assert set(ForkedPool(2).map_chunks(pids, images - 1, IMAGE_WEIGHT)) == {os.getpid()}
    assert set(ForkedPool(2).map_chunks(pids, images - 1)) == {os.getpid()}
    made = ForkedPool(2).map_chunks(pids, images, IMAGE_WEIGHT)
    assert len(made) == images and os.getpid() not in made


def test_a_leaf_bundle_at_the_first_level_is_a_standalone_page_as_in_hugo() -> None:
    # Blowfish sites keep `content/about/index.md` (with its images): Hugo publishes it at /about/
    # as a page of no section. It was taken for section `about`, whose list beat the page.
    files = {
        "posts/a.md": page("title: A\ndate: 2025-01-01\n"),
        "about/index.md": page("title: About me\n", "![Me](me.png)\n"),
        "about/me.png": b"\x89PNG me",
    }
    site = build_site(files, NOW)
    assert site.errors == []
    about = site.outputs["about/index.html"].decode()
    assert "<h1>About me</h1>" in about and 'src="me.png"' in about
    assert site.outputs["about/me.png"] == b"\x89PNG me"
    assert "about/index.xml" not in site.outputs, "no section list or feed for a page"
    assert "/about/" not in site.outputs["index.html"].decode(), "a standalone page is not listed"
