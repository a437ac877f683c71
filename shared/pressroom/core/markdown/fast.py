"""Markdown to goldmark-shaped HTML on pyromark's events (pulldown-cmark, in Rust).

The parse is Rust's; the HTML is written here from its events, so everything goldmark and
pressroom add is done once on them: Hugo's heading ids, goldmark's linkify, typographer and emoji
on text, footnotes numbered and marked up as goldmark does, task items as labelled checkboxes,
tables wrapped with their alignment as classes (the CSP forbids inline styles), fenced code
highlighted by Pygments, relative image URLs resolved, raw HTML shown as text.

What pulldown-cmark parses differently from the markdown-it rules pressroom keeps raises
`Fallback` with the construct's name, and `converter.render_markdown` renders that page with
markdown-it-py (see `FALLBACK_REASONS`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import mdurl

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
    escape_html,
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

try:
    import pyromark
except ImportError:  # no wheel for this machine: every page is rendered by markdown-it-py
    pyromark = None  # type: ignore[assignment]

__all__ = ["FALLBACK_REASONS", "Fallback", "normalize_link", "normalize_link_text", "render_fast"]

FALLBACK_REASONS = {
    "raw HTML block": "with raw HTML off, markdown-it parses the Markdown inside an HTML block's lines "
    "(shown as text); pulldown-cmark keeps them as one opaque block",
    "raw HTML tag with Markdown inside": "a tag holding `*`, `_`, a backtick, a bracket, `\\`, `&`, `~` or a "
    "line break: shown as text, markdown-it parses that Markdown, pulldown-cmark keeps the tag whole",
    "linkify across an escape": "a bare URL or e-mail address holding or next to a backslash escape, an "
    "entity or an unmatched `*`: markdown-it's linkify stops at escapes and entities",
    "pyromark not installed": "no pyromark wheel for this machine (it has them for Linux x86_64 and "
    "aarch64, glibc and musl, macOS and Windows): every page goes to markdown-it-py, same HTML, slower",
    "unsafe URL": "markdown-it shows a link or image whose URL is refused (`is_safe_url`) as its source text",
}
"""Why a page goes to markdown-it-py: the construct's name -> what pulldown-cmark does differently."""


class Fallback(Exception):
    """The page holds a construct pyromark's events cannot render as pressroom does (its name)."""


_HTML_TAG_SPECIALS = re.compile(r"[*_`\[\]\\&~\n]")
_COMMENT_RE = re.compile(r"<!-->|<!--->|<!--.*?-->\Z", re.DOTALL)
_EMOJI_RE = re.compile(r":[a-z0-9_+-]+:")
_LINKIFY = GoldmarkLinkify()
_ALIGN = {"Left": ' class="text-left"', "Center": ' class="text-center"', "Right": ' class="text-right"'}
_TAGS = {"Emphasis": "em", "Strong": "strong", "Strikethrough": "del"}
_EDGES = {"em": "*", "strong": "*", "del": "~", "code": "`", "soft": "\n", "hard": "\n"}
"""The source character a token starts and ends with, as markdown-it's typographer rule sees it."""
_ATTRIBUTE = ' {}="{}"'
_HEADING_TEXT = ("text", "code", "soft", "hard")
"""What a heading's text is made of (line breaks as spaces)."""
_LINK_EDGES = {"Autolink": ("a", "k"), "Email": ("a", "k"), "linkify": ("l", "y")}


def render_fast(text: str, settings: MarkupSettings, base_path: str | None) -> Body:
    """`text` rendered from pyromark's events; raises `Fallback` where it cannot be."""
    if pyromark is None:
        raise Fallback("pyromark not installed")
    renderer = _Renderer(settings, None if base_path is None else image_base(base_path))
    # Unmerged: where pulldown-cmark cut the text (an escape, an entity) linkify must not cross.
    events = list(pyromark.events(text, options=_options(settings), merge_text=False))
    renderer.blocks(events)
    return renderer.body()


def _options(settings: MarkupSettings) -> pyromark.Options:
    flags = pyromark.Options.ENABLE_FOOTNOTES if settings.footnote else 0
    if settings.table:
        flags |= pyromark.Options.ENABLE_TABLES
    if settings.strikethrough:
        flags |= pyromark.Options.ENABLE_STRIKETHROUGH
    if settings.tasklist:
        flags |= pyromark.Options.ENABLE_TASKLISTS
    return pyromark.Options(flags)


