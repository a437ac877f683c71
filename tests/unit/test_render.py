"""Rendering one output to bytes (SPEC 2): Content-Types, templates, escaping, dates in the site's zone."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from tests.support.html import without_theme_scripts

from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.core.rendering.mime import (
    ASSET_CACHE_CONTROL,
    IMMUTABLE_CACHE_CONTROL,
    PAGE_CACHE_CONTROL,
    cache_control,
    content_type,
)
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.core.site.lists import MemoryIndex
from pressroom.core.site.model import Entry, PageBody
from pressroom.core.site.outputs import (
    AliasOutput,
    AssetOutput,
    FeedOutput,
    ListOutput,
    Output,
    PageOutput,
    SearchOutput,
    SitemapOutput,
    StaticOutput,
    TaxonomyOutput,
)

CONFIG = parse_config("title: Field Notes\nbaseURL: https://blog.example.com/\nauthor: Ada\n")[0]
HOSTILE = "<script>alert(1)</script>"


def entry(key: str, title: str, day: int, **fields: Any) -> Entry:
    base = Entry(
        source_key=key,
        path=key.removesuffix(".md"),
        section="posts",
        title=title,
        date=datetime(2025, 1, day, 12, tzinfo=UTC),
        reading_time=3,
    )
    return replace(base, **fields)


def body_of(_key: str) -> PageBody:
    return PageBody("<p>The body.</p>\n")


def render(
    output: Output, entries: list[Entry], config: SiteConfig = CONFIG, layouts: dict[str, str] | None = None
) -> str:
    renderer = Renderer(config, layouts)
    return renderer.render(output, MemoryIndex(config, entries), body_of).decode("utf-8")


# --- Content-Type and caching ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("posts/x/index.html", "text/html; charset=utf-8"),
        ("404.html", "text/html; charset=utf-8"),
        ("index.xml", "application/rss+xml"),
        ("tags/go/index.xml", "application/rss+xml"),
        ("sitemap.xml", "application/xml"),
        ("css/main.css", "text/css; charset=utf-8"),
        ("css/main.0123456789abcdef.css", "text/css; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
        ("posts/x/cat.png", "image/png"),
        ("img/Photo.JPG", "image/jpeg"),
        ("img/logo.svg", "image/svg+xml"),
        ("files/paper.pdf", "application/pdf"),
        ("files/blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_type_per_key(key: str, expected: str) -> None:
    assert content_type(key) == expected


def test_content_type_never_comes_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two machines with different /etc/mime.types must write the same objects (issue 9)."""
    import mimetypes

    def machine_table(*args: object, **kwargs: object) -> tuple[str, None]:
        return ("application/x-from-this-machine", None)

    monkeypatch.setattr(mimetypes, "guess_type", machine_table)
    monkeypatch.setattr(mimetypes.MimeTypes, "guess_type", machine_table)
    keys = ["a.woff2", "b.webp", "c.js", "d.md", "e.avif", "f.mjs", "g.ico", "h.yaml", "x.tar.gz", "noext"]
    assert "application/x-from-this-machine" not in {content_type(key) for key in keys}
    assert content_type("x.tar.gz") == "application/gzip"


def test_only_names_that_change_with_their_content_are_cached_for_long() -> None:
    assert cache_control(PageOutput("posts/a.md", "posts/a").key) == PAGE_CACHE_CONTROL
    assert cache_control(FeedOutput("").key) == PAGE_CACHE_CONTROL
    assert cache_control("sitemap.xml") == PAGE_CACHE_CONTROL
    assert cache_control(SearchOutput().key) == PAGE_CACHE_CONTROL  # every publish may change it
    # A bundle image keeps the author's name: a replaced one must reach browsers soon.
    assert cache_control(AssetOutput("img/a.png", "img/a.png").key) == ASSET_CACHE_CONTROL
    assert cache_control("css/main.css") == ASSET_CACHE_CONTROL  # an author's own, not fingerprinted
    assert cache_control(stylesheet_key()) == IMMUTABLE_CACHE_CONTROL
    assert "max-age=300" in PAGE_CACHE_CONTROL and "must-revalidate" in PAGE_CACHE_CONTROL
    assert "max-age=3600" in ASSET_CACHE_CONTROL and "must-revalidate" in ASSET_CACHE_CONTROL
    assert "max-age=31536000" in IMMUTABLE_CACHE_CONTROL and "immutable" in IMMUTABLE_CACHE_CONTROL


