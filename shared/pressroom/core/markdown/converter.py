"""Markdown to HTML for pressroom pages, shaped like Hugo's Goldmark output.

Part of the pure core: no I/O, no environment, no clock. One call turns a page body into
everything the templates and `pressroom check` need from it (HTML, table of contents, summary,
plain text, word count, reading time, headings, links, images).

Rendering Markdown is most of a build's cost, so the parser is markdown-it-py's lean
``commonmark`` preset with only the extra rules Hugo users expect (tables, strikethrough,
footnotes, task lists, heading ids), built once per configuration and reused for every page.
Code blocks are highlighted by `highlighting`, which imports Pygments only when a page has one,
to keep it off the cold start of pages without code.

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
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from pressroom.core.markdown.comments import drop_comments
from pressroom.core.markdown.diagrams import MERMAID_LANGUAGE, has_diagram, has_math, mermaid_block
from pressroom.core.markdown.highlighting import highlighted
from pressroom.core.markdown.settings import MarkupSettings
from pressroom.core.markdown.shortcodes import Expansion, ShortcodePage, UnknownShortcode, render_call
from pressroom.core.markdown.typographer import Typographer
from pressroom.core.site.urls import is_safe_url

__all__ = [
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

SUMMARY_DIVIDER = "<!--more-->"
"""Hugo's manual summary divider, recognised on a line of its own."""


# Schemes that run code or read local files when followed; `data:` is allowed only for the
# raster image types markdown-it itself allows (an SVG document can carry script).
# Comments first, so a comment holding `>` is removed whole (only reachable with unsafe HTML).
_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
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
    md = _markdown_it(settings)
    expansion: Expansion | None = None
    if shortcodes is not None and "{{" in text:
        text, expansion = _expand_shortcodes(md, text, shortcodes, base_path, first_line)
    body = _render_body(md, text, base_path, expansion)

    words = html.unescape(_TAG_RE.sub("", body.html)).split()
    word_count = sum(_cjk_words(word) for word in words) if cjk else len(words)
    cjk_page = cjk and _CJK_RE.search(text) is not None
    summary_html, truncated = _summary_of(md, body, summary, summary_length, word_count, cjk)
    links, images = _link_targets(body.tokens)
    if expansion is not None and expansion.outputs:
        links, images = _with_shortcode_targets(expansion, links, images)
    return RenderedMarkdown(
        html=body.html,
        toc_html=_toc_html(md, body.tokens, body.env, settings),
        summary_html=summary_html,
        truncated=truncated,
        plain_text=" ".join(words),
        word_count=word_count,
        reading_time=math.ceil(word_count / (CJK_WORDS_PER_MINUTE if cjk_page else WORDS_PER_MINUTE)),
        headings=_headings(body.tokens),
        links=links,
        images=images,
        unknown_shortcodes=tuple(expansion.unknown) if expansion is not None else (),
        has_diagram=has_diagram(body.html),
        has_math=expansion is not None and has_math(expansion.called),
    )


@dataclass(frozen=True)
class _RenderedBody:
    """A page body parsed and rendered, shortcode outputs restored into its HTML."""

    tokens: Sequence[Token]
    env: dict[str, Any]
    html: str
    divider_index: int | None
    """The token index of the `<!--more-->` line; None without one."""
    before_divider_html: str
    """The HTML before the `<!--more-->` line (the manual summary); "" without one."""


def _expand_shortcodes(
    md: MarkdownIt, text: str, page: ShortcodePage, base_path: str | None, first_line: int
) -> tuple[str, Expansion]:
    """`text` with its shortcode calls replaced by placeholders, and the expansion that holds
    their outputs (restored into the HTML once rendered)."""

    def markdownify(fragment: str) -> str:
        return _render_fragment(md, fragment, base_path)

    expansion = Expansion(lambda call, exp: render_call(call, exp, page, markdownify))
    return expansion.expand(text, first_line), expansion


def _render_body(md: MarkdownIt, text: str, base_path: str | None, expansion: Expansion | None) -> _RenderedBody:
    """Parse and render the body; split at a summary divider, if it has one."""
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    if base_path is not None:
        _resolve_relative_urls(tokens, base_path)
    divider_index = _summary_divider_index(tokens) if SUMMARY_DIVIDER in text else None
    before_html = ""
    if divider_index is None:
        body_html = md.renderer.render(tokens, md.options, env)
    else:
        # Rendering the two halves separately gives the manual summary for free.
        before_html = md.renderer.render(tokens[:divider_index], md.options, env)
        body_html = before_html + md.renderer.render(tokens[divider_index:], md.options, env)
    if expansion is not None:
        body_html = expansion.restore(body_html)
        before_html = expansion.restore(before_html)
    return _RenderedBody(tokens, env, body_html, divider_index, before_html)