def _name(tag: Any) -> str:
    return tag if type(tag) is str else next(iter(tag))


_INLINE_TAGS = frozenset(("Emphasis", "Strong", "Strikethrough", "Link", "Image"))


def _is_inline(event: Any) -> bool:
    """Whether an event belongs to a run of inline content (text of a tight list item)."""
    if type(event) is str:
        return event != "Rule"
    tag = event.get("Start") or event.get("End")
    if tag is None:
        return "Html" not in event
    return (tag if type(tag) is str else next(iter(tag))) in _INLINE_TAGS


# An inline item: (kind, value, extra...). Kinds: text, code, html, soft, hard, fnref, task, open
# (tag, href, title, link type), close (tag, link type), img (src, title, alt).
Item = tuple[Any, ...]


class _Renderer:
    """One page's HTML from its events; `body` collects what the page needs besides it."""

    def __init__(self, settings: MarkupSettings, base: str | None) -> None:
        self.settings = settings
        self.inline = _Inline(settings, base)
        self.out: list[str] = []
        self.main = self.out
        self.closers: list[str] = []
        self.headings: list[Heading] = []
        self.used_ids: set[str] = set()
        self.notes: dict[str, tuple[list[str], list[str], list[str]]] = {}
        self.divider_at: int | None = None
        self.after_divider = False
        self.tight_text = False
        """The last thing written is the text of a tight list item (a block after it starts a line)."""

    def body(self) -> Body:
        html = "".join(self.main)
        before = "" if self.divider_at is None else "".join(self.main[: self.divider_at])
        inline = self.inline
        links, images = inline.links, inline.images
        if inline.note_numbers:
            html += self._footnotes(links, images)
        return Body(
            html,
            tuple(self.headings),
            tuple(links),
            tuple(images),
            self.divider_at is not None,
            before,
            self.divider_at is not None and (self.after_divider or bool(inline.note_numbers)),
        )

    def blocks(self, events: Sequence[Any]) -> None:
        index, count = 0, len(events)
        while index < count:
            event = events[index]
            if self.divider_at is not None:
                self.after_divider = True
            if _is_inline(event):
                end = index
                while end < count and _is_inline(events[end]):
                    end += 1
                self.out.append(self.inline.render(events[index:end]))
                self.tight_text = True
                index = end
            elif isinstance(event, str):  # Rule
                self._open("<hr>\n")
                index += 1
            elif "Start" in event:
                index = self._start(events, index, _name(event["Start"]))
            elif "End" in event:
                self._end(_name(event["End"]))
                index += 1
            else:
                index += 1

    def _open(self, html: str, prefixed: bool = True) -> None:
        """Write a block's opening (a newline first after a tight item's text, as markdown-it)."""
        if self.tight_text and prefixed:
            self.out.append("\n")
        self.tight_text = False
        self.out.append(html)

    def _start(self, events: Sequence[Any], index: int, name: str) -> int:
        tag = events[index]["Start"]
        following = events[index + 1] if index + 1 < len(events) else None
        closes = isinstance(following, dict) and "End" in following
        if name == "Paragraph":
            return self._leaf(events, index, "<p>", "</p>\n")
        if name == "Heading":
            return self._heading(events, index, int(tag["Heading"]["level"][1]))
        if name == "CodeBlock":
            return self._code(events, index, tag["CodeBlock"])
        if name == "HtmlBlock":
            return self._html_block(events, index)
        if name == "Table":
            return self._table(events, index, tag["Table"])
        if name == "FootnoteDefinition":
            return self._footnote(events, index, tag["FootnoteDefinition"])
        if name == "BlockQuote":
            self._open("<blockquote>" if closes else "<blockquote>\n")
            self.closers.append("</blockquote>\n")
        elif name == "List":
            start = tag["List"]
            ordered = start is not None
            opening = "<ul>" if not ordered else "<ol>" if start == 1 else f'<ol start="{start}">'
            self._open(opening + "\n")
            self.closers.append("</ol>\n" if ordered else "</ul>\n")
        elif name == "Item":
            inline = following is not None and (closes or _is_inline(following))
            self._open("<li>" if inline else "<li>\n")
            self.closers.append("</li>\n")
        else:
            self.closers.append("")
        return index + 1

    def _end(self, name: str) -> None:
        self.tight_text = False
        if self.closers:
            self.out.append(self.closers.pop())

    def _leaf(self, events: Sequence[Any], index: int, opening: str, closing: str) -> int:
        end = _end_of(events, index)
        self._open(opening)
        self.out.append(self.inline.render(events[index + 1 : end]))
        self.out.append(closing)
        return end + 1

    def _heading(self, events: Sequence[Any], index: int, level: int) -> int:
        end = _end_of(events, index)
        inline = self.inline
        items = inline.items(events[index + 1 : end])
        attributes = _attributes(items) if self.settings.heading_attributes else []
        anchor = dict(attributes).get("id")
        if anchor is None:
            anchor = unique_slug(hugo_anchor("".join(i[1] for i in items if i[0] in ("text", "code"))), self.used_ids)
            attributes.append(("id", anchor))
        else:
            self.used_ids.add(anchor)  # an id given is kept as it is, as goldmark keeps it
        items = inline.processed(items)
        text = "".join(i[1] if i[0] in ("text", "code") else " " for i in items if i[0] in _HEADING_TEXT)
        self.headings.append(Heading(level, anchor, text.strip(), inline.html(items, toc=True)))
        self._open(f"<h{level}{''.join(_ATTRIBUTE.format(name, escape_html(value)) for name, value in attributes)}>")
        self.out.append(inline.html(items))
        self.out.append(f"</h{level}>\n")
        return end + 1

    def _code(self, events: Sequence[Any], index: int, kind: Any) -> int:
        end = index + 1
        while "Text" in events[end] if isinstance(events[end], dict) else False:
            end += 1
        content = "".join(event["Text"] for event in events[index + 1 : end])
        if isinstance(kind, dict):
            self._open(fence_html(kind["Fenced"], content), prefixed=False)
        else:
            self._open(f"<pre><code>{escape_html(content)}</code></pre>\n", prefixed=False)
        return end + 1

    def _html_block(self, events: Sequence[Any], index: int) -> int:
        end = index + 1
        while "End" not in events[end]:
            end += 1
        # The first line's indentation comes as text, the lines as HTML.
        content = "".join(event.get("Html") or event["Text"] for event in events[index + 1 : end])
        if content.strip() == SUMMARY_DIVIDER:
            if self.divider_at is None and not self.closers:
                self.divider_at = len(self.out)
                self.after_divider = False
            self.tight_text = False
        elif self.settings.unsafe:
            self._open(content, prefixed=False)
        elif not content.lstrip(" ").startswith("<!--"):
            raise Fallback("raw HTML block")
        return end + 1

    def _table(self, events: Sequence[Any], index: int, alignments: Sequence[str]) -> int:
        self._open(TABLE_OPEN + "<table>\n<thead>\n<tr>\n")
        index += 2  # Start Table, Start TableHead
        cell = 0
        rows = 0
        while True:
            event = events[index]
            name = _name(event.get("Start") or event.get("End"))
            if "Start" in event and name == "TableCell":
                opening = "<th" if rows == 0 else "<td"
                align = _ALIGN.get(alignments[cell], "") if cell < len(alignments) else ""
                index = self._leaf(events, index, opening + align + ">", ("</th>\n" if rows == 0 else "</td>\n"))
                cell += 1
                continue
            if "Start" in event:  # TableRow
                self.out.append("<tbody>\n<tr>\n" if rows == 1 else "<tr>\n")
            elif name == "TableHead":
                self.out.append("</tr>\n</thead>\n")
                rows = 1
            elif name == "TableRow":
                self.out.append("</tr>\n")
                rows += 1
            else:  # Table
                self.out.append(("</tbody>\n" if rows > 1 else "") + "</table>\n" + TABLE_CLOSE)
                return index + 1
            cell = 0
            index += 1

    def _footnote(self, events: Sequence[Any], index: int, label: str) -> int:
        """A footnote definition, rendered aside (goldmark lists the notes at the end)."""
        inline = self.inline
        outer = self.out, inline.links, inline.images, self.closers
        self.out, inline.links, inline.images, self.closers = [], [], [], []
        depth = 0
        end = index + 1
        while depth or not (isinstance(events[end], dict) and events[end].get("End") == "FootnoteDefinition"):
            event = events[end]
            if isinstance(event, dict) and "Start" in event and _name(event["Start"]) == "FootnoteDefinition":
                depth += 1
            elif isinstance(event, dict) and event.get("End") == "FootnoteDefinition":
                depth -= 1
            end += 1
        self.blocks(events[index + 1 : end])
        self.notes[label] = (self.out, inline.links, inline.images)  # the last one counts, as in markdown-it
        self.out, inline.links, inline.images, self.closers = outer
        self.tight_text = False
        return end + 1

    def _footnotes(self, links: list[str], images: list[str]) -> str:
        """goldmark's list of the notes referred to, in the order of their first reference."""
        parts = ['<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n']
        for label, number in self.inline.note_numbers.items():
            out, note_links, note_images = self.notes[label]
            html = "".join(out)
            backrefs = "".join(footnote_backref(number, sub) for sub in range(self.inline.note_refs[label]))
            if html.endswith("</p>\n"):
                html = html[:-5] + backrefs + "</p>\n"
            else:
                html += backrefs
            parts.append(f'<li id="fn:{number}">\n{html}</li>\n')
            links += note_links
            images += note_images
        parts.append("</ol>\n</div>\n")
        return "".join(parts)


