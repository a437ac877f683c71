"""Rendering outputs to bytes with Jinja2 (autoescaped), from the index and page bodies.

Pure: an output, the index and the page's body in; bytes out. Templates come from the theme,
and a content tree's `layouts/` folder overrides them by name, as in Hugo.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property, lru_cache
from importlib.resources import files
from types import CodeType
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from pressroom.core.reading.config import SiteConfig, SiteSettings
from pressroom.core.rendering.icons import icon_svg
from pressroom.core.site.model import HOME_LIST, Entry, PageBody
from pressroom.core.site.outputs import (
    SEARCH_PAGE_KEY,
    SITEMAP_URL_LIMIT,
    THEME_FILES,
    AliasOutput,
    AssetOutput,
    FeedOutput,
    ListOutput,
    Output,
    PageOutput,
    SearchOutput,
    SearchPartOutput,
    SitemapOutput,
    StaticOutput,
    TaxonomyFeedOutput,
    TaxonomyOutput,
    list_feed,
    list_pages,
    sitemap_parts,
)
from pressroom.core.rendering.sandbox import (
    LAYOUT_TEMPLATE_PREFIX,
    THEME_TEMPLATE_PREFIX,
    NamedLoader,
    SiteTemplates,
    render_bounded,
    template_problem,
)
from pressroom.core.rendering.search import search_files, search_record
from pressroom.core.site.series import SeriesBox, series_box, series_list
from pressroom.core.site.lists import SiteIndex, list_title
from pressroom.core.rendering.sitemap import SitemapUrl
from pressroom.core.rendering.theme import stylesheet, stylesheet_key, theme_template
from pressroom.core.site.urls import href, key_href, list_page_path, safe_link, urlize, urlize_path
from pressroom.exceptions import RenderError


def feature_url(entry: Entry) -> str:
    """A bundle page's feature image is published with its other files, under the page's URL;
    a `featureimage` from front matter is a URL or a site path as written."""
    feature = entry.feature or ""
    if "://" in feature or feature.startswith("/"):
        return feature
    return key_href(f"{entry.path}/{feature}")


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
        theme = NamedLoader(theme_template, THEME_TEMPLATE_PREFIX)
        loader: jinja2.BaseLoader = theme
        if layouts:
            loader = jinja2.ChoiceLoader([NamedLoader(dict(layouts).get, LAYOUT_TEMPLATE_PREFIX), theme])
        # Sandboxed: a site's `layouts/` are untrusted code (SPEC 3.5, core.sandbox).
        self.env = SiteTemplates(
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
        # Dates show in their own offset, as written (Hugo): a naive one was read in the site's zone.
        self.env.add_filters(
            iso=lambda moment: moment.isoformat(),
            human_date=_human_date,
            rfc822=format_datetime,
            # pass_context keeps Jinja from folding `"/x" | rel` into the compiled code, which every
            # Renderer shares (see _CompiledTemplates) whatever its base URL.
            # Every link a template writes through `rel` passes the safe-URL rule (SPEC 3.5).
            rel=jinja2.pass_context(lambda _context, link: config.rel_url(safe_link(link))),
        )
        self.env.globals.update(
            site=config,
            menu=self.menu,
            absolute=self.absolute,
            asset_url=key_href,
            stylesheet_url=key_href(stylesheet_key()),
            feature_url=feature_url,
            term_url=self.term_url,
            reading_time_shown=self.reading_time_shown,
            summary=self.summary,
            icon=icon_svg,
            nav_current=_nav_current,
            profile=lambda: self.profile,
            updated=_updated,
            json_ld=self.json_ld,
        )
        self._summaries: dict[int, tuple[Entry, Markup]] = {}
        self._search: tuple[SiteIndex, dict[str, bytes]] | None = None
        self._term_urls: dict[tuple[str, str], str] = {}

    @cached_property
    def menu(self) -> list[dict[str, str]]:
        """Hugo's main menu, else `params.menu` ([{name, url}]), else the main sections, then Tags
        and Categories. A Hugo `pageRef` links to that path under the base URL; a `url` is kept
        as written, as Hugo keeps it, where the safe-URL rule allows it (else `#`)."""
        config, rel = self.config, self.config.rel_url
        if config.menu is not None:
            return [
                {"name": name, "url": safe_link(url) if url else rel(href(urlize_path(ref)))}
                for name, url, ref in config.menu
            ]
        configured = config.param("menu")
        if isinstance(configured, list):
            return [
                {"name": str(i.get("name", "")), "url": safe_link(str(i.get("url", "/")))}
                for i in configured
                if isinstance(i, dict)
            ]
        sections = config.main_sections or ("posts",)
        items = [{"name": s.replace("-", " ").title(), "url": rel(href(s))} for s in sections]
        taxonomies = [{"name": t.replace("-", " ").title(), "url": rel(href(t))} for t in config.taxonomies]
        return [*items, *taxonomies]

    def term_url(self, taxonomy: str, name: str) -> str:
        """A term page's link (at its term permalink, if any); cached: lists show the same few terms
        thousands of times."""
        found = self._term_urls.get((taxonomy, name))
        if found is None:
            if self.config.permalinks:
                found = href(self.config.list_path(f"{taxonomy}/{urlize(name)}"))
            else:
                found = _term_href(taxonomy, name)
            self._term_urls[(taxonomy, name)] = found
        return found

    @cached_property
    def profile(self) -> dict[str, Any]:
        """The home page's profile: Blowfish's `params.author` (name, image, headline, links), else the
        site's `author` and `description` with links from `params` (`github: NAME`, `email: ADDRESS`, ...)."""
        params = self.config.params
        author = params.get("author")
        person: Mapping[str, Any] = author if isinstance(author, Mapping) else {}
        links: list[dict[str, str]] = []
        configured = person.get("links")
        pairs: list[tuple[str, Any]] = []
        if isinstance(configured, list):
            pairs = [(str(k), v) for item in configured if isinstance(item, Mapping) for k, v in item.items()]
        else:
            pairs = [(name, params.get(name)) for name in _PROFILE_LINKS if params.get(name)]
        for name, value in pairs:
            url = _profile_url(name, str(value))
            if url:
                links.append({"icon": name, "url": url, "label": name.replace("-", " ").title()})
        image = person.get("image") or params.get("avatar")
        return {
            "name": str(person.get("name") or self.config.author),
            "headline": str(person.get("headline") or person.get("bio") or ""),
            "image": key_href(str(image).lstrip("/")) if image else "",
            "links": links,
        }

    def json_ld(self, entry: Entry, canonical: str, image: str | None) -> Markup:
        """A page's schema.org `BlogPosting`, as the text of its `application/ld+json` data block."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": entry.title,
            "url": canonical,
            "mainEntityOfPage": canonical,
            "wordCount": entry.word_count,
        }
        if entry.date:
            data["datePublished"] = entry.date.isoformat()
        if entry.last_modified:
            data["dateModified"] = entry.last_modified.isoformat()
        if entry.description:
            data["description"] = entry.description
        if image:
            data["image"] = image
        if self.config.author:
            data["author"] = {"@type": "Person", "name": self.config.author}
        keywords = [name for name, _ in entry.term_names("tags")]
        if keywords:
            data["keywords"] = keywords
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # `<`, `>` and `&` escaped so no text can close the script element.
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

    def absolute(self, path: str) -> str:
        return self.config.absolute_url(path)

    def absolute_link(self, link: str) -> str:
        """A link as an absolute URL: a site path under the base URL, a URL as it is."""
        return safe_link(link) if "://" in link else self.config.absolute_url(link)

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
        html = Markup(render_bounded(self.env.get_template("summary.html"), {"page": entry}))
        self._summaries[id(entry)] = (entry, html)
        return html

    def search_files(self, index: SiteIndex) -> dict[str, bytes]:
        """Every file of the search index of `index`'s published pages, made once per index (each
        part is one output, and the parts split one set of records)."""
        if self._search is None or self._search[0] is not index:
            records = (search_record(entry, self.config) for entry in index.published_pages())
            self._search = (index, search_files(records, self.config))
        return self._search[1]

    def _render(self, template: str, **context: Any) -> bytes:
        """`template` rendered; a RenderError naming the template file and line when the template
        fails (an unsafe access, a limit of `core.sandbox`, its own error)."""
        try:
            return render_bounded(self.env.get_template(template), context).encode("utf-8")
        except Exception as error:
            problem = template_problem(error, template)
            if problem is None:
                raise
            raise RenderError(problem.file, problem.problem, problem.line) from None

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
            case TaxonomyFeedOutput():
                return self.render_taxonomy_feed(output, index)
            case SitemapOutput():
                return self.render_sitemap(index, output.part)
            case SearchOutput() | SearchPartOutput():
                return self.search_files(index)[output.key]
            case AliasOutput():
                # Relative, so the redirect works wherever the site is served (a local preview too).
                target = quote(posixpath.relpath(output.target_path or ".", output.alias) + "/", safe="/+~")
                return self._render("alias.html", target=target, canonical=self.absolute(href(output.target_path)))
            case StaticOutput():
                return self.render_static(output.name)
            case AssetOutput():
                raise ValueError(f"{output.key}: assets are copied, not rendered")

    def render_static(self, name: str) -> bytes:
        if name == stylesheet_key():
            return stylesheet()
        if name in THEME_FILES:
            return (files("pressroom") / "theme" / "static" / name).read_bytes()
        if name == "404.html":
            return self._render("404.html", canonical=self.absolute("404.html"), description="", image=None)
        if name == SEARCH_PAGE_KEY:
            return self._render("search.html", canonical=self.absolute("search/"), description="", image=None)
        return self._render(name)

    def render_page(self, output: PageOutput, index: SiteIndex, body: PageBody) -> bytes:
        entry = index.entry(output.source_key)
        if entry is None:
            raise KeyError(f"{output.source_key}: not in the index")
        next_page, prev_page = index.neighbours(entry.section, entry) if entry.section else (None, None)
        show_toc = bool(entry.params.get("showTableOfContents", False))
        try:
            return self._render(
                "page.html",
                page=entry,
                body=body,
                prev_page=prev_page,
                next_page=next_page,
                series=self.series_box(entry, index),
                show_toc=show_toc,
                canonical=self.absolute(entry.url),
                description=entry.description or _plain_summary(entry),
                image=self.absolute_link(feature_url(entry)) if entry.feature else None,
            )
        except RenderError as error:  # named after the page (its author hears of it), and the template
            where = f"{error.source_key} line {error.line}" if error.line else error.source_key
            raise RenderError(entry.source_key, f"{where}: {error.problem}") from None

    def series_box(self, entry: Entry, index: SiteIndex) -> SeriesBox | None:
        """The series box of a page in a series (see `core.series`): every part, read from the index."""
        list_id = series_list(entry, self.config.taxonomies)
        if list_id is None:
            return None
        members = index.list_slice(list_id, 0, index.list_size(list_id))
        name = entry.term_names(list_id.partition("/")[0])[0][0]  # the series' name across the site
        return series_box(entry, members, name, href(self.config.list_path(list_id)))

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
            prev_url=href(list_page_path(output.site_path, number - 1)) if number > 1 else None,
            next_url=href(list_page_path(output.site_path, number + 1)) if number < total else None,
        )
        heading = list_title(output.list_id, self.config, intro, term)
        return self._render(
            "list.html",
            list_id=output.list_id,
            heading=heading,
            intro=intro,
            entries=entries,
            pager=pager,
            feed=key_href(list_feed(output.list_id, self.config).key),
            canonical=self.absolute(href(list_page_path(output.site_path, number))),
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
        limit = self.config.feed_limit
        entries = index.list_slice(output.list_id, 0, index.list_size(output.list_id) if limit is None else limit)
        return self._render(
            "feed.xml",
            heading=heading,
            description=(intro.description if intro else "") or self.config.description,
            list_url=href(self.config.list_path(output.list_id)),
            feed=key_href(output.key),
            entries=entries,
            last_build=max((e.date for e in entries if e.date), default=None),
            managing_editor=managing_editor(self.config),
        )

    def render_taxonomy_feed(self, output: TaxonomyFeedOutput, index: SiteIndex) -> bytes:
        """`tags/index.xml`: one item per term, linking to its page (Hugo's taxonomy feed)."""
        intro = index.intro(output.taxonomy)
        heading = list_title(output.taxonomy, self.config, intro, None)
        items = [
            {"title": term.name, "url": self.term_url(term.taxonomy, term.name), "date": None, "categories": ()}
            | {"summary_html": ""}
            for term in index.terms(output.taxonomy)
        ]
        limit = self.config.feed_limit
        return self._render(
            "feed.xml",
            heading=f"{heading} on {self.config.title}",
            description=(intro.description if intro else "") or self.config.description,
            list_url=href(output.taxonomy),
            feed=key_href(output.key),
            entries=items if limit is None else items[:limit],
            last_build=None,
        )

    def sitemap_urls(self, index: SiteIndex) -> list[SitemapUrl]:
        """Every URL of the site as the sitemap lists it, by path."""
        urls = [SitemapUrl(href(HOME_LIST), None)]
        urls += [SitemapUrl(href(section), None) for section in index.sections()]
        for taxonomy in self.config.taxonomies:
            if self.config.outputs_kind("taxonomy"):
                urls.append(SitemapUrl(href(taxonomy), None))
            urls += [SitemapUrl(self.term_url(taxonomy, term.name), None) for term in index.terms(taxonomy)]
            urls += [SitemapUrl(href(self.config.list_path(i)), None) for i in index.intro_terms(taxonomy)]
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


_PROFILE_LINKS = (
    "github",
    "gitlab",
    "x-twitter",
    "twitter",
    "mastodon",
    "bluesky",
    "linkedin",
    "youtube",
    "email",
    "rss",
)
_PROFILE_URLS = {
    "github": "https://github.com/{}",
    "gitlab": "https://gitlab.com/{}",
    "x-twitter": "https://x.com/{}",
    "twitter": "https://x.com/{}",
    "bluesky": "https://bsky.app/profile/{}",
    "linkedin": "https://www.linkedin.com/in/{}",
    "youtube": "https://www.youtube.com/@{}",
    "email": "mailto:{}",
}


def _profile_url(name: str, value: str) -> str:
    """A profile link's URL: as given when it is one, else built from a user name (`github: NAME`)."""
    value = value.strip()
    if value.startswith(("http://", "https://", "mailto:", "/")):
        return safe_link(value)
    pattern = _PROFILE_URLS.get(name)
    return pattern.format(value.lstrip("@")) if pattern and value else ""


def _nav_current(url: str, canonical: str) -> str | bool:
    """`aria-current` of a menu item: "page" on its own page, "true" below it, else False."""
    path = urlsplit(canonical).path or "/"
    if path == url:
        return "page"
    return "true" if url != "/" and path.startswith(url) else False


def _updated(entry: Entry) -> bool:
    """Show "Updated": the page was modified on a later day than it was published."""
    return bool(entry.date and entry.lastmod and entry.lastmod.date() > entry.date.date())


def _plain_summary(entry: Entry) -> str:
    """A meta description from the summary when the page has none: its text, tags stripped."""
    return _TAG_RE.sub("", entry.summary_html).strip()[:300]


def validate_layouts(settings: SiteSettings) -> None:
    """Compile every template override: a broken one is a ConfigError naming the file and line."""
    from pressroom.core.reading.config import SHORTCODES_FOLDER
    from pressroom.core.markdown.shortcodes import validate_templates
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
