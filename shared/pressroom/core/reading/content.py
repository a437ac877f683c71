"""Reading source files: classify a key, split front matter, validate it, render the Markdown.

Pure: bytes in, values (or a ContentError naming the file and the problem) out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from pressroom.core.markdown.converter import SUMMARY_DIVIDER, RenderedMarkdown, render_markdown
from pressroom.core.markdown.shortcodes import ShortcodePage, UnknownShortcode
from pressroom.core.reading.config import CONFIG_KEY, IMAGE_SUFFIXES, SiteConfig
from pressroom.core.reading.documents import MAX_DOCUMENT_BYTES, load_toml, load_yaml
from pressroom.core.reading.hugo import is_hugo_config_key
from pressroom.core.rendering.search import page_text
from pressroom.core.site.image_uses import page_image_uses
from pressroom.core.site.model import DEFAULT_TAXONOMIES, Entry, Intro, PageBody
from pressroom.core.site.urls import (
    TAXONOMIES,
    alias_path,
    is_markdown,
    page_file_name,
    page_path,
    page_permalink,
    strip_markdown_suffix,
    unsafe_key_reason,
    urlize,
)
from pressroom.exceptions import ContentError

MAX_SOURCE_BYTES = MAX_DOCUMENT_BYTES
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


class SourceKind(Enum):
    CONFIG = "config"
    INTRO = "intro"
    PAGE = "page"
    LAYOUT = "layout"
    ASSET = "asset"
    IGNORED = "ignored"


_DEFAULT_CONFIG = SiteConfig()


def classify(key: str, config: SiteConfig = _DEFAULT_CONFIG) -> SourceKind:
    """What a key of the source tree is (SPEC 1).

    In a Hugo site root (`config.contentDir` set) only the content folder holds pages and the
    static folders hold files published as they are; everything else (`themes/`, `assets/`,
    `archetypes/`, `resources/`, `public/`, ...) is ignored. A key that could leave the root
    (`posts/../x.png`, `/x.md`) is classified by its name as any other: `decode_source` and the
    asset's claim (`resolve.reserved_asset_reason`) refuse it, naming it.
    """
    name = key.rsplit("/", 1)[-1]
    if not key or key.endswith("/") or name == ".DS_Store":  # `/` at the end: a console's folder marker
        return SourceKind.IGNORED
    if key == CONFIG_KEY or is_hugo_config_key(key):
        return SourceKind.CONFIG
    if key.startswith("layouts/"):
        return SourceKind.LAYOUT
    if config.is_hugo_root:
        if config.is_static(key):
            return SourceKind.ASSET
        if not key.startswith(config.contentDir + "/") or config.is_other_language(key):
            return SourceKind.IGNORED
    if is_markdown(key):
        site_name = config.site_key(key).rsplit("/", 1)[-1]
        return SourceKind.INTRO if strip_markdown_suffix(site_name) == "_index" else SourceKind.PAGE
    return SourceKind.ASSET


def publishable_kind(key: str, config: SiteConfig = _DEFAULT_CONFIG) -> SourceKind | None:
    """PAGE, INTRO or ASSET for the keys a round publishes; None for settings and ignored keys."""
    kind = classify(key, config)
    return kind if kind in (SourceKind.PAGE, SourceKind.INTRO, SourceKind.ASSET) else None


def source_keys_read(keys: Iterable[str], settings_files: Mapping[str, bytes]) -> list[str]:
    """The keys of a source tree that pressroom reads: its settings, pages, intros and assets.

    `settings_files` holds the tree's settings keys (`is_settings_key`) with their bytes. A Hugo
    root's `themes/`, `public/`, `resources/`, ... are left out, so `build`, `check` and `sync`
    never read them (a theme's submodule can hold thousands of files). Broken settings leave
    every key in: the build reports them.
    """
    from pressroom.core.reading.config import settings_of
    from pressroom.exceptions import ConfigError

    try:
        config = settings_of(settings_files).config
    except ConfigError:
        return sorted(keys)
    return sorted(key for key in keys if key in settings_files or classify(key, config) is not SourceKind.IGNORED)


@dataclass(frozen=True)
class ParsedPage:
    entry: Entry
    body: PageBody
    warnings: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    unknown_shortcodes: tuple[UnknownShortcode, ...] = ()
    """Shortcodes with no template (line in the file, name), for `pressroom check`."""
    text: str = ""
    """The body's plain text as the page's search record holds it (`page_text`)."""
    image_uses: tuple[str, ...] = ()
    """The output keys of the images of the site it shows (`page_image_uses`): while it is
    published, their variants are published and it renders again when one changes."""


@dataclass(frozen=True)
class FrontMatter:
    """Front matter as a mapping, the Markdown after it, and the line where the Markdown starts."""

    meta: Mapping[str, Any]
    body: str
    body_line: int
    duplicates: tuple[str, ...] = ()
    """Keys given twice (the last one counts; Hugo 0.150+ refuses such a file)."""


def decode_source(key: str, data: bytes) -> str:
    """UTF-8 text with any byte-order mark dropped and line ends made `\\n`.

    The key comes first: a page or intro under a key that could leave the site is not read.
    """
    unsafe = unsafe_key_reason(key)
    if unsafe is not None:
        raise ContentError(key, f"not published: the key could leave the site ({unsafe})")
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
            duplicates: list[str] = []
            meta = _parse_toml(key, raw) if fence == "+++" else _parse_yaml(key, raw, duplicates)
            return FrontMatter(MappingProxyType(meta), body, index + 2, tuple(duplicates))
    raise ContentError(key, f"front matter opened with {fence!r} on line 1 is never closed", 1)


def _parse_yaml(key: str, raw: str, duplicates: list[str] | None = None) -> dict[str, Any]:
    return _as_mapping(key, load_yaml(key, raw, "YAML front matter", first_line=2, duplicates=duplicates))


def _parse_toml(key: str, raw: str) -> dict[str, Any]:
    return _as_mapping(key, load_toml(key, raw, "TOML front matter"))


def _as_mapping(key: str, meta: Any) -> dict[str, Any]:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise ContentError(key, f"front matter must be a mapping of keys, not a {type(meta).__name__}")
    return {str(k): v for k, v in meta.items()}


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


def _terms(key: str, name: str, value: Any) -> tuple[str, ...]:
    """A taxonomy's terms; one whose URL would be `.` or `..` names a folder, not a term page."""
    terms = _strings(key, name, value)
    for term in terms:
        if urlize(term) in (".", ".."):
            raise ContentError(key, f"{name}: the term {term!r} cannot have a page (its URL would be {urlize(term)!r})")
    return terms


def _weight(key: str, value: Any) -> int | None:
    if value is None or value == 0:
        return None  # Hugo treats weight 0 as unset
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(key, f"weight must be a whole number, not {value!r}")
    return value


def _draft(key: str, value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ContentError(key, f"draft must be true or false, not {value!r}")


def title_from_key(key: str) -> str:
    """`posts/my-first_post.md` -> `My first post` (Hugo's fallback, humanized)."""
    words = page_file_name(key).replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def section_of(key: str) -> str:
    """A first-level folder is a section; root files have none.

    Nor has a leaf bundle that is a first-level folder (`about/index.md`): as in Hugo, it is a
    standalone page at `/about/`, like `about.md`, not the only page of a section `about`.
    """
    folder, slash, _ = key.partition("/")
    return "" if not slash or bundle_dir(key) == folder else folder


def bundle_dir(key: str) -> str | None:
    """The folder of a page bundle (`posts/x/index.md` -> `posts/x`), else None."""
    if "/" in key and strip_markdown_suffix(key.rsplit("/", 1)[1]) == "index":
        return key.rsplit("/", 1)[0]
    return None


def feature_image(key: str, siblings: Iterable[str], meta: Mapping[str, Any] | None = None) -> str | None:
    """A page's feature image as Blowfish finds it: a bundle's image named `*feature*`, else
    `*cover*` or `*thumbnail*` (the first by name among the files right beside its `index.md`),
    else the front matter's `featureimage`: a URL, or a path in `assets/` (Blowfish reads it with
    `resources.Get`; pressroom publishes the images there at their path), which comes back as a
    site path. Bundle images come back as a name relative to the page."""
    images: list[str] = []
    if bundle_dir(key) is not None:
        images = sorted(name for name in siblings if "/" not in name and name.lower().endswith(IMAGE_SUFFIXES))
        for words in (("feature",), ("cover", "thumbnail")):
            found = [name for name in images if any(word in name.lower() for word in words)]
            if found:
                return found[0]
    url = _lookup(meta or {}, "featureimage")
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    if "://" in url or url.startswith(("/", "data:")) or url in images:
        return url
    return "/" + url


def _lookup(meta: Mapping[str, Any], name: str) -> Any:
    """A front matter value by name; Hugo's front matter keys are case-insensitive."""
    if name in meta:
        return meta[name]
    lowered = name.lower()
    for key, value in meta.items():
        if key.lower() == lowered:
            return value
    return None


_CANONICAL = {name.lower(): name for name in _KNOWN_KEYS}


def canonical_keys(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    """Front matter with pressroom's keys in their documented spelling (`Title` -> `title`,
    `publishdate` -> `publishDate`): Hugo's front matter keys are case-insensitive. Of two
    spellings of one key, the documented one wins."""
    renamed = {k: _CANONICAL[k.lower()] for k in meta if k.lower() in _CANONICAL and _CANONICAL[k.lower()] != k}
    if not renamed:
        return meta
    result = {k: v for k, v in meta.items() if k not in renamed}
    for key, name in renamed.items():
        result.setdefault(name, meta[key])
    return MappingProxyType(result)


def parse_page(key: str, data: bytes, config: SiteConfig, siblings: Sequence[str] = ()) -> ParsedPage:
    """Parse one Markdown page into its Entry and body, or raise ContentError.

    `siblings` are the file names beside a bundle's `index.md` (for its feature image).
    """
    text = decode_source(key, data)
    front = split_front_matter(key, text)
    meta = canonical_keys(front.meta)
    zone = config.zone
    site_key = config.site_key(key)
    taxonomies = config.taxonomies
    reserved = config.reserved_roots
    warnings = [f"{key}: front matter key {name!r} is given twice (Hugo refuses it)" for name in front.duplicates]
    title = _text(key, "title", meta.get("title")).strip()
    if not title:
        title = title_from_key(site_key)
        warnings.append(f"{key}: no title in front matter; using {title!r} from the file name")
    date_value = parse_instant(key, "date", meta.get("date"), zone)
    slug = _text(key, "slug", meta.get("slug"))
    url = _text(key, "url", meta.get("url"))
    section = section_of(site_key)
    pattern = config.permalinks.get(f"page:{section}") if section else None
    if pattern and not url.strip():
        url = page_permalink(key, pattern, site_key, section, title, slug.strip(), date_value)
        slug = ""
    try:
        path = page_path(site_key, slug=slug, url=url, taxonomies=reserved)
    except ContentError as error:  # named by its key in the site: name the file itself
        raise type(error)(key, error.problem, error.line) from None
    aliases = tuple(alias_path(key, alias, reserved) for alias in _strings(key, "aliases", meta.get("aliases")))
    summary = meta.get("summary")
    rendered = _render_body(
        key,
        site_key,
        front,
        config,
        path,
        siblings,
        summary=_text(key, "summary", summary) if summary is not None else None,
    )
    summary_html = rendered.summary_html
    if config.summaryLength == 0 and summary is None and SUMMARY_DIVIDER not in front.body:
        summary_html = ""  # Hugo's summary of 0 words is empty (Blowfish then shows the description)
    other = {name: _terms(key, name, _lookup(meta, name)) for name in taxonomies if name not in DEFAULT_TAXONOMIES}
    params = {k: v for k, v in meta.items() if k not in _KNOWN_KEYS and k.lower() not in other}
    entry = Entry(
        source_key=key,
        path=path,
        section=section_of(site_key),
        title=title,
        date=date_value,
        lastmod=parse_instant(key, "lastmod", meta.get("lastmod"), zone) or date_value,
        weight=_weight(key, meta.get("weight")),
        description=_text(key, "description", meta.get("description")).strip(),
        summary_html=summary_html,
        truncated=rendered.truncated,
        tags=_terms(key, "tags", meta.get("tags")),
        categories=_terms(key, "categories", meta.get("categories")),
        aliases=tuple(a for a in aliases if a != path),
        reading_time=rendered.reading_time,
        word_count=rendered.word_count,
        publish_date=parse_instant(key, "publishDate", meta.get("publishDate"), zone),
        expiry_date=parse_instant(key, "expiryDate", meta.get("expiryDate"), zone),
        draft=_draft(key, meta.get("draft")),
        feature=feature_image(site_key, siblings, meta),
        params=MappingProxyType(_plain(params)),
        other_terms=MappingProxyType({name: terms for name, terms in other.items() if terms}),
    )
    body = PageBody(rendered.html, rendered.toc_html, rendered.has_diagram, rendered.has_math)
    text = page_text(rendered.html)
    images = page_image_uses(entry, rendered.html, config)
    return ParsedPage(
        entry, body, tuple(warnings), rendered.links, rendered.images, rendered.unknown_shortcodes, text, images
    )


def _render_body(
    key: str,
    site_key: str,
    front: FrontMatter,
    config: SiteConfig,
    path: str | None,
    siblings: Sequence[str] = (),
    summary: str | None = None,
) -> RenderedMarkdown:
    """A page's Markdown with the site's markup settings and shortcodes.

    Relative links and images stay as written where the page is published at its source's
    folder, or is a bundle (its files are published beside it), as in Hugo. Elsewhere (a page
    file such as `posts/x.md`) they are made site-absolute under the source's folder, where they
    would otherwise miss the files beside the source, with the base URL's path (`/blog/`).
    """
    folder = site_key.rsplit("/", 1)[0] if "/" in site_key else ""
    stays = bundle_dir(site_key) is not None or (path is not None and path.strip("/") == folder)
    base_path = None if stays else (config.base_path.strip("/") + "/" + folder).strip("/")

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
        cjk=config.hasCJKLanguage,
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


def intro_list_id(key: str, taxonomies: Sequence[str] = TAXONOMIES) -> str:
    """The list an `_index.md` introduces: `` (home), `posts`, `tags`, `tags/python`.

    `key` is the file's key in the site (below a Hugo root's content folder).
    """
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    parts = folder.split("/") if folder else []
    if len(parts) == 2 and parts[0] in taxonomies:
        return f"{parts[0]}/{urlize(parts[1])}"
    return folder


def parse_intro(key: str, data: bytes, config: SiteConfig) -> Intro:
    """Parse an `_index.md`: the title and intro text of the home, a section or a term page."""
    front = split_front_matter(key, decode_source(key, data))
    site_key = config.site_key(key)
    list_id = intro_list_id(site_key, config.taxonomies)
    rendered = _render_body(key, site_key, front, config, config.list_path(list_id))
    meta = canonical_keys(front.meta)
    params = {k: v for k, v in meta.items() if k not in _KNOWN_KEYS}
    return Intro(
        source_key=key,
        list_id=list_id,
        title=_text(key, "title", meta.get("title")).strip(),
        html=rendered.html,
        description=_text(key, "description", meta.get("description")).strip(),
        params=MappingProxyType(_plain(params)),
        dates=MappingProxyType(
            _plain({name: meta[name] for name in ("draft", "publishDate", "expiryDate") if meta.get(name) is not None})
        ),
    )