class _Inline:
    """The inline content of a page's blocks, and what it refers to: links, images, footnotes."""

    def __init__(self, settings: MarkupSettings, base: str | None) -> None:
        self.settings = settings
        self.base = base
        self.links: list[str] = []
        self.images: list[str] = []
        self.note_numbers: dict[str, int] = {}
        """Each footnote referred to, numbered in the order of its first reference."""
        self.note_refs: dict[str, int] = {}
        """How many references each footnote has had."""

    def render(self, events: Sequence[Any]) -> str:
        if len(events) == 1:  # most paragraphs: text alone, often with nothing to replace
            text = events[0].get("Text") if isinstance(events[0], dict) else None
            if text is not None and _plain(text, self.settings):
                return escape_html(text)
        return self.html(self.processed(self.items(events)))

    def items(self, events: Sequence[Any]) -> list[Item]:
        """The run's events as items: raw HTML as text (or dropped, a comment), images whole."""
        items: list[Item] = []
        index, count = 0, len(events)
        while index < count:
            event = events[index]
            index += 1
            if isinstance(event, str):
                items.append(("soft",) if event == "SoftBreak" else ("hard",))
                continue
            kind = next(iter(event))
            value = event[kind]
            if kind == "Text":
                _add_text(items, value)
            elif kind == "Code":
                items.append(("code", value))
            elif kind == "InlineHtml":
                self._inline_html(items, value)
            elif kind == "FootnoteReference":
                items.append(("fnref", value))
            elif kind == "TaskListMarker":
                items.append(("task", value))
            elif kind == "Start":
                name = _name(value)
                if name == "Image":
                    index = self._image(items, events, index, value["Image"])
                elif name == "Link":
                    items.append(self._link(value["Link"]))
                    if value["Link"]["link_type"] in ("Autolink", "Email"):  # its text as markdown-it writes it
                        items.append(("text", normalize_link_text(value["Link"]["dest_url"]), ()))
                        while events[index] != {"End": "Link"}:
                            index += 1
                else:
                    items.append(("open", _TAGS[name], "", "", ""))
            elif kind == "End":
                name = _name(value)
                items.append(("close", "a" if name == "Link" else _TAGS[name]))
        return items

    def _inline_html(self, items: list[Item], html: str) -> None:
        if self.settings.unsafe:
            items.append(("html", html))
        elif _COMMENT_RE.match(html):
            return  # dropped, as goldmark drops it
        elif _HTML_TAG_SPECIALS.search(html):
            raise Fallback("raw HTML tag with Markdown inside")
        else:
            _add_text(items, html)

    def _link(self, link: dict[str, str]) -> Item:
        kind = link["link_type"]
        url = link["dest_url"]
        href = normalize_link("mailto:" + url if kind == "Email" else url)
        if not is_safe_url(href):
            raise Fallback("unsafe URL")
        return ("open", "a", href, link["title"], kind)

    def _image(self, items: list[Item], events: Sequence[Any], index: int, image: dict[str, str]) -> int:
        src = normalize_link(image["dest_url"])
        if not is_safe_url(src):
            raise Fallback("unsafe URL")
        if self.base is not None:
            src = image_under(src, self.base)
        alt: list[str] = []
        depth = 0
        while True:
            event = events[index]
            index += 1
            if isinstance(event, str):
                alt.append("\n")
                continue
            kind = next(iter(event))
            if kind in ("Text", "Code", "InlineHtml"):
                alt.append(event[kind])
            elif kind == "Start" and _name(event[kind]) == "Image":
                depth += 1
            elif kind == "End" and event[kind] == "Image":
                if not depth:
                    break
                depth -= 1
        items.append(("img", src, image["title"], "".join(alt)))
        return index

    def processed(self, items: list[Item]) -> list[Item]:
        """Linkify, emoji and the typographer on the text of one block, in markdown-it's order."""
        settings = self.settings
        if settings.linkify:
            items = _linkified(items)
        if settings.emoji:
            items = [("text", _EMOJI_RE.sub(_emoji_of, i[1])) if i[0] == "text" and ":" in i[1] else i for i in items]
        if settings.typographer:
            items = _smartened(items)
        return items

    def html(self, items: Sequence[Item], toc: bool = False) -> str:
        """The items' HTML; for a TOC entry without links and footnote references."""
        parts: list[str] = []
        task = False
        for item in items:
            kind = item[0]
            if kind == "text":
                parts.append(escape_html(item[1]))
            elif kind == "code":
                parts.append(f"<code>{escape_html(item[1])}</code>")
            elif kind == "soft":
                parts.append("\n")
            elif kind == "hard":
                parts.append("<br>\n")
            elif kind == "open":
                parts.append(self._opening(item, toc))
            elif kind == "close":
                parts.append("" if toc and item[1] == "a" else f"</{item[1]}>")
            elif kind == "img":
                parts.append(self._img(item, toc))
            elif kind == "fnref":
                parts.append("" if toc else self._footnote_ref(item[1]))
            elif kind == "task":
                parts.append(TASK_LABEL_OPEN + GOLDMARK_CHECKBOXES[item[1]] + " ")
                task = True
            else:  # html
                parts.append(item[1])
        if task:
            parts.append(TASK_LABEL_CLOSE)
        return "".join(parts)

    def _opening(self, item: Item, toc: bool) -> str:
        _, tag, href, title, _kind = item
        if tag != "a":
            return f"<{tag}>"
        if toc:
            return ""
        self.links.append(href)
        title_attribute = f' title="{escape_html(title)}"' if title else ""
        return f'<a href="{escape_html(href)}"{title_attribute}>'

    def _img(self, item: Item, toc: bool) -> str:
        _, src, title, alt = item
        if not toc:
            self.images.append(src)
        title_attribute = f' title="{escape_html(title)}"' if title else ""
        return f'<img src="{escape_html(src)}" alt="{escape_html(alt)}"{title_attribute} loading="lazy">'

    def _footnote_ref(self, label: str) -> str:
        number = self.note_numbers.setdefault(label, len(self.note_numbers) + 1)
        sub = self.note_refs.get(label, 0)
        self.note_refs[label] = sub + 1
        return footnote_ref(number, sub)


