"""Markdown to HTML for pressroom pages, shaped like Hugo's Goldmark output.

Part of the pure core: no I/O, no environment, no clock. One call turns a page body into
everything the templates and `pressroom check` need from it (HTML, table of contents, summary,
plain text, word count, reading time, headings, links, images).

Rendering Markdown is most of a build's cost, so a page is parsed by pyromark (pulldown-cmark,
in Rust) and its HTML written from the events (`fast`); a page holding one of the few constructs
named in `fast.FALLBACK_REASONS` is rendered by markdown-it-py (`mdit`, imported only then).
Either way the HTML is goldmark's (`parts`), and what derives from it (TOC, summary, words) is
done here once. The full build and the event path both come through `render_markdown`, so both
choose the parser the same way. Code blocks are highlighted by `highlighting`, which imports
Pygments only when a page has one, to keep it off the cold start of pages without code.

Example::

    >>> page = render_markdown("## Hello, World!\\n\\nSome *text*.")
    >>> page.html
    '<h2 id="hello-world">Hello, World!</h2>\\n<p>Some <em>text</em>.</p>\\n'
    >>> page.word_count, page.reading_time
    (4, 1)
"""

from __future__ import annotations

import html
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pressroom.core.markdown.diagrams import has_diagram, has_math
from pressroom.core.markdown.fast import Fallback, render_fast
from pressroom.core.markdown.parts import SUMMARY_DIVIDER, Body, Heading, hugo_anchor
from pressroom.core.markdown.settings import MarkupSettings
from pressroom.core.markdown.shortcodes import Expansion, ShortcodePage, UnknownShortcode, render_call

__all__ = [
    "SUMMARY_DIVIDER",
    "WORDS_PER_MINUTE",
    "RenderedMarkdown",
    "hugo_anchor",
    "render_markdown",
]

WORDS_PER_MINUTE = 213
CJK_WORDS_PER_MINUTE = 501
"""Hugo's reading speed for a page in Chinese, Japanese or Korean (`hasCJKLanguage`)."""
_CJK_RE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
"""Han, Hangul, Hiragana or Katakana: Hugo's test for a CJK page."""
"""Hugo's reading speed: reading time is ``ceil(words / 213)`` minutes."""

# Comments first, so a comment holding `>` is removed whole (only reachable with unsafe HTML).
_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_HREF_RE = re.compile(r'<a\b[^>]*?\shref="([^"]*)"')
_IMG_SRC_RE = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')


@dataclass(frozen=True)
class RenderedMarkdown:
    """Everything derived from one Markdown body.

    `html` is the body; `toc_html` the Hugo-style ``<nav id="TableOfContents">`` of the headings
    of `markup.tableOfContents`' levels ("" when there are none); `summary_html` the list
    summary and `truncated` whether the page has more to read than it; `plain_text` the rendered text without tags,
    whitespace collapsed; `headings` every heading as (level, id, text); `links` and `images`
    every href and image src of the body in document order.
    """

    html: str
    toc_html: str
    summary_html: str
    truncated: bool
    plain_text: str
    word_count: int
    reading_time: int
    headings: tuple[tuple[int, str, str], ...]
    links: tuple[str, ...]
    images: tuple[str, ...]
    unknown_shortcodes: tuple[UnknownShortcode, ...] = ()
    """Shortcodes without a template, by line of the source file and name."""
    has_diagram: bool = False
    """The body holds a Mermaid diagram (a fence or the shortcode): its page loads Mermaid."""
    has_math: bool = False
    """The body calls the `katex` shortcode: its page loads KaTeX."""


