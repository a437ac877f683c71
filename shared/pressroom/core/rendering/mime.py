"""The one table of Content-Types: for built outputs, copied assets and uploaded sources alike.

It is pressroom's own, not the machine's `/etc/mime.types` nor Python's built-in table (which
differs between Python versions), so every machine writes the same object for the same key
(SPEC 2: output is a pure function of the sources).

>>> content_type("posts/x/index.html"), content_type("index.xml"), content_type("img/A.PNG")
('text/html; charset=utf-8', 'application/rss+xml', 'image/png')

And the one rule of Cache-Control, from the key alone, so the full build, the event path and a
rebuild give every object the same headers.

An author's active file (SPEC 3.5: a script, XML, an SVG from `content/`, not the owner's
`static/`) is published inert, so that no browser runs it on the site's origin: scripts and XML
as `text/plain` (the stack sends `nosniff`, so a browser never runs it as a script nor renders
it as a page), an SVG as an image with `Content-Disposition: attachment` (an `<img>` shows it;
opened by its URL, it downloads instead of running its scripts). An HTML file there is not
published at all, as Hugo refuses it (its `security.allowContent`).

>>> headers("posts/x/a.js", authored=True).content_type, headers("posts/x/a.svg", authored=True).disposition
('text/plain; charset=utf-8', 'attachment')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_CONTENT_TYPE = "application/octet-stream"

_BY_SUFFIX: Mapping[str, str] = {
    # pages and the files pressroom generates
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",  # RFC 9239
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    # sources (synced to the source bucket, or published when they sit in content as assets)
    ".md": "text/markdown; charset=utf-8",
    ".markdown": "text/markdown; charset=utf-8",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".toml": "application/toml",
    # images
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heif",
    # fonts
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    # audio and video
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/opus",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".vtt": "text/vtt; charset=utf-8",
    # documents and archives
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".tgz": "application/gzip",
    ".bz2": "application/x-bzip2",
    ".xz": "application/x-xz",
    ".tar": "application/x-tar",
    ".7z": "application/x-7z-compressed",
    ".epub": "application/epub+zip",
    ".wasm": "application/wasm",
    ".ipynb": "application/x-ipynb+json",
    ".py": "text/x-python; charset=utf-8",
    ".sh": "text/x-shellscript; charset=utf-8",
    ".pub": "text/plain; charset=utf-8",
    ".asc": "text/plain; charset=utf-8",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

_BY_NAME: Mapping[str, str] = {
    # An RSS feed is `index.xml` (Hugo's name); any other .xml is plain XML (the sitemap).
    "index.xml": "application/rss+xml",
}


def content_type(key: str, authored: bool = False) -> str:
    """The Content-Type a key is stored with, from its name (case-insensitive suffix) and, for a
    file copied from the source, whether an author wrote it (inert: see the module's docstring)."""
    name = key.rsplit("/", 1)[-1].lower()
    suffix = _suffix(name)
    if authored and suffix in _INERT_AS_TEXT:
        return INERT_CONTENT_TYPE
    if name in _BY_NAME and not authored:
        return _BY_NAME[name]
    return _BY_SUFFIX.get(suffix, DEFAULT_CONTENT_TYPE)


def content_disposition(key: str, authored: bool = False) -> str:
    """`attachment` for an author's SVG (an `<img>` shows it; its own URL downloads it), else ""."""
    return "attachment" if authored and _suffix(key.rsplit("/", 1)[-1].lower()) in _DOWNLOADED else ""


def refused_reason(key: str) -> str | None:
    """Why an author's file is not published at all (an HTML page: Hugo refuses it too), or None."""
    if _suffix(key.rsplit("/", 1)[-1].lower()) in _REFUSED:
        return (
            "an HTML file under content/ is not published (Hugo refuses it too: security.allowContent); "
            "write the page in Markdown, or ask the site's owner to put the file in static/"
        )
    return None


@dataclass(frozen=True)
class Headers:
    """What an object is stored with besides its bytes: part of the published state (SPEC 3.3.1)."""

    content_type: str
    cache_control: str
    disposition: str = ""

    def digest_text(self, separator: str = "\0") -> str:
        """The headers as they enter an object's recorded hash (as before dispositions, without one)."""
        fields = (self.content_type, self.cache_control, *((self.disposition,) if self.disposition else ()))
        return separator.join(fields)


def headers(key: str, authored: bool = False) -> Headers:
    """Every header `key` is stored with; `authored`: copied from an author's file (see `content_type`)."""
    return Headers(content_type(key, authored), cache_control(key), content_disposition(key, authored))


HEADERS_RULES = 3
"""Bumped whenever a rule of this module changes what an existing object is stored with: the event
path rebuilds a site published under other rules (see `engine.index.built_by`)."""
INERT_CONTENT_TYPE = "text/plain; charset=utf-8"
_INERT_AS_TEXT = frozenset(
    {".js", ".mjs", ".cjs", ".xml", ".xsl", ".xslt", ".xht", ".xhtml", ".shtml", ".mht", ".mhtml", ".rss", ".atom"}
)
"""An author's files a browser would run as a script or render as a document with scripts."""
_DOWNLOADED = frozenset({".svg", ".svgz"})
_REFUSED = frozenset({".html", ".htm"})


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


PAGE_CACHE_CONTROL = "public, max-age=300, must-revalidate"
"""Pages, feeds, the sitemap, robots.txt: their names never change, their content often does."""
ASSET_CACHE_CONTROL = "public, max-age=3600, must-revalidate"
"""Files copied from the source (a bundle's images, ...): they keep the author's names, so a browser
keeps a replaced one an hour at most, then asks again (a 304 when it did not change)."""
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Fingerprinted names (`css/main.<hash>.css`, an image's variants): new content is a new name, so
a year is safe."""
_PAGE_TYPES = frozenset(
    {"text/html; charset=utf-8", "application/rss+xml", "application/xml", "text/plain; charset=utf-8"}
)


def cache_control(key: str) -> str:
    """The Cache-Control an output key is stored with.

    >>> cache_control("posts/x/index.html"), cache_control("img/a.png")
    ('public, max-age=300, must-revalidate', 'public, max-age=3600, must-revalidate')
    """
    from pressroom.core.rendering.theme import is_fingerprinted
    from pressroom.core.site.outputs import is_cached_as_page, is_variant_key

    if is_fingerprinted(key) or is_variant_key(key):  # an image's variant is named by its bytes too
        return IMMUTABLE_CACHE_CONTROL
    if is_cached_as_page(key):  # its kind changes at every publish (the search index): a page's lifetime
        return PAGE_CACHE_CONTROL
    return PAGE_CACHE_CONTROL if content_type(key) in _PAGE_TYPES else ASSET_CACHE_CONTROL
