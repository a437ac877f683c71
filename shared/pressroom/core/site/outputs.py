"""The outputs of a site: every file pressroom writes, one class per kind, and the whole set of them.

An output names what it is made from (a page's source key, a list and a page number, ...); its
`key` is where it is written. Each kind's class is its whole declaration (`core.rendering.kinds`):
its key, its codec tag, its template and context or the code that makes its bytes, what it reads,
its headers and how it is written. The full build renders `site_outputs`; the event path renders
the outputs its planner names. Both name them with these values, so both write the same keys.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from pressroom.core.images.exceptions import ImageError
from pressroom.core.images.facts import ImageFacts
from pressroom.core.images.metadata import strip_metadata, stripped_name
from pressroom.core.images.processing import variant_bytes
from pressroom.core.images.variants import AVATAR, CONTENT, EXTENSIONS, HASH_LENGTH, THUMBNAIL, Role, variant_stem
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.kinds import OutputKind, Published, Reads, Rewrite, Templates
from pressroom.core.rendering.pictures import picture_html, with_pictures
from pressroom.core.rendering.search import (
    SEARCH_INDEX_KEY,
    is_search_part,
    patch_search_files,
    search_files,
    search_part_key,
    search_part_of_key,
    search_parts,
    search_record,
)
from pressroom.core.rendering.sitemap import (
    FAMILIES,
    SITEMAP_KEY,
    SitemapCounts,
    SitemapPatch,
    SitemapUrl,
    is_sitemap_part,
    layout_keys,
    parse_sitemap,
    read_parts,
    sitemap_key,
    sitemap_layout,
    sitemap_lines,
    sitemap_part,
    split_urls,
)
from pressroom.core.rendering.template_functions import (
    Pager,
    author_image,
    feature_url,
    home_image,
    managing_editor,
    newest_year,
    plain_summary,
    profile_of,
    show_more_link,
    theme_param,
)
from pressroom.core.rendering.theme import library_files, stylesheet, stylesheet_key, theme_file
from pressroom.core.site.image_uses import (
    author_use,
    feature_link,
    feature_use,
    home_image_use,
    home_uses,
    image_use,
    page_image_uses,
)
from pressroom.core.site.lists import SiteIndex, in_sitemap, list_title, neighbour_list
from pressroom.core.site.model import HOME_LIST, Entry, PageBody, Term
from pressroom.core.site.paging import home_layout, list_paging
from pressroom.core.site.urls import feed_key, href, key_href, list_page_path, page_key, safe_link
from pressroom.exceptions import RenderError

Output = OutputKind
"""Any output, of any kind."""

THEME_FILES = ("favicon.ico", "js/theme.js", "js/main.js", "js/diagrams.js", "js/maths.js", *library_files())
"""The theme's static files, published as they are (from `theme/static/`); the diagram and maths
scripts and their libraries are linked only from pages that have a diagram or maths."""
SITE_REPLACES = frozenset({"favicon.ico"})
"""Theme files a site's own file of that name replaces (a Blowfish site's `static/favicon.ico`):
every page links them by that name, so the site's file is what browsers show."""
SEARCH_PAGE_KEY = "search/index.html"


def static_keys() -> tuple[str, ...]:
    """The outputs that depend on the configuration only; the stylesheet's name is fingerprinted."""
    return ("robots.txt", "404.html", stylesheet_key(), *THEME_FILES, SEARCH_PAGE_KEY)


