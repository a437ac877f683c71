"""A Hugo site root's configuration (issue 10): read as Hugo reads it, every key honoured or reported."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from pressroom.core.build import build_site
from pressroom.core.reading.config import SiteConfig, settings_of
from pressroom.core.reading.content import SourceKind, classify, parse_page
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.exceptions import ConfigError
from support.images import TINY_PNG
from support.sources import billion_laughs, multilingual_root

NOW = datetime.fromisoformat("2026-01-01T00:00:00+00:00")


def post(front: str, body: str = "Words.") -> bytes:
    return f"---\n{front}\n---\n{body}\n".encode()


def test_lower_case_keys_a_language_file_and_summary_length_zero() -> None:
    settings = settings_of(
        {
            "config.toml": b'baseurl = "https://me.github.io/blog/"\nsummaryLength = 0\n'
            b'defaultContentLanguage = "en"\n',
            "config/_default/languages.en.toml": b'title = "Notes"\n[params]\nmainSections = ["posts"]\n',
            "config/_default/menus.en.toml": b'[[main]]\nname = "B"\nurl = "/b/"\nweight = 2\n'
            b'[[main]]\nname = "A"\npageRef = "posts"\nweight = 1\n',
        }
    )
    config = settings.config
    assert config.baseURL == "https://me.github.io/blog/" and config.base_path == "/blog/"
    assert config.title == "Notes" and config.summaryLength == 0
    assert config.main_sections == ("posts",)
    assert config.menu == (("A", "", "posts"), ("B", "/b/", ""))
    assert config.contentDir == "content" and config.staticDirs == ("static",)
    assert config.feedLimit == -1 and config.feed_limit is None, "Hugo's default keeps every item"
    assert settings.warnings == ()


def test_the_config_folder_overrides_the_root_file_and_unknown_keys_are_reported_once() -> None:
    settings = settings_of(
        {
            "hugo.toml": b'baseURL = "https://a.example/"\ntitle = "Root"\nuglyURLs = true\n',
            "config/_default/hugo.toml": b'title = "Folder"\n',
            "config/_default/pagination.toml": b"pagerSize = 3\n",
            "config/_default/services.toml": b"[rss]\nlimit = 5\n",
            "config/_default/taxonomies.toml": b'tag = "tags"\nseries = "series"\n',
        }
    )
    config = settings.config
    assert (config.title, config.pagerSize, config.feedLimit) == ("Folder", 3, 5)
    assert config.taxonomies == ("tags", "series")
    assert settings.warnings == ("hugo.toml: uglyurls is ignored (not supported by pressroom)",)


def test_markup_switches_map_onto_the_markup_settings() -> None:
    config = settings_of(
        {
            "config/_default/hugo.toml": b'baseURL = "https://a.example/"\nenableEmoji = true\n',
            "config/_default/markup.toml": b"[goldmark.renderer]\nunsafe = true\n"
            b"[goldmark.extensions]\nlinkify = false\ntable = false\n"
            b"[goldmark.extensions.typographer]\ndisable = true\n",
        }
    ).config
    markup = config.markup
    assert (markup.unsafe, markup.emoji, markup.linkify, markup.table, markup.typographer) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert config.unsafeHTML is True


def test_heading_attributes_are_on_as_in_hugo_and_parser_attribute_title_turns_them_off() -> None:
    on = settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n'})
    off = settings_of(
        {"hugo.toml": b'baseURL = "https://a.example/"\n[markup.goldmark.parser.attribute]\ntitle = false\n'}
    )
    assert (on.config.markup.heading_attributes, off.config.markup.heading_attributes) == (True, False)
    assert off.warnings == ()


def test_a_broken_hugo_file_is_an_error_naming_it() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_of({"config/_default/params.toml": b"mainSections = [\n"})
    assert raised.value.source_key == "config/_default/params.toml"


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("hugo.yaml", 'baseURL: "https://a.example/"\nparams:\n' + billion_laughs("  "), "10,000"),
        ("config/_default/params.yaml", billion_laughs(), "10,000"),
        ("config/_default/params.yml", "- " * 120 + "x\n", "deeper than 100"),
        ("hugo.json", '{"params": {"deep": ' + "[" * 5000 + "]" * 5000 + "}}", "deeper than 100"),
        ("config/_default/params.toml", "deep = " + "[" * 5000 + "]" * 5000 + "\n", "deeper than 100"),
        ("hugo.toml", 'baseURL = "https://a.example/"\n' + "# padding\n" * 600_000, "5 MiB"),
        ("config/_default/params.json", "[" + ", ".join(["1"] * 20_000) + "]", "10,000"),
    ],
)
def test_every_hugo_configuration_file_has_the_limits_of_front_matter(key: str, text: str, problem: str) -> None:
    """Aliases, size and depth (a JSON or TOML nested 5,000 deep broke Python's recursion)."""
    with pytest.raises(ConfigError) as raised:
        settings_of({key: text.encode()})
    assert raised.value.source_key == key and problem in raised.value.problem


def test_in_a_hugo_root_only_content_and_static_are_published() -> None:
    config = settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n'}).config
    assert classify("content/posts/a.md", config) is SourceKind.PAGE
    assert classify("static/posts/a.md", config) is SourceKind.ASSET
    for key in ("themes/t/layouts/a.html", "archetypes/default.md", "assets/x.css", "resources/_gen/a", "public/a"):
        assert classify(key, config) is SourceKind.IGNORED
    assert classify("config/_default/params.toml", config) is SourceKind.CONFIG


PROFILE_JPEG = (Path(__file__).parents[1] / "fixtures" / "hugo-rules" / "assets" / "img" / "profile.jpeg").read_bytes()


def test_the_images_of_assets_are_published_at_their_path_and_nothing_else_there() -> None:
    """Congo's and Blowfish's author image, logo, default images and a page's `featureimage` live
    in `assets/` (issue 21.2): its images are published at their path, its styles and scripts
    are not, and nothing outside the folder or beside a content folder is."""
    params = b'[params]\nlogo = "/img/logo.svg"\n[params.author]\nname = "Ada"\nimage = "img/profile.jpeg"\n'
    config = settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n' + params}).config
    assert classify("assets/img/profile.jpeg", config) is SourceKind.ASSET
    assert config.site_key("assets/img/profile.jpeg") == "img/profile.jpeg"
    assert classify("assets/img/Other.PNG", config) is SourceKind.ASSET
    for key in ("assets/css/main.css", "assets/js/a.js", "etc/passwd", "assets/etc/passwd"):
        assert classify(key, config) is SourceKind.IGNORED
    assert classify("assets/img/a.png", SiteConfig()) is not SourceKind.IGNORED  # a content folder named so
    assert SiteConfig().site_key("assets/img/a.png") == "assets/img/a.png"
    files = {
        "hugo.toml": b'baseURL = "https://a.example/"\n' + params,
        "content/posts/a.md": b"---\ntitle: A\ndate: 2025-01-01\nfeatureimage: img/cover.png\n---\nA.\n",
        "assets/img/profile.jpeg": PROFILE_JPEG,
        "assets/img/cover.png": TINY_PNG,
        "assets/css/custom.css": b"body{}",
    }
    site = build_site(files, datetime.fromisoformat("2026-01-01T00:00:00+00:00"))
    assert site.outputs["img/profile.jpeg"] == files["assets/img/profile.jpeg"]
    assert site.outputs["img/cover.png"] == TINY_PNG
    assert "css/custom.css" not in site.outputs
    # Shown as pictures of their variants, published beside them (issue 22.1).
    assert re.search(rb'<img src="/img/profile\.[0-9a-f]{12}\.\d+\.jpg" class="avatar"', site.outputs["index.html"])
    # Blowfish's `featureimage` is read with `resources.Get`: a path in assets/, not beside the page.
    assert re.search(rb'<img src="/img/cover\.[0-9a-f]{12}\.1\.png" alt="A"', site.outputs["posts/a/index.html"])


@pytest.mark.parametrize(
    ("pattern", "path"),
    [
        ("/:year/:month/:day/:slug/", "2023/09/08/hello-there"),
        ("/:monthname/:title/", "september/hello-there"),
        ("/:section/:filename/", "posts/my-file"),
        ("/:sections/:slugorfilename/", "posts/my-file"),
        ("/p/:contentbasename/", "p/my-file"),
    ],
)
def test_permalinks_expand_hugo_attributes(pattern: str, path: str) -> None:
    config = settings_of(
        {"hugo.toml": f'baseURL = "https://a.example/"\n[permalinks]\nposts = "{pattern}"\n'.encode()}
    ).config
    page = parse_page("content/posts/my-file.md", post('title: "Hello There"\ndate: 2023-09-08T02:09:00+08:00'), config)
    assert page.entry.path == path


def test_build_flags_publish_drafts_and_future_posts() -> None:
    files = {
        "hugo.toml": b'baseURL = "https://a.example/"\nbuildDrafts = true\nbuildFuture = true\n',
        "content/posts/draft.md": post("title: Draft\ndraft: true"),
        "content/posts/later.md": post("title: Later\ndate: 2030-01-01"),
    }
    site = build_site(files, NOW)
    assert {"posts/draft/index.html", "posts/later/index.html"} <= set(site.outputs)


def test_disabled_kinds_and_robots_are_not_written() -> None:
    files = {
        "hugo.toml": b'baseURL = "https://a.example/"\ndisableKinds = ["RSS", "taxonomy"]\n',
        "content/posts/a.md": post("title: A\ntags: [x]"),
    }
    site = build_site(files, NOW)
    assert not [key for key in site.outputs if key.endswith(".xml") and key != "sitemap.xml"]
    assert "tags/index.html" not in site.outputs and "tags/x/index.html" in site.outputs
    assert "robots.txt" not in site.outputs, "Hugo's enableRobotsTXT is false by default"


def test_a_front_matter_key_given_twice_is_reported() -> None:
    page = parse_page("posts/a.md", post("title: A\ntags: [x]\ntags: [y]"), settings_of({}).config)
    assert page.warnings == ("posts/a.md: front matter key 'tags' is given twice (Hugo refuses it)",)
    assert page.entry.tags == ("y",)


def test_sites_with_and_without_a_sub_path_built_in_one_process_keep_their_own_links() -> None:
    """Compiled templates are shared by every renderer: no base path may be baked into them."""
    page = post("title: A")
    plain = build_site({"content/a.md": page, "hugo.toml": b'baseURL = "https://a.example/"\n'}, NOW)
    blog = build_site({"content/a.md": page, "hugo.toml": b'baseURL = "https://a.example/blog/"\n'}, NOW)
    sheet = stylesheet_key()
    assert f'href="/{sheet}"' in plain.outputs["a/index.html"].decode()
    assert f'href="/blog/{sheet}"' in blog.outputs["a/index.html"].decode()


def test_term_permalinks_move_term_pages_and_unknown_attributes_are_refused() -> None:
    files = {
        "hugo.toml": b'baseURL = "https://a.example/"\n[permalinks]\ntags = "/topics/:slug/"\n',
        "content/posts/a.md": post("title: A\ntags: [Go]"),
        "content/topics.md": post("title: Topics"),
    }
    site = build_site(files, NOW)
    assert {"topics/go/index.html", "topics/go/index.xml", "topics/go/page/1/index.html"} <= set(site.outputs)
    assert "tags/go/index.html" not in site.outputs and "tags/index.html" in site.outputs
    assert 'href="/topics/go/"' in site.outputs["posts/a/index.html"].decode()
    assert [e.source_key for e in site.errors] == ["content/topics.md"], "a page may not take a term's path"
    with pytest.raises(ConfigError, match=":weekday"):
        settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n[permalinks]\nposts = "/:weekday/:slug/"\n'})
    with pytest.raises(ConfigError, match=":year"):
        settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n[permalinks]\ntags = "/:year/:slug/"\n'})


def test_front_matter_keys_are_case_insensitive_as_in_hugo() -> None:
    config = settings_of({"hugo.toml": b'baseURL = "https://a.example/"\n[taxonomies]\nseries = "series"\n'}).config
    page = parse_page(
        "content/posts/a.md",
        post("Title: Loud\nDate: 2024-02-03\nPublishDate: 2024-02-04\nSeries: [S]\nTags: [x]"),
        config,
    )
    entry = page.entry
    assert (entry.title, entry.date and entry.date.day, entry.publish_date and entry.publish_date.day) == ("Loud", 3, 4)
    assert entry.terms("series") == ("S",) and entry.tags == ("x",)
    assert dict(entry.params) == {}


def test_what_a_menu_cannot_show_is_reported_against_its_file() -> None:
    settings = settings_of(
        {
            "config/_default/hugo.toml": b'baseURL = "https://a.example/"\n',
            "config/_default/menus.en.toml": b'[[main]]\nname = "Parent"\n[[main]]\nname = "Child"\nparent = "Parent"\n'
            b'pageRef = "posts"\n[[footer]]\nname = "Tags"\npageRef = "tags"\n',
        }
    )
    assert settings.config.menu == ()
    assert settings.config.footerMenu == (("Tags", "", "tags"),)  # Congo's and Blowfish's footer menu is shown
    assert all(w.startswith("config/_default/menus.en.toml: menus.main.") for w in settings.warnings)
    assert len(settings.warnings) == 2


def test_a_multilingual_root_builds_its_default_language_from_files_that_name_it() -> None:
    # Hugo's translation by file name, as Blowfish sites use it: `a.zh-tw.md` is page `a` in zh-tw,
    # `a.en.md` its English translation (not built), `b.md` in the default language.
    site = build_site(multilingual_root(), NOW)
    assert site.errors == []
    pages = sorted(key for key in site.outputs if key.endswith("/index.html") and key.startswith("posts/"))
    assert pages == ["posts/a/index.html", "posts/b/index.html", "posts/index.html", "posts/page/1/index.html",
                     "posts/x/index.html"]  # fmt: skip
    assert "Chinese text." in site.outputs["posts/a/index.html"].decode()
    assert not any("English" in data.decode("utf-8", "replace") or "(en)" in data.decode("utf-8", "replace")
                   for data in site.outputs.values())  # fmt: skip
    home = site.outputs["index.html"].decode()
    assert "Welcome." in home and "<title>Notes</title>" in home
    assert site.outputs["posts/x/featured.png"] == b"\x89PNG x"
    assert 'src="featured.png"' in site.outputs["posts/x/index.html"].decode() or "featured.png" in home


def test_has_cjk_language_counts_the_words_of_chinese_pages() -> None:
    files = {
        "hugo.toml": b'baseURL = "https://example.org/"\nhasCJKLanguage = true\n',
        "content/posts/a.md": "---\ntitle: A\ndate: 2025-01-01\n---\n{}\n".format("静态网站" * 300).encode(),
    }
    site = build_site(files, NOW)
    assert "3 min read" in site.outputs["posts/a/index.html"].decode()  # 1,200 characters at 501 a minute
