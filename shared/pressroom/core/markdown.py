"""Markdown to HTML for pressroom pages, shaped like Hugo's Goldmark output.

Part of the pure core: no I/O, no environment, no clock. One call turns a page body into
everything the templates and `pressroom check` need from it (HTML, table of contents, summary,
plain text, word count, reading time, headings, links, images).

Rendering Markdown is most of a build's cost, so the parser is markdown-it-py's lean
``commonmark`` preset with only the extra rules Hugo users expect (tables, strikethrough,
footnotes, task lists, heading ids), built once per configuration and reused for every page.
Pygments is imported only when a page has a code block, to keep it off the cold start of pages
without code.

Example::

    >>> page = render_markdown("## Hello, World!\\n\\nSome *text*.")
    >>> page.html
    '<h2 id="hello-world">Hello, World!</h2>\\n<p>Some <em>text</em>.</p>\\n'
    >>> page.word_count, page.reading_time
    (4, 1)
"""

from __future__ import annotations

import html
import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

if TYPE_CHECKING:
    from pygments.formatters.html import HtmlFormatter
    from pygments.lexer import Lexer

__all__ = [
    "WORDS_PER_MINUTE",
    "RenderedMarkdown",
    "hugo_anchor",
    "is_safe_url",
    "pygments_css",
    "render_markdown",
]

WORDS_PER_MINUTE = 213
"""Hugo's reading speed: reading time is ``ceil(words / 213)`` minutes."""

SUMMARY_DIVIDER = "<!--more-->"
"""Hugo's manual summary divider, recognised on a line of its own."""

TOC_LEVELS = range(2, 5)
"""Heading levels listed in the table of contents (h2 to h4)."""

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"

