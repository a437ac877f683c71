"""Pages show their bundle's images as `<picture>`: variants by `srcset`, the box reserved (issue 22.2).

The full build: each image a published page shows (a Markdown image of its bundle, its feature
image) is published with its variants, named from its header and its bytes; the page writes
them with `sizes`, the upright `width` and `height`, lazy below the first screen; Open Graph
shows the 1200-px fallback. An image no published page shows gets no variant.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime

from PIL import Image

from pressroom.core.build import SiteBuild, build_site
from support.images import photo

NOW = datetime(2026, 11, 29, tzinfo=UTC)
SITE = b"title: Pictures\nbaseURL: https://pics.example/\n"
VARIANT = r"[0-9a-f]{12}"


def page(front: str, body: str) -> bytes:
    return f"---\n{front}---\n{body}".encode()


def build(files: dict[str, bytes]) -> SiteBuild:
    site = build_site({"site.yaml": SITE, **files}, NOW)
    assert site.errors == []
    return site


def html_of(site: SiteBuild, key: str) -> str:
    return site.outputs[key].decode()


def variants_of(site: SiteBuild, folder: str, stem: str) -> dict[str, bytes]:
    pattern = re.compile(rf"{re.escape(folder)}/{re.escape(stem)}\.{VARIANT}\.\d+\.(avif|webp|jpg|png)")
    return {key: body for key, body in site.outputs.items() if pattern.fullmatch(key)}


def test_a_bundle_image_is_a_picture_with_its_variants_upright_and_its_box_reserved() -> None:
    # Stored 800 x 600 with orientation 6 (a phone held upright): shown 600 x 800.
    site = build(
        {
            "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "Intro.\n\n![The beach](beach.jpg)\n"),
            "posts/trip/beach.jpg": photo(800, 600, orientation=6),
        }
    )
    html = html_of(site, "posts/trip/index.html")
    found = re.search(r"<picture>.*?</picture>", html, re.DOTALL)
    assert found is not None, html
    picture = found.group(0)
    assert re.search(
        rf'<source type="image/avif" srcset="beach\.{VARIANT}\.360\.avif 360w, '
        rf'beach\.{VARIANT}\.600\.avif 600w" sizes="[^"]+">',
        picture,
    )
    assert re.search(rf'<source type="image/webp" srcset="beach\.{VARIANT}\.360\.webp 360w, ', picture)
    img = re.search(r"<img [^>]*>", picture).group(0)
    assert re.fullmatch(
        rf'<img src="beach\.{VARIANT}\.600\.jpg" alt="The beach" width="600" height="800" decoding="async">', img
    ), img  # the page's first image, with no feature image above it: on the first screen, not lazy
    made = variants_of(site, "posts/trip", "beach")
    # every role's widths up to the original's (content 360, 600; thumbnail 160, 320; avatar 96, 192)
    assert sorted(int(key.split(".")[-2]) for key in made if key.endswith(".webp")) == [96, 160, 192, 320, 360, 600]
    for key, body in made.items():
        width = int(key.split(".")[-2])
        shown = Image.open(io.BytesIO(body))
        assert shown.size == (width, round(width * 800 / 600)), key  # upright
        assert not shown.getexif(), key  # no GPS, no camera
        assert key.rsplit("/", 1)[1] in html or width in (96, 160, 192, 320)
    assert "posts/trip/beach.jpg" in site.outputs  # the original stays, linked by nothing but itself


def test_the_feature_image_is_eager_the_body_images_below_it_lazy_and_open_graph_shows_the_fallback() -> None:
    site = build(
        {
            "posts/trip/index.md": page(
                "title: Trip\ndate: 2025-01-01\n", "![One](one.png)\n\nText.\n\n![Two](./two.jpg)\n"
            ),
            "posts/trip/feature.jpg": photo(2000, 1000),
            "posts/trip/one.png": _png(500, 400),
            "posts/trip/two.jpg": photo(300, 200),
        }
    )
    html = html_of(site, "posts/trip/index.html")
    feature = re.search(r'<figure class="feature">(.*?)</figure>', html, re.DOTALL).group(1)
    assert re.search(
        rf'srcset="/posts/trip/feature\.{VARIANT}\.360\.avif 360w, .* '
        rf'/posts/trip/feature\.{VARIANT}\.1344\.avif 1344w"',
        feature,
    )
    assert re.search(
        rf'<img src="/posts/trip/feature\.{VARIANT}\.1200\.jpg" alt="Trip" '
        r'width="2000" height="1000" decoding="async">',
        feature,
    )
    body_images = re.findall(r"<img [^>]*>", html.split("</figure>", 1)[1])
    assert [re.search(r'src="([^"]+)"', img).group(1).split(".")[-1] for img in body_images[:2]] == ["png", "jpg"]
    assert all('loading="lazy" decoding="async"' in img for img in body_images[:2]), body_images
    assert re.search(rf'src="\./two\.{VARIANT}\.300\.jpg" alt="Two" width="300" height="200"', html)
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert re.fullmatch(rf"https://pics\.example/posts/trip/feature\.{VARIANT}\.1200\.jpg", og)
    assert og.removeprefix("https://pics.example/") in site.outputs


def test_images_no_published_page_shows_get_no_variants() -> None:
    site = build(
        {
            "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "No image here.\n"),
            "posts/trip/unused.jpg": photo(400, 300),
            "posts/draft/index.md": page("title: Draft\ndraft: true\n", "![x](shown.jpg)\n"),
            "posts/draft/shown.jpg": photo(400, 300),
            "elsewhere/loose.jpg": photo(400, 300),
        }
    )
    assert "posts/trip/unused.jpg" in site.outputs and "elsewhere/loose.jpg" in site.outputs
    assert [key for key in site.outputs if re.search(rf"\.{VARIANT}\.\d+\.", key)] == []


def test_an_image_that_cannot_have_variants_is_linked_as_written_and_named_in_the_errors() -> None:
    files = {
        "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "![Lies](lies.jpg)\n\n![Anim](anim.gif)\n"),
        "posts/trip/lies.jpg": _png(50, 50),  # a PNG named .jpg
        "posts/trip/anim.gif": _animated_gif(),
    }
    site = build_site({"site.yaml": SITE, **files}, NOW)
    assert [(error.source_key, "bytes are a PNG" in error.problem) for error in site.errors] == [
        ("posts/trip/lies.jpg", True)
    ]
    html = html_of(site, "posts/trip/index.html")
    assert '<img src="lies.jpg" alt="Lies" loading="lazy">' in html  # as the converter wrote it
    assert '<img src="anim.gif" alt="Anim" width="40" height="30" loading="lazy" decoding="async">' in html
    assert [key for key in site.outputs if re.search(rf"\.{VARIANT}\.\d+\.", key)] == []


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def test_a_site_without_images_builds_and_renders_without_importing_pillow() -> None:
    """The Markdown-only path's cold start stays as it was: Pillow is imported for an image only."""
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "from pressroom.core.build import build_site\n"
        "import pressroom.shells.handler\n"
        "site = build_site({'site.yaml': b'title: T\\n', 'posts/a/index.md': b'---\\ntitle: A\\n---\\n![x](x.svg)\\n',"
        " 'posts/a/x.svg': b'<svg/>'}, datetime(2026, 1, 1, tzinfo=UTC))\n"
        "assert 'posts/a/index.html' in site.outputs, site.errors\n"
        "print('PIL' in sys.modules)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_list_shows_the_feature_image_as_a_lazy_thumbnail_picture() -> None:
    site = build(
        {
            "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "Text.\n"),
            "posts/trip/cover.jpg": photo(1600, 900),
        }
    )
    for key in ("index.html", "posts/index.html"):
        thumb = re.search(r'<a class="thumb"[^>]*>(.*?)</a>', html_of(site, key), re.DOTALL).group(1)
        assert re.search(
            rf'<source type="image/avif" srcset="/posts/trip/cover\.{VARIANT}\.160\.avif 160w, '
            rf'/posts/trip/cover\.{VARIANT}\.320\.avif 320w" sizes="\(max-width: 30em\) 5rem, 7\.5rem">',
            thumb,
        ), thumb
        assert re.search(
            rf'<img src="/posts/trip/cover\.{VARIANT}\.1200\.jpg" alt="Trip" width="1600" height="900" '
            r'loading="lazy" decoding="async">',
            thumb,
        ), thumb


