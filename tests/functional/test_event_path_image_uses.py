"""The event path with images of other folders, site paths and the author's image equals the full
build (issue 22.1, SPEC 3.3.1): each step converges whatever order the files arrive in, a page
renders again when the image published at a URL it shows arrives, changes, is replaced by
another file at that URL, or goes, and replacing the author's image renders every page that
shows it again."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image

from pressroom.adapters.aws.s3 import S3SiteStore
from support.accounts import Site, assert_changes_invalidated, assert_converged
from support.images import photo

HUGO = b'baseURL = "https://example.org/blog/"\ntitle = "Root"\n'
PAGE = b"---\ntitle: A\ndate: 2024-05-01\n---\n\nA shot: ![shot](/blog/img/shot.png)\n"


def keys_put(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys the site bucket is given from now on, in order."""
    written: list[str] = []
    put = S3SiteStore.put

    def record_put(self: Any, key: str, *args: Any) -> None:
        written.append(key)
        put(self, key, *args)

    monkeypatch.setattr(S3SiteStore, "put", record_put)
    return written


def png(width: int, height: int, colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def variants(site: Site, stem: str) -> set[str]:
    pattern = re.compile(rf"{re.escape(stem)}\.[0-9a-f]{{12}}\.\d+\.(avif|webp|jpg|png)")
    return {key for key in site.published() if pattern.fullmatch(key)}


def html(site: Site, key: str) -> str:
    return site.published()[key][0].decode()


def step(site: Site) -> None:
    site.drain()
    assert_converged(site)


def start(site: Site, config: bytes = HUGO) -> None:
    site.put("hugo.toml", config)
    site.put("content/posts/other.md", b"---\ntitle: Other\ndate: 2024-01-01\n---\nNo image.\n")
    step(site)


@pytest.mark.parametrize("order", ["page first", "image first", "one push"])
def test_a_pages_static_image_converges_and_follows_its_replacement_another_owner_and_deletion(
    site: Site, order: str
) -> None:
    start(site)
    files = [("content/posts/a.md", PAGE), ("static/img/shot.png", png(500, 250))]
    if order == "image first":
        files.reverse()
    for key, body in files:
        site.put(key, body)
        if order != "one push":
            step(site)
    step(site)
    assert re.search(
        r'<img src="/blog/img/shot\.[0-9a-f]{12}\.500\.png" alt="shot" width="500" height="250"',
        html(site, "posts/a/index.html"),
    )
    first = variants(site, "img/shot")
    assert len(first) == 13  # 96, 160, 192, 320, 360 and 500 in AVIF and WebP, and the 500-px PNG
    before = site.published()
    site.put("static/img/shot.png", png(800, 200, colour=(200, 10, 10)))
    step(site)
    assert_changes_invalidated(site, before)
    assert variants(site, "img/shot").isdisjoint(first), "the old bytes' variants are deleted"
    assert 'width="800" height="200"' in html(site, "posts/a/index.html")
    # An author's file at the same URL owns it (the smaller source key): the page shows it instead.
    site.put("content/img/shot.png", png(300, 300, colour=(0, 0, 0)))
    step(site)
    assert 'width="300" height="300"' in html(site, "posts/a/index.html")
    site.delete("content/img/shot.png")
    step(site)
    assert 'width="800" height="200"' in html(site, "posts/a/index.html")
    site.delete("static/img/shot.png")
    step(site)
    assert variants(site, "img/shot") == set()
    assert '<img src="/blog/img/shot.png" alt="shot"' in html(site, "posts/a/index.html")


def test_a_page_that_stops_showing_a_static_image_takes_its_variants_along(site: Site) -> None:
    start(site)
    site.put("content/posts/a.md", PAGE)
    site.put("content/posts/b.md", PAGE.replace(b"title: A", b"title: B"))
    site.put("static/img/shot.png", png(400, 300))
    step(site)
    shown = variants(site, "img/shot")
    site.put("content/posts/a.md", PAGE.replace(b"![shot](/blog/img/shot.png)", b"no picture"))
    step(site)
    assert variants(site, "img/shot") == shown, "b still shows it"
    site.put("content/posts/b.md", PAGE.replace(b"date: 2024-05-01", b"date: 2024-05-01\ndraft: true"))
    step(site)
    assert variants(site, "img/shot") == set() and "img/shot.png" in site.published()


def test_an_image_of_another_bundle_follows_that_page_when_it_moves(site: Site) -> None:
    start(site, b'baseURL = "https://example.org/"\ntitle = "Root"\n')
    site.put("content/posts/trip/index.md", b"---\ntitle: Trip\ndate: 2024-05-01\n---\n![b](../beachside/beach.jpg)\n")
    step(site)
    site.put("content/posts/beachside/beach.jpg", photo(900, 600))
    step(site)  # no page publishes it yet: posts/beachside/ is not a bundle
    site.put("content/posts/beachside/index.md", b"---\ntitle: Beach\ndate: 2024-04-01\n---\nx\n")
    step(site)
    assert 'width="900" height="600"' in html(site, "posts/trip/index.html")
    site.put("content/posts/beachside/index.md", b"---\ntitle: Beach\ndate: 2024-04-01\nslug: moved\n---\nx\n")
    step(site)
    assert '<img src="../beachside/beach.jpg" alt="b"' in html(site, "posts/trip/index.html")
    assert variants(site, "posts/moved/beach") == set()


def test_a_feature_image_of_assets_reaches_the_page_and_its_thumbnails(site: Site) -> None:
    start(site)
    site.put("content/posts/a.md", b"---\ntitle: A\ndate: 2024-05-01\nfeatureimage: img/cover.jpg\n---\nText.\n")
    step(site)
    site.put("assets/img/cover.jpg", photo(1600, 900))
    step(site)
    assert re.search(r'class="thumb"[^>]*><picture>', html(site, "index.html"))
    site.put("assets/img/cover.jpg", photo(1200, 1200, colour=(0, 0, 0)))
    step(site)
    site.delete("assets/img/cover.jpg")
    step(site)
    assert variants(site, "img/cover") == set()


AUTHOR = (
    HUGO + b"[params]\n  [params.article]\n    showAuthor = true\n"
    b'  [params.author]\n    name = "Ada"\n    image = "img/me.jpg"\n'
)


PROFILE_HOME = AUTHOR + b'  [params.homepage]\n    layout = "profile"\n    showRecent = true\n    recentLimit = 2\n'


@pytest.mark.parametrize(
    ("order", "config"),
    [("posts first", AUTHOR), ("image first", AUTHOR), ("image first", PROFILE_HOME)],
    ids=["posts first", "image first", "profile layout"],
)
def test_the_author_image_converges_and_its_replacement_renders_every_page_that_shows_it(
    site: Site, monkeypatch: pytest.MonkeyPatch, order: str, config: bytes
) -> None:
    start(site, config)
    posts = {
        f"content/posts/p{n}.md": f"---\ntitle: P{n}\ndate: 2024-05-0{n}\n---\nText.\n".encode() for n in (1, 2, 3)
    }
    posts["content/posts/quiet.md"] = b"---\ntitle: Quiet\ndate: 2024-05-09\nshowAuthor: false\n---\nText.\n"
    files = [*posts.items(), ("assets/img/me.jpg", photo(400, 400))]
    if order == "image first":
        files.reverse()
    for key, body in files:
        site.put(key, body)
        step(site)
    assert 'sizes="4rem"' in html(site, "posts/p1/index.html")
    assert len(variants(site, "img/me")) == 13
    written = keys_put(monkeypatch)
    site.put("assets/img/me.jpg", photo(500, 500, colour=(0, 90, 0)))
    step(site)
    pages = sorted(key for key in written if key.endswith(".html"))
    showing = sorted(
        key for key, value in site.published().items() if key.endswith(".html") and b"/img/me." in value[0]
    )
    assert pages == showing, "exactly the pages that show it render again"
    if config == AUTHOR:  # the home's profile (its first page) and each page with an author box, not `quiet`
        assert 'sizes="6rem"' in html(site, "index.html")
        assert pages == ["index.html", "posts/other/index.html", *(f"posts/p{n}/index.html" for n in (1, 2, 3))]
    else:  # every page of the home shows the profile
        assert 'sizes="9rem"' in html(site, "page/3/index.html")
        assert {"index.html", "page/2/index.html", "page/3/index.html"} <= set(pages)
    site.delete("assets/img/me.jpg")
    step(site)
    assert variants(site, "img/me") == set()
    assert '<img class="avatar" src="/blog/img/me.jpg"' in html(site, "posts/p2/index.html")


HERO_HOME = HUGO + (
    b'[params]\n  [params.homepage]\n    layout = "hero"\n    homepageImage = "img/cover.jpg"\n'
    b"    showRecent = true\n    recentLimit = 1\n"
)


@pytest.mark.parametrize("order", ["posts first", "image first"])
def test_the_home_image_converges_and_its_replacement_renders_every_page_of_the_home(
    site: Site, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """`homepage.homepageImage` is a use of the home: each page of the home shows it as a
    `<picture>`, and renders again (alone) when it is replaced."""
    start(site, HERO_HOME)
    files = [
        ("content/posts/p1.md", b"---\ntitle: P1\ndate: 2024-05-01\n---\nText.\n"),
        ("assets/img/cover.jpg", photo(1600, 900)),
    ]
    if order == "image first":
        files.reverse()
    for key, body in files:
        site.put(key, body)
        step(site)
    assert 'class="home-image" alt="Root" width="1600" height="900" decoding="async">' in html(site, "index.html")
    assert "/blog/img/cover." in html(site, "page/2/index.html")
    assert len(variants(site, "img/cover")) == 17
    written = keys_put(monkeypatch)
    site.put("assets/img/cover.jpg", photo(1200, 800, colour=(0, 90, 0)))
    step(site)
    assert sorted(key for key in written if key.endswith(".html")) == ["index.html", "page/2/index.html"]
    assert 'width="1200" height="800"' in html(site, "index.html")
    site.delete("assets/img/cover.jpg")
    step(site)
    assert variants(site, "img/cover") == set()
    assert '<img class="home-image" src="/blog/img/cover.jpg" alt="Root">' in html(site, "index.html")
