"""Reading source files: classify a key, split front matter, validate it, render the Markdown.

Pure: bytes in, values (or a ContentError naming the file and the problem) out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from pressroom.core.config import CONFIG_KEY, SiteConfig
from pressroom.core.markdown import RenderedMarkdown, render_markdown
from pressroom.core.model import Entry, Intro, PageBody
from pressroom.core.shortcodes import ShortcodePage, UnknownShortcode
from pressroom.core.urls import TAXONOMIES, alias_path, is_markdown, page_path, strip_markdown_suffix, urlize
from pressroom.exceptions import ContentError

MAX_SOURCE_BYTES = 5 * 1024 * 1024
_MAX_FRONT_MATTER_NODES = 10_000
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
_KNOWN_KEYS = frozenset(
    {
        "title",
        "date",
        "lastmod",
        "publishDate",
        "expiryDate",
        "draft",
        "description",
        "summary",
        "tags",
        "categories",
        "slug",
        "url",
        "aliases",
        "weight",
    }
)
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceKind(Enum):
    CONFIG = "config"
    INTRO = "intro"
    PAGE = "page"
    LAYOUT = "layout"
    ASSET = "asset"
    IGNORED = "ignored"


def classify(key: str) -> SourceKind:
    """What a key of the source tree is (SPEC 1)."""
    name = key.rsplit("/", 1)[-1]
    if not key or key.endswith("/") or key.startswith("/") or name in {"", ".DS_Store"}:
        return SourceKind.IGNORED
    if key == CONFIG_KEY:
        return SourceKind.CONFIG
    if key.startswith("layouts/"):
        return SourceKind.LAYOUT
    if is_markdown(key):
        return SourceKind.INTRO if strip_markdown_suffix(name) == "_index" else SourceKind.PAGE
    return SourceKind.ASSET


def publishable_kind(key: str) -> SourceKind | None:
    """PAGE, INTRO or ASSET for the keys a round publishes; None for settings and ignored keys."""
    kind = classify(key)
    return kind if kind in (SourceKind.PAGE, SourceKind.INTRO, SourceKind.ASSET) else None


@dataclass(frozen=True)
class ParsedPage:
    entry: Entry
    body: PageBody
    warnings: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    unknown_shortcodes: tuple[UnknownShortcode, ...] = ()
    """Shortcodes with no template (line in the file, name), for `pressroom check`."""


@dataclass(frozen=True)
class FrontMatter:
    """Front matter as a mapping, the Markdown after it, and the line where the Markdown starts."""

    meta: Mapping[str, Any]
    body: str
    body_line: int


def decode_source(key: str, data: bytes) -> str:
    """UTF-8 text with any byte-order mark dropped and line ends made `\\n`."""
    if len(data) > MAX_SOURCE_BYTES:
        raise ContentError(key, f"file is {len(data):,} bytes, over the 5 MiB limit")
    if b"\x00" in data:
        raise ContentError(key, "is a binary file, not Markdown text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ContentError(key, f"is not valid UTF-8 (byte {error.start})", line) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(key: str, text: str) -> FrontMatter:
    """Split YAML (`---`) or TOML (`+++`) front matter from the Markdown, as Hugo does."""
    first_line = text.split("\n", 1)[0].rstrip()
    if first_line not in {"---", "+++"}:
        return FrontMatter(MappingProxyType({}), text, 1)
    fence = first_line
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == fence:
            raw = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            meta = _parse_toml(key, raw) if fence == "+++" else _parse_yaml(key, raw)
            return FrontMatter(MappingProxyType(meta), body, index + 2)
    raise ContentError(key, f"front matter opened with {fence!r} on line 1 is never closed", 1)


def _parse_yaml(key: str, raw: str) -> dict[str, Any]:
    try:
        meta = yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 2 if error.problem_mark else None
        raise ContentError(key, f"invalid YAML front matter: {error.problem}", line) from None
    except yaml.YAMLError as error:
        raise ContentError(key, f"invalid YAML front matter: {error}") from None
    except (ValueError, TypeError, OverflowError) as error:
        # PyYAML's timestamp constructor raises these for impossible dates like 2023-02-30.
        raise ContentError(key, f"invalid value in front matter: {error}") from None
    return _as_mapping(key, meta)


def _parse_toml(key: str, raw: str) -> dict[str, Any]:
    try:
        return _as_mapping(key, tomllib.loads(raw))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(key, f"invalid TOML front matter: {error}") from None


def _as_mapping(key: str, meta: Any) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ContentError(key, f"front matter must be a mapping of keys, not a {type(meta).__name__}")
    _refuse_bombs(key, meta)
    return {str(k): v for k, v in meta.items()}


def _refuse_bombs(key: str, meta: Any) -> None:
    """YAML aliases can make a small document expand exponentially: cap the nodes walked."""
    pending: list[Any] = [meta]
    seen = 0
    while pending:
        node = pending.pop()
        seen += 1
        if seen > _MAX_FRONT_MATTER_NODES:
            raise ContentError(key, "front matter is too large (or a YAML alias bomb)")
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def parse_instant(key: str, name: str, value: Any, zone: ZoneInfo) -> datetime | None:
    """Any YAML/TOML date or datetime as an aware datetime; naive times are in the site's zone."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1) if len(text) > 10 else text)
        except ValueError:
            raise ContentError(key, f"{name} {value!r} is not a date (use 2025-07-12 or ISO 8601)") from None
    else:
        raise ContentError(key, f"{name} {value!r} is not a date")
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _text(key: str, name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise ContentError(key, f"{name} must be text, not {type(value).__name__}")


def _strings(key: str, name: str, value: Any) -> tuple[str, ...]:
    """A string or a list of strings (Hugo accepts both for terms and aliases)."""
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ContentError(key, f"{name} must be a string or a list of strings")
    result: list[str] = []
    for item in items:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise ContentError(key, f"{name} must hold strings, not {type(item).__name__}")
        text = str(item).strip()
        if text and text not in result:
            result.append(text)
    return tuple(result)


def _weight(key: str, value: Any) -> int | None:
    if value is None or value == 0:
        return None  # Hugo treats weight 0 as unset
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(key, f"weight must be a whole number, not {value!r}")
    return value


def _draft(key: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ContentError(key, f"draft must be true or false, not {value!r}")


def title_from_key(key: str) -> str:
    """`posts/my-first_post.md` -> `My first post` (Hugo's fallback, humanized)."""
    segments = strip_markdown_suffix(key).split("/")
    name = segments[-2] if segments[-1] == "index" and len(segments) > 1 else segments[-1]
    words = name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def section_of(key: str) -> str:
    """A first-level folder is a section; root files have none."""
    return key.split("/", 1)[0] if "/" in key else ""


def bundle_dir(key: str) -> str | None:
    """The folder of a page bundle (`posts/x/index.md` -> `posts/x`), else None."""
    if "/" in key and strip_markdown_suffix(key.rsplit("/", 1)[1]) == "index":
        return key.rsplit("/", 1)[0]
    return None


def feature_image(key: str, siblings: Iterable[str]) -> str | None:
    """A bundle's `feature*` image (Blowfish's convention): the first by name among the files
    right beside its `index.md` (not in folders below), as a name relative to the page."""
    if bundle_dir(key) is None:
        return None
    names = sorted(
        name
        for name in siblings
        if "/" not in name and name.lower().startswith("feature") and name.lower().endswith(_IMAGE_SUFFIXES)
    )
    return names[0] if names else None


def parse_page(key: str, data: bytes, config: SiteConfig, siblings: Sequence[str] = ()) -> ParsedPage:
    """Parse one Markdown page into its Entry and body, or raise ContentError.

    `siblings` are the file names beside a bundle's `index.md` (for its feature image).
    """
    text = decode_source(key, data)
    front = split_front_matter(key, text)
    meta = front.meta
    zone = config.zone
    warnings: list[str] = []
    title = _text(key, "title", meta.get("title")).strip()
    if not title:
        title = title_from_key(key)
        warnings.append(f"{key}: no title in front matter; using {title!r} from the file name")
    path = page_path(key, slug=_text(key, "slug", meta.get("slug")), url=_text(key, "url", meta.get("url")))
    aliases = tuple(alias_path(key, alias) for alias in _strings(key, "aliases", meta.get("aliases")))
    date_value = parse_instant(key, "date", meta.get("date"), zone)
    summary = meta.get("summary")
    rendered = _render_body(
        key, front, config, path, siblings, summary=_text(key, "summary", summary) if summary is not None else None
    )
    params = {k: v for k, v in meta.items() if k not in _KNOWN_KEYS}
    entry = Entry(
        source_key=key,
        path=path,
        section=section_of(key),
        title=title,
        date=date_value,
        lastmod=parse_instant(key, "lastmod", meta.get("lastmod"), zone) or date_value,
        weight=_weight(key, meta.get("weight")),
        description=_text(key, "description", meta.get("description")).strip(),
        summary_html=rendered.summary_html,
        truncated=rendered.truncated,
        tags=_strings(key, "tags", meta.get("tags")),
        categories=_strings(key, "categories", meta.get("categories")),
        aliases=tuple(a for a in aliases if a != path),
        reading_time=rendered.reading_time,
        word_count=rendered.word_count,
        publish_date=parse_instant(key, "publishDate", meta.get("publishDate"), zone),
        expiry_date=parse_instant(key, "expiryDate", meta.get("expiryDate"), zone),
        draft=_draft(key, meta.get("draft")),
        feature=feature_image(key, siblings),
        params=MappingProxyType(_plain(params)),
    )
    body = PageBody(rendered.html, rendered.toc_html)
    return ParsedPage(entry, body, tuple(warnings), rendered.links, rendered.images, rendered.unknown_shortcodes)


def _render_body(
    key: str,
    front: FrontMatter,
    config: SiteConfig,
    path: str | None,
    siblings: Sequence[str] = (),
    summary: str | None = None,
) -> RenderedMarkdown:
    """A page's Markdown with the site's markup settings and shortcodes.

    Relative images are made site-absolute only when the page is not published at its own
    folder (a bundle under a slug, or a page file such as `posts/x.md`), where they would
    otherwise miss the files beside the source; elsewhere they stay as written, as in Hugo.
    """
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    base_path = None if path is not None and path.strip("/") == folder else folder

    def resolve(url: str) -> str:
        if base_path is None or not url or url.startswith(("/", "#", "?")) or "://" in url or url.startswith("data:"):
            return url
        import posixpath

        return posixpath.normpath("/" + (base_path + "/" if base_path else "") + url)

    page = ShortcodePage(
        key=key,
        params=front.meta,
        site_params=config.params,
        site_title=config.title,
        base_url=config.base_url,
        siblings=tuple(siblings),
        templates=config.shortcodes,
        resolve_url=resolve,
    )
    return render_markdown(
        front.body,
        markup=config.markup,
        summary=summary,
        summary_length=config.summaryLength,
        base_path=base_path,
        shortcodes=page,
        first_line=front.body_line,
    )


def _plain(value: Any) -> Any:
    """Front matter values as JSON-like data (dates as ISO text), so the index can store them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def intro_list_id(key: str) -> str:
    """The list an `_index.md` introduces: `` (home), `posts`, `tags`, `tags/python`."""
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    parts = folder.split("/") if folder else []
    if len(parts) == 2 and parts[0] in TAXONOMIES:
        return f"{parts[0]}/{urlize(parts[1])}"
    return folder


def parse_intro(key: str, data: bytes, config: SiteConfig) -> Intro:
    """Parse an `_index.md`: the title and intro text of the home, a section or a term page."""
    front = split_front_matter(key, decode_source(key, data))
    list_id = intro_list_id(key)
    rendered = _render_body(key, front, config, list_id)
    params = {k: v for k, v in front.meta.items() if k not in _KNOWN_KEYS}
    return Intro(
        source_key=key,
        list_id=list_id,
        title=_text(key, "title", front.meta.get("title")).strip(),
        html=rendered.html,
        description=_text(key, "description", front.meta.get("description")).strip(),
        params=MappingProxyType(_plain(params)),
    )