def normalize_link(url: str) -> str:
    """markdown-it's `normalizeLink` (percent-encoding, IDN host names in punycode), without
    importing markdown-it for the ASCII URLs nearly every page has only."""
    if url.isascii() and "xn--" not in url.lower():
        parsed = mdurl.parse(url, slashes_denote_host=True)
        if not parsed.hostname or ":" not in parsed.hostname:
            return str(mdurl.encode(mdurl.format(parsed)))
    from markdown_it.common.normalize_url import normalizeLink

    return normalizeLink(url)


def normalize_link_text(url: str) -> str:
    """markdown-it's `normalizeLinkText` (the text of an autolink), the same way."""
    if url.isascii() and "xn--" not in url.lower():
        parsed = mdurl.parse(url, slashes_denote_host=True)
        return str(mdurl.decode(mdurl.format(parsed), mdurl.DECODE_DEFAULT_CHARS + "%"))
    from markdown_it.common.normalize_url import normalizeLinkText

    return normalizeLinkText(url)


def _attributes(items: list[Item]) -> list[tuple[str, str]]:
    """goldmark's attributes at the end of a heading (`parts.heading_attributes`), taken out of
    its last text; none where that text's ``{`` was escaped (pulldown-cmark cut the text there)."""
    if not items or items[-1][0] != "text" or not items[-1][1].rstrip().endswith("}"):
        return []
    _, text, cuts = items[-1]
    found = heading_attributes(text)
    if found is None or found[0] in cuts:
        return []
    brace, attributes = found
    kept = text[:brace].rstrip(" \t")
    if kept:
        items[-1] = ("text", kept, tuple(cut for cut in cuts if cut < len(kept)))
    else:
        items.pop()
    return attributes


