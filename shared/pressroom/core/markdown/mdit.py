"""The fallback parser: markdown-it-py with pressroom's rules, for the pages pyromark cannot do.

`fast` renders most pages from pyromark's events; a page holding a construct it names in
`fast.FALLBACK_REASONS` (raw HTML shown as text whose lines hold Markdown, an unsafe URL, linkify
across an escape) is rendered here instead, to the same goldmark-shaped HTML (`parts`), and the
same `parts.Body`. Imported only when such a page comes, so markdown-it is off the cold start.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from pressroom.core.markdown.comments import drop_comments
from pressroom.core.markdown.parts import (
    GOLDMARK_CHECKBOXES,
    SUMMARY_DIVIDER,
    TABLE_CLOSE,
    TABLE_OPEN,
    TASK_LABEL_CLOSE,
    TASK_LABEL_OPEN,
    Body,
    GoldmarkLinkify,
    Heading,
    fence_html,
    footnote_backref,
    footnote_ref,
    heading_attributes,
    hugo_anchor,
    image_base,
    image_under,
    unique_slug,
)
from pressroom.core.markdown.settings import MarkupSettings
from pressroom.core.markdown.typographer import Typographer
from pressroom.core.site.urls import is_safe_url

__all__ = ["mdit_body", "mdit_inline"]


def mdit_body(text: str, settings: MarkupSettings, base_path: str | None) -> Body:
    """Parse and render the body; split at a summary divider, if it has one."""
    md = _markdown_it(settings)
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    if base_path is not None:
        _resolve_under(tokens, image_base(base_path))
    divider_index = _summary_divider_index(tokens) if SUMMARY_DIVIDER in text else None
    before_html = ""
    if divider_index is None:
        body_html = md.renderer.render(tokens, md.options, env)
    else:
        # Rendering the two halves separately gives the manual summary for free.
        before_html = md.renderer.render(tokens[:divider_index], md.options, env)
        body_html = before_html + md.renderer.render(tokens[divider_index:], md.options, env)
    headings = tuple(
        Heading(
            int(token.tag[1]),
            str(token.attrGet("id")),
            _inline_text(tokens[index + 1]),
            _toc_title_html(md, tokens[index + 1], env),
        )
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    )
    links, images = _link_targets(tokens)
    after = divider_index is not None and any(token.type != "summary_divider" for token in tokens[divider_index:])
    return Body(body_html, headings, links, images, divider_index is not None, before_html, after)


def mdit_inline(text: str, settings: MarkupSettings) -> str:
    """`text` as one line of inline Markdown (a front matter summary)."""
    return _markdown_it(settings).renderInline(text, {})


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
        md.linkify = GoldmarkLinkify()
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
    if markup.heading_attributes:
        # Before text_join, so an escaped `{` (a text_special token) is seen as escaped.
        md.core.ruler.before("text_join", "heading_attributes", _heading_attributes_rule)
    md.core.ruler.push("heading_ids", _heading_ids_rule)
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
    return TABLE_OPEN + self.renderToken(tokens, idx, options, env)


def _render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + TABLE_CLOSE


def _label_task_items(state: StateCore) -> None:
    """Core rule: a task item's checkbox and its text in one `<label>`, so the checkbox has a name."""
    for token in state.tokens:
        children = token.children or []
        if token.type == "inline" and children and children[0].content in GOLDMARK_CHECKBOXES.values():
            children[0].content = TASK_LABEL_OPEN + children[0].content
            children.append(Token("html_inline", "", 0, content=TASK_LABEL_CLOSE))


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
    """Fenced code as `parts.fence_html` writes it."""
    token = tokens[idx]
    return fence_html(unescapeAll(token.info), token.content)


# --- what else the page needs from the tokens --------------------------------------------


def _heading_attributes_rule(state: StateCore) -> None:
    """Core rule: goldmark's ``{#id .class key=value}`` at the end of a heading set its attributes."""
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        children = state.tokens[index + 1].children or []
        first = len(children)
        while first and children[first - 1].type in ("text", "text_special"):
            first -= 1
        text = "".join(child.content for child in children[first:])
        found = heading_attributes(text) if text.rstrip().endswith("}") else None
        if found is None:
            continue
        brace, attributes = found
        offset = 0
        escaped = False
        for child in children[first:]:
            escaped = escaped or (offset == brace and child.type == "text_special")
            offset += len(child.content)
        if escaped:
            continue
        kept = text[:brace].rstrip(" \t")
        del children[first:]
        if kept:
            children.append(Token("text", "", 0, content=kept))
        for name, value in attributes:
            token.attrSet(name, value)


def _heading_ids_rule(state: StateCore) -> None:
    """Core rule: Hugo's id for every heading without one, unique on the page (`-1`, `-2`...);
    an id given is kept as it is, as goldmark keeps it."""
    used: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        given = token.attrGet("id")
        if given is not None:
            used.add(str(given))
            continue
        children = state.tokens[index + 1].children or []
        title = "".join(child.content for child in children if child.type in ("text", "code_inline"))
        token.attrSet("id", unique_slug(hugo_anchor(title), used))


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


def _toc_title_html(md: MarkdownIt, inline: Token, env: EnvType) -> str:
    """A heading's inline HTML without its links: the entry is a link itself."""
    children = [
        child for child in inline.children or () if child.type not in ("link_open", "link_close", "footnote_ref")
    ]
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)  # the only renderer `_markdown_it` builds
    return renderer.renderInline(children, md.options, env)


def _resolve_under(tokens: Sequence[Token], base: str) -> None:
    """Relative image `src` attributes made site-absolute under `base` (`parts.image_under`)."""
    for token in tokens:
        if token.children:
            _resolve_under(token.children, base)
        if token.type == "image":
            url = token.attrGet("src")
            if isinstance(url, str):
                token.attrSet("src", image_under(url, base))


# --- goldmark's extensions ---------------------------------------------------------------


def _goldmark_tasklist_rule(state: Any) -> None:
    """Core rule: task list items as goldmark writes them (no classes; ``checked=""``)."""
    for token in state.tokens:
        if token.type in ("bullet_list_open", "ordered_list_open", "list_item_open"):
            if token.attrGet("class") in ("contains-task-list", "task-list-item"):
                token.attrs.pop("class", None)
        elif token.type == "inline" and token.children:
            first = token.children[0]
            if first.type == "html_inline" and first.content.startswith('<input class="task-list-item-checkbox"'):
                first.content = GOLDMARK_CHECKBOXES['checked="checked"' in first.content]


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


def _footnote_ids(token: Token) -> tuple[int, int]:
    """goldmark's footnote number (from 1) and which reference to it this is (from 0)."""
    return token.meta["id"] + 1, token.meta.get("subId", 0)


def _render_footnote_ref(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """goldmark: ``<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>``."""
    return footnote_ref(*_footnote_ids(tokens[idx]))


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
    return footnote_backref(*_footnote_ids(tokens[idx]))


_FOOTNOTE_RULES = {
    "footnote_ref": _render_footnote_ref,
    "footnote_block_open": _render_footnote_block_open,
    "footnote_block_close": _render_footnote_block_close,
    "footnote_open": _render_footnote_open,
    "footnote_close": _render_footnote_close,
    "footnote_anchor": _render_footnote_anchor,
}
