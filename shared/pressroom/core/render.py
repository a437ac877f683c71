"""Rendering outputs to bytes with Jinja2 (autoescaped), from the index and page bodies.

Pure: an output, the index and the page's body in; bytes out. Templates come from the theme,
and a content tree's `layouts/` folder overrides them by name, as in Hugo.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property, lru_cache
from importlib.resources import files
from types import CodeType
from typing import Any

import jinja2
from markupsafe import Markup

from pressroom.core.config import SiteConfig, SiteSettings
from pressroom.core.model import HOME_LIST, Entry, PageBody
from pressroom.core.outputs import (
    SITEMAP_URL_LIMIT,
    AliasOutput,
    AssetOutput,
    FeedOutput,
    ListOutput,
    Output,
    PageOutput,
    SitemapOutput,
    StaticOutput,
    TaxonomyOutput,
    list_pages,
    sitemap_parts,
)
from pressroom.core.site import SiteIndex, list_title
from pressroom.core.sitemap import SitemapUrl
from pressroom.core.theme import stylesheet, stylesheet_key
from pressroom.core.urls import href, key_href, list_page_path, urlize


def feature_url(entry: Entry) -> str:
    """A bundle page's feature image is published with its other files, under the page's URL."""
    return key_href(f"{entry.path}/{entry.feature}")


def _human_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


@lru_cache(maxsize=4096)
def _term_href(taxonomy: str, name: str) -> str:
    """A term page's link; cached because lists show the same few terms thousands of times."""
    return href(f"{taxonomy}/{urlize(name)}")