def _plain(text: str, settings: MarkupSettings) -> bool:
    """Whether linkify, emoji and the typographer leave `text` as it is (substring tests: fast)."""
    if settings.linkify and ("://" in text or "www." in text or "@" in text):
        return False
    if settings.emoji and ":" in text:
        return False
    return not settings.typographer or not _has_trigger(text)


def _has_trigger(text: str) -> bool:
    """Whether the typographer may replace something in `text` (`TRIGGER_RE`, as substring tests)."""
    return "'" in text or '"' in text or "<" in text or ">" in text or "--" in text or "..." in text


def _end_of(events: Sequence[Any], index: int) -> int:
    """The index of the end of the leaf block (paragraph, heading, cell) starting at `index`."""
    name = _name(events[index]["Start"])
    end = index + 1
    while True:
        event = events[end]
        if isinstance(event, dict) and "End" in event and _name(event["End"]) == name:
            return end
        end += 1


def _add_text(items: list[Item], text: str) -> None:
    """Text joined to the text before it, the places it was joined kept (third item)."""
    if items and items[-1][0] == "text":
        _, before, cuts = items[-1]
        items[-1] = ("text", before + text, (*cuts, len(before)))
    else:
        items.append(("text", text, ()))


def _linkified(items: list[Item]) -> list[Item]:
    """goldmark's linkify on the text outside links (markdown-it's linkify rule, `GoldmarkLinkify`)."""
    out: list[Item] = []
    in_link = False
    for item in items:
        kind = item[0]
        if kind == "open" and item[1] == "a":
            in_link = True
        elif kind == "close" and item[1] == "a":
            in_link = False
        if kind != "text" or in_link or not _LINKIFY.pretest(item[1]):
            out.append(item)
            continue
        text = item[1]
        last = 0
        for link in _LINKIFY.match(text):
            if any(link.index <= cut < link.last_index for cut in item[2]):
                # markdown-it's linkify sees the text up to an escape or entity only
                raise Fallback("linkify across an escape")
            url = normalize_link(link.url)
            if not is_safe_url(url):
                continue
            if link.index > last:
                out.append(("text", text[last : link.index]))
            out += [("open", "a", url, "", "linkify"), ("text", _link_text(link)), ("close", "a", "linkify")]
            last = link.last_index
        if last < len(text):
            out.append(("text", text[last:]))
    return out