def _summary_of(
    md: MarkdownIt, body: _RenderedBody, summary: str | None, summary_length: int, word_count: int, cjk: bool
) -> tuple[str, bool]:
    """The summary's HTML and whether the page has more to read, in Hugo's order: the front
    matter `summary`, else the body before `<!--more-->`, else the first words."""
    if summary is not None and summary.strip():
        return md.renderInline(summary.strip(), {}), word_count > 0
    if body.divider_index is not None:
        truncated = any(token.type != "summary_divider" for token in body.tokens[body.divider_index :])
        return body.before_divider_html, truncated
    return _auto_summary(body.html, summary_length, word_count, cjk)


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


def _render_fragment(md: MarkdownIt, text: str, base_path: str | None) -> str:
    """A piece of Markdown (a shortcode's inner text) rendered with the page's parser."""
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    if base_path is not None:
        _resolve_relative_urls(tokens, base_path)
    return md.renderer.render(tokens, md.options, env)


def hugo_anchor(text: str) -> str:
    """Hugo's default (``github``) heading id for a heading's text.

    Letters (any script), decimal digits and `_` are kept and lower-cased, spaces, tabs and
    `-` become `-`, everything else (punctuation, emoji) is dropped; an empty result is
    ``heading``, as in Hugo. De-duplication (`-1`, `-2`...) is per page, done by the caller.

    >>> hugo_anchor("Hello, World!"), hugo_anchor("Café au lait"), hugo_anchor("🔄 New")
    ('hello-world', 'café-au-lait', '-new')
    """
    kept: list[str] = []
    for char in text:
        if char in " \t-":
            kept.append("-")
        elif char == "_" or char.isalpha() or char.isdecimal():
            # Go's unicode.ToLower maps one rune to one rune ("İ" -> "i"); Python's may add a
            # combining mark, which Hugo would not produce.
            kept.append(char.lower()[0])
    return "".join(kept) or "heading"


# --- the parser --------------------------------------------------------------------------


class _SafeLinksMarkdownIt(MarkdownIt):
    """markdown-it whose link check is `is_safe_url` (stricter than the built-in one).

    A refused URL makes markdown-it give up on the link, so its source shows as plain text.
    """

    def validateLink(self, url: str) -> bool:
        return is_safe_url(url)


@cache
def _markdown_it(markup: MarkupSettings) -> MarkdownIt:
    """The parser for one configuration, built once: building one costs more than a page."""
    md = _SafeLinksMarkdownIt("commonmark", {"html": markup.unsafe, "xhtmlOut": False})
    md.enable([name for name, on in (("table", markup.table), ("strikethrough", markup.strikethrough)) if on])
    if not markup.unsafe:
        # Not recognised as HTML, raw HTML stays text and is escaped like any other text; but
        # comments are dropped, as goldmark drops them (`comments`).
        md.disable(["html_block", "html_inline"])
    if markup.linkify:
        md.linkify = _GoldmarkLinkify()
        md.options["linkify"] = True
        md.enable("linkify")
    if markup.footnote:
        # Goldmark has no inline `^[...]` footnotes; skipping the rule also saves its cost.
        md.use(footnote_plugin, inline=False)
        for name, rule in _FOOTNOTE_RULES.items():
            md.add_render_rule(name, rule)
    if markup.tasklist:
        md.use(tasklists_plugin, enabled=False)
        md.core.ruler.push("goldmark_tasklist", _goldmark_tasklist_rule)
        md.core.ruler.after("goldmark_tasklist", "task_labels", _label_task_items)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=hugo_anchor)
    # After the heading ids (which are made from the text as written, as Hugo's are).
    if markup.emoji:
        md.core.ruler.push("emoji", _emoji_rule)
    if markup.typographer:
        md.core.ruler.push("typographer", _typographer_rule)
    # A block rule, so a divider inside a code block is left alone; placed before html_block
    # so it wins over the HTML comment it also is, with or without raw HTML.
    md.block.ruler.before(
        "html_block",
        "summary_divider",
        _summary_divider_rule,
        {"alt": ["paragraph", "reference", "blockquote"]},
    )
    md.add_render_rule("summary_divider", _render_nothing)
    if not markup.unsafe:
        drop_comments(md)  # after the divider, which is a comment too
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    # Goldmark writes <del>, which Hugo themes style; markdown-it writes <s>.
    md.add_render_rule("s_open", _render_del_open)
    md.add_render_rule("s_close", _render_del_close)
    # Table alignment as a class: a strict Content-Security-Policy blocks inline styles.
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    return md


