"""goldmark's HTML, piece by piece: what both Markdown parsers of pressroom write the same way.

pressroom parses Markdown with pyromark (pulldown-cmark, `fast`) and, for the few constructs it
cannot do as goldmark does, with markdown-it-py (`converter`). Whichever parsed a page, its HTML
is made of the pieces here, so the two cannot drift apart: heading ids, goldmark's linkify,
task-list checkboxes, footnotes, the table wrapper, fenced code and relative image URLs. `Body`
is what either parser hands back to `converter.render_markdown`, which derives the rest (TOC,
summary, word count) from it once.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote

from pressroom.core.markdown.diagrams import MERMAID_LANGUAGE, mermaid_block
from pressroom.core.markdown.highlighting import highlighted

__all__ = [
    "GOLDMARK_CHECKBOXES",
    "SUMMARY_DIVIDER",
    "TABLE_CLOSE",
    "TABLE_OPEN",
    "TASK_LABEL_CLOSE",
    "TASK_LABEL_OPEN",
    "Body",
    "GoldmarkLinkify",
    "Heading",
    "escape_html",
    "fence_html",
    "footnote_backref",
    "footnote_ref",
    "heading_attributes",
    "hugo_anchor",
    "image_base",
    "image_under",
    "unique_slug",
]

SUMMARY_DIVIDER = "<!--more-->"
"""Hugo's manual summary divider, recognised on a line of its own."""

GOLDMARK_CHECKBOXES = {
    False: '<input disabled="" type="checkbox">',
    True: '<input checked="" disabled="" type="checkbox">',
}
"""A task's checkbox as goldmark writes it (no classes; ``checked=""``)."""

TASK_LABEL_OPEN = '<label class="task-list-label">'
"""A task's checkbox and text are one label, so the checkbox has a name (axe)."""
TASK_LABEL_CLOSE = "</label>"

TABLE_OPEN = '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">'
"""A table in a focusable scrolling region, so a keyboard reaches a table wider than a phone."""
TABLE_CLOSE = "</div>\n"

_ANCHOR_DROP_RE = re.compile(r"[^A-Za-z0-9_ \t-]")
_ANCHOR_DASHES = str.maketrans(" \t", "--")
_ATTRIBUTES_RE = re.compile(r"\{([^{}\n]*)\}[ \t]*\Z")
_ATTRIBUTE_RE = re.compile(
    r'[ \t]*(?:#([^\s{}#]*)|\.([^\s{}]*)|([A-Za-z_:][A-Za-z0-9_.:-]*)=(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_.:-]+)))'
)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Heading:
    """A heading of the body: its level, id, text (no markup) and its TOC entry's HTML (no links)."""

    level: int
    id: str
    text: str
    toc_html: str


@dataclass(frozen=True)
class Body:
    """A page body as either parser renders it."""

    html: str
    headings: tuple[Heading, ...]
    links: tuple[str, ...]
    """Every link href, in document order (footnotes last)."""
    images: tuple[str, ...]
    """Every image src, in document order (footnotes last)."""
    divided: bool = False
    """The body has a top-level `<!--more-->` line."""
    before_divider_html: str = ""
    """The HTML before the `<!--more-->` line (the manual summary); "" without one."""
    after_divider: bool = False
    """Something follows the `<!--more-->` line (the page has more to read than its summary)."""


