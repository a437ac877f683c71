"""The theme does what Congo's and Blowfish's common params ask (issue 21.3): the footer menu and
the copyright line, the author box, heading anchors, word count, date updated, taxonomies on the
article, breadcrumbs, sharing links, summaries on lists; a page's front matter overrides a param."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pressroom.core.reading.config import SiteConfig, parse_config, settings_of
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.site.lists import MemoryIndex
from pressroom.core.site.model import Entry, PageBody
from pressroom.core.site.outputs import ListOutput, PageOutput, StaticOutput, TaxonomyOutput

SITE = "title: Field Notes\nbaseURL: https://blog.example.com/\nauthor: Ada\n"
BODY = '<p>Intro.</p>\n<h2 id="setup">Setup</h2>\n<p>Text.</p>\n<h3 id="more">More</h3>\n'


def config(extra: str = "") -> SiteConfig:
    return parse_config(SITE + extra)[0]


def post(day: int = 5, year: int = 2025, **fields: Any) -> Entry:
    base = Entry(
        source_key="posts/a.md",
        path="posts/a",
        section="posts",
        title="Hello & welcome",
        date=datetime(year, 1, day, 12, tzinfo=UTC),
        reading_time=3,
        word_count=612,
        tags=("Go",),
        categories=("Columns",),
    )
    return replace(base, **fields)


def page_html(site: SiteConfig, entry: Entry | None = None) -> str:
    entry = entry or post()
    index = MemoryIndex(site, [entry])
    return Renderer(site).render(PageOutput(entry.source_key, entry.path), index, lambda _k: PageBody(BODY)).decode()


def list_html(site: SiteConfig, entries: list[Entry], list_id: str = "") -> str:
    index = MemoryIndex(site, entries)
    return Renderer(site).render(ListOutput(list_id, 1), index, lambda _k: PageBody(BODY)).decode()


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


# --- the footer: menu and copyright ----------------------------------------------------------


def test_the_footer_menu_of_site_yaml_links_its_entries_in_weight_order() -> None:
    site = config(
        "menus:\n  footer:\n    - {name: Privacy, url: /privacy/, weight: 20}\n"
        "    - {name: About, pageRef: about, weight: 10}\n"
    )
    html = footer(page_html(site))
    assert '<nav aria-label="Footer">' in html
    assert html.index('<a href="/about/">About</a>') < html.index('<a href="/privacy/">Privacy</a>')


def test_a_hugo_roots_footer_menu_and_copyright_are_read() -> None:
    settings = settings_of(
        {
            "hugo.toml": b'baseURL = "https://a.example/blog/"\ncopyright = "&copy; { year } Ada"\n'
            b'[[menus.footer]]\nname = "Privacy Policy"\npageRef = "privacy"\n',
        }
    )
    assert settings.warnings == ()
    html = footer(page_html(settings.config))
    assert '<a href="/blog/privacy/">Privacy Policy</a>' in html
    assert '<span class="copyright">© 2025 Ada</span>' in html


def test_the_copyright_year_comes_from_the_pages_dates_never_the_clock() -> None:
    edited = post(year=2023, lastmod=datetime(2024, 3, 1, tzinfo=UTC))
    assert '<span class="copyright">© 2024 Ada</span>' in footer(page_html(config(), edited))
    newest_first = [post(), replace(post(year=2021), source_key="posts/b.md", path="posts/b")]
    assert '<span class="copyright">© 2025 Ada</span>' in footer(list_html(config(), newest_first))
    not_found = Renderer(config()).render(StaticOutput("404.html"), MemoryIndex(config(), []), lambda _k: PageBody(""))
    assert '<span class="copyright">© Ada</span>' in footer(not_found.decode())


def test_the_copyright_line_can_be_hidden_or_written_by_the_site() -> None:
    assert "copyright" not in footer(page_html(config("params:\n  footer:\n    showCopyright: false\n")))
    written = footer(page_html(config("copyright: 'Text <b>CC BY</b> { year }'\n")))
    assert '<span class="copyright">Text &lt;b&gt;CC BY&lt;/b&gt; 2025</span>' in written


# --- the article ---------------------------------------------------------------------------


def test_the_author_box_shows_params_author_at_the_end_of_an_article() -> None:
    site = config(
        "params:\n  article: {showAuthor: true}\n  author:\n    name: Ada Lovelace\n    image: img/ada.jpg\n"
        "    bio: Writes about engines.\n    links: [{github: 'https://github.com/ada'}]\n"
    )
    html = page_html(site)
    box = html[html.index('<aside class="author"') : html.index("</aside>")]
    assert "Ada Lovelace" in box and "Writes about engines." in box
    assert 'src="/img/ada.jpg"' in box and 'href="https://github.com/ada"' in box
    assert html.index('<aside class="author"') < html.index("</article>")
    assert '<aside class="author"' not in page_html(config())  # off unless asked
    assert '<aside class="author"' not in page_html(site, post(params={"showAuthor": False}))  # front matter wins


def test_heading_anchors_link_each_heading_to_itself() -> None:
    html = page_html(config("params:\n  article:\n    showHeadingAnchors: true\n"))
    assert '<h2 id="setup">Setup <a class="heading-anchor" href="#setup"' in html
    assert '<h3 id="more">More <a class="heading-anchor" href="#more"' in html
    assert "heading-anchor" not in page_html(config())


def test_word_count_shows_when_asked_and_lowercased_hugo_keys_count() -> None:
    assert "612 words" in page_html(config("params:\n  article:\n    showwordcount: true\n"))
    assert "612 words" not in page_html(config())


def test_a_one_word_page_counts_one_word() -> None:
    html = page_html(config("params:\n  article:\n    showWordCount: true\n"), post(word_count=1))
    assert '<span class="word-count">1 word</span>' in html


def test_date_updated_follows_show_date_updated() -> None:
    edited = post(lastmod=datetime(2025, 2, 1, tzinfo=UTC))
    assert "Updated" in page_html(config(), edited)  # pressroom's default: shown
    assert "Updated" not in page_html(config("params:\n  article: {showDateUpdated: false}\n"), edited)


def test_taxonomies_on_the_article_list_every_taxonomy_with_its_terms() -> None:
    html = page_html(config("params:\n  article: {showTaxonomies: true}\n"))
    block = html[html.index('<nav class="taxonomies"') :]
    assert 'Tags</span> <a class="term" href="/tags/go/">Go</a>' in block
    assert 'Categories</span> <a class="term" href="/categories/columns/">Columns</a>' in block


def test_breadcrumbs_lead_from_the_home_page_to_the_page() -> None:
    html = page_html(config("params:\n  article: {showBreadcrumbs: true}\n"))
    crumbs = html[html.index('<nav class="breadcrumbs"') : html.index("</nav>", html.index('<nav class="breadcrumbs"'))]
    assert '<a href="/">Field Notes</a>' in crumbs and '<a href="/posts/">Posts</a>' in crumbs
    assert '<span aria-current="page">Hello &amp; welcome</span>' in crumbs
    listed = config("params:\n  list: {showBreadcrumbs: true}\n")
    term = list_html(listed, [post()], "tags/go")
    assert '<li><a href="/tags/">Tags</a></li>' in term and '<span aria-current="page">Go</span>' in term
    index = MemoryIndex(listed, [post()])
    tags = Renderer(listed).render(TaxonomyOutput("tags"), index, lambda _k: PageBody("")).decode()
    assert '<nav class="breadcrumbs"' in tags
    assert '<nav class="breadcrumbs"' not in page_html(config())


def test_sharing_links_are_plain_links_to_the_services_share_urls() -> None:
    html = page_html(config("params:\n  article:\n    sharingLinks: [mastodon, email, nosuchservice]\n"))
    sharing = html[html.index('<ul class="sharing"') : html.index("</ul>", html.index('<ul class="sharing"'))]
    assert (
        'href="https://tootpick.org/#text=Hello%20%26%20welcome%20https%3A%2F%2Fblog.example.com%2Fposts%2Fa%2F"'
        in sharing
    )
    assert (
        'href="mailto:?body=https%3A%2F%2Fblog.example.com%2Fposts%2Fa%2F&amp;subject=Hello%20%26%20welcome"' in sharing
    )
    assert sharing.count("<li>") == 2 and "<script" not in html.split("</head>")[1]
    assert '<ul class="sharing"' not in page_html(config())


def test_the_site_param_shows_the_table_of_contents_and_front_matter_hides_it() -> None:
    site = config("params:\n  article: {showTableOfContents: true}\n")
    entry = post()
    index = MemoryIndex(site, [entry])
    with_toc = PageBody(BODY, toc_html='<nav id="TableOfContents"><ul><li>x</li></ul></nav>')
    html = Renderer(site).render(PageOutput(entry.source_key, entry.path), index, lambda _k: with_toc).decode()
    assert 'aria-label="Table of contents"' in html
    hidden = replace(entry, params={"showTableOfContents": False})
    index = MemoryIndex(site, [hidden])
    html = Renderer(site).render(PageOutput(entry.source_key, entry.path), index, lambda _k: with_toc).decode()
    assert 'aria-label="Table of contents"' not in html


def test_list_show_summary_false_leaves_the_summaries_out() -> None:
    summarised = post(summary_html="<p>The gist.</p>")
    assert "The gist." in list_html(config(), [summarised])
    assert "The gist." not in list_html(config("params:\n  list: {showSummary: false}\n"), [summarised])


def test_show_date_reading_time_and_term_counts_follow_their_params() -> None:
    site = config("params:\n  article: {showDate: false, showReadingTime: false}\n  taxonomy: {showTermCount: false}\n")
    html = page_html(site)
    assert "<time" not in html.split("</head>")[1] and "min read" not in html
    index = MemoryIndex(site, [post()])
    tags = Renderer(site).render(TaxonomyOutput("tags"), index, lambda _k: PageBody("")).decode()
    assert 'class="count"' not in tags
    assert "min read" in page_html(site, post(params={"showReadingTime": True}))


def test_a_site_that_does_not_switch_appearance_shows_its_default_scheme() -> None:
    def html_tag(site: SiteConfig) -> str:
        return page_html(site).split("<html", 1)[1].split(">", 1)[0]

    assert "data-theme" not in html_tag(config())  # the system's scheme, as Congo's default
    assert "data-theme" not in html_tag(config("params: {defaultAppearance: dark}\n"))
    assert 'data-theme="dark"' in html_tag(config("params: {defaultAppearance: dark, autoSwitchAppearance: false}\n"))
    assert 'data-theme="light"' in html_tag(config("params: {autoSwitchAppearance: false}\n"))


def test_check_names_each_param_of_the_themes_that_is_not_honoured_once() -> None:
    settings = settings_of(
        {
            "config/_default/hugo.toml": b'baseURL = "https://a.example/"\n',
            "config/_default/params.toml": b'colorScheme = "congo"\n[list]\ngroupByYear = true\n'
            b"[article]\nshowAuthor = true\nshowComments = true\n",
        }
    )
    assert [w for w in settings.warnings if "not honoured" in w] == [
        "config/_default/params.toml: params.article.showComments is not honoured by pressroom's theme",
        "config/_default/params.toml: params.colorScheme is not honoured by pressroom's theme",
        "config/_default/params.toml: params.list.groupByYear is not honoured by pressroom's theme",
    ]
    yaml_site = settings_of({"site.yaml": SITE.encode() + b"params:\n  header: {layout: hamburger}\n"})
    assert yaml_site.warnings == ("site.yaml: params.header.layout is not honoured by pressroom's theme",)
