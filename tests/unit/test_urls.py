"""Site paths, output keys and links (SPEC 1 and 2): one place decides where a page is published."""

from __future__ import annotations

import pytest

from pressroom.core.site.urls import (
    alias_path,
    feed_key,
    href,
    key_href,
    key_to_paths,
    list_page_path,
    page_key,
    page_path,
    unsafe_key_reason,
    urlize,
)
from pressroom.exceptions import ContentError

# --- urlize: Hugo's rule for terms and path segments ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Core beliefs", "core-beliefs"),
        ("Python", "python"),
        ("C++", "c++"),
        ("C#", "c#"),
        ("a.b_c-d~e", "a.b_c-d~e"),
        ("What? Why! (now)", "what-why-now"),
        ("Ünïcode Straße", "ünïcode-straße"),
        ("日本語 テスト", "日本語-テスト"),
        ("  padded  ", "padded"),
        ("Version 2", "version-2"),
    ],
)
def test_urlize_follows_hugo(text: str, expected: str) -> None:
    assert urlize(text) == expected


def test_spellings_that_urlize_the_same_are_one_term() -> None:
    assert urlize("Core Beliefs") == urlize("core beliefs") == urlize("CORE BELIEFS")


# --- page paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_key", "expected"),
    [
        ("posts/My Post.md", "posts/my-post"),
        ("posts/hello.md", "posts/hello"),
        ("posts/hello.markdown", "posts/hello"),
        ("posts/Shouting.MD", "posts/shouting"),
        ("posts/trip/index.md", "posts/trip"),
        ("posts/2025/07/Road Trip.md", "posts/2025/07/road-trip"),
        ("posts/2025/07/Road Trip/index.md", "posts/2025/07/road-trip"),
        ("notes/Quick Note.md", "notes/quick-note"),
        ("About Me.md", "about-me"),
        ("posts/C# tips.md", "posts/c#-tips"),
    ],
)
def test_page_path_is_the_urlized_source_path(source_key: str, expected: str) -> None:
    assert page_path(source_key) == expected


def test_slug_replaces_the_last_segment_of_a_page_and_of_a_bundle() -> None:
    assert page_path("posts/x.md", slug="Better Name") == "posts/better-name"
    assert page_path("posts/a/b/x/index.md", slug="y") == "posts/a/b/y"


def test_url_replaces_the_whole_path() -> None:
    assert page_path("posts/x.md", url="/blog/Hello World/") == "blog/hello-world"
    assert page_path("posts/x.md", url="archive/2020") == "archive/2020"


def test_blank_slug_and_url_are_ignored() -> None:
    assert page_path("posts/x.md", slug="  ", url="") == "posts/x"


@pytest.mark.parametrize(
    ("source_key", "slug", "url"),
    [
        ("posts/../x.md", None, None),
        ("posts/x.md", "..", None),
        ("posts/x.md", "a/b", None),
        ("posts/x.md", "a\\b", None),
        ("posts/x.md", None, "/../../etc/passwd"),
        ("posts/x.md", None, "/a/./b/"),
        ("posts/x.md", None, "https://evil.example/x/"),
        ("posts/x.md", None, "//evil.example/x/"),
        ("posts/x.md", None, "\\windows\\path"),
        ("posts/!!!.md", None, None),
    ],
)
def test_paths_that_escape_the_site_are_refused(source_key: str, slug: str | None, url: str | None) -> None:
    with pytest.raises(ContentError) as raised:
        page_path(source_key, slug=slug, url=url)
    assert raised.value.source_key == source_key


@pytest.mark.parametrize(
    ("source_key", "url", "reason"),
    [
        ("tags/python.md", None, "the tags pages"),
        ("tags/x/index.md", None, "the tags pages"),
        ("categories/x.md", None, "the categories pages"),
        ("posts/x.md", "/tags/python/", "the tags pages"),
        ("page/2.md", None, "pagination"),
        ("posts/page/3.md", None, "pagination"),
        ("posts/x.md", "/page/2/", "pagination"),
    ],
)
def test_paths_of_generated_pages_are_refused(source_key: str, url: str | None, reason: str) -> None:
    with pytest.raises(ContentError) as raised:
        page_path(source_key, url=url)
    assert str(raised.value).startswith(f"{source_key}: ")
    assert reason in str(raised.value)