def _summary_divider_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a line holding only ``<!--more-->`` becomes a `summary_divider` token."""
    if state.is_code_block(start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    end = state.eMarks[start_line]
    if not state.src.startswith(SUMMARY_DIVIDER, start, end):
        return False
    if state.src[start + len(SUMMARY_DIVIDER) : end].strip():
        return False
    if silent:
        return True
    token = state.push("summary_divider", "", 0)
    token.map = [start_line, start_line + 1]
    state.line = start_line + 1
    return True


def _summary_divider_index(tokens: Sequence[Token]) -> int | None:
    """Index of the first top-level divider; one nested in a list or quote splits nothing."""
    for index, token in enumerate(tokens):
        if token.type == "summary_divider" and token.level == 0:
            return index
    return None


# --- render rules (markdown-it calls them as methods of its renderer) ----------------------


def _render_nothing(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return ""


def _render_del_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "<del>"


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A table in a focusable scrolling region, so a keyboard reaches a table wider than a phone."""
    return '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">' + self.renderToken(
        tokens, idx, options, env
    )


def _render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _label_task_items(state: StateCore) -> None:
    """Core rule: a task item's checkbox and its text in one `<label>`, so the checkbox has a name."""
    for token in state.tokens:
        children = token.children or []
        if token.type == "inline" and children and children[0].content in _GOLDMARK_CHECKBOXES.values():
            children[0].content = '<label class="task-list-label">' + children[0].content
            children.append(Token("html_inline", "", 0, content="</label>"))


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


def _render_del_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "</del>"


def _render_cell_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """`<td class="text-right">` where markdown-it writes `style="text-align:right"` (the theme styles it)."""
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrSet("class", "text-" + style.removeprefix("text-align:"))
    return self.renderToken(tokens, idx, options, env)