def test_the_stylesheet_is_named_by_its_content_and_every_page_links_to_that_name() -> None:
    css = render(StaticOutput(stylesheet_key()), []).encode()
    assert stylesheet_key() == f"css/main.{hashlib.sha256(css).hexdigest()[:16]}.css"
    assert f'<link rel="stylesheet" href="/{stylesheet_key()}">' in render(StaticOutput("404.html"), [])


# --- pages ----------------------------------------------------------------------------------------


def test_a_page_shows_title_date_reading_time_tags_and_canonical_url() -> None:
    post = entry("posts/a.md", "Hello", 5, tags=("Core beliefs",), categories=("Columns",))
    html = render(PageOutput("posts/a.md", "posts/a"), [post])
    assert "<title>Hello · Field Notes</title>" in html
    assert '<link rel="canonical" href="https://blog.example.com/posts/a/">' in html
    assert '<time datetime="2025-01-05T12:00:00+00:00">5 January 2025</time>' in html
    assert "3 min read" in html
    assert '<a class="tag" href="/tags/core-beliefs/">#Core beliefs</a>' in html
    assert 'href="/categories/columns/">Columns</a>' in html
    assert "<p>The body.</p>" in html


def test_dates_show_in_their_own_offset_as_written_not_the_site_zone() -> None:
    """Hugo shows `2023-09-08T02:09+08:00` as 8 September, whatever the site's timeZone."""
    config = parse_config("timeZone: America/New_York\n")[0]
    written = datetime.fromisoformat("2023-09-08T02:09+08:00")
    late = Entry("posts/a.md", "posts/a", "posts", "Late", date=written)
    html = render(PageOutput("posts/a.md", "posts/a"), [late], config)
    assert '<time datetime="2023-09-08T02:09:00+08:00">8 September 2023</time>' in html


def test_reading_time_can_be_hidden_per_site_and_per_page() -> None:
    post = entry("posts/a.md", "A", 1)
    assert "min read" not in render(
        PageOutput("posts/a.md", "posts/a"), [post], parse_config("showReadingTime: false\n")[0]
    )
    hidden = entry("posts/a.md", "A", 1, params={"showReadingTime": False})
    assert "min read" not in render(PageOutput("posts/a.md", "posts/a"), [hidden])


def test_page_links_to_its_neighbours_in_its_section() -> None:
    posts = [entry("posts/a.md", "Oldest", 1), entry("posts/b.md", "Middle", 2), entry("posts/c.md", "Newest", 3)]
    middle = render(PageOutput("posts/b.md", "posts/b"), posts)
    assert '<a class="newer" rel="next" href="/posts/c/"><span>Newer</span> Newest</a>' in middle
    assert '<a class="older" rel="prev" href="/posts/a/"><span>Older</span> Oldest</a>' in middle
    newest = render(PageOutput("posts/c.md", "posts/c"), posts)
    assert 'class="newer"' not in newest
    assert 'href="/posts/b/"><span>Older</span> Middle' in newest