def _link_text(link: Any) -> str:
    if not link.schema:
        return re.sub(r"^http://", "", normalize_link_text("http://" + link.text))
    return str(normalize_link_text(link.text))


def _edge(item: Item | None, last: bool) -> str:
    """The first (or last) source character of an item, a space where there is none."""
    if item is None:
        return " "
    kind = item[0]
    if kind == "text":
        return (item[1][-1:] if last else item[1][:1]) or " "
    if kind in ("open", "close"):
        if item[1] != "a":
            return _EDGES[item[1]]
        edges = _LINK_EDGES.get(item[-1])
        if edges:
            return edges[last]
        return ("]" if kind == "close" else "[") if not last else (")" if kind == "close" else "[")
    if kind == "img":
        return ")" if last else "!"
    if kind in ("html", "task"):
        return ">" if last else "<"
    return _EDGES.get(kind, " ")


def _smartened(items: list[Item]) -> list[Item]:
    """goldmark's typographer on every text item, one `Typographer` for the block.

    A text without a character it replaces is left as it is (and changes no quote count)."""
    typographer = None
    last = len(items) - 1
    out = items
    for index, item in enumerate(items):
        if item[0] != "text" or not _has_trigger(item[1]):
            continue
        if typographer is None:
            typographer, out = Typographer(), list(items)
        before = _edge(items[index - 1], last=True) if index else "\n"
        after = _edge(items[index + 1] if index < last else None, last=False)
        out[index] = ("text", typographer.smarten(item[1], before, after))
    return out


def _emoji_of(match: re.Match[str]) -> str:
    import emoji

    return str(emoji.emojize(match.group(), language="alias"))