def test_home_url_is_refused_with_a_message_naming_the_file() -> None:
    with pytest.raises(ContentError, match=r"^posts/x\.md: "):
        page_path("posts/x.md", url="/")


def test_a_page_named_page_without_a_number_is_allowed() -> None:
    assert page_path("posts/page/intro.md") == "posts/page/intro"
    assert page_path("page.md") == "page"


# --- aliases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("/old/path/", "old/path"),
        ("old/path", "old/path"),
        ("/old/Post Name/", "old/post-name"),
        ("/2019/01/post.html", "2019/01/post"),
        ("/2019/01/post/index.html", "2019/01/post"),
        ("/old/?utm=1", "old"),
        ("/old/#top", "old"),
    ],
)
def test_alias_paths(alias: str, expected: str) -> None:
    assert alias_path("posts/x.md", alias) == expected


@pytest.mark.parametrize(
    "alias", ["/", "/../secret/", "https://evil.example/", "//evil.example/", "/tags/go/", "/page/2/", "/posts/page/2/"]
)
def test_aliases_that_escape_or_overwrite_generated_pages_are_refused(alias: str) -> None:
    with pytest.raises(ContentError, match=r"^posts/x\.md: "):
        alias_path("posts/x.md", alias)


# --- keys and links -----------------------------------------------------------------------


def test_a_page_is_written_as_index_html_and_linked_in_directory_form() -> None:
    assert page_key("posts/my-post") == "posts/my-post/index.html"
    assert page_key("") == "index.html"
    assert href("posts/my-post") == "/posts/my-post/"
    assert href("") == "/"


def test_links_are_percent_encoded_but_keys_are_not() -> None:
    assert page_key("tags/c#") == "tags/c#/index.html"
    assert href("tags/c#") == "/tags/c%23/"
    assert href("tags/c++") == "/tags/c++/"
    assert href("tags/ünïcode") == "/tags/%C3%BCn%C3%AFcode/"
    assert key_href("img/a b.png") == "/img/a%20b.png"


def test_list_pagination_and_feed_keys() -> None:
    assert list_page_path("", 1) == ""
    assert list_page_path("", 2) == "page/2"
    assert list_page_path("tags/go", 3) == "tags/go/page/3"
    assert page_key(list_page_path("posts", 2)) == "posts/page/2/index.html"
    assert feed_key("") == "index.xml"
    assert feed_key("tags/go") == "tags/go/index.xml"


def test_a_page_is_invalidated_at_both_of_its_viewer_paths() -> None:
    assert key_to_paths("index.html") == ("/", "/index.html")
    assert key_to_paths("posts/x/index.html") == ("/posts/x/", "/posts/x/index.html")
    assert key_to_paths("tags/c#/index.html") == ("/tags/c%23/", "/tags/c%23/index.html")
    assert key_to_paths("sitemap.xml") == ("/sitemap.xml",)


# --- keys inside a root: what every reader and writer accepts (SPEC 3.5) ------------------------


@pytest.mark.parametrize(
    "key", ["index.html", "posts/a/index.html", "img/a b.png", "tags/c#/index.xml", "a..b/c...d", ".well-known/x"]
)
def test_a_key_of_plain_segments_stays_inside_its_root(key: str) -> None:
    assert unsafe_key_reason(key) is None


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("../outside.png", "'..'"),
        ("posts/../../etc/passwd", "'..'"),
        ("posts/..", "'..'"),
        ("posts/./a.png", "'.'"),
        ("posts//a.png", "empty"),
        ("/etc/passwd", "empty"),
        ("posts/", "empty"),
        ("", "empty"),
        ("posts\\..\\x.png", "backslash"),
        ("posts/a\x00.png", "NUL"),
    ],
)
def test_a_key_that_could_leave_its_root_is_refused_with_the_reason(key: str, named: str) -> None:
    reason = unsafe_key_reason(key)
    assert reason is not None and named in reason