def escape_html(text: str) -> str:
    """`&`, `<`, `>` and `"` as entities (markdown-it's and goldmark's escape)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    return text


def hugo_anchor(text: str) -> str:
    """Hugo's default (``github``) heading id for a heading's text.

    Letters (any script), decimal digits and `_` are kept and lower-cased, spaces, tabs and
    `-` become `-`, everything else (punctuation, emoji) is dropped; an empty result is
    ``heading``, as in Hugo. De-duplication (`-1`, `-2`...) is per page, done by the caller.

    >>> hugo_anchor("Hello, World!"), hugo_anchor("Café au lait"), hugo_anchor("🔄 New")
    ('hello-world', 'café-au-lait', '-new')
    """
    if text.isascii():  # the same rule, at C speed
        return _ANCHOR_DROP_RE.sub("", text).lower().translate(_ANCHOR_DASHES) or "heading"
    kept: list[str] = []
    for char in text:
        if char in " \t-":
            kept.append("-")
        elif char == "_" or char.isalpha() or char.isdecimal():
            # Go's unicode.ToLower maps one rune to one rune ("İ" -> "i"); Python's may add a
            # combining mark, which Hugo would not produce.
            kept.append(char.lower()[0])
    return "".join(kept) or "heading"


def unique_slug(slug: str, used: set[str]) -> str:
    """`slug`, or `slug-1`, `slug-2`... the first not in `used` (which it is added to)."""
    unique = slug
    number = 1
    while unique in used:
        unique = f"{slug}-{number}"
        number += 1
    used.add(unique)
    return unique


def heading_attributes(text: str) -> tuple[int, list[tuple[str, str]]] | None:
    """goldmark's attributes at the end of a heading's text (``## Title {#id .class key="v"}``):
    where the ``{`` is and the attributes in order (classes in one, `id` where the first was,
    Hugo's `on*` event handlers dropped); None where the braces hold no valid attribute list.

    >>> heading_attributes("Title {.c #i .d}")
    (6, [('class', 'c d'), ('id', 'i')])
    """
    found = _ATTRIBUTES_RE.search(text)
    if found is None:
        return None
    inner = found.group(1)
    attributes: dict[str, str] = {}
    position = 0
    while position < len(inner):
        attribute = _ATTRIBUTE_RE.match(inner, position)
        if attribute is None or attribute.end() == position:
            if position and not inner[position:].strip(" \t"):
                break  # spaces after the last attribute (but `{ }` is no attribute list)
            return None
        position = attribute.end()
        identifier, css_class, key, quoted, bare = attribute.groups()
        if identifier is not None:
            attributes["id"] = identifier
        elif css_class is not None or key == "class":
            value = css_class if css_class is not None else quoted if quoted is not None else bare
            attributes["class"] = f"{attributes['class']} {value}" if "class" in attributes else value
        elif not key.lower().startswith("on"):
            attributes[key] = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
    return found.start(), list(attributes.items())


def fence_html(info: str, content: str) -> str:
    """Fenced code in a known language: Pygments spans with CSS classes, in Hugo's wrapper.

    Unknown or absent language: Hugo's escaped ``<pre tabindex="0"><code>`` without colours.
    A `mermaid` fence is a diagram, not code: the theme's `<pre class="mermaid">`. `info` is
    the fence's info string, its escapes and entities resolved.
    """
    info = info.strip()
    language = info.split(maxsplit=1)[0] if info else ""
    if language == MERMAID_LANGUAGE:
        return mermaid_block(content) + "\n"
    spans = highlighted(content, language) if language else None
    if spans is None:
        # Hugo's wrapper for a block Chroma has no lexer for (or no language): no <div>.
        name = escape_html(language)
        attributes = f' class="language-{name}" data-lang="{name}"' if language else ""
        return f'<pre tabindex="0"><code{attributes}>{escape_html(content)}</code></pre>\n'
    name = escape_html(language)
    return (
        f'<div class="highlight"><pre tabindex="0"><code class="language-{name}" '
        f'data-lang="{name}">{spans}</code></pre></div>\n'
    )


def footnote_ref(number: int, sub: int) -> str:
    """goldmark: ``<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>``;
    the `sub`-th further reference to the same note is ``fnref{sub}:1``."""
    ref = f"fnref{sub}:{number}" if sub > 0 else f"fnref:{number}"
    return f'<sup id="{ref}"><a href="#fn:{number}" class="footnote-ref" role="doc-noteref">{number}</a></sup>'


def footnote_backref(number: int, sub: int) -> str:
    """goldmark's back-link: ``&#160;<a href="#fnref:1" class="footnote-backref" ...>&#x21a9;&#xfe0e;</a>``."""
    ref = f"fnref{sub}:{number}" if sub > 0 else f"fnref:{number}"
    return f'&#160;<a href="#{ref}" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'


def image_base(base_path: str) -> str:
    """The site-absolute folder relative image URLs resolve against, quoted once a page."""
    return "/" + quote(base_path, safe="/+~") + "/" if base_path else "/"


def image_under(url: str, base: str) -> str:
    """A relative image `url` made site-absolute under `base` (`image_base`); others as they are.

    Links are left as written, as goldmark leaves them; only images are resolved.
    """
    if not url or url.startswith(("/", "#", "?", "%EE%80%80")) or _SCHEME_RE.match(url):
        return url  # (a shortcode's URL, such as a ref's, is placed as it is)
    path, mark, rest = url.partition("#") if "#" in url else url.partition("?")
    resolved = posixpath.normpath(base + path)
    if path.endswith("/") and not resolved.endswith("/"):
        resolved += "/"
    return resolved + mark + rest


class Link:
    """A match in markdown-it's linkify protocol (linkify-it's `Match`)."""

    __slots__ = ("index", "last_index", "schema", "text", "url")

    def __init__(self, index: int, text: str, schema: str, url: str) -> None:
        self.index = index
        self.last_index = index + len(text)
        self.schema = schema
        self.text = text
        self.url = url


class GoldmarkLinkify:
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

    def match(self, text: str) -> list[Link]:
        found = [self._link(m.start(), m.group()) for m in self._URL_RE.finditer(text)]
        found += [Link(m.start(), m.group(), "mailto:", "mailto:" + m.group()) for m in self._EMAIL_RE.finditer(text)]
        found.sort(key=lambda link: link.index)
        kept: list[Link] = []
        for link in found:
            if not kept or link.index >= kept[-1].last_index:
                kept.append(link)
        return kept

    def match_at_start(self, text: str) -> Link | None:
        found = self._URL_RE.match(text)
        return self._link(0, found.group()) if found else None

    def _link(self, index: int, text: str) -> Link:
        while text and text[-1] in self._TRAILING:
            text = text[:-1]
        while text.endswith(")") and text.count(")") > text.count("("):
            text = text[:-1]
        if text.startswith("www."):
            return Link(index, text, "", "https://" + text)  # Hugo's linkifyProtocol default
        return Link(index, text, text.split(":", 1)[0] + ":", text)