def test_a_rebuild_with_the_cache_makes_no_variant_and_writes_the_same_site(tmp_path, monkeypatch) -> None:
    """`pressroom build --cache-dir`: variants are kept by their name (hash of the image's bytes,
    the processing and the encoder), and so is the image's copy without metadata (hash of the
    image's bytes and of the stripping code); a second build takes them from there, decoding and
    stripping nothing."""
    from pressroom.adapters.files import FolderCache
    from pressroom.core.images import processing
    from pressroom.core.site import outputs

    files = {
        "site.yaml": SITE,
        "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "![One](one.jpg)\n"),
        "posts/trip/one.jpg": photo(900, 600),
    }
    cache = FolderCache(tmp_path / "cache")
    first = build_site(files, NOW, cache=cache)
    kept = sorted(path.name for path in (tmp_path / "cache").iterdir())
    originals = [name for name in kept if name.endswith(".original.jpg")]
    assert (
        len(originals) == 1 and (tmp_path / "cache" / originals[0]).read_bytes() == first.outputs["posts/trip/one.jpg"]
    )
    variants = sorted(".".join(key.rsplit(".", 3)[-3:]) for key in variants_of(first, "posts/trip", "one"))
    assert [name for name in kept if name not in originals] == variants

    def no_decoding(*args: object) -> None:
        raise AssertionError("a cached variant or copy was made again")

    monkeypatch.setattr(processing, "process", no_decoding)
    monkeypatch.setattr(outputs, "strip_metadata", no_decoding)
    processing._processed.cache_clear()
    second = build_site(files, NOW, cache=cache)
    assert second.outputs == first.outputs and second.errors == []


