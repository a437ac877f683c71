"""Rendering outputs to bytes with Jinja2 (autoescaped), from the index and page bodies.

Pure: an output, the index and the page's body in; bytes out. Templates come from the theme,
and a content tree's `layouts/` folder overrides them by name, as in Hugo. Each output's kind
says which template renders it and with what (`core.site.outputs`); the Renderer holds the
templates' environment and the helpers they call (`core.rendering.template_functions`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from email.utils import format_datetime
from functools import cached_property
from types import CodeType
from typing import Any

import jinja2
from markupsafe import Markup

from pressroom.core.reading.config import SiteConfig, SiteSettings
from pressroom.core.rendering.icons import icon_svg
from pressroom.core.rendering.kinds import OutputKind, Rewrite, Rewriter
from pressroom.core.rendering.sandbox import (
    LAYOUT_TEMPLATE_PREFIX,
    THEME_TEMPLATE_PREFIX,
    NamedLoader,
    SiteTemplates,
    ThemeTemplates,
    render_bounded,
    template_problem,
)
from pressroom.core.rendering.template_functions import (
    copyright_line,
    feature_url,
    human_date,
    nav_current,
    profile_of,
    sharing_links,
    term_href,
    theme_param,
    updated,
    with_heading_anchors,
)
from pressroom.core.rendering.theme import stylesheet_key, theme_template
from pressroom.core.site.lists import SiteIndex, list_title
from pressroom.core.site.model import Entry, PageBody
from pressroom.core.site.series import SeriesBox, series_box, series_list
from pressroom.core.site.urls import href, key_href, safe_link, urlize, urlize_path
from pressroom.exceptions import RenderError


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled template code kept for the life of the process, shared by every Renderer.

    Compiling the theme costs 40-80 ms, paid again by each new Renderer (one a build, one an
    event on a warm Lambda) without this. Jinja checks a template's source checksum before
    using its code, so an edited `layouts/` file is compiled afresh. Sharing is sound because
    every Renderer configures its environment alike (compiled code depends on those options);
    the sandbox compiles its limits into the code, so each environment class has a cache of its
    own (`_COMPILED_TEMPLATES`).
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


_COMPILED_TEMPLATES = {SiteTemplates: _CompiledTemplates(), ThemeTemplates: _CompiledTemplates()}


class Renderer:
    """Renders any output of one site configuration; build it once, use it for every page."""

    def __init__(self, config: SiteConfig, layouts: Mapping[str, str] | None = None) -> None:
        self.config = config
        theme = NamedLoader(theme_template, THEME_TEMPLATE_PREFIX)
        loader: jinja2.BaseLoader = theme
        if layouts:
            loader = jinja2.ChoiceLoader([NamedLoader(dict(layouts).get, LAYOUT_TEMPLATE_PREFIX), theme])
        # Sandboxed: a site's `layouts/` are untrusted code (SPEC 3.5, core.sandbox); the theme alone is not.
        environment = SiteTemplates if layouts else ThemeTemplates
        self.env = environment(
            loader=loader,
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
            undefined=jinja2.ChainableUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
            # Templates come from the package and from `layouts/` read once per build or event:
            # none changes while a Renderer lives, so no stat() per render (and per include).
            auto_reload=False,
            bytecode_cache=_COMPILED_TEMPLATES[environment],
        )
        # Dates show in their own offset, as written (Hugo): a naive one was read in the site's zone.
        self.env.add_filters(
            iso=lambda moment: moment.isoformat(),
            human_date=human_date,
            rfc822=format_datetime,
            # pass_context keeps Jinja from folding `"/x" | rel` into the compiled code, which every
            # Renderer shares (see _CompiledTemplates) whatever its base URL.
            # Every link a template writes through `rel` passes the safe-URL rule (SPEC 3.5).
            rel=jinja2.pass_context(lambda _context, link: config.rel_url(safe_link(link))),
            heading_anchors=with_heading_anchors,
        )
        self.env.globals.update(
            site=config,
            menu=self.menu,
            footer_menu=self.footer_menu,
            copyright_line=lambda year: copyright_line(config, year),
            param=lambda path, default, page=None: theme_param(config, path, default, page),
            sharing_links=sharing_links,
            breadcrumbs=self.breadcrumbs,
            absolute=self.absolute,
            asset_url=key_href,
            stylesheet_url=key_href(stylesheet_key()),
            feature_url=feature_url,
            term_url=self.term_url,
            reading_time_shown=self.reading_time_shown,
            summary=self.summary,
            icon=icon_svg,
            nav_current=nav_current,
            profile=lambda: self.profile,
            updated=updated,
            json_ld=self.json_ld,
        )
        self._summaries: dict[tuple[int, str | None], tuple[Entry, Markup]] = {}
        self._rewrites: dict[Rewriter, tuple[SiteIndex, Rewrite]] = {}
        self._term_urls: dict[tuple[str, str], str] = {}

    @cached_property
    def menu(self) -> list[dict[str, str]]:
        """Hugo's main menu, else `params.menu` ([{name, url}]), else the main sections, then Tags
        and Categories."""
        config, rel = self.config, self.config.rel_url
        if config.menu is not None:
            return self._menu_links(config.menu)
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

    @cached_property
    def footer_menu(self) -> list[dict[str, str]]:
        """Hugo's `menus.footer`, as Congo and Blowfish show it below every page."""
        return self._menu_links(self.config.footerMenu)

    def _menu_links(self, items: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
        """A Hugo menu's entries as links: a `pageRef` links to that path under the base URL; a
        `url` is kept as written, as Hugo keeps it, where the safe-URL rule allows it (else `#`)."""
        rel = self.config.rel_url
        return [
            {"name": name, "url": safe_link(url) if url else rel(href(urlize_path(ref)))} for name, url, ref in items
        ]

    def breadcrumbs(self, *list_ids: str) -> list[dict[str, str]]:
        """The trail above a page (Congo's and Blowfish's `showBreadcrumbs`): the home page, then
        the lists named (a page's section, a term's taxonomy), by their names. Read from the
        configuration alone (an intro's title would make every page of a section follow it)."""
        trail = [{"name": self.config.title, "url": self.config.rel_url("/")}]
        for list_id in list_ids:
            if list_id:
                name = list_title(list_id, self.config, None, None)
                trail.append({"name": name, "url": self.config.rel_url(href(self.config.list_path(list_id)))})
        return trail

    def term_url(self, taxonomy: str, name: str) -> str:
        """A term page's link (at its term permalink, if any); cached: lists show the same few terms
        thousands of times."""
        found = self._term_urls.get((taxonomy, name))
        if found is None:
            if self.config.permalinks:
                found = href(self.config.list_path(f"{taxonomy}/{urlize(name)}"))
            else:
                found = term_href(taxonomy, name)
            self._term_urls[(taxonomy, name)] = found
        return found

    @cached_property
    def profile(self) -> dict[str, Any]:
        """The author's profile (`profile_of`), once per renderer."""
        return profile_of(self.config)

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
        shown = theme_param(self.config, "article.showReadingTime", self.config.showReadingTime, entry)
        return bool(shown) and entry.reading_time > 0

    def summary(self, entry: Entry, thumbnail: Markup | None = None) -> Markup:
        """An entry's summary block on list pages (`summary.html`), rendered once per entry, with
        its feature image's `<picture>` as a thumbnail (`ListOutput`'s; None: its `<img>`).

        An entry is on the home, its section and each of its term lists: without the cache a
        full build renders every summary about six times. Keyed by identity (and the thumbnail),
        the entry held alongside so its id cannot be reused; Entry is frozen, so the same object
        renders the same bytes. (Entries read afresh from DynamoDB simply miss.)
        """
        key = (id(entry), None if thumbnail is None else str(thumbnail))
        cached = self._summaries.get(key)
        if cached is not None and cached[0] is entry:
            return cached[1]
        context = {"page": entry, "thumbnail": thumbnail}
        html = Markup(render_bounded(self.env.get_template("summary.html"), context))
        self._summaries[key] = (entry, html)
        return html

    def rewrite(self, producer: Rewriter, index: SiteIndex) -> Rewrite:
        """The files of a read-modify-write kind (the sitemap, the search index) made from `index`,
        once per index: each file is one output, and they are made together."""
        made = self._rewrites.get(producer)
        if made is None or made[0] is not index:
            made = (index, producer.rewrite(self, index, None, None))
            self._rewrites[producer] = made
        return made[1]

    def render_template(self, template: str, **context: Any) -> bytes:
        """`template` rendered; a RenderError naming the template file and line when the template
        fails (an unsafe access, a limit of `core.sandbox`, its own error)."""
        try:
            return render_bounded(self.env.get_template(template), context).encode("utf-8")
        except Exception as error:
            problem = template_problem(error, template)
            if problem is None:
                raise
            raise RenderError(problem.file, problem.problem, problem.line) from None

    def render(self, output: OutputKind, index: SiteIndex, body_of: Callable[[str], PageBody]) -> bytes:
        """The bytes of one output, as its kind declares them (`core.rendering.kinds`).
        `body_of(source_key)` supplies a page's rendered body."""
        return output.produce(self, index, body_of)

    def series_box(self, entry: Entry, index: SiteIndex) -> SeriesBox | None:
        """The series box of a page in a series (see `core.series`): every part, read from the index."""
        list_id = series_list(entry, self.config.taxonomies)
        if list_id is None:
            return None
        members = index.list_slice(list_id, 0, index.list_size(list_id))
        name = entry.term_names(list_id.partition("/")[0])[0][0]  # the series' name across the site
        return series_box(entry, members, name, href(self.config.list_path(list_id)))


def validate_layouts(settings: SiteSettings) -> None:
    """Compile every template override: a broken one is a ConfigError naming the file and line."""
    from pressroom.core.markdown.shortcodes import validate_templates
    from pressroom.core.reading.config import SHORTCODES_FOLDER
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