@dataclass(frozen=True)
class PageOutput(OutputKind):
    """A content page, rendered from its source (body) and its neighbours (from the index)."""

    tag = "PageOutput"
    template = "page.html"

    source_key: str
    path: str

    @property
    def key(self) -> str:
        return page_key(self.path)

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(body=self.source_key)

    def current(self, index: SiteIndex) -> bool:
        entry = index.entry(self.source_key)
        return entry is not None and entry.path == self.path

    def produce(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> bytes:
        try:
            return super().produce(site, index, body_of)
        except RenderError as error:  # named after the page (its author hears of it), and the template
            where = f"{error.source_key} line {error.line}" if error.line else error.source_key
            raise RenderError(self.source_key, f"{where}: {error.problem}") from None

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        body = body_of(self.source_key)
        entry = index.entry(self.source_key)
        if entry is None:
            raise KeyError(f"{self.source_key}: not in the index")
        around = neighbour_list(entry, site.config)
        next_page, prev_page = index.neighbours(around, entry) if around is not None else (None, None)
        config = site.config
        pictures = _PagePictures(config, entry, index.images_at(page_image_uses(entry, body.html, config)))
        return {
            "page": entry,
            "body": replace(body, html=with_pictures(body.html, pictures.image_of, first_lazy=bool(entry.feature))),
            "feature_picture": pictures.feature(),
            "author_picture": author_picture(config, pictures.images, AUTHOR_BOX),
            "prev_page": prev_page,
            "next_page": next_page,
            "series": site.series_box(entry, index),
            "show_toc": bool(theme_param(config, "article.showTableOfContents", False, entry)),
            "year": newest_year([entry]),
            "canonical": site.absolute(entry.url),
            "description": entry.description or plain_summary(entry),
            "image": site.absolute_link(pictures.shared_image()) if entry.feature else None,
        }


class _PagePictures:
    """A page's images as it (and a list, its thumbnail) shows them: the records of the images
    published at the keys it uses (`images`, from `SiteIndex.images_at`), each link resolved as
    its parse resolved its uses (`image_use`), so it shows variants of exactly the images the
    planner knows it shows."""

    def __init__(self, config: SiteConfig, entry: Entry, images: Mapping[str, ImageFacts]) -> None:
        self.config, self.entry, self.images = config, entry, images

    def image_of(self, src: str) -> ImageFacts | None:
        """The record of the image the page links as `src` (None: none with variants)."""
        use = image_use(src, self.entry.path, self.config)
        return self.images.get(use) if use is not None else None

    def feature(self) -> Markup | None:
        """The feature image's `<picture>`, on the first screen (not lazy); None: an `<img>` of it."""
        return self._picture(CONTENT, lazy=False)

    def _picture(self, role: Role, lazy: bool) -> Markup | None:
        entry = self.entry
        facts = self._feature_facts()
        if facts is None:
            return None
        alt = entry.params.get("featureAlt") or entry.title
        picture = facts.picture(feature_url(entry), role)
        return picture_html(picture, f' alt="{html.escape(str(alt))}"', lazy, _link_of(self.config))

    def _feature_facts(self) -> ImageFacts | None:
        link = feature_link(self.entry, self.config)
        return self.image_of(link) if link else None

    def thumbnail(self) -> Markup | None:
        """The feature image's `<picture>` as a list shows it (lazy); None: an `<img>` of it."""
        return self._picture(THUMBNAIL, lazy=True)

    def shared_image(self) -> str:
        """The link feeds and Open Graph show: the 1200-px JPEG or PNG variant, else the image."""
        link = feature_url(self.entry)
        facts = self._feature_facts()
        return facts.fallback(link) if facts is not None else link


@dataclass(frozen=True)
class AvatarSlot:
    """Where a template shows the author's image: its `sizes` (the CSS box), its `<img>`'s size
    (the square the box reserves) and whether it is below the first screen."""

    sizes: str
    side: int
    lazy: bool
    alt_is_name: bool


AUTHOR_BOX = AvatarSlot("4rem", 64, lazy=True, alt_is_name=False)
"""`author.html`, after the article: `.author .avatar` is 4rem."""
PROFILE = AvatarSlot("6rem", 96, lazy=False, alt_is_name=True)
"""`profile.html`, on pressroom's own home: `.avatar` is 6rem."""
HOME_PROFILE = AvatarSlot("9rem", 144, lazy=False, alt_is_name=True)
"""`home.html`'s profile, hero and background layouts: `.home-profile .avatar` is 9rem."""


def author_picture(config: SiteConfig, images: Mapping[str, ImageFacts], slot: AvatarSlot) -> Markup | None:
    """The author's image as a `<picture>` of its avatar variants where it is among `images` (the
    images the output shows); None: the template writes its `<img>`."""
    use = author_use(config)
    facts = images.get(use) if use is not None else None
    if facts is None:
        return None
    person = profile_of(config)
    alt = html.escape(person["name"]) if slot.alt_is_name else ""
    attributes = f' class="avatar" alt="{alt}" width="{slot.side}" height="{slot.side}"'
    picture = replace(facts.picture(author_image(config), AVATAR), sizes=slot.sizes)
    return picture_html(picture, attributes, slot.lazy, _link_of(config))


HOME_IMAGE_SIZES = {
    "hero": CONTENT.sizes,
    "background": "(max-width: 44.5rem) 100vw, 44.5rem",
    "card": "(min-width: 44.5rem) 20rem, (min-width: 40em) calc(50vw - 2.25rem), calc(100vw - 2.5rem)",
}
"""The `sizes` of the home layouts' image (`.home-image`, `theme/static/main.css`), as wide as its box:
`hero` the reading column (`main` is 42rem, less 1.25rem each side on a narrower screen);
`background` the column and its paddings (`width: calc(100% + 2.5rem)`); `card` one of the two
columns of `.home-split` (2rem apart) from 40em on, the reading column below. Blowfish links the
original at every width, so it has none to follow."""


def home_picture(config: SiteConfig, images: Mapping[str, ImageFacts], layout: str | None) -> Markup | None:
    """The home layout's image (`home_image`) as a `<picture>` of its content variants where it is
    among `images`, at its box's width; never lazy: it is on the first screen (the hero, the
    background, the card beside the title). None: the template writes its `<img>`."""
    use = home_image_use(config)
    facts = images.get(use) if use is not None else None
    if facts is None or layout not in HOME_IMAGE_SIZES:
        return None
    attributes = f' class="home-image" alt="{html.escape(config.title)}"'
    picture = replace(facts.picture(home_image(config, layout), CONTENT), sizes=HOME_IMAGE_SIZES[layout])
    return picture_html(picture, attributes, False, _link_of(config))


def _link_of(config: SiteConfig) -> Callable[[str], str]:
    """How a picture's URLs (site paths) are linked: under the base URL's path, unsafe ones to `#`."""
    return lambda url: config.rel_url(safe_link(url))


@dataclass(frozen=True)
class ListOutput(OutputKind):
    """Page `number` (1-based) of the home, a section or a term list."""

    tag = "ListOutput"
    template = "list.html"

    list_id: str
    number: int
    path: str | None = None
    """The list's site path where it is not its id (a term permalink); see `list_page`."""

    @property
    def site_path(self) -> str:
        return self.list_id if self.path is None else self.path

    @property
    def key(self) -> str:
        return page_key(list_page_path(self.site_path, self.number))

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(list_id=self.list_id, entries=list_paging(self.list_id, config).shown_range(self.number))

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        config = site.config
        paging = list_paging(self.list_id, config)
        total = paging.pages(index.list_size(self.list_id))
        entries = index.list_slice(self.list_id, *paging.shown_range(self.number))
        term = index.term(self.list_id) if "/" in self.list_id else None
        intro = index.intro(self.list_id)
        number = self.number
        pager = Pager(
            number=number,
            total=total,
            prev_url=href(list_page_path(self.site_path, number - 1)) if number > 1 else None,
            next_url=href(list_page_path(self.site_path, number + 1)) if number < total else None,
        )
        home = home_uses(config) if self.list_id == HOME_LIST else {}
        uses = [use for entry in entries if (use := feature_use(entry, config)) is not None]
        images = index.images_at([*uses, *(key for key, last in home.items() if last is None or number <= last)])
        return {
            "list_id": self.list_id,
            "heading": list_title(self.list_id, config, intro, term),
            "intro": intro,
            "entries": entries,
            "thumbnails": {
                entry.source_key: found
                for entry in entries
                if entry.feature and (found := _PagePictures(config, entry, images).thumbnail()) is not None
            },
            "year": newest_year(entries),
            "pager": pager,
            "feed": key_href(list_feed(self.list_id, config).key),
            "canonical": site.absolute(href(list_page_path(self.site_path, number))),
            "description": (intro.description if intro else "")
            or (config.description if self.list_id == HOME_LIST else ""),
            "image": None,
            **(self._home(config, images) if self.list_id == HOME_LIST else {}),
        }

    @staticmethod
    def _home(config: SiteConfig, images: Mapping[str, ImageFacts]) -> dict[str, Any]:
        """What the home page's layout shows besides the list (see `core.site.paging`), with the
        author's image and the layout's image as `<picture>` where `images` has them (`home_uses`)."""
        layout = home_layout(config)
        return {
            "home_layout": layout,
            "home_image": home_image(config, layout),
            "home_picture": home_picture(config, images, layout),
            "show_more": show_more_link(config),
            "author_picture": author_picture(config, images, PROFILE if layout is None else HOME_PROFILE),
        }


@dataclass(frozen=True)
class FeedOutput(OutputKind):
    """The RSS feed of a list: its latest entries (`feed_limit`)."""

    tag = "FeedOutput"
    template = "feed.xml"

    list_id: str
    path: str | None = None

    @property
    def key(self) -> str:
        return feed_key(self.list_id if self.path is None else self.path)

    def enabled(self, config: SiteConfig) -> bool:
        return config.outputs_kind("rss")

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(list_id=self.list_id, entries=(0, config.feed_limit))

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        config = site.config
        term = index.term(self.list_id) if "/" in self.list_id else None
        intro = index.intro(self.list_id)
        heading = list_title(self.list_id, config, intro, term)
        if self.list_id != HOME_LIST:
            heading = f"{heading} on {config.title}"
        limit = config.feed_limit
        entries = index.list_slice(self.list_id, 0, index.list_size(self.list_id) if limit is None else limit)
        return {
            "heading": heading,
            "description": (intro.description if intro else "") or config.description,
            "list_url": href(config.list_path(self.list_id)),
            "feed": key_href(self.key),
            "entries": entries,
            "last_build": max((e.date for e in entries if e.date), default=None),
            "managing_editor": managing_editor(config),
        }


def _term_link(site: Templates, taxonomy: str, name: str) -> str:
    """A term page's link as a template writes `term_url(taxonomy, name) | rel`."""
    return site.config.rel_url(safe_link(site.term_url(taxonomy, name)))


@dataclass(frozen=True)
class ShownTerm(Term):
    """A term as the taxonomy index shows it: a Term (a site's own layout reads its `url` and
    `list_id` as documented) with its finished `link`, made once in code: the index of a site of
    5,000 tags renders in a fifth of the time it took calling `term_url` in the template."""

    link: str


@dataclass(frozen=True)
class TaxonomyOutput(OutputKind):
    """A taxonomy's index page: its terms."""

    tag = "TaxonomyOutput"
    template = "taxonomy.html"

    taxonomy: str

    @property
    def key(self) -> str:
        return page_key(self.taxonomy)

    def enabled(self, config: SiteConfig) -> bool:
        return config.outputs_kind("taxonomy")

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(taxonomy=self.taxonomy)

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        return {
            "heading": list_title(self.taxonomy, site.config, index.intro(self.taxonomy), None),
            "intro": index.intro(self.taxonomy),
            "taxonomy": self.taxonomy,
            "terms": [
                ShownTerm(term.taxonomy, term.slug, term.name, term.count, _term_link(site, term.taxonomy, term.name))
                for term in index.terms(self.taxonomy)
            ],
            "canonical": site.absolute(href(self.taxonomy)),
            "description": "",
            "image": None,
        }


@dataclass(frozen=True)
class TaxonomyFeedOutput(OutputKind):
    """`tags/index.xml`: the feed of a taxonomy's terms, as Hugo writes it."""

    tag = "TaxonomyFeedOutput"
    template = "feed.xml"

    taxonomy: str

    @property
    def key(self) -> str:
        return feed_key(self.taxonomy)

    def enabled(self, config: SiteConfig) -> bool:
        return config.outputs_kind("rss") and config.outputs_kind("taxonomy")

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(taxonomy=self.taxonomy)

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        """One item per term, linking to its page (Hugo's taxonomy feed)."""
        config = site.config
        intro = index.intro(self.taxonomy)
        heading = list_title(self.taxonomy, config, intro, None)
        limit = config.feed_limit
        terms = index.terms(self.taxonomy)
        items = [
            {"title": term.name, "url": site.term_url(term.taxonomy, term.name), "date": None, "categories": ()}
            | {"summary_html": ""}
            for term in (terms if limit is None else terms[:limit])  # the feed's items only, not every term's
        ]
        return {
            "heading": f"{heading} on {config.title}",
            "description": (intro.description if intro else "") or config.description,
            "list_url": href(self.taxonomy),
            "feed": key_href(self.key),
            "entries": items,
            "last_build": None,
        }


class _SitemapFiles:
    """The sitemap's producer: its files after the round, the published ones the round's URLs are
    in patched (the event path need not read every page's row, see `core.rendering.sitemap`),
    else every file from the index."""

    def rewrite(
        self, site: Templates, index: SiteIndex, published: Published | None, patch: SitemapPatch | None
    ) -> Rewrite:
        if published is None or patch is None:
            return _sitemap_rewrite(site, self.urls(site, index), [])
        found = None if patch.full else _patched_sitemap(site, published, patch)
        if found is not None:
            return found
        # Rare (a rebuild, a first publish, the sitemap becoming an index, a custom layout, a
        # part edited by hand): every part file published is listed, so none is left behind.
        urls = self.urls(site, index)
        kept = {output.key for output in sitemap_outputs(_counts(urls))}
        gone = [key for key in published.output_keys() if is_sitemap_part(key) and key not in kept]
        return _sitemap_rewrite(site, urls, gone)

    @staticmethod
    def urls(site: Templates, index: SiteIndex) -> dict[str, list[SitemapUrl]]:
        """Every URL of the site as the sitemap lists it, by family, each by path."""
        config = site.config
        lists = [SitemapUrl(href(HOME_LIST), None)]
        lists += [SitemapUrl(href(section), None) for section in index.sections()]
        for taxonomy in config.taxonomies:
            if config.outputs_kind("taxonomy"):
                lists.append(SitemapUrl(href(taxonomy), None))
            lists += [SitemapUrl(site.term_url(taxonomy, term.name), None) for term in index.terms(taxonomy)]
            lists += [SitemapUrl(href(config.list_path(i)), None) for i in index.intro_terms(taxonomy)]
        pages = [SitemapUrl(href(path), lastmod) for path, lastmod in index.sitemap_pages()]
        return {"lists": sorted(lists, key=_by_path), "pages": sorted(pages, key=_by_path)}


def _by_path(url: SitemapUrl) -> str:
    return url.path


def _counts(urls: Mapping[str, Sequence[SitemapUrl]]) -> SitemapCounts:
    return SitemapCounts(len(urls["lists"]), len(urls["pages"]))


def _patched_sitemap(site: Templates, published: Published, patch: SitemapPatch) -> Rewrite | None:
    """The sitemap files a round writes, read back from the published ones and patched; None when
    they cannot be (unknown counts, the sitemap becoming an index, a file missing or not as the
    template wrote it)."""
    if patch.counts is None or patch.before is None:
        return None
    before, after = sitemap_layout(patch.before), sitemap_layout(patch.counts)
    if after is None:
        return _one_file(site, published, patch, patch.counts.total, before)
    if before is None:
        return None  # the one file's URLs are not told apart by family: the parts from the index
    urlsets: dict[str, list[SitemapUrl]] = {}
    outputs: list[OutputKind] = [SitemapOutput()]  # its bytes change only with the part counts
    gone: list[str] = []
    for family in FAMILIES:
        old_parts, parts, change = before[family], after[family], patch.part(family)
        if old_parts == parts:
            # The common case: the parts the round's URLs hash to.
            touched = sorted({sitemap_part(path, parts) for path in change.touched()})
            found = read_parts(published.read_many, family, touched, parts, site.config)
            if found is None:
                return None
            patched = {part: change.part(family, part, parts).apply(urls) for part, urls in found.items()}
        else:
            # The family's count crossed a power of two: its parts redistributed, once.
            found = read_parts(published.read_many, family, range(1, old_parts + 1), old_parts, site.config)
            urls = change.apply(url for part in (found or {}).values() for url in part)
            if found is None or len(urls) != patch.counts.of(family):
                return None
            patched = dict(enumerate(split_urls(urls, parts), 1))
            gone += [sitemap_key(family, part, old_parts) for part in range(1, old_parts + 1)]
        outputs += [SitemapOutput(part, parts, family) for part in patched]
        urlsets.update({sitemap_key(family, part, parts): urls for part, urls in patched.items()})
    index = layout_keys(after)
    return Rewrite(outputs, gone, lambda output, site: _sitemap_file(site, urlsets, index, output))


def _one_file(
    site: Templates, published: Published, patch: SitemapPatch, total: int, before: Mapping[str, int] | None
) -> Rewrite | None:
    """`sitemap.xml` holding every URL after the round: from the one file or every part before it."""
    old: list[SitemapUrl] | None = []
    if before is None:
        body = published.read(SITEMAP_KEY)
        parsed = parse_sitemap(body, site.config) if body is not None else None
        old = parsed.urls if parsed is not None and not parsed.parts else None
    else:
        for family in FAMILIES:
            found = read_parts(published.read_many, family, range(1, before[family] + 1), before[family], site.config)
            old = None if found is None or old is None else old + [url for urls in found.values() for url in urls]
    if old is None:
        return None
    urls = patch.apply(old)
    if len(urls) != total:
        return None  # the index's count and the published files disagree: both from the index
    gone = layout_keys(before) if before is not None else []
    return Rewrite([SitemapOutput()], gone, lambda output, site: _sitemap_file(site, {SITEMAP_KEY: urls}, None, output))


def _sitemap_rewrite(site: Templates, urls: Mapping[str, list[SitemapUrl]], gone: list[str]) -> Rewrite:
    """Every file of the sitemap of these URLs (by family; each file rendered when written)."""
    urlsets, index = sitemap_urlsets(urls)
    return Rewrite(
        sitemap_outputs(_counts(urls)), gone, lambda output, site: _sitemap_file(site, urlsets, index, output)
    )


def sitemap_files(site: Templates, urls: Mapping[str, list[SitemapUrl]]) -> dict[str, bytes]:
    """Every file of the sitemap of these URLs (by family), by key."""
    rewrite = _sitemap_rewrite(site, urls, [])
    return {output.key: made for output in rewrite.outputs if (made := rewrite.produce(output, site)) is not None}


def sitemap_urlsets(urls: Mapping[str, Sequence[SitemapUrl]]) -> tuple[dict[str, list[SitemapUrl]], list[str] | None]:
    """The URLs of each file of the sitemap of these URLs (by family), by key; and the part files
    `sitemap.xml` indexes (None: it is the one file)."""
    layout = sitemap_layout(_counts(urls))
    if layout is None:
        return {SITEMAP_KEY: sorted([*urls["lists"], *urls["pages"]], key=_by_path)}, None
    urlsets = {
        sitemap_key(family, part, layout[family]): found
        for family in FAMILIES
        for part, found in enumerate(split_urls(urls[family], layout[family]), 1)
    }
    return urlsets, layout_keys(layout)


def _sitemap_file(
    site: Templates, urlsets: Mapping[str, Sequence[SitemapUrl]], index: Sequence[str] | None, output: OutputKind
) -> bytes | None:
    """One file of a sitemap: a urlset of `urlsets` (by key), or the index of the parts `index`
    names; None: no such file."""
    if output.key == SITEMAP_KEY and index is not None:
        return site.render_template("sitemapindex.xml", files=list(index))
    found = urlsets.get(output.key)
    return None if found is None else site.render_template("sitemap.xml", urls=sitemap_lines(found, site.absolute))


def sitemap_outputs(counts: SitemapCounts) -> list[SitemapOutput]:
    """The sitemap's files: `sitemap.xml`, and past SITEMAP_URL_LIMIT URLs the parts it indexes."""
    layout = sitemap_layout(counts)
    parts = [] if layout is None else [(f, part, layout[f]) for f in FAMILIES for part in range(1, layout[f] + 1)]
    return [SitemapOutput(), *(SitemapOutput(part, of, family) for family, part, of in parts)]


@dataclass(frozen=True)
class SitemapOutput(OutputKind):
    """`sitemap.xml` (no family); past SITEMAP_URL_LIMIT URLs, the index of the parts of each
    family, `sitemap-FAMILY-K-of-N.xml` (`core.rendering.sitemap`)."""

    tag = "SitemapOutput"
    producer = _SitemapFiles()

    part: int = 0
    parts: int = 0
    family: str = ""

    @property
    def key(self) -> str:
        return sitemap_key(self.family, self.part, self.parts)

    def enabled(self, config: SiteConfig) -> bool:
        return config.outputs_kind("sitemap")


class _SearchFiles:
    """The search index's producer: the published table and the parts the round changes, patched
    (`core.rendering.search`), else every file from the index."""

    def rewrite(
        self, site: Templates, index: SiteIndex, published: Published | None, patch: SitemapPatch | None
    ) -> Rewrite:
        if published is None or patch is None:
            records = (search_record(entry, text, site.config) for entry, text in index.published_pages())
            made = search_files(records, site.config)
            return Rewrite([search_output(key) for key in made], [], lambda output, _: made.get(output.key))
        table = published.read(SEARCH_INDEX_KEY)
        found = None
        if patch.search is not None and table is not None:
            found = patch_search_files(table, published.read_many, patch.search, site.config)
        if found is None:
            # Rare (a first publish, a rebuild, a hand-edited or half-redistributed index): every
            # published part file is listed, so none is left behind.
            whole = site.rewrite(self, index)
            kept = {output.key for output in whole.outputs}
            gone = [key for key in published.output_keys() if is_search_part(key) and key not in kept]
            return Rewrite(whole.outputs, gone, whole.produce)
        written, gone = found
        return Rewrite([search_output(key) for key in written], gone, lambda output, _: written.get(output.key))


_SEARCH_FILES = _SearchFiles()


@dataclass(frozen=True)
class SearchOutput(OutputKind):
    """`index.json`, the search index's table of its parts (see `core.rendering.search`)."""

    tag = "SearchOutput"
    producer = _SEARCH_FILES
    cached_as_page = True  # changed by any publish

    @property
    def key(self) -> str:
        return SEARCH_INDEX_KEY

    @classmethod
    def publishes(cls, key: str) -> bool:
        return key == SEARCH_INDEX_KEY


@dataclass(frozen=True)
class SearchPartOutput(OutputKind):
    """`search/part-K-of-N.json`: the records of the pages whose URL hashes to part K of N (`core.rendering.search`)."""

    tag = "SearchPartOutput"
    producer = _SEARCH_FILES
    cached_as_page = True  # changed by any publish

    part: int
    parts: int

    @property
    def key(self) -> str:
        return search_part_key(self.part, self.parts)

    @classmethod
    def publishes(cls, key: str) -> bool:
        return is_search_part(key)


def search_output(key: str) -> SearchOutput | SearchPartOutput:
    """The search output written at `key` (the table, or a part)."""
    found = search_part_of_key(key)
    return SearchPartOutput(*found) if found else SearchOutput()


def search_outputs(pages: int) -> list[Output]:
    """The search index of a site of `pages` published pages: its table of contents and its parts."""
    parts = search_parts(pages)
    return [SearchOutput(), *(SearchPartOutput(part, parts) for part in range(parts))]


@dataclass(frozen=True)
class AliasOutput(OutputKind):
    """A redirect from an old path (a page's `aliases`, a list's `page/1/`) to its page."""

    tag = "AliasOutput"
    template = "alias.html"

    alias: str
    target_path: str

    @property
    def key(self) -> str:
        return page_key(self.alias)

    def context(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> dict[str, Any]:
        # Relative, so the redirect works wherever the site is served (a local preview too).
        target = quote(posixpath.relpath(self.target_path or ".", self.alias) + "/", safe="/+~")
        return {"target": target, "canonical": site.absolute(href(self.target_path))}


_KIND_OF_STATIC = {"robots.txt": "robotstxt", "404.html": "404"}


@dataclass(frozen=True)
class StaticOutput(OutputKind):
    """robots.txt, 404.html, the search page, the stylesheet and the theme's files: they depend on
    the configuration only."""

    tag = "StaticOutput"

    name: str

    @property
    def key(self) -> str:
        return self.name

    def enabled(self, config: SiteConfig) -> bool:
        return self.name not in _KIND_OF_STATIC or config.outputs_kind(_KIND_OF_STATIC[self.name])

    def produce(self, site: Templates, index: SiteIndex, body_of: Callable[[str], PageBody]) -> bytes:
        name = self.name
        if name == stylesheet_key():
            return stylesheet()
        if name in THEME_FILES:
            return theme_file(f"static/{name}")
        if name == "404.html":
            return site.render_template("404.html", canonical=site.absolute("404.html"), description="", image=None)
        if name == SEARCH_PAGE_KEY:
            return site.render_template("search.html", canonical=site.absolute("search/"), description="", image=None)
        return site.render_template(name)


@dataclass(frozen=True)
class AssetOutput(OutputKind):
    """A non-Markdown source file, copied byte for byte to `key` (a bundle's file: under its page),
    a photo without its location and camera data unless the site keeps it."""

    tag = "AssetOutput"

    source_key: str
    key: str
    version: str = ""
    """Which bytes the event path copies (empty: the current ones)."""

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(source=self.source_key, version=self.version)

    def authored(self, config: SiteConfig) -> bool:
        return config.is_authored(self.source_key)

    def from_source(self, data: bytes, config: SiteConfig) -> bytes:
        # The format comes from the bytes, not the name: a photo uploaded as `.gif` is cleaned too.
        return data if config.keepImageMetadata else strip_metadata(data, self.source_key)

    def cached_as(self, config: SiteConfig, image: ImageFacts | None = None) -> str | None:
        """An image's copy without its metadata is kept under the digest of its source's bytes
        (`metadata.stripped_name`); any other file is copied from its source."""
        if image is None or config.keepImageMetadata:
            return None
        return stripped_name(image.digest, image.format, posixpath.splitext(self.key)[1])


@dataclass(frozen=True)
class VariantOutput(OutputKind):
    """A responsive variant of a published image that a page shows (`core.images`): resized, in
    WebP, AVIF, or JPEG/PNG, without metadata, named beside the image (`asset_key`) with a hash
    of its source's bytes, its processing and its encoder, so its bytes never change."""

    tag = "VariantOutput"
    named_by_bytes = True

    source_key: str
    asset_key: str
    key: str
    version: str = ""
    """Which bytes of the image the event path makes it from (empty: the current ones)."""

    def reads(self, config: SiteConfig) -> Reads:
        return Reads(source=self.source_key, version=self.version)

    def from_source(self, data: bytes, config: SiteConfig) -> bytes:
        try:
            return variant_bytes(data, self.asset_key, self.key)
        except ImageError as error:  # named by its source, as its copy's error is
            raise ImageError(self.source_key, error.problem) from None

    def found_under(self) -> str:
        """Beside its image, with its other variants: `dir/STEM.`."""
        return variant_stem(self.asset_key) + "."

    def cached_as(self, config: SiteConfig, image: ImageFacts | None = None) -> str:
        """`HASH.WIDTH.EXT`: the hash covers everything its bytes come from (not the image's name)."""
        return ".".join(posixpath.basename(self.key).rsplit(".", 3)[-3:])


_VARIANT_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[1-9][0-9]*\.(?:{'|'.join(EXTENSIONS.values())})\Z")


def is_variant_key(key: str) -> bool:
    """Whether `key` is named as an image's variant (`STEM.HASH.WIDTH.EXT`): cached for a year.

    >>> is_variant_key("posts/x/beach.29a5bb8d322f.160.avif"), is_variant_key("posts/x/beach.avif")
    (True, False)
    """
    return _VARIANT_NAME.search(key) is not None


def variant_outputs(source_key: str, asset_key: str, version: str, image: ImageFacts) -> list[VariantOutput]:
    """The variants of the image `source_key` published at `asset_key`, made from `version`."""
    return [VariantOutput(source_key, asset_key, key, version) for key in image.variant_keys(asset_key)]


_CACHED_AS_PAGE = tuple(kind for kind in OutputKind.kinds() if kind.cached_as_page)


def is_cached_as_page(key: str) -> bool:
    """Whether `key` is an output of a kind cached for a page's lifetime whatever its type."""
    return any(kind.publishes(key) for kind in _CACHED_AS_PAGE)


def _path_field(list_id: str, config: SiteConfig) -> str | None:
    path = config.list_path(list_id)
    return None if path == list_id else path


def list_page(list_id: str, number: int, config: SiteConfig) -> ListOutput:
    """Page `number` of a list, at the list's site path (every list page is named through here)."""
    return ListOutput(list_id, number, _path_field(list_id, config))


def list_feed(list_id: str, config: SiteConfig) -> FeedOutput:
    return FeedOutput(list_id, _path_field(list_id, config))


def pager_alias(list_id: str, config: SiteConfig) -> AliasOutput:
    """`LIST/page/1/`: Hugo's redirect to a list's first page."""
    path = config.list_path(list_id)
    return AliasOutput(f"{path}/page/1" if path else "page/1", path)


def list_taxonomy_outputs(taxonomy: str) -> list[Output]:
    """A taxonomy's index page and its feed of terms."""
    return [TaxonomyOutput(taxonomy), TaxonomyFeedOutput(taxonomy)]


def list_outputs(list_id: str, size: int, config: SiteConfig) -> list[Output]:
    """Every page of a list that exists, its feed, and its `page/1/` redirect (a paginated list's)."""
    paging = list_paging(list_id, config)
    pages: list[Output] = [list_page(list_id, n, config) for n in range(1, paging.pages(size) + 1)]
    alias = [pager_alias(list_id, config)] if config.pagerAliases and paging.paginated else []
    return [*pages, list_feed(list_id, config), *alias]


def site_lists(index: SiteIndex) -> list[str]:
    """Every list that exists: the home page, each section, each term with pages."""
    list_ids = {HOME_LIST, *index.sections()}
    for taxonomy in index.config.taxonomies:
        list_ids.update(term.list_id for term in index.terms(taxonomy))
        list_ids.update(index.intro_terms(taxonomy))
    return sorted(list_ids)


def sitemap_counts(index: SiteIndex, pages: int) -> SitemapCounts:
    """The sitemap lists the home page, the sections, the taxonomy indexes, the terms and the pages."""
    return SitemapCounts(len(site_lists(index)) - 1 + fixed_list_urls(index.config), pages)


def fixed_list_urls(config: SiteConfig) -> int:
    """The sitemap's list URLs that every site has, the home page and the taxonomy indexes (the
    others, sections and terms, come and go with their pages)."""
    return 1 + (len(config.taxonomies) if config.outputs_kind("taxonomy") else 0)


def site_outputs(
    index: SiteIndex,
    entries: Iterable[Entry],
    assets: Mapping[str, str],
    statics: Sequence[str] | None = None,
    versions: Mapping[str, str] | None = None,
    variants: Iterable[VariantOutput] = (),
) -> list[Output]:
    """Every output of the site: the full build renders exactly these, and so does a rebuild.

    `assets` maps each published asset's output key to its source key; `versions`, to the
    version of its bytes to copy (a rebuild's; the full build copies the files it was given);
    `variants`, the variants of the images pages show (`PublishedSet.variants`).
    """
    config = index.config
    outputs: list[Output] = [
        StaticOutput(name)
        for name in (static_keys() if statics is None else statics)
        if not (name in SITE_REPLACES and name in assets)
    ]
    for taxonomy in config.taxonomies:
        outputs.extend(list_taxonomy_outputs(taxonomy))
    for list_id in site_lists(index):
        outputs.extend(list_outputs(list_id, index.list_size(list_id), config))
    pages = 0
    for entry in entries:
        pages += in_sitemap(entry)
        if entry.has_page:
            outputs.append(PageOutput(entry.source_key, entry.path))
            outputs.extend(AliasOutput(alias, entry.path) for alias in entry.aliases)
    outputs.extend(sitemap_outputs(sitemap_counts(index, pages)))
    outputs.extend(search_outputs(pages))
    versions = versions or {}
    outputs.extend(AssetOutput(source, key, versions.get(key, "")) for key, source in sorted(assets.items()))
    outputs.extend(variants)
    return [output for output in outputs if output.enabled(config)]
