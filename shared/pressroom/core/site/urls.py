"""One place that turns names into site paths, output keys and links.

A *site path* has no leading or trailing slash: `posts/my-post`; the home page is `""`.
Its output key is `posts/my-post/index.html` and its link `/posts/my-post/`: both are derived
here and nowhere else, so a page's URL and its key in the site bucket can never disagree.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from pressroom.exceptions import ContentError, PressroomError

MARKDOWN_SUFFIXES = (".md", ".markdown")
_KEPT_PUNCTUATION = frozenset("._-+~#")
_PAGER_SEGMENT = re.compile(r"(^|/)page/\d+($|/)")
TAXONOMIES = ("tags", "categories")


@lru_cache(maxsize=16384)  # a term's name is urlized on every page that lists it
def urlize(text: str) -> str:
    """Hugo's `urlize`: lower case, white space to `-`, keep letters, digits, marks and `._-+~#`.

    >>> urlize("Core beliefs"), urlize("C++"), urlize("Ünïcode Straße!")
    ('core-beliefs', 'c++', 'ünïcode-straße')
    """
    kept: list[str] = []
    for char in text.strip():
        if char.isspace():
            kept.append("-")
        elif char in _KEPT_PUNCTUATION or unicodedata.category(char)[0] in "LMN":
            kept.append(char)
    return "".join(kept).lower()


def unsafe_key_reason(key: str) -> str | None:
    """Why `key` may not name a file under a root (a source file, an output), or None when it may.

    A key is `/`-separated segments, none of them empty, `.` or `..`; a backslash (a separator
    on Windows) or a NUL is refused too. Every reader and writer of keys asks here (SPEC 3.5): a
    key of the source bucket can hold anything, and a folder written from it must not be left.

    >>> unsafe_key_reason("posts/a.png"), unsafe_key_reason("posts/../../etc/passwd")
    (None, "a '..' segment")
    """
    if "\\" in key:
        return "a backslash"
    if "\x00" in key:
        return "a NUL character"
    for segment in key.split("/"):
        if segment in (".", ".."):
            return f"a {segment!r} segment"
        if not segment:
            return "an empty segment (a leading, trailing or doubled '/')"
    return None


def refuse_unsafe_key(key: str, root: str) -> None:
    """A writer's guard: raise PressroomError, naming `key` and `root`, if the key could leave it."""
    refused = unsafe_key_reason(key)
    if refused is not None:
        raise PressroomError(f"{key!r}: refused, it could be written outside {root} ({refused})")


def urlize_path(path: str) -> str:
    """A path (`/Posts/My Trip/`) as a site path: each segment urlized, no outer slashes."""
    return "/".join(urlize(segment) for segment in path.split("/") if segment.strip())


def is_markdown(key: str) -> bool:
    return key.lower().endswith(MARKDOWN_SUFFIXES)


def strip_markdown_suffix(key: str) -> str:
    lowered = key.lower()
    for suffix in MARKDOWN_SUFFIXES:
        if lowered.endswith(suffix):
            return key[: -len(suffix)]
    return key


def page_file_name(key: str) -> str:
    """The name of a page's file without its suffix; of a bundle's `index.md`, its folder's.

    >>> page_file_name("posts/my-post.md"), page_file_name("posts/trip/index.md")
    ('my-post', 'trip')
    """
    segments = strip_markdown_suffix(key).split("/")
    return segments[-2] if segments[-1] == "index" and len(segments) > 1 else segments[-1]


def _clean_segments(source_key: str, segments: list[str], what: str) -> str:
    cleaned = [urlize(segment) for segment in segments if segment.strip()]
    if any(segment in {"", ".", ".."} for segment in cleaned) or not cleaned:
        raise ContentError(source_key, f"{what} escapes the site or is empty")
    return "/".join(cleaned)