# Schemes that run code or read local files when followed; `data:` is allowed only for the
# raster image types markdown-it itself allows (an SVG document can carry script).
_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_SAFE_DATA_IMAGE_RE = re.compile(r"data:image/(?:gif|png|jpeg|webp|avif)[;,]")
# Comments first, so a comment holding `>` is removed whole (only reachable with unsafe HTML).
_TAG_RE = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class RenderedMarkdown:
    """Everything derived from one Markdown body.

    `html` is the body; `toc_html` the Hugo-style ``<nav id="TableOfContents">`` of h2-h4
    headings ("" when there are none); `summary_html` the list summary and `truncated`
    whether the page has more to read than it; `plain_text` the rendered text without tags,
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


def render_markdown(
    text: str,
    *,
    unsafe_html: bool = False,
    summary: str | None = None,
    summary_length: int = 70,
    base_path: str | None = None,
) -> RenderedMarkdown:
    """Render a page body; see `RenderedMarkdown` for what comes back.

    Raw HTML is escaped unless `unsafe_html` (Hugo's ``unsafe: true``). The summary is, in
    Hugo's order: the front matter `summary` rendered as inline Markdown; else the body before
    a ``<!--more-->`` line; else the first `summary_length` words of the plain text.

    `base_path` is the folder of the source file: relative link and image URLs are made
    site-absolute against it, so a bundle's `![](cat.png)` still finds its image when the page
    is published under a slug, and in feeds read elsewhere.
    """
    md = _markdown_it(unsafe_html)
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

    words = html.unescape(_TAG_RE.sub("", body_html)).split()
    word_count = len(words)
    headings = _headings(tokens)

    if summary is not None and summary.strip():
        summary_html = md.renderInline(summary.strip(), {})
        truncated = word_count > 0
    elif divider_index is not None:
        summary_html = before_html
        truncated = any(token.type != "summary_divider" for token in tokens[divider_index:])
    else:
        truncated = word_count > summary_length
        summary_html = html.escape(" ".join(words[:summary_length])) + ("…" if truncated else "")

    links, images = _link_targets(tokens)
    return RenderedMarkdown(
        html=body_html,
        toc_html=_toc_html(md, tokens, env),
        summary_html=summary_html,
        truncated=truncated,
        plain_text=" ".join(words),
        word_count=word_count,
        reading_time=math.ceil(word_count / WORDS_PER_MINUTE),
        headings=headings,
        links=links,
        images=images,
    )


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


def is_safe_url(url: str) -> bool:
    """Whether a link or image URL may be rendered: no script, file or non-image data URL.

    Checks a squeezed form of the URL (percent-escapes and entities decoded, whitespace and
    control characters removed, lower case) so obfuscations such as ``JaVaScRiPt:``,
    ``java&#09;script:`` or ``%6Aavascript:`` are refused too, even where a browser would
    not run them: refusing a few odd URLs costs nothing, missing one is an XSS.
    """
    decoded = html.unescape(unquote(url))
    squeezed = "".join(c for c in decoded if c.isprintable() and not c.isspace()).lower()
    if squeezed.startswith(_UNSAFE_SCHEMES):
        return _SAFE_DATA_IMAGE_RE.match(squeezed) is not None
    return True


@cache
def pygments_css() -> str:
    """The stylesheet for highlighted code: a light style, and a dark one for dark mode.

    Every rule is scoped to ``.highlight`` (the class of the ``<div>`` around highlighted
    code): Pygments' unscoped ``pre`` and line-number rules are left out so the theme's own
    ``pre`` styles stay in charge. The dark rules sit in ``@media (prefers-color-scheme:
    dark)`` and override the light ones. Same bytes on every call and every machine with the
    same Pygments version.
    """
    from pygments.formatters.html import HtmlFormatter

    def rules(style: str) -> list[str]:
        formatter = HtmlFormatter(style=style)
        return [
            *formatter.get_background_style_defs(".highlight"),
            *formatter.get_token_style_defs(".highlight"),
        ]

    light = "\n".join(rules(LIGHT_CODE_STYLE))
    dark = "\n".join(f"  {rule}" for rule in rules(DARK_CODE_STYLE))
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


# --- the parser --------------------------------------------------------------------------


class _SafeLinksMarkdownIt(MarkdownIt):
    """markdown-it whose link check is `is_safe_url` (stricter than the built-in one).

    A refused URL makes markdown-it give up on the link, so its source shows as plain text.
    """

    def validateLink(self, url: str) -> bool:
        return is_safe_url(url)


@cache
def _markdown_it(unsafe_html: bool) -> MarkdownIt:
    """The parser for one configuration, built once: building one costs more than a page."""
    md = _SafeLinksMarkdownIt("commonmark", {"html": unsafe_html, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    if not unsafe_html:
        # Not recognised as HTML, raw HTML stays text and is escaped like any other text.
        md.disable(["html_block", "html_inline"])
    # Goldmark has no inline `^[...]` footnotes; skipping the rule also saves its cost.
    md.use(footnote_plugin, inline=False)
    md.use(tasklists_plugin, enabled=False)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=hugo_anchor)
    # A block rule, so a divider inside a code block is left alone; placed before html_block
    # so it wins over the HTML comment it also is, with or without raw HTML.
    md.block.ruler.before(
        "html_block",
        "summary_divider",
        _summary_divider_rule,
        {"alt": ["paragraph", "reference", "blockquote"]},
    )
    md.add_render_rule("summary_divider", _render_nothing)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("image", _render_image)
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

    Unknown or absent language: markdown-it's own escaped ``<pre><code>``.
    """
    token = tokens[idx]
    info = unescapeAll(token.info).strip()
    language = info.split(maxsplit=1)[0] if info else ""
    lexer = _lexer(language) if language else None
    if lexer is None:
        return self.fence(tokens, idx, options, env)

    from pygments import highlight

    spans = highlight(token.content, lexer, _html_formatter())
    name = escapeHtml(language)
    return (
        f'<div class="highlight"><pre tabindex="0"><code class="language-{name}" '
        f'data-lang="{name}">{spans}</code></pre></div>\n'
    )


@cache
def _lexer(language: str) -> Lexer | None:
    """The Pygments lexer for a fence's language name, or None if Pygments has none.

    Cached: a lookup by name scans every lexer alias.
    """
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # stripnl=False: keep a block's leading blank lines, as Goldmark does.
        return get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return None


@cache
def _html_formatter() -> HtmlFormatter[str]:
    """Spans with CSS classes only (no inline styles), without Pygments' own wrapper."""
    from pygments.formatters.html import HtmlFormatter

    return HtmlFormatter(nowrap=True)


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


def _toc_html(md: MarkdownIt, tokens: Sequence[Token], env: EnvType) -> str:
    """Hugo's ``.TableOfContents`` for h2-h4: nested lists in ``<nav id="TableOfContents">``.

    Nesting follows Hugo: a heading deeper than the one before it (h2 then h4) hangs under an
    empty ``<li>`` per skipped level.
    """
    top: list[_TocEntry] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or int(token.tag[1]) not in TOC_LEVELS:
            continue
        siblings = top
        for _ in range(int(token.tag[1]) - TOC_LEVELS.start):
            if not siblings:
                siblings.append(_TocEntry())
            siblings = siblings[-1].children
        siblings.append(_TocEntry(str(token.attrGet("id")), _toc_title_html(md, tokens[index + 1], env)))
    if not top:
        return ""
    parts = ['<nav id="TableOfContents">']
    _write_toc_list(top, 0, parts)
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


def _write_toc_list(entries: list[_TocEntry], indent: int, parts: list[str]) -> None:
    """Append one ``<ul>`` level with Hugo's indentation (two spaces a step)."""
    parts.append("\n" + "  " * (indent + 1) + "<ul>\n")
    for entry in entries:
        parts.append("  " * (indent + 2) + "<li>")
        if entry.anchor:
            parts.append(f'<a href="#{html.escape(entry.anchor)}">{entry.title_html}</a>')
        if entry.children:
            _write_toc_list(entry.children, indent + 2, parts)
        parts.append("</li>\n")
    parts.append("  " * (indent + 1) + "</ul>\n" + "  " * indent)


def _resolve_relative_urls(tokens: Sequence[Token], base_path: str) -> None:
    """Rewrite relative `href`/`src` attributes to site-absolute paths under `base_path`."""
    _resolve_under(tokens, "/" + quote(base_path, safe="/+~") + "/" if base_path else "/")


def _resolve_under(tokens: Sequence[Token], base: str) -> None:
    """`_resolve_relative_urls` with the base quoted once: this walks every inline token of a page."""
    for token in tokens:
        if token.children:
            _resolve_under(token.children, base)
        kind = token.type
        if kind != "link_open" and kind != "image":
            continue
        name = "href" if kind == "link_open" else "src"
        url = token.attrGet(name)
        if not isinstance(url, str) or not url or url.startswith(("/", "#", "?")) or _SCHEME_RE.match(url):
            continue
        path, mark, rest = url.partition("#") if "#" in url else url.partition("?")
        resolved = posixpath.normpath(base + path)
        if path.endswith("/") and not resolved.endswith("/"):
            resolved += "/"
        token.attrSet(name, resolved + mark + rest)
