"""Every raster image a page uses gets variants and a `<picture>`, not only its bundle's (issue 22.1).

A page's image links resolve as a browser resolves them from the page's URL, to the output key
the site publishes the image at (`core.site.image_uses`): a bundle's file, another folder's,
a site path of a Hugo root's `static/`, `assets/` or `content/`, a `featureimage` of `assets/`,
the author's image (`params.author.image`) in the author box and on the home page.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from PIL import Image

from pressroom.core.build import SiteBuild, build_site
from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.image_uses import image_use
from support.images import photo

NOW = datetime(2026, 11, 29, tzinfo=UTC)
HASH = r"[0-9a-f]{12}"
HUGO = b'baseURL = "https://example.org/blog/"\ntitle = "Root"\n'


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def page(front: str, body: str) -> bytes:
    return f"---\n{front}---\n{body}".encode()


def build(files: dict[str, bytes]) -> SiteBuild:
    site = build_site(files, NOW)
    assert site.errors == [], site.errors
    return site


def variants(site: SiteBuild, key: str) -> list[int]:
    """The widths of the WebP variants published beside `key` (each role's, up to the original's)."""
    stem, _ = key.rsplit(".", 1)
    pattern = re.compile(rf"{re.escape(stem)}\.{HASH}\.(\d+)\.webp")
    return sorted(int(found.group(1)) for k in site.outputs if (found := pattern.fullmatch(k)))


def picture_of(html: str, name: str) -> str:
    """The `<picture>` of the image named `name` (its stem) in `html`."""
    for found in re.findall(r"<picture>.*?</picture>", html, re.DOTALL):
        if f"/{name}." in found or f'"{name}.' in found:
            return found
    raise AssertionError(f"no <picture> of {name} in {html}")


@pytest.mark.parametrize(
    ("link", "page_path", "base", "use"),
    [
        ("beach.jpg", "posts/trip", "https://e.org/", "posts/trip/beach.jpg"),
        ("./photos/beach.JPG", "posts/trip", "https://e.org/", "posts/trip/photos/beach.JPG"),
        ("../other/beach.jpg", "posts/trip", "https://e.org/", "posts/other/beach.jpg"),
        ("../other/beach.jpg", "posts/trip", "https://e.org/blog/", "posts/other/beach.jpg"),
        ("/img/x.png", "posts/trip", "https://e.org/", "img/x.png"),
        ("/blog/img/x.png", "posts/trip", "https://e.org/blog/", "img/x.png"),
        ("/img/x.png", "posts/trip", "https://e.org/blog/", None),  # outside the site: the browser misses it
        ("/img/my%20photo.webp", "", "https://e.org/", "img/my photo.webp"),
        ("https://cdn.example/x.png", "posts/trip", "https://e.org/", None),
        ("//cdn.example/x.png", "posts/trip", "https://e.org/", None),
        ("data:image/png;base64,iVBORw0KGgo=", "posts/trip", "https://e.org/", None),
        ("beach.jpg?width=300", "posts/trip", "https://e.org/", None),
        ("beach.jpg#top", "posts/trip", "https://e.org/", None),
        ("diagram.svg", "posts/trip", "https://e.org/", None),
        ("notes.pdf", "posts/trip", "https://e.org/", None),
        ("/img/", "posts/trip", "https://e.org/", None),
    ],
)
def test_a_link_reaches_the_output_key_a_browser_fetches_from_the_page(
    link: str, page_path: str, base: str, use: str | None
) -> None:
    assert image_use(link, page_path, SiteConfig(baseURL=base)) == use


def test_a_hugo_roots_page_shows_images_of_static_assets_and_content_as_pictures() -> None:
    """A non-bundle page: a site path of `static/` (the owner's, processed the same), a
    `featureimage` of `assets/`, a loose image of `content/`, a relative name beside the page."""
    body = (
        "![static](/blog/img/s.png)\n\n![content](/blog/gallery/c.jpg)\n\n![beside](cat.png)\n\n"
        "![outside](/img/s.png)\n\n![remote](https://cdn.example/r.jpg)\n"
    )
    site = build(
        {
            "hugo.toml": HUGO,
            "content/posts/a.md": page("title: A\ndate: 2025-01-01\nfeatureimage: img/cover.jpg\n", body),
            "static/img/s.png": png(500, 250),
            "assets/img/cover.jpg": photo(1600, 900),
            "content/gallery/c.jpg": photo(800, 600),
            "content/posts/cat.png": png(300, 300),
        }
    )
    html = site.outputs["posts/a/index.html"].decode()
    assert re.search(rf'<img src="/blog/img/s\.{HASH}\.500\.png" alt="static" width="500" height="250"', html)
    assert re.search(rf'srcset="/blog/gallery/c\.{HASH}\.360\.avif 360w, /blog/gallery/c\.{HASH}\.672', html)
    assert re.search(rf'<img src="/blog/posts/cat\.{HASH}\.300\.png" alt="beside" width="300" height="300"', html)
    assert '<img src="/img/s.png" alt="outside"' in html and '<img src="https://cdn.example/r.jpg"' in html
    feature = re.search(r'<figure class="feature">(.*?)</figure>', html, re.DOTALL).group(1)
    assert re.search(rf'<img src="/blog/img/cover\.{HASH}\.1200\.jpg" alt="A" width="1600" height="900"', feature)
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert re.fullmatch(rf"https://example\.org/blog/img/cover\.{HASH}\.1200\.jpg", og)
    thumb = re.search(r'<a class="thumb"[^>]*>(.*?)</a>', site.outputs["index.html"].decode(), re.DOTALL).group(1)
    assert re.search(rf'srcset="/blog/img/cover\.{HASH}\.160\.avif 160w, /blog/img/cover\.{HASH}\.320\.avif', thumb)
    assert variants(site, "img/s.png") == [96, 160, 192, 320, 360, 500]
    assert variants(site, "img/cover.jpg") == [96, 160, 192, 320, 360, 672, 1008, 1344]
    assert variants(site, "gallery/c.jpg") and variants(site, "posts/cat.png")
    assert site.parsed["content/posts/a.md"].image_uses == (
        "gallery/c.jpg",
        "img/cover.jpg",
        "img/s.png",
        "posts/cat.png",
    )


def test_a_bundle_shows_another_bundles_image_where_that_page_publishes_it() -> None:
    """`../other/beach.jpg` resolves from the page's URL: it shows the image while the other page
    publishes it there, and is linked as written once that page moves (its files move with it)."""
    files = {
        "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "![b](../other/beach.jpg)\n"),
        "posts/other/index.md": page("title: Other\ndate: 2025-01-02\n", "Beach.\n"),
        "posts/other/beach.jpg": photo(900, 600),
    }
    site = build({"site.yaml": b"title: T\n", **files})
    assert re.search(
        rf'<img src="\.\./other/beach\.{HASH}\.900\.jpg" alt="b" width="900" height="600"',
        picture_of(site.outputs["posts/trip/index.html"].decode(), "beach"),
    )
    assert variants(site, "posts/other/beach.jpg")
    files["posts/other/index.md"] = page("title: Other\ndate: 2025-01-02\nslug: moved\n", "Beach.\n")
    moved = build({"site.yaml": b"title: T\n", **files})
    assert '<img src="../other/beach.jpg" alt="b"' in moved.outputs["posts/trip/index.html"].decode()
    assert "posts/moved/beach.jpg" in moved.outputs
    assert variants(moved, "posts/moved/beach.jpg") == [], "no page shows it where it is now"


def test_of_two_files_at_one_url_the_page_shows_the_one_the_site_publishes() -> None:
    """`content/img/x.png` and `static/img/x.png` both claim `/img/x.png`: the smaller source key
    owns the URL (`core.site.resolve`), and the page shows that image, with its variants."""
    files = {
        "hugo.toml": HUGO,
        "content/about.md": page("title: About\n", "![x](/blog/img/x.png)\n"),
        "content/img/x.png": png(400, 100),
        "static/img/x.png": png(200, 200),
    }
    site = build_site(files, NOW)
    assert [error.source_key for error in site.errors] == ["static/img/x.png"]
    html = site.outputs["about/index.html"].decode()
    assert re.search(rf'<img src="/blog/img/x\.{HASH}\.400\.png" alt="x" width="400" height="100"', html)
    assert variants(site, "img/x.png") == [96, 160, 192, 320, 360, 400]


AUTHOR = (
    HUGO + b"[params]\n  [params.article]\n    showAuthor = true\n"
    b'  [params.author]\n    name = "Ada"\n    image = "img/me.jpg"\n'
)


def test_the_author_image_is_a_picture_of_its_avatar_variants_on_the_home_and_in_each_author_box() -> None:
    site = build(
        {
            "hugo.toml": AUTHOR,
            "content/posts/a.md": page("title: A\ndate: 2025-01-01\n", "Text.\n"),
            "content/posts/b.md": page("title: B\ndate: 2025-01-02\nshowAuthor: false\n", "Text.\n"),
            "assets/img/me.jpg": photo(600, 800),
        }
    )
    profile = picture_of(site.outputs["index.html"].decode(), "me")
    assert re.fullmatch(
        rf'<picture><source type="image/avif" srcset="/blog/img/me\.{HASH}\.96\.avif 96w, '
        rf'/blog/img/me\.{HASH}\.192\.avif 192w" sizes="6rem"><source type="image/webp" srcset="[^"]+" sizes="6rem">'
        rf'<img src="/blog/img/me\.{HASH}\.600\.jpg" class="avatar" alt="Ada" width="96" height="96" '
        r'decoding="async"></picture>',
        profile,
    ), profile
    box = picture_of(site.outputs["posts/a/index.html"].decode(), "me")
    assert 'sizes="4rem"' in box and 'alt="" width="64" height="64" loading="lazy" decoding="async"' in box
    assert "/img/me." not in site.outputs["posts/b/index.html"].decode()  # no author box there
    assert variants(site, "img/me.jpg") == [96, 160, 192, 320, 360, 600]
    assert site.parsed["content/posts/a.md"].image_uses == ("img/me.jpg",)
    assert site.parsed["content/posts/b.md"].image_uses == ()


def test_the_home_layouts_show_the_author_image_at_their_size_and_page_shows_none() -> None:
    def home(layout: str) -> str:
        config = AUTHOR + f'  [params.homepage]\n    layout = "{layout}"\n'.encode()
        site = build({"hugo.toml": config, "assets/img/me.jpg": photo(300, 300)})
        return site.outputs["index.html"].decode()

    assert 'sizes="9rem"' in picture_of(home("profile"), "me")
    assert "/img/me." not in home("page")


def home_with(homepage: str, files: dict[str, bytes], extra: str = "") -> SiteBuild:
    config = HUGO + f"[params]\n{extra}  [params.homepage]\n{homepage}".encode()
    return build({"hugo.toml": config, **files})


@pytest.mark.parametrize(
    ("layout", "sizes"),
    [
        ("hero", "(max-width: 44.5rem) calc(100vw - 2.5rem), 42rem"),
        ("background", "(max-width: 44.5rem) 100vw, 44.5rem"),
        ("card", "(min-width: 44.5rem) 20rem, (min-width: 40em) calc(50vw - 2.25rem), calc(100vw - 2.5rem)"),
    ],
)
def test_the_home_layouts_image_is_a_picture_of_its_variants_on_the_first_screen(layout: str, sizes: str) -> None:
    homepage = (
        f'    layout = "{layout}"\n    homepageImage = "img/cover.jpg"\n    showRecent = true\n    recentLimit = 1\n'
    )
    posts = {f"content/posts/p{n}.md": page(f"title: P{n}\ndate: 2025-01-0{n}\n", "Text.\n") for n in (1, 2)}
    site = home_with(homepage, {"assets/img/cover.jpg": photo(1600, 900), **posts})
    for key in ("index.html", "page/2/index.html"):  # every page of the home shows it
        cover = picture_of(site.outputs[key].decode(), "cover")
        assert re.fullmatch(
            rf'<picture><source type="image/avif" srcset="/blog/img/cover\.{HASH}\.360\.avif 360w, '
            rf"/blog/img/cover\.{HASH}\.672\.avif 672w, /blog/img/cover\.{HASH}\.1008\.avif 1008w, "
            rf'/blog/img/cover\.{HASH}\.1344\.avif 1344w" sizes="{re.escape(sizes)}">'
            rf'<source type="image/webp" srcset="[^"]+" sizes="{re.escape(sizes)}">'
            rf'<img src="/blog/img/cover\.{HASH}\.1200\.jpg" class="home-image" alt="Root" width="1600" '
            r'height="900" decoding="async"></picture>',
            cover,
        ), cover
    assert variants(site, "img/cover.jpg") == [96, 160, 192, 320, 360, 672, 1008, 1344]


def test_the_default_background_image_stands_in_where_blowfish_shows_it_and_an_address_stays_as_written() -> None:
    cover = {"static/img/bg.png": png(800, 400)}
    extra = '  defaultBackgroundImage = "/img/bg.png"\n'
    hero = home_with('    layout = "hero"\n', cover, extra).outputs["index.html"].decode()
    assert 'width="800" height="400"' in picture_of(hero, "bg")
    background = home_with('    layout = "background"\n', cover, extra)
    assert "/img/bg." not in background.outputs["index.html"].decode()
    assert variants(background, "img/bg.png") == []  # no page shows it: no variant
    remote = home_with('    layout = "hero"\n    homepageImage = "https://cdn.example/c.jpg"\n', {})
    assert (
        '<img class="home-image" src="https://cdn.example/c.jpg" alt="Root">' in remote.outputs["index.html"].decode()
    )
    hostile = home_with('    layout = "card"\n    homepageImage = "javascript:alert(1)"\n', {})
    assert "javascript:" not in hostile.outputs["index.html"].decode()


def test_a_page_uses_the_images_a_browser_would_show_it() -> None:
    """Raw HTML images too (what `<picture>` rewrites), but not an author's own `<picture>`, an
    `<img>` with its own `srcset`, or a link with a query."""
    body = (
        '<img src="raw.jpg" alt="raw">\n\n<picture><img src="own.jpg" alt="own"></picture>\n\n'
        '<img src="set.jpg" srcset="set.jpg 1x" alt="set">\n\n![q](query.jpg?w=300)\n'
    )
    files = {
        "site.yaml": b"title: T\nunsafeHTML: true\n",
        "posts/p/index.md": page("title: P\ndate: 2025-01-01\n", body),
        **{f"posts/p/{name}.jpg": photo(500, 400) for name in ("raw", "own", "set", "query")},
    }
    site = build(files)
    assert site.parsed["posts/p/index.md"].image_uses == ("posts/p/raw.jpg",)
    html = site.outputs["posts/p/index.html"].decode()
    assert re.search(rf'<img src="raw\.{HASH}\.500\.jpg" alt="raw" width="500" height="400"', html)
    assert '<img src="query.jpg?w=300" alt="q"' in html
    assert [name for name in ("raw", "own", "set", "query") if variants(site, f"posts/p/{name}.jpg")] == ["raw"]
