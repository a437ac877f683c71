"""The one table of Content-Types: for built outputs, copied assets and uploaded sources alike.

It is pressroom's own, not the machine's `/etc/mime.types` nor Python's built-in table (which
differs between Python versions), so every machine writes the same object for the same key
(SPEC 2: output is a pure function of the sources).

>>> content_type("posts/x/index.html"), content_type("index.xml"), content_type("img/A.PNG")
('text/html; charset=utf-8', 'application/rss+xml', 'image/png')

And the one rule of Cache-Control, from the key alone, so the full build, the event path and a
rebuild give every object the same headers.
"""

from __future__ import annotations

from collections.abc import Mapping

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


def content_type(key: str) -> str:
    """The Content-Type a key is stored with, from its name alone (case-insensitive suffix)."""
    name = key.rsplit("/", 1)[-1].lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    dot = name.rfind(".")
    if dot < 0:
        return DEFAULT_CONTENT_TYPE
    return _BY_SUFFIX.get(name[dot:], DEFAULT_CONTENT_TYPE)


PAGE_CACHE_CONTROL = "public, max-age=300, must-revalidate"
"""Pages, feeds, the sitemap, robots.txt: their names never change, their content often does."""
ASSET_CACHE_CONTROL = "public, max-age=3600, must-revalidate"
"""Files copied from the source (a bundle's images, ...): they keep the author's names, so a browser
keeps a replaced one an hour at most, then asks again (a 304 when it did not change)."""
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Fingerprinted names (`css/main.<hash>.css`): new content is a new name, so a year is safe."""
_PAGE_TYPES = frozenset(
    {"text/html; charset=utf-8", "application/rss+xml", "application/xml", "text/plain; charset=utf-8"}
)


def cache_control(key: str) -> str:
    """The Cache-Control an output key is stored with.

    >>> cache_control("posts/x/index.html"), cache_control("img/a.png")
    ('public, max-age=300, must-revalidate', 'public, max-age=3600, must-revalidate')
    """
    from pressroom.core.outputs import SEARCH_INDEX_KEY, is_search_part
    from pressroom.core.theme import is_fingerprinted

    if is_fingerprinted(key):
        return IMMUTABLE_CACHE_CONTROL
    if key == SEARCH_INDEX_KEY or is_search_part(key):  # changed by any publish: a page's lifetime
        return PAGE_CACHE_CONTROL
    return PAGE_CACHE_CONTROL if content_type(key) in _PAGE_TYPES else ASSET_CACHE_CONTROL