def test_a_build_into_a_folder_links_the_cached_variants_and_writes_the_same_files(tmp_path) -> None:
    """`pressroom build --out DIR --cache-dir CACHE`: each variant is written once, into the cache,
    and linked into the site; a rebuild into an empty folder links them again, reading none."""
    from pressroom.adapters.files import FolderCache, TreeWriter, read_tree

    files = {
        "site.yaml": SITE,
        "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "![One](one.jpg)\n"),
        "posts/trip/one.jpg": photo(900, 600),
    }
    expected = build_site(files, NOW).outputs
    for run in ("clean", "cached"):
        writer = TreeWriter(tmp_path / run)
        site = build_site(files, NOW, sink=writer, cache=FolderCache(tmp_path / "cache", writer))
        assert site.errors == [] and read_tree(tmp_path / run) == expected
        for key in variants_of(build_site(files, NOW), "posts/trip", "one"):
            kept = tmp_path / "cache" / ".".join(key.rsplit(".", 3)[-3:])
            assert (tmp_path / run / key).samefile(kept), key


def test_an_authors_own_picture_stays_as_written_and_an_unclosed_one_hides_no_image() -> None:
    """Raw HTML a site allows: an author's `<picture>` is theirs, and hostile markup (thousands
    of unclosed `<picture`) neither stops the images after it from being pictures nor costs a
    search per opening."""
    from pressroom.core.images.facts import ImageFacts
    from pressroom.core.rendering.pictures import with_pictures

    facts = ImageFacts("JPEG", 800, 600, 1, False, False, "ab" * 32, "Pillow test")
    own = '<picture><source srcset="a.webp"><img src="a.jpg" alt="own"></picture>'
    body = own + '<p><img src="b.jpg" alt="b"></p>' + "<picture x>" * 5000 + '<img src="c.jpg" alt="c">'
    out = with_pictures(body, lambda src: facts, first_lazy=False)
    assert out.startswith(own)
    assert out.count("<picture>") == 3  # the author's, then b's and c's
    assert 'alt="b"' in out and 'width="800" height="600"' in out


def test_a_photo_cut_after_its_header_is_linked_as_written_never_by_variants_that_cannot_exist() -> None:
    """Its header reads (size, format) but its pixels end early: no variant can be made, so the
    page must not name any; the file is named in the errors once, and the page is published."""
    whole = photo(800, 600)
    cut = whole[: len(whole) // 2]
    files = {
        "posts/trip/index.md": page("title: Trip\ndate: 2025-01-01\n", "![Cut](cut.jpg)\n"),
        "posts/trip/cut.jpg": cut,
    }
    site = build_site({"site.yaml": SITE, **files}, NOW)
    assert [(error.source_key, "truncated" in error.problem) for error in site.errors] == [("posts/trip/cut.jpg", True)]
    html = html_of(site, "posts/trip/index.html")
    assert '<img src="cut.jpg" alt="Cut"' in html
    assert "<picture" not in html and not re.search(rf"\.{VARIANT}\.\d+\.", html)