def test_hostile_text_is_escaped_in_a_page() -> None:
    post = entry("posts/a.md", HOSTILE, 1, description=HOSTILE, tags=(HOSTILE,), params={"icon": HOSTILE})
    html = render(PageOutput("posts/a.md", "posts/a"), [post])
    assert "<script" not in without_theme_scripts(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in html  # in the JSON-LD block


def test_feature_image_is_the_open_graph_image() -> None:
    post = entry("posts/a.md", "A", 1, feature="feature.jpg", params={"featureAlt": "A road"})
    html = render(PageOutput("posts/a.md", "posts/a"), [post])
    assert '<meta property="og:image" content="https://blog.example.com/posts/a/feature.jpg">' in html
    assert 'alt="A road"' in html


def test_layouts_override_theme_templates_by_name() -> None:
    post = entry("posts/a.md", "A & B", 1)
    html = render(PageOutput("posts/a.md", "posts/a"), [post], layouts={"page.html": "<h1>{{ page.title }}</h1>"})
    assert html == "<h1>A &amp; B</h1>"
    listing = render(ListOutput("", 1), [post], layouts={"page.html": "custom"})
    assert "Field Notes" in listing  # other templates still come from the theme


# --- lists, feeds, sitemap, redirects -------------------------------------------------------------


def test_list_pages_are_paginated_with_prev_and_next_links() -> None:
    config = parse_config("pagerSize: 2\nbaseURL: https://blog.example.com/\n")[0]
    posts = [entry(f"posts/p{day}.md", f"P{day}", day) for day in range(1, 6)]
    first = render(ListOutput("", 1), posts, config)
    assert re.findall(r'<h2><a href="([^"]+)">', first) == ["/posts/p5/", "/posts/p4/"]
    assert '<link rel="next" href="/page/2/">' in first
    assert 'rel="prev"' not in first
    middle = render(ListOutput("posts", 2), posts, config)
    assert re.findall(r'<h2><a href="([^"]+)">', middle) == ["/posts/p3/", "/posts/p2/"]
    assert '<link rel="prev" href="/posts/">' in middle
    assert '<link rel="next" href="/posts/page/3/">' in middle
    assert '<link rel="canonical" href="https://blog.example.com/posts/page/2/">' in middle
    last = render(ListOutput("posts", 3), posts, config)
    assert 'rel="next"' not in last


def test_an_empty_home_page_still_renders() -> None:
    assert "Nothing published yet." in render(ListOutput("", 1), [])


def test_a_term_page_is_headed_by_the_term_name() -> None:
    posts = [entry("posts/a.md", "A", 1, tags=("Core beliefs",))]
    html = render(ListOutput("tags/core-beliefs", 1), posts)
    assert "<h1>Core beliefs</h1>" in html


def test_taxonomy_index_lists_terms_with_counts() -> None:
    posts = [entry("posts/a.md", "A", 1, tags=("Go", "Rust")), entry("posts/b.md", "B", 2, tags=("Go",))]
    html = render(TaxonomyOutput("tags"), posts)
    assert '<li><a href="/tags/go/">Go</a> <span class="count">2</span></li>' in html
    assert '<li><a href="/tags/rust/">Rust</a> <span class="count">1</span></li>' in html


def test_feed_is_valid_rss_with_absolute_links_and_at_most_feed_limit_items() -> None:
    config = parse_config("feedLimit: 2\nbaseURL: https://blog.example.com/\ntitle: Field Notes\n")[0]
    posts = [entry(f"posts/p{day}.md", f"P{day}", day, summary_html="<p>Sum &amp; more</p>") for day in range(1, 5)]
    feed = ElementTree.fromstring(render(FeedOutput(""), posts, config))
    channel = feed.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Field Notes"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["P4", "P3"]
    assert items[0].findtext("link") == "https://blog.example.com/posts/p4/"
    assert items[0].findtext("pubDate") == "Sat, 04 Jan 2025 12:00:00 +0000"
    assert items[0].findtext("description") == "<p>Sum &amp; more</p>"


def test_section_feed_title_names_the_site() -> None:
    feed = ElementTree.fromstring(render(FeedOutput("posts"), [entry("posts/a.md", "A", 1)]))
    assert feed.findtext("channel/title") == "Posts on Field Notes"


def test_hostile_text_is_escaped_in_feeds() -> None:
    posts = [entry("posts/a.md", HOSTILE, 1, categories=(HOSTILE,), summary_html="&lt;b&gt;")]
    xml = render(FeedOutput(""), posts)
    assert "<script" not in xml
    item = ElementTree.fromstring(xml).find("channel/item")
    assert item is not None
    assert item.findtext("title") == HOSTILE
    assert item.findtext("category") == HOSTILE


def test_sitemap_lists_home_sections_taxonomies_terms_and_pages() -> None:
    posts = [entry("posts/a.md", "A", 1, tags=("C#",), lastmod=datetime(2025, 2, 1, tzinfo=UTC))]
    root = ElementTree.fromstring(render(SitemapOutput(), posts))
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = {url.findtext(f"{namespace}loc"): url.findtext(f"{namespace}lastmod") for url in root}
    assert locations == {
        "https://blog.example.com/": None,
        "https://blog.example.com/posts/": None,
        "https://blog.example.com/posts/a/": "2025-02-01T00:00:00+00:00",
        "https://blog.example.com/tags/": None,
        "https://blog.example.com/tags/c%23/": None,
        "https://blog.example.com/categories/": None,
    }


def test_alias_page_redirects_with_canonical_and_meta_refresh() -> None:
    html = render(AliasOutput("old/a", "posts/a"), [])
    assert '<link rel="canonical" href="https://blog.example.com/posts/a/">' in html
    assert '<meta http-equiv="refresh" content="0; url=../../posts/a/">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<meta name="robots" content="noindex">' in html


def test_robots_points_at_the_sitemap() -> None:
    text = render(StaticOutput("robots.txt"), [])
    assert "Sitemap: https://blog.example.com/sitemap.xml" in text
    assert "User-agent: *" in text


def test_stylesheet_and_not_found_page() -> None:
    css = render(StaticOutput(stylesheet_key()), [])
    assert "{" in css
    assert ".highlight" in css or ".chroma" in css
    assert "Page not found" in render(StaticOutput("404.html"), [])


def test_assets_are_copied_not_rendered() -> None:
    with pytest.raises(ValueError, match=r"img/a\.png"):
        render(AssetOutput("img/a.png", "img/a.png"), [])


# --- what the renderer reuses between outputs ------------------------------------------------------


def test_a_layouts_meta_html_shows_in_list_summaries_as_on_pages() -> None:
    post = entry("posts/a.md", "A", 1)
    layouts = {"meta.html": '<p class="meta">custom for {{ page.title }}</p>'}
    renderer = Renderer(CONFIG, layouts)
    index = MemoryIndex(CONFIG, [post])
    for output in (ListOutput("", 1), ListOutput("posts", 1), PageOutput("posts/a.md", "posts/a")):
        assert '<p class="meta">custom for A</p>' in renderer.render(output, index, body_of).decode()


def test_an_edited_entry_shows_its_new_summary_on_lists_rendered_by_the_same_renderer() -> None:
    # The event path renders lists before and after an edit with one Renderer: summaries are
    # reused per entry, never across two versions of one page.
    renderer = Renderer(CONFIG)
    before = entry("posts/a.md", "Old title", 1, summary_html="Old summary.")
    after = replace(before, title="New title", summary_html="New summary.")
    old_html = renderer.render(ListOutput("", 1), MemoryIndex(CONFIG, [before]), body_of).decode()
    new_html = renderer.render(ListOutput("", 1), MemoryIndex(CONFIG, [after]), body_of).decode()
    assert "Old title" in old_html and "Old summary." in old_html
    assert "New title" in new_html and "New summary." in new_html
    assert "Old" not in new_html


def test_an_edited_layout_is_used_by_the_next_renderer() -> None:
    # Compiled templates are shared between Renderers (a warm Lambda builds one per event);
    # a changed `layouts/` file must not be served from that cache.
    post = entry("posts/a.md", "A", 1)
    first = render(PageOutput("posts/a.md", "posts/a"), [post], layouts={"page.html": "first {{ page.title }}"})
    second = render(PageOutput("posts/a.md", "posts/a"), [post], layouts={"page.html": "second {{ page.title }}"})
    theme = render(PageOutput("posts/a.md", "posts/a"), [post])
    assert (first, second) == ("first A", "second A")
    assert theme.startswith("<!doctype html>")


# --- the theme (issue 12) ------------------------------------------------------------------------


def test_the_active_menu_item_is_marked_current() -> None:
    posts = [entry("posts/a.md", "A", 1)]
    section = render(ListOutput("posts", 1), posts)
    assert '<a href="/posts/" aria-current="page">Posts</a>' in section
    assert '<a href="/tags/">Tags</a>' in section
    page = render(PageOutput("posts/a.md", "posts/a"), posts)
    assert '<a href="/posts/" aria-current="true">Posts</a>' in page  # below it, not on it
    assert render(ListOutput("", 1), posts).count("aria-current") == 0


def test_the_site_feed_is_announced_once_on_home_and_its_page_two() -> None:
    posts = [entry(f"posts/p{n}.md", f"P{n}", n) for n in range(1, 25)]
    for number in (1, 2):
        html = render(ListOutput("", number), posts)
        assert html.count('type="application/rss+xml"') == 1
        assert 'href="https://blog.example.com/index.xml"' in html
    section = render(ListOutput("posts", 1), posts)
    assert section.count('type="application/rss+xml"') == 2  # the site's and the section's


def test_front_matter_icons_are_inline_svg_and_unknown_names_fall_back() -> None:
    from pressroom.core.rendering.icons import FALLBACK, icon_name, icon_svg

    github = render(PageOutput("posts/a.md", "posts/a"), [entry("posts/a.md", "A", 1, params={"icon": "github"})])
    assert str(icon_svg("github")) in github
    assert 'aria-hidden="true"' in str(icon_svg("github"))
    assert icon_name("envelope") == icon_name("email") == "email"
    assert icon_name("X") == "x-twitter"
    assert icon_name("no-such-icon") == FALLBACK
    assert icon_svg("rss", "Feed").count('aria-label="Feed"') == 1
    assert "data-icon" not in github


def test_the_theme_ships_a_favicon_and_its_scripts() -> None:
    renderer, index = Renderer(CONFIG), MemoryIndex(CONFIG, [])
    assert renderer.render(StaticOutput("favicon.ico"), index, body_of)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert b"localStorage" in renderer.render(StaticOutput("js/theme.js"), index, body_of)
    assert content_type("favicon.ico") == "image/vnd.microsoft.icon"
    assert content_type("js/main.js") == "text/javascript; charset=utf-8"
    html = render(ListOutput("", 1), [])
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    assert '<script src="/js/theme.js"></script>' in html  # in <head>, before the first paint
    assert " style=" not in html and "<script>" not in html  # nothing a strict CSP refuses


def test_updated_shows_when_lastmod_is_a_later_day() -> None:
    later = entry("posts/a.md", "A", 1, lastmod=datetime(2025, 2, 3, tzinfo=UTC))
    html = render(PageOutput("posts/a.md", "posts/a"), [later])
    assert 'Updated <time datetime="2025-02-03T00:00:00+00:00">3 February 2025</time>' in html
    same_day = entry("posts/a.md", "A", 1, lastmod=datetime(2025, 1, 1, 18, tzinfo=UTC))
    assert "Updated" not in render(PageOutput("posts/a.md", "posts/a"), [same_day])


def test_a_page_describes_itself_as_a_blog_posting_in_json_ld() -> None:
    import json
    import re as re_

    post = entry("posts/a.md", "Hello", 5, tags=("Core beliefs",), description="About it")
    html = render(PageOutput("posts/a.md", "posts/a"), [post])
    block = re_.search(r'<script type="application/ld\+json">(.*?)</script>', html)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Hello"
    assert data["url"] == "https://blog.example.com/posts/a/"
    assert data["datePublished"] == "2025-01-05T12:00:00+00:00"
    assert data["author"] == {"@type": "Person", "name": "Ada"}
    assert data["keywords"] == ["Core beliefs"]


def test_the_home_page_shows_a_profile_from_params() -> None:
    config = parse_config(
        "title: T\nauthor: Ada\nparams:\n  author:\n    name: Ada L.\n    image: img/ada.png\n"
        "    headline: Writes code\n    links:\n      - github: https://github.com/ada\n"
        "      - envelope: mailto:a@b.c\n"
    )[0]
    html = render(ListOutput("", 1), [], config)
    assert '<img class="avatar" src="/img/ada.png" alt="Ada L."' in html
    assert '<p class="profile-headline">Writes code</p>' in html
    assert '<a href="https://github.com/ada" rel="me"><svg' in html and 'aria-label="Github"' in html
    assert 'href="mailto:a@b.c"' in html
    simple = render(ListOutput("", 1), [], parse_config("title: T\nauthor: Ada\nparams:\n  github: ada\n")[0])
    assert 'href="https://github.com/ada"' in simple
    assert "profile" not in render(ListOutput("", 2), [entry(f"posts/p{n}.md", "P", n) for n in range(1, 15)], config)


def test_a_feature_image_is_a_list_thumbnail_with_alt_text() -> None:
    post = entry("posts/a/index.md", "A", 1, path="posts/a", feature="feature.png", params={"featureAlt": "A map"})
    html = render(ListOutput("", 1), [post])
    assert '<img src="/posts/a/feature.png" alt="A map" loading="lazy"' in html


@pytest.mark.parametrize("name", ["static/js/theme.js", "static/favicon.ico", "templates/shortcodes/alert.html"])
def test_the_theme_digest_changes_with_any_file_of_the_theme(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event path rebuilds a site whose theme digest changed: a new script or favicon must count."""
    import shutil
    from importlib.resources import files

    from pressroom.core.rendering import theme

    shutil.copytree(Path(str(files("pressroom") / "theme")), tmp_path / "pressroom" / "theme")
    monkeypatch.setattr(theme, "files", lambda _package: tmp_path / "pressroom")
    # A new theme arrives with a new process (a deploy): every read of the theme starts afresh.
    caches = (theme.stylesheet, theme.stylesheet_key, theme.theme_digest, theme.theme_file, theme.theme_template)
    try:
        for cached in caches:
            cached.cache_clear()
        before = theme.theme_digest()
        with (tmp_path / "pressroom" / "theme" / name).open("a", encoding="utf-8") as changed:
            changed.write("\n")
        for cached in caches:
            cached.cache_clear()
        assert theme.theme_digest() != before
    finally:
        monkeypatch.undo()
        for cached in caches:
            cached.cache_clear()


# --- URLs from configuration (SPEC 3.5) ------------------------------------------------------


def assert_every_url_safe(html: str) -> None:
    """Every href, src and content attribute of the page is one the safe-URL rule allows."""
    from html import unescape

    from pressroom.core.site.urls import is_safe_url

    for value in re.findall(r'(?:href|src|content)="([^"]*)"', html):
        assert is_safe_url(unescape(value)), value


SCRIPT_URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "java&#09;script:alert(1)", "data:text/html,<b>x"]


@pytest.mark.parametrize("url", SCRIPT_URLS)
def test_menu_and_profile_urls_from_the_configuration_pass_the_safe_url_filter(url: str) -> None:
    quoted = url.replace('"', '\\"')
    site_yaml = (
        "title: T\nparams:\n"
        f'  menu: [{{name: Evil, url: "{quoted}"}}]\n'
        f'  author: {{name: Ada, image: "{quoted}", links: [{{github: "{quoted}"}}, {{x-twitter: "{quoted}"}}]}}\n'
    )
    config = parse_config(site_yaml)[0]
    html = render(ListOutput("", 1), [entry("posts/a.md", "A", 1, feature=url)], config)
    assert_every_url_safe(html)
    assert '<a href="#">Evil</a>' in html


def test_hugo_menu_urls_pass_the_safe_url_filter() -> None:
    from pressroom.core.reading.config import settings_of

    files = {
        "hugo.toml": b'title = "T"\n[[menus.main]]\nname = "Evil"\nurl = "javascript:alert(1)"\n'
        b'[[menus.main]]\nname = "Fine"\nurl = "https://example.org/"\n',
        "content/posts/a.md": b"---\ntitle: A\n---\n",
    }
    config = settings_of(files).config
    html = render(ListOutput("", 1), [entry("posts/a.md", "A", 1)], config)
    assert '<a href="#">Evil</a>' in html and '<a href="https://example.org/">Fine</a>' in html


def test_a_feature_image_url_from_front_matter_passes_the_safe_url_filter() -> None:
    html = render(PageOutput("posts/a.md", "posts/a"), [entry("posts/a.md", "A", 1, feature="javascript:alert(1)")])
    assert_every_url_safe(html)