def page_path(
    source_key: str, slug: str | None = None, url: str | None = None, taxonomies: Sequence[str] = TAXONOMIES
) -> str:
    """The site path of a page: its source path without `.md` (a bundle: its folder), urlized.

    `slug` replaces the last segment, `url` the whole path. Paths that would escape the site,
    or land on a generated page (home, taxonomies, pagination), raise ContentError.

    >>> page_path("posts/My Post.md"), page_path("posts/x/index.md", slug="Better Name")
    ('posts/my-post', 'posts/better-name')
    """
    if url is not None and str(url).strip():
        text = str(url).strip()
        if "://" in text or text.startswith("//") or "\\" in text:
            raise ContentError(source_key, f"url {text!r} must be a path on this site")
        path = _clean_segments(source_key, text.split("/"), f"url {text!r}")
    else:
        segments = strip_markdown_suffix(source_key).split("/")
        if segments[-1] == "index" and len(segments) > 1:
            segments = segments[:-1]
        if slug is not None and str(slug).strip():
            slug_text = str(slug).strip()
            if "/" in slug_text or "\\" in slug_text:
                raise ContentError(source_key, f"slug {slug_text!r} must be one path segment")
            segments[-1] = slug_text
        path = _clean_segments(source_key, segments, "path")
    reason = reserved_reason(path, taxonomies)
    if reason:
        raise ContentError(source_key, f"path /{path}/ would overwrite {reason}")
    return path


_PERMALINK_TOKEN = re.compile(r":([A-Za-z]+)")
PERMALINK_ATTRIBUTES = frozenset(
    [
        "year",
        "month",
        "monthname",
        "day",
        "slug",
        "slugorfilename",
        "title",
        "section",
        "sections",
        "filename",
        "contentbasename",
    ]
)
"""The `:name` attributes of Hugo's permalink patterns that pressroom expands."""


