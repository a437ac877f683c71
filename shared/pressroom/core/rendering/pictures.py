"""Images written as `<picture>`: their variants offered by `srcset`, their box reserved.

A page's body is parsed once, with its images as the author wrote them (`<img src="beach.jpg">`);
the image's record may arrive later, change, or go. So the `<picture>` is written when the page
is rendered, from the records of the images it shows (`SiteIndex.images_at`, by the output key
each link reaches: `core.site.image_uses`): each `<img>` of an image with a record becomes

    <picture><source type="image/avif" srcset="beach.HASH.360.avif 360w, ..." sizes="...">
    <source type="image/webp" ...><img src="beach.HASH.1200.jpg" alt="..." width="W" height="H"
    loading="lazy" decoding="async"></picture>

`width` and `height` are the image's, upright (its EXIF orientation applied), so the browser
reserves its box before a byte arrives and nothing below it moves. The first image of a page
without a feature image, and the feature image, are on the first screen: not lazy. An image with
no record (not a raster image, refused, not published yet) stays as written, and so does one in
an author's own `<picture>` or with its own `srcset`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markupsafe import Markup

from pressroom.core.images.facts import ImageFacts
from pressroom.core.images.variants import CONTENT, Picture

_IMG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
"""An `<img>` tag; it stops at a `<` too, so text full of `<img` with no `>` costs one scan, not one per `<img`."""
_SRC = re.compile(r'\ssrc="([^"]*)"', re.IGNORECASE)
_PICTURE_OPEN = re.compile(r"<picture\b", re.IGNORECASE)
_PICTURE_CLOSE = re.compile(r"</picture\s*>", re.IGNORECASE)
_REPLACED = re.compile(r'\s(?:src|loading|decoding)="[^"]*"', re.IGNORECASE)
_SIZED = re.compile(r'\s(?:width|height)="', re.IGNORECASE)
_OWN_SRCSET = re.compile(r"\ssrcset=", re.IGNORECASE)


def picture_html(picture: Picture, attributes: str, lazy: bool, url: Callable[[str], str] = str) -> Markup:
    """`<picture>` with its sources, and its `<img>` with `attributes` (already escaped, each with
    its leading space: `alt`, `class`...); `url` makes each variant's key a link."""
    sources = "".join(
        f'<source type="{source.media_type}" srcset="{_attribute(source.srcset(lambda key: _srcset_url(url(key))))}"'
        f' sizes="{_attribute(picture.sizes)}">'
        for source in picture.sources
    )
    size = "" if _SIZED.search(attributes) else f' width="{picture.width}" height="{picture.height}"'
    loading = ' loading="lazy"' if lazy else ""
    img = f'<img src="{_attribute(url(picture.src))}"{attributes}{size}{loading} decoding="async">'
    return Markup(f"<picture>{sources}{img}</picture>" if sources else img)


def with_pictures(body: str, image_of: Callable[[str], ImageFacts | None], first_lazy: bool) -> str:
    """`body` with each `<img>` of an image that has a record (`image_of(src)`, src unescaped)
    written as its `<picture>` in the content role, lazy but for the body's first image unless
    `first_lazy` (a feature image above it)."""
    seen = [first_lazy]

    def replace(match: re.Match[str]) -> str:
        tag = match.group(0)
        lazy = seen[0]
        seen[0] = True
        src = _src_of(tag)
        facts = image_of(src) if src is not None else None
        if src is None or facts is None:
            return tag
        return picture_html(facts.picture(src, CONTENT), _attributes(tag), lazy)

    return "".join(_IMG.sub(replace, text) if outside else text for text, outside in _spans(body))


def image_sources(body: str) -> list[str]:
    """The `src` (unescaped) of each `<img>` of `body` that `with_pictures` may write as a picture,
    in order: outside an author's own `<picture>`, without a `srcset` of its own."""
    found: list[str] = []
    for text, outside in _spans(body):
        if outside:
            found.extend(src for match in _IMG.finditer(text) if (src := _src_of(match.group(0))) is not None)
    return found


def _src_of(tag: str) -> str | None:
    """An `<img>` tag's `src`, unescaped; None when it has none, or a `srcset` of its own."""
    found = _SRC.search(tag)
    if found is None or _OWN_SRCSET.search(tag):
        return None
    return html.unescape(found.group(1))


def _spans(body: str) -> list[tuple[str, bool]]:
    """`body` cut into its author's own `<picture>` elements (False) and the text around them (True)."""
    parts = []
    last = 0
    for start, end in _author_pictures(body):
        parts.append((body[last:start], True))
        parts.append((body[start:end], False))
        last = end
    parts.append((body[last:], True))
    return parts


def _author_pictures(body: str) -> list[tuple[int, int]]:
    """The spans of the `<picture>` elements an author wrote (raw HTML a site allows).

    Each opening is closed by the first `</picture>` after it; an opening with none ends the
    search, as none after it can have one either. A lazy regex over the body searched to its end
    from each unclosed `<picture`: quadratic on hostile HTML (20,000 of them: 16 s a render).
    """
    spans = []
    position = 0
    while (opening := _PICTURE_OPEN.search(body, position)) is not None:
        closing = _PICTURE_CLOSE.search(body, opening.end())
        if closing is None:
            break
        spans.append((opening.start(), closing.end()))
        position = closing.end()
    return spans


def _attributes(tag: str) -> str:
    """The attributes of an `<img>` tag but those the picture writes (src, loading, decoding)."""
    inner = tag[len("<img") : -1].rstrip().removesuffix("/").rstrip()
    return _REPLACED.sub("", inner)


def _srcset_url(url: str) -> str:
    """A URL as a `srcset` candidate: a space or comma would split it."""
    return url.replace(" ", "%20").replace(",", "%2C")


def _attribute(text: str) -> str:
    return html.escape(text, quote=True)