_TAG_RE = re.compile(r"<[^>]+>")
_EMAIL_RE = re.compile(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+")


def managing_editor(config: SiteConfig) -> str:
    """RSS 2.0's `managingEditor`: an e-mail address, the name in parentheses; "" without an address.

    The address comes from `params.author.email` (Hugo's and Blowfish's key), or from `author`
    when it is one (`lucia@example.com (Lucía Ferrer)`); the name from `params.author.name`,
    else `author`. A name alone is not valid there, so it is left out.
    """
    person = config.params.get("author")
    person = person if isinstance(person, Mapping) else {}
    email = str(person.get("email") or "").strip()
    name = str(person.get("name") or config.author or "").strip()
    if not email and _EMAIL_RE.match(config.author.strip()):
        return config.author.strip()
    if not _EMAIL_RE.fullmatch(email):
        return ""
    return f"{email} ({name})" if name and name != email else email


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled template code kept for the life of the process, shared by every Renderer.

    Compiling the theme costs 40-80 ms, paid again by each new Renderer (one a build, one an
    event on a warm Lambda) without this. Jinja checks a template's source checksum before
    using its code, so an edited `layouts/` file is compiled afresh. Sharing is sound because
    every Renderer configures its environment alike (compiled code depends on those options).
    """

    def __init__(self) -> None:
        self._code: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        stored = self._code.get(bucket.key)
        if stored is not None and stored[0] == bucket.checksum:
            bucket.code = stored[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self._code[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED_TEMPLATES = _CompiledTemplates()


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None


class Renderer:
    """Renders any output of one site configuration; build it once, use it for every page."""

    def __init__(self, config: SiteConfig, layouts: Mapping[str, str] | None = None) -> None:
        self.config = config
        theme = jinja2.FileSystemLoader(str(files("pressroom") / "theme" / "templates"))
        loader: jinja2.BaseLoader = theme
        if layouts:
            loader = jinja2.ChoiceLoader([jinja2.DictLoader(dict(layouts)), theme])
        self.env = jinja2.Environment(
            loader=loader,
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.ChainableUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
            # Templates come from the package and from `layouts/` read once per build or event:
            # none changes while a Renderer lives, so no stat() per render (and per include).
            auto_reload=False,
            bytecode_cache=_COMPILED_TEMPLATES,
        )
        zone = config.zone
        self.env.filters["iso"] = lambda moment: moment.astimezone(zone).isoformat()
        self.env.filters["human_date"] = lambda moment: _human_date(moment.astimezone(zone))
        self.env.filters["rfc822"] = lambda moment: format_datetime(moment.astimezone(zone))
        self.env.globals.update(
            site=config,
            menu=self.menu,
            absolute=self.absolute,
            asset_url=key_href,
            stylesheet_url=key_href(stylesheet_key()),
            feature_url=feature_url,
            term_url=_term_href,
            reading_time_shown=self.reading_time_shown,
            summary=self.summary,
        )
        self._summaries: dict[int, tuple[Entry, Markup]] = {}

    @cached_property
    def menu(self) -> list[dict[str, str]]:
        """`params.menu` ([{name, url}]) or the main sections, then Tags and Categories."""
        configured = self.config.params.get("menu")
        if isinstance(configured, list):
            return [
                {"name": str(i.get("name", "")), "url": str(i.get("url", "/"))}
                for i in configured
                if isinstance(i, dict)
            ]
        sections = self.config.main_sections or ("posts",)
        items = [{"name": s.replace("-", " ").title(), "url": href(s)} for s in sections]
        return [*items, {"name": "Tags", "url": "/tags/"}, {"name": "Categories", "url": "/categories/"}]

    def absolute(self, path: str) -> str:
        return self.config.absolute_url(path)

    def reading_time_shown(self, entry: Entry) -> bool:
        shown = entry.params.get("showReadingTime", self.config.showReadingTime)
        return bool(shown) and entry.reading_time > 0

    def summary(self, entry: Entry) -> Markup:
        """An entry's summary block on list pages (`summary.html`), rendered once per entry.

        An entry is on the home, its section and each of its term lists: without the cache a
        full build renders every summary about six times. Keyed by identity, the entry held
        alongside so its id cannot be reused; Entry is frozen, so the same object renders the
        same bytes. (Entries read afresh from DynamoDB simply miss.)
        """
        cached = self._summaries.get(id(entry))
        if cached is not None and cached[0] is entry:
            return cached[1]
        html = Markup(self.env.get_template("summary.html").render(page=entry))
        self._summaries[id(entry)] = (entry, html)
        return html

    def _render(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def render(self, output: Output, index: SiteIndex, body_of: Callable[[str], PageBody]) -> bytes:
        """The bytes of one output. `body_of(source_key)` supplies a page's rendered body."""
        match output:
            case PageOutput():
                return self.render_page(output, index, body_of(output.source_key))
            case ListOutput():
                return self.render_list(output, index)
            case FeedOutput():
                return self.render_feed(output, index)
            case TaxonomyOutput():
                return self._render(
                    "taxonomy.html",
                    heading=list_title(output.taxonomy, self.config, index.intro(output.taxonomy), None),
                    intro=index.intro(output.taxonomy),
                    taxonomy=output.taxonomy,
                    terms=index.terms(output.taxonomy),
                    canonical=self.absolute(href(output.taxonomy)),
                    description="",
                    image=None,
                )
            case SitemapOutput():
                return self.render_sitemap(index, output.part)
            case AliasOutput():
                return self._render("alias.html", target=self.absolute(href(output.target_path)))
            case StaticOutput():
                return self.render_static(output.name)
            case AssetOutput():
                raise ValueError(f"{output.key}: assets are copied, not rendered")

    def render_static(self, name: str) -> bytes:
        if name == stylesheet_key():
            return stylesheet()
        if name == "404.html":
            return self._render("404.html", canonical=self.absolute("404.html"), description="", image=None)
        return self._render(name)

    def render_page(self, output: PageOutput, index: SiteIndex, body: PageBody) -> bytes:
        entry = index.entry(output.source_key)
        if entry is None:
            raise KeyError(f"{output.source_key}: not in the index")
        next_page, prev_page = index.neighbours(entry.section, entry) if entry.section else (None, None)
        show_toc = bool(entry.params.get("showTableOfContents", False))
        return self._render(
            "page.html",
            page=entry,
            body=body,
            prev_page=prev_page,
            next_page=next_page,
            show_toc=show_toc,
            canonical=self.absolute(entry.url),
            description=entry.description or _plain_summary(entry),
            image=self.absolute(feature_url(entry)) if entry.feature else None,
        )

    def render_list(self, output: ListOutput, index: SiteIndex) -> bytes:
        size = index.list_size(output.list_id)
        per_page = self.config.pagerSize
        total = list_pages(size, per_page)
        start = (output.number - 1) * per_page
        entries = index.list_slice(output.list_id, start, start + per_page)
        term = index.term(output.list_id) if "/" in output.list_id else None
        intro = index.intro(output.list_id)
        number = output.number
        pager = Pager(
            number=number,
            total=total,
            prev_url=href(list_page_path(output.list_id, number - 1)) if number > 1 else None,
            next_url=href(list_page_path(output.list_id, number + 1)) if number < total else None,
        )
        heading = list_title(output.list_id, self.config, intro, term)
        return self._render(
            "list.html",
            list_id=output.list_id,
            heading=heading,
            intro=intro,
            entries=entries,
            pager=pager,
            feed=key_href(FeedOutput(output.list_id).key),
            canonical=self.absolute(href(list_page_path(output.list_id, number))),
            description=(intro.description if intro else "")
            or (self.config.description if output.list_id == HOME_LIST else ""),
            image=None,
        )

    def render_feed(self, output: FeedOutput, index: SiteIndex) -> bytes:
        term = index.term(output.list_id) if "/" in output.list_id else None
        intro = index.intro(output.list_id)
        heading = list_title(output.list_id, self.config, intro, term)
        if output.list_id != HOME_LIST:
            heading = f"{heading} on {self.config.title}"
        entries = index.list_slice(output.list_id, 0, self.config.feedLimit)
        return self._render(
            "feed.xml",
            heading=heading,
            description=(intro.description if intro else "") or self.config.description,
            list_url=href(output.list_id),
            feed=key_href(output.key),
            entries=entries,
            last_build=max((e.date for e in entries if e.date), default=None),
            managing_editor=managing_editor(self.config),
        )

    def sitemap_urls(self, index: SiteIndex) -> list[SitemapUrl]:
        """Every URL of the site as the sitemap lists it, by path."""
        urls = [SitemapUrl(href(HOME_LIST), None)]
        urls += [SitemapUrl(href(section), None) for section in index.sections()]
        for taxonomy in self.config.taxonomies:
            urls.append(SitemapUrl(href(taxonomy), None))
            urls += [SitemapUrl(term.url, None) for term in index.terms(taxonomy)]
        urls += [SitemapUrl(href(path), lastmod) for path, lastmod in index.sitemap_pages()]
        urls.sort(key=lambda url: url.path)
        return urls

    def render_sitemap(self, index: SiteIndex, part: int = 0) -> bytes:
        return self.render_sitemap_of(self.sitemap_urls(index), part)

    def render_sitemap_of(self, urls: Sequence[SitemapUrl], part: int = 0) -> bytes:
        """`sitemap.xml`, or past the limit its index (part 0) and its part `part` (KeyError: no such part)."""
        parts = sitemap_parts(len(urls))
        if part > parts:
            raise KeyError(SitemapOutput(part).key)
        if parts == 0:
            return self._render("sitemap.xml", urls=urls)
        if part == 0:
            names = [SitemapOutput(n).key for n in range(1, parts + 1)]
            return self._render("sitemapindex.xml", files=names)
        limit = SITEMAP_URL_LIMIT
        return self._render("sitemap.xml", urls=urls[(part - 1) * limit : part * limit])


def _plain_summary(entry: Entry) -> str:
    """A meta description from the summary when the page has none: its text, tags stripped."""
    return _TAG_RE.sub("", entry.summary_html).strip()[:300]


def validate_layouts(settings: SiteSettings) -> None:
    """Compile every template override: a broken one is a ConfigError naming the file and line."""
    from pressroom.core.config import SHORTCODES_FOLDER
    from pressroom.core.shortcodes import validate_templates
    from pressroom.exceptions import ConfigError

    validate_templates(settings.config.shortcodes)
    renderer = Renderer(settings.config, dict(settings.layouts))
    for name in sorted(settings.layouts):
        if name.startswith(SHORTCODES_FOLDER):
            continue  # shortcode templates have their own environment
        try:
            renderer.env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise ConfigError(f"layouts/{name}", f"template error: {error.message}", error.lineno) from None