def render_markdown(
    text: str,
    *,
    unsafe_html: bool = False,
    markup: MarkupSettings | None = None,
    summary: str | None = None,
    summary_length: int = 70,
    base_path: str | None = None,
    shortcodes: ShortcodePage | None = None,
    first_line: int = 1,
    cjk: bool = False,
) -> RenderedMarkdown:
    """Render a page body; see `RenderedMarkdown` for what comes back.

    `markup` are the goldmark switches (typographer, footnotes, tables, ...; Hugo's defaults
    when None, with raw HTML kept only if `unsafe_html`); raw HTML is escaped unless
    ``markup.unsafe``. The summary is, in Hugo's order: the front matter `summary` rendered as
    inline Markdown; else the body before a ``<!--more-->`` line; else the first
    `summary_length` words of the plain text.

    Relative links are left as written, as goldmark does. `base_path` (the folder of the
    source file, given when the page is not published at that folder) makes relative image
    URLs site-absolute against it, so a bundle's `![](cat.png)` still finds its image when the
    page is published under a slug.

    `shortcodes` (the page's context) turns Hugo shortcodes into HTML; `first_line` is the
    body's first line in its file, for the lines of `unknown_shortcodes`.

    `cjk` is Hugo's `hasCJKLanguage`: a word with a character outside ASCII counts each of its
    characters as a word (Chinese, Japanese and Korean put no spaces between words), and a page
    with Han, Hangul or kana reads at 501 words a minute, as in Hugo.
    """
    settings = markup if markup is not None else MarkupSettings(unsafe=unsafe_html)
    expansion: Expansion | None = None
    if shortcodes is not None and "{{" in text:
        text, expansion = _expand_shortcodes(settings, text, shortcodes, base_path, first_line)
    body = _body(text, settings, base_path)
    links, images = body.links, body.images
    if expansion is not None:
        body = _restored(body, expansion)
        if expansion.outputs:
            links, images = _with_shortcode_targets(expansion, links, images)

    words = html.unescape(_TAG_RE.sub("", body.html)).split()
    word_count = sum(_cjk_words(word) for word in words) if cjk else len(words)
    cjk_page = cjk and _CJK_RE.search(text) is not None
    summary_html, truncated = _summary_of(settings, body, summary, summary_length, word_count, cjk)
    return RenderedMarkdown(
        html=body.html,
        toc_html=_toc_html(body.headings, settings),
        summary_html=summary_html,
        truncated=truncated,
        plain_text=" ".join(words),
        word_count=word_count,
        reading_time=math.ceil(word_count / (CJK_WORDS_PER_MINUTE if cjk_page else WORDS_PER_MINUTE)),
        headings=tuple((heading.level, heading.id, heading.text) for heading in body.headings),
        links=links,
        images=images,
        unknown_shortcodes=tuple(expansion.unknown) if expansion is not None else (),
        has_diagram=has_diagram(body.html),
        has_math=expansion is not None and has_math(expansion.called),
    )


def _body(text: str, settings: MarkupSettings, base_path: str | None) -> Body:
    """The body parsed and rendered: by pyromark, or by markdown-it where `fast` says it must."""
    try:
        return render_fast(text, settings, base_path)
    except Fallback:
        from pressroom.core.markdown.mdit import mdit_body

        return mdit_body(text, settings, base_path)


def _restored(body: Body, expansion: Expansion) -> Body:
    """The body with the shortcodes' outputs in place of their placeholders."""
    return Body(
        expansion.restore(body.html),
        body.headings,
        body.links,
        body.images,
        body.divided,
        expansion.restore(body.before_divider_html),
        body.after_divider,
    )


def _expand_shortcodes(
    settings: MarkupSettings, text: str, page: ShortcodePage, base_path: str | None, first_line: int
) -> tuple[str, Expansion]:
    """`text` with its shortcode calls replaced by placeholders, and the expansion that holds
    their outputs (restored into the HTML once rendered)."""

    def markdownify(fragment: str) -> str:
        """A piece of Markdown (a shortcode's inner text) rendered with the page's parser."""
        return _body(fragment, settings, base_path).html

    expansion = Expansion(lambda call, exp: render_call(call, exp, page, markdownify))
    return expansion.expand(text, first_line), expansion


def _summary_of(
    settings: MarkupSettings, body: Body, summary: str | None, summary_length: int, word_count: int, cjk: bool
) -> tuple[str, bool]:
    """The summary's HTML and whether the page has more to read, in Hugo's order: the front
    matter `summary`, else the body before `<!--more-->`, else the first words."""
    if summary is not None and summary.strip():
        return _inline_html(summary.strip(), settings), word_count > 0
    if body.divided:
        return body.before_divider_html, body.after_divider
    return _auto_summary(body.html, summary_length, word_count, cjk)


def _inline_html(text: str, settings: MarkupSettings) -> str:
    """`text` as inline Markdown: one paragraph's content, else what markdown-it makes of it inline."""
    try:
        rendered = render_fast(text, settings, None).html
    except Fallback:
        rendered = ""
    if rendered.startswith("<p>") and rendered.endswith("</p>\n") and rendered.count("</p>\n") == 1:
        return rendered[3:-5]
    from pressroom.core.markdown.mdit import mdit_inline

    return mdit_inline(text, settings)