def expand_permalink(source_key: str, pattern: str, values: Mapping[str, str]) -> str:
    """A Hugo permalink pattern with its `:attributes` replaced (`/:year/:slug/` -> `/2025/hello/`).

    >>> expand_permalink("posts/a.md", "/p/:year/:slug/", {"year": "2025", "slug": "hello"})
    '/p/2025/hello/'
    """

    def value(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name not in values:
            raise ContentError(source_key, f"permalink {pattern!r}: :{name} is not supported")
        return values[name]

    return _PERMALINK_TOKEN.sub(value, pattern)


def permalink_attributes(pattern: str) -> list[str]:
    """The `:attributes` a permalink pattern uses, as written (`/:Year/:slug/` -> `Year`, `slug`)."""
    return _PERMALINK_TOKEN.findall(pattern)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def page_permalink(
    source_key: str, pattern: str, site_key: str, section: str, title: str, slug: str, moment: datetime | None
) -> str:
    """A page's URL from its section's permalink pattern, with what Hugo's attributes stand for on
    it (`:sections` is its first section); ContentError for an attribute pressroom lacks.

    >>> page_permalink("posts/a.md", "/:year/:month/:slug/", "posts/a.md", "posts", "Hello", "", datetime(2025, 7, 1))
    '/2025/07/hello/'
    """
    filename = urlize(page_file_name(site_key))
    year, month, day = (moment.year, moment.month, moment.day) if moment is not None else (1, 1, 1)
    values = {
        "year": str(year),
        "month": f"{month:02d}",
        "monthname": _MONTHS[month - 1],
        "day": f"{day:02d}",
        "title": urlize(title),
        "slug": urlize(slug) if slug else urlize(title),
        "slugorfilename": urlize(slug) if slug else filename,
        "filename": filename,
        "contentbasename": filename,
        "section": section,
        "sections": section,
    }
    return expand_permalink(source_key, pattern, values)


TERM_PERMALINK_ATTRIBUTES = frozenset(
    ["slug", "slugorfilename", "title", "section", "sections", "filename", "contentbasename"]
)
"""The attributes a term's permalink pattern may use (a term has no date)."""


def term_permalink(pattern: str, taxonomy: str, slug: str) -> str:
    """A term page's site path from its taxonomy's permalink pattern.

    >>> term_permalink("/topics/:slug/", "tags", "go")
    'topics/go'
    """
    values = {name: slug for name in TERM_PERMALINK_ATTRIBUTES} | {"section": taxonomy, "sections": taxonomy}
    path = urlize_path(expand_permalink(f"{taxonomy}/{slug}", pattern, values))
    return path or f"{taxonomy}/{slug}"


def alias_path(source_key: str, alias: str, taxonomies: Sequence[str] = TAXONOMIES) -> str:
    """An alias (old URL) as a site path; refuses escapes and generated pages like page_path."""
    text = str(alias).strip()
    if "://" in text or text.startswith("//") or "\\" in text:
        raise ContentError(source_key, f"alias {text!r} must be a path on this site")
    text = text.split("#", 1)[0].split("?", 1)[0]
    if text.endswith(".html"):
        text = text.rsplit("/", 1)[0] if text.endswith("/index.html") else text[: -len(".html")]
    path = _clean_segments(source_key, text.split("/"), f"alias {alias!r}")
    reason = reserved_reason(path, taxonomies)
    if reason:
        raise ContentError(source_key, f"alias /{path}/ would overwrite {reason}")
    return path


def reserved_reason(path: str, taxonomies: Sequence[str] = TAXONOMIES) -> str | None:
    """Why a content page may not take this site path, or None when it may."""
    first = path.split("/", 1)[0]
    if path == "":
        return "the home page"
    if path == "search":
        return "the search page"
    if first in taxonomies:
        return f"the {first} pages"
    if _PAGER_SEGMENT.search(path):
        return "a list's pagination"
    return None


def page_key(path: str) -> str:
    """Output key of the page at a site path: `posts/x` -> `posts/x/index.html`."""
    return f"{path}/index.html" if path else "index.html"


def list_page_path(list_path: str, number: int) -> str:
    """Site path of page `number` (1-based) of a paginated list."""
    if number == 1:
        return list_path
    return f"{list_path}/page/{number}" if list_path else f"page/{number}"


def feed_key(list_path: str) -> str:
    return f"{list_path}/index.xml" if list_path else "index.xml"


def href(path: str) -> str:
    """The link to a site path, in directory form and percent-encoded: `/posts/c%23/`."""
    return "/" + quote(f"{path}/" if path else "", safe="/+~")


def key_href(key: str) -> str:
    """The link to an output key (an asset or a feed): `/img/a b.png` -> `/img/a%20b.png`."""
    return "/" + quote(key, safe="/+~")


def key_to_paths(key: str) -> tuple[str, ...]:
    """The viewer paths that serve an output key, for CloudFront invalidation.

    `posts/x/index.html` is served at `/posts/x/` and `/posts/x/index.html`.
    """
    paths = [key_href(key)]
    if key == "index.html":
        paths.insert(0, "/")
    elif key.endswith("/index.html"):
        paths.insert(0, key_href(key[: -len("index.html")]))
    return tuple(paths)


_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_SAFE_DATA_IMAGE_RE = re.compile(r"data:image/(?:gif|png|jpeg|webp|avif)[;,]")


def is_safe_url(url: str) -> bool:
    """Whether a link or image URL may be rendered: no script, file or non-image data URL.

    Checks a squeezed form of the URL (percent-escapes and entities decoded, whitespace and
    control characters removed, lower case) so obfuscations such as ``JaVaScRiPt:``,
    ``java&#09;script:`` or ``%6Aavascript:`` are refused too, even where a browser would
    not run them: refusing a few odd URLs costs nothing, missing one is an XSS.
    """
    if ":" not in url and "%" not in url and "&" not in url:
        return True  # no scheme, not even an escaped one: a path or a fragment
    decoded = html.unescape(unquote(url))
    squeezed = "".join(c for c in decoded if c.isprintable() and not c.isspace()).lower()
    if squeezed.startswith(_UNSAFE_SCHEMES):
        return _SAFE_DATA_IMAGE_RE.match(squeezed) is not None
    return True


def safe_link(url: str) -> str:
    """`url` as it is where `is_safe_url` allows it, else ``#`` (a link that goes nowhere).

    Every URL a page shows passes here or through Markdown's own check of the same rule: links
    and images from content, and menus, profile links and images from the configuration.
    """
    return url if is_safe_url(url) else "#"


def resolve_link(source_key: str, url: str) -> str | None:
    """The output key a site-internal link points at, or None for an external or anchor link."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    if not path.startswith("/"):
        folder = source_key.rpartition("/")[0]
        path = f"/{folder}/{path}" if folder else f"/{path}"
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in {"", "."}:
            segments.append(segment)
    return "/".join(segments) + ("/" if path.endswith("/") or not segments else "")


def under_base(target: str, url: str, base_path: str) -> str | None:
    """The output key a link reaches (`target`, as `resolve_link` found it from the page's site
    path) once the base URL's path (`/blog/`) is taken off a site-absolute `url`; None when such a
    `url` points outside it. A relative `url` resolves from the page, below the base already."""
    if base_path == "/" or not url.startswith("/"):
        return target
    inside = ("/" + target).startswith(base_path) or "/" + target == base_path[:-1]
    return ("/" + target)[len(base_path) :] if inside else None