def _render_image(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """markdown-it's image (src, alt, title) plus ``loading="lazy"``."""
    tokens[idx].attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


def _render_fence(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Fenced code in a known language: Pygments spans with CSS classes, in Hugo's wrapper.

    Unknown or absent language: Hugo's escaped ``<pre tabindex="0"><code>`` without colours.
    A `mermaid` fence is a diagram, not code: the theme's `<pre class="mermaid">`.
    """
    token = tokens[idx]
    info = unescapeAll(token.info).strip()
    language = info.split(maxsplit=1)[0] if info else ""
    if language == MERMAID_LANGUAGE:
        return mermaid_block(token.content) + "\n"
    spans = highlighted(token.content, language) if language else None
    if spans is None:
        # Hugo's wrapper for a block Chroma has no lexer for (or no language): no <div>.
        attributes = f' class="language-{escapeHtml(language)}" data-lang="{escapeHtml(language)}"' if language else ""
        return f'<pre tabindex="0"><code{attributes}>{escapeHtml(token.content)}</code></pre>\n'

    name = escapeHtml(language)
    return (
        f'<div class="highlight"><pre tabindex="0"><code class="language-{name}" '
        f'data-lang="{name}">{spans}</code></pre></div>\n'
    )


# --- what else the page needs from the tokens --------------------------------------------


def _headings(tokens: Sequence[Token]) -> tuple[tuple[int, str, str], ...]:
    """(level, id, text) of every heading, in document order."""
    return tuple(
        (int(token.tag[1]), str(token.attrGet("id")), _inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    )


def _inline_text(inline: Token) -> str:
    """The text of an inline token: text and code without markup, line breaks as spaces."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _link_targets(tokens: Sequence[Token]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every link href and every image src, in document order (footnotes come last)."""
    links: list[str] = []
    images: list[str] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "link_open":
                links.append(str(child.attrGet("href")))
            elif child.type == "image":
                images.append(str(child.attrGet("src")))
    return tuple(links), tuple(images)


@dataclass
class _TocEntry:
    """A node of the table of contents while it is built; an empty one fills a level gap."""

    anchor: str = ""
    title_html: str = ""
    children: list[_TocEntry] = field(default_factory=list)


def _toc_html(md: MarkdownIt, tokens: Sequence[Token], env: EnvType, settings: MarkupSettings) -> str:
    """Hugo's ``.TableOfContents``: the headings of `markup.tableOfContents`' levels (h2-h3 by
    default) as nested lists in ``<nav id="TableOfContents">``, "" when there are none.

    Built as Hugo builds it: a tree of every heading, a skipped level filled with an empty item
    (h2 then h4 hangs the h4 under an empty ``<li>``); then each heading above the first level
    listed starts a list of its own.
    """
    top: list[_TocEntry] = []
    listed = False
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        listed = listed or settings.toc_start_level <= level <= settings.toc_end_level
        siblings = top
        for _ in range(level - 1):
            if not siblings:
                siblings.append(_TocEntry())
            siblings = siblings[-1].children
        siblings.append(_TocEntry(str(token.attrGet("id")), _toc_title_html(md, tokens[index + 1], env)))
    if not listed:
        return ""
    parts = ['<nav id="TableOfContents">']
    _write_toc_lists(top, 1, 0, parts, settings)
    parts.append("</nav>")
    return "".join(parts)


def _toc_title_html(md: MarkdownIt, inline: Token, env: EnvType) -> str:
    """A heading's inline HTML without its links: the entry is a link itself."""
    children = [
        child for child in inline.children or () if child.type not in ("link_open", "link_close", "footnote_ref")
    ]
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # the only renderer `_markdown_it` builds
    return renderer.renderInline(children, md.options, env)


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


def _resolve_relative_urls(tokens: Sequence[Token], base_path: str) -> None:
    """Rewrite relative image `src` attributes to site-absolute paths under `base_path`.

    Links are left as written, as goldmark leaves them.
    """
    _resolve_under(tokens, "/" + quote(base_path, safe="/+~") + "/" if base_path else "/")


def _resolve_under(tokens: Sequence[Token], base: str) -> None:
    """`_resolve_relative_urls` with the base quoted once: this walks every inline token of a page."""
    for token in tokens:
        if token.children:
            _resolve_under(token.children, base)
        if token.type != "image":
            continue
        name = "src"
        url = token.attrGet(name)
        if not isinstance(url, str) or not url or url.startswith(("/", "#", "?", "%EE%80%80")) or _SCHEME_RE.match(url):
            continue  # (a shortcode's URL, such as a ref's, is placed as it is)
        path, mark, rest = url.partition("#") if "#" in url else url.partition("?")
        resolved = posixpath.normpath(base + path)
        if path.endswith("/") and not resolved.endswith("/"):
            resolved += "/"
        token.attrSet(name, resolved + mark + rest)


# --- goldmark's extensions ---------------------------------------------------------------


_GOLDMARK_CHECKBOXES = {
    False: '<input disabled="" type="checkbox">',
    True: '<input checked="" disabled="" type="checkbox">',
}


def _goldmark_tasklist_rule(state: Any) -> None:
    """Core rule: task list items as goldmark writes them (no classes; ``checked=""``)."""
    for token in state.tokens:
        if token.type in ("bullet_list_open", "ordered_list_open", "list_item_open"):
            if token.attrGet("class") in ("contains-task-list", "task-list-item"):
                token.attrs.pop("class", None)
        elif token.type == "inline" and token.children:
            first = token.children[0]
            if first.type == "html_inline" and first.content.startswith('<input class="task-list-item-checkbox"'):
                first.content = _GOLDMARK_CHECKBOXES['checked="checked"' in first.content]


# The source characters a token starts and ends with, as goldmark's typographer sees them.
_TOKEN_EDGES = {
    "softbreak": ("\n", "\n"),
    "hardbreak": ("\n", "\n"),
    "code_inline": ("`", "`"),
    "link_open": ("[", "["),
    "link_close": ("]", ")"),
    "image": ("!", ")"),
    "html_inline": ("<", ">"),
}


def _edge_char(token: Token | None, last: bool) -> str:
    """The first (or last) source character of a token; a space where there is none."""
    if token is None:
        return " "
    kind = token.type
    if kind == "text":
        return (token.content[-1:] if last else token.content[:1]) or " "
    if token.markup and kind.endswith(("_open", "_close")):
        return token.markup[-1 if last else 0]
    edges = _TOKEN_EDGES.get(kind)
    return edges[last] if edges else " "


def _typographer_rule(state: Any) -> None:
    """Core rule: goldmark's typographer on every text run, one `Typographer` per block."""
    for token in state.tokens:
        children = token.children
        if token.type != "inline" or not children:
            continue
        typographer = Typographer()
        before = "\n"
        last = len(children) - 1
        for index, child in enumerate(children):
            if child.type == "text":
                content = child.content
                after = _edge_char(children[index + 1] if index < last else None, last=False)
                child.content = typographer.smarten(content, before, after)
                before = content[-1:] or before
            else:
                before = _edge_char(child, last=True)


_EMOJI_RE = re.compile(r":[a-z0-9_+-]+:")


def _emoji_rule(state: Any) -> None:
    """Core rule: GitHub's emoji codes (``:smile:``) in text become the emoji, as Hugo's `enableEmoji`."""
    for token in state.tokens:
        if token.type != "inline" or not token.children or ":" not in token.content:
            continue
        for child in token.children:
            if child.type == "text" and ":" in child.content:
                child.content = _EMOJI_RE.sub(_emoji_of, child.content)


def _emoji_of(match: re.Match[str]) -> str:
    import emoji

    code = match.group()
    return str(emoji.emojize(code, language="alias"))


class _Link:
    """A match in markdown-it's linkify protocol (linkify-it's `Match`)."""

    __slots__ = ("index", "last_index", "schema", "text", "url")

    def __init__(self, index: int, text: str, schema: str, url: str) -> None:
        self.index = index
        self.last_index = index + len(text)
        self.schema = schema
        self.text = text
        self.url = url


class _GoldmarkLinkify:
    """goldmark's linkify as markdown-it's linkify object: `http(s)://`, `ftp://`, `www.` and e-mail.

    Bare host names (``example.org``) are not links, as in goldmark; trailing punctuation and
    an unbalanced closing parenthesis are left out of the link.
    """

    _URL_RE = re.compile(
        r"(?<![\w@/.])(?:(?:https?|ftp)://|www\.)[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z]+(?::\d+)?"
        r"(?:[/#?][-a-zA-Z0-9@:%_+.~#$!?&/=();,^{}\[\]`*]*)?"
    )
    _EMAIL_RE = re.compile(r"(?<![\w.+-])[a-zA-Z0-9._%+-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}(?![\w@])")
    _TRAILING = "?!.,:*_~;"

    def pretest(self, text: str) -> bool:
        return "://" in text or "www." in text or "@" in text

    def test(self, text: str) -> bool:
        return self.pretest(text) and bool(self.match(text))

    def match(self, text: str) -> list[_Link]:
        found = [self._link(m.start(), m.group()) for m in self._URL_RE.finditer(text)]
        found += [_Link(m.start(), m.group(), "mailto:", "mailto:" + m.group()) for m in self._EMAIL_RE.finditer(text)]
        found.sort(key=lambda link: link.index)
        kept: list[_Link] = []
        for link in found:
            if not kept or link.index >= kept[-1].last_index:
                kept.append(link)
        return kept

    def match_at_start(self, text: str) -> _Link | None:
        found = self._URL_RE.match(text)
        return self._link(0, found.group()) if found else None

    def _link(self, index: int, text: str) -> _Link:
        while text and text[-1] in self._TRAILING:
            text = text[:-1]
        while text.endswith(")") and text.count(")") > text.count("("):
            text = text[:-1]
        if text.startswith("www."):
            return _Link(index, text, "", "https://" + text)  # Hugo's linkifyProtocol default
        return _Link(index, text, text.split(":", 1)[0] + ":", text)


def _footnote_ids(token: Token) -> tuple[int, str]:
    """goldmark's footnote number (from 1) and the id of this reference to it (`fnref:1`, `fnref1:1`...)."""
    number = token.meta["id"] + 1
    sub = token.meta.get("subId", 0)
    return number, f"fnref{sub}:{number}" if sub > 0 else f"fnref:{number}"


def _render_footnote_ref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """goldmark: ``<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>``."""
    number, ref = _footnote_ids(tokens[idx])
    return f'<sup id="{ref}"><a href="#fn:{number}" class="footnote-ref" role="doc-noteref">{number}</a></sup>'


def _render_footnote_block_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n'


def _render_footnote_block_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</ol>\n</div>\n"


def _render_footnote_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<li id="fn:{tokens[idx].meta["id"] + 1}">\n'


def _render_footnote_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</li>\n"


def _render_footnote_anchor(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """goldmark's back-link: ``&#160;<a href="#fnref:1" class="footnote-backref" ...>&#x21a9;&#xfe0e;</a>``."""
    _, ref = _footnote_ids(tokens[idx])
    return f'&#160;<a href="#{ref}" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'


_FOOTNOTE_RULES = {
    "footnote_ref": _render_footnote_ref,
    "footnote_block_open": _render_footnote_block_open,
    "footnote_block_close": _render_footnote_block_close,
    "footnote_open": _render_footnote_open,
    "footnote_close": _render_footnote_close,
    "footnote_anchor": _render_footnote_anchor,
}