def _with_shortcode_targets(
    expansion: Expansion, links: tuple[str, ...], images: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Links and images with the placeholders in their URLs restored, then what shortcodes
    link to and show (for `pressroom check`)."""
    links = tuple(map(expansion.restore_url, links))
    images = tuple(map(expansion.restore_url, images))
    links += tuple(html.unescape(url) for out in expansion.outputs for url in _HREF_RE.findall(out))
    images += tuple(html.unescape(url) for out in expansion.outputs for url in _IMG_SRC_RE.findall(out))
    return links, images


_BLOCK_END_RE = re.compile(r"</(?:p|h[1-6]|li|blockquote|pre|table|tr|dt|dd|figcaption)>|<br\s*/?>|<hr\s*/?>")
_HEADING_OPEN_RE = re.compile(r"<h[1-6][\s>]")


def _cjk_words(word: str) -> int:
    """Hugo's count under `hasCJKLanguage`: an ASCII word is one word, any other one per character."""
    return 1 if word.isascii() else len(word)


def _take_words(words: list[str], left: int, cjk: bool) -> tuple[list[str], int]:
    """As many of `words` as `left` allows, and what is left (Hugo's TruncateWordsByRune when `cjk`:
    a word of CJK text may be cut inside)."""
    if not cjk:
        return words[:left], left - len(words)
    taken: list[str] = []
    for word in words:
        if left <= 0:
            return taken, -1
        cost = _cjk_words(word)
        if cost == 1 or cost <= left:
            taken.append(word)
            left -= cost
        else:
            taken.append(word[:left])
            return taken, -1
    return taken, left


def _auto_summary(body_html: str, summary_length: int, word_count: int, cjk: bool = False) -> tuple[str, bool]:
    """The first `summary_length` words of the body's prose, a paragraph per block, headings left out.

    Returns the summary's HTML and whether the page has more than it shows (of its `word_count`).
    Reads the body only as far as the summary goes.
    """
    paragraphs: list[str] = []
    left = summary_length
    start = 0
    for end in itertools.chain(_BLOCK_END_RE.finditer(body_html), [None]):
        if left <= 0:
            break
        segment = body_html[start : end.start() if end else len(body_html)]
        if end is not None:
            start = end.end()
            if end.group().startswith("</h"):
                heading = _HEADING_OPEN_RE.search(segment)
                segment = segment[: heading.start()] if heading else segment
        words = html.unescape(_TAG_RE.sub("", segment)).split()
        if words:
            taken, left = _take_words(words, left, cjk)
            paragraphs.append(html.escape(" ".join(taken)))
    truncated = summary_length - max(left, 0) < word_count
    if truncated and paragraphs:
        paragraphs[-1] += "…"
    if len(paragraphs) == 1:
        return paragraphs[0], truncated
    return "".join(f"<p>{text}</p>" for text in paragraphs), truncated


@dataclass
class _TocEntry:
    """A node of the table of contents while it is built; an empty one fills a level gap."""

    anchor: str = ""
    title_html: str = ""
    children: list[_TocEntry] = field(default_factory=list)


def _toc_html(headings: Sequence[Heading], settings: MarkupSettings) -> str:
    """Hugo's ``.TableOfContents``: the headings of `markup.tableOfContents`' levels (h2-h3 by
    default) as nested lists in ``<nav id="TableOfContents">``, "" when there are none.

    Built as Hugo builds it: a tree of every heading, a skipped level filled with an empty item
    (h2 then h4 hangs the h4 under an empty ``<li>``); then each heading above the first level
    listed starts a list of its own.
    """
    top: list[_TocEntry] = []
    listed = False
    for heading in headings:
        level = heading.level
        listed = listed or settings.toc_start_level <= level <= settings.toc_end_level
        siblings = top
        for _ in range(level - 1):
            if not siblings:
                siblings.append(_TocEntry())
            siblings = siblings[-1].children
        siblings.append(_TocEntry(heading.id, heading.toc_html))
    if not listed:
        return ""
    parts = ['<nav id="TableOfContents">']
    _write_toc_lists(top, 1, 0, parts, settings)
    parts.append("</nav>")
    return "".join(parts)


def _write_toc_lists(
    entries: list[_TocEntry], level: int, indent: int, parts: list[str], settings: MarkupSettings
) -> None:
    """Append the list of `entries` (headings of `level`) with Hugo's indentation (two spaces a
    step); above the first level listed, the lists of their children instead."""
    if level < settings.toc_start_level:
        for entry in entries:
            _write_toc_lists(entry.children, level + 1, indent, parts, settings)
        return
    if level > settings.toc_end_level or not entries:
        return
    tag = "ol" if settings.toc_ordered else "ul"
    parts.append("\n" + "  " * (indent + 1) + f"<{tag}>\n")
    for entry in entries:
        parts.append("  " * (indent + 2) + "<li>")
        if entry.anchor:
            parts.append(f'<a href="#{html.escape(entry.anchor)}">{entry.title_html}</a>')
        _write_toc_lists(entry.children, level + 1, indent + 2, parts, settings)
        parts.append("</li>\n")
    parts.append("  " * (indent + 1) + f"</{tag}>\n" + "  " * indent)
