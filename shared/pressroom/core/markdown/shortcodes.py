"""Hugo shortcodes: `{{< name params >}}` and `{{% name %}}`, as Jinja2 templates.

Pure, and independent of the Markdown parser. Expansion runs on the Markdown source before it
is parsed, as Hugo's own does: every shortcode (a paired one from its opening tag to its
closing tag, nested ones inside) becomes one placeholder, the parser renders the page around
the placeholders, and `Expansion.restore` puts each shortcode's HTML back. So a closing tag
never ends up inside a list item, `{{<gallery>}}` is never read as an HTML tag, and any
Markdown parser that keeps a private-use character in its output can be used.

Hugo's rules kept here: the `<` form passes its inner text raw (a template that wants
Markdown filters it through `markdownify`), the `%` form's inner text is Markdown; parameters
are positional or named, quoted (``"..."`` with backslash escapes), raw (backticks) or
unquoted (``true``/``false`` and numbers typed); ``{{</* name */>}}`` prints the shortcode
itself. Unlike Hugo, shortcodes inside fenced code blocks and code spans are left as written.

Templates: `theme/templates/shortcodes/NAME.html`, overridden (or added to) by a site's
`layouts/shortcodes/NAME.html`. A shortcode without a template renders its inner content as
Markdown and is reported to `pressroom check` by file, line and name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

__all__ = [
    "PLACEHOLDER_RE",
    "Expansion",
    "ShortcodeCall",
    "UnknownShortcode",
    "parse_tags",
]

_OPEN = "\ue000"
_CLOSE = "\ue001"
_PLACEHOLDER = f"{_OPEN}(\\d+){_CLOSE}"
PLACEHOLDER_RE = re.compile(_PLACEHOLDER)
_URL_PLACEHOLDER_RE = re.compile(r"%EE%80%80(\d+)%EE%80%81")
"""A placeholder in a link's or an image's URL, which the parser percent-encodes
(`[Part 2]({{< ref "/posts/part_2" >}})`: a ref whose URL has a `_` goes in as a placeholder)."""
_PARAGRAPH_OF_PLACEHOLDERS_RE = re.compile(f"<p>\\s*((?:{_PLACEHOLDER}\\s*)+)</p>\\n?")
"""A placeholder; a paragraph of nothing but placeholders loses its ``<p>`` (their HTML is blocks)."""

_PLAIN_OUTPUT_RE = re.compile(r"[^<>\n*_`\[\]\\!|~]*")
_TAG_START_RE = re.compile(r"\{\{([<%])")
_NAME_RE = re.compile(r"[A-Za-z0-9_][\w./-]*")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
_BACKTICKS_RE = re.compile(r"`+")


@dataclass(frozen=True)
class ShortcodeCall:
    """One shortcode as the author wrote it, with its nested shortcodes already expanded."""

    name: str
    positional: tuple[Any, ...] = ()
    named: Mapping[str, Any] = field(default_factory=dict)
    inner: str | None = None
    """The text between the tags (None for a shortcode without a closing tag)."""
    markdown: bool = False
    """The `{{% %}}` form: `inner` is Markdown."""
    line: int = 1

    def get(self, key: int | str, default: Any = None) -> Any:
        """Hugo's `.Get`: a positional parameter by index or a named one by name."""
        if isinstance(key, int):
            return self.positional[key] if 0 <= key < len(self.positional) else default
        return self.named.get(key, default)


@dataclass(frozen=True)
class UnknownShortcode:
    line: int
    name: str


@dataclass(frozen=True)
class _Tag:
    start: int
    end: int
    delimiter: str
    name: str = ""
    closing: bool = False
    self_closing: bool = False
    positional: tuple[Any, ...] = ()
    named: Mapping[str, Any] = field(default_factory=dict)
    literal: str | None = None
    """For ``{{</* ... */>}}``: the text it prints."""


def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks and code spans, where shortcodes are left alone."""
    ranges: list[tuple[int, int]] = []
    position = 0
    while True:
        fence = _FENCE_RE.search(text, position)
        prose_end = fence.start() if fence else len(text)
        ranges += _code_spans(text, position, prose_end)
        if fence is None:
            return ranges
        marker = fence.group(1)
        closer = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$", re.MULTILINE)
        line_end = text.find("\n", fence.end())
        found = closer.search(text, line_end + 1) if line_end >= 0 else None
        end = found.end() if found else len(text)
        ranges.append((fence.start(), end))
        position = end


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = start
    while True:
        opener = _BACKTICKS_RE.search(text, position, end)
        if opener is None:
            return spans
        size = len(opener.group())
        search = opener.end()
        while True:
            closer = _BACKTICKS_RE.search(text, search, end)
            if closer is None:
                position = opener.end()
                break
            if len(closer.group()) == size:
                spans.append((opener.start(), closer.end()))
                position = closer.end()
                break
            search = closer.end()


def _value(text: str, position: int, terminators: str) -> tuple[Any, int, bool]:
    """A parameter value at `position`: (value, position after it, whether it was quoted)."""
    char = text[position]
    if char == '"':
        out: list[str] = []
        i = position + 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            out.append(text[i])
            i += 1
        return "".join(out), i + 1, True
    if char == "`":
        close = text.find("`", position + 1)
        close = len(text) if close < 0 else close
        return text[position + 1 : close], close + 1, True
    i = position
    while i < len(text) and not text[i].isspace() and text[i] != "=" and not text.startswith(terminators, i):
        if text[i] == "/" and text.startswith(terminators, i + 1):
            break
        i += 1
    return text[position:i], i, False


def _typed(raw: str) -> Any:
    """An unquoted parameter: `true`/`false` and numbers are typed, as in Hugo."""
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw


def _parse_tag(text: str, start: int) -> _Tag | None:
    """The shortcode tag at `start` (``{{<`` or ``{{%``), or None if it is not one."""
    delimiter = text[start + 2]
    closer = ">" if delimiter == "<" else "%"
    terminator = closer + "}}"
    i = start + 3
    while i < len(text) and text[i] in " \t":
        i += 1
    if text.startswith("/*", i):
        close = re.compile(r"\*/\s*" + re.escape(terminator)).search(text, i + 2)
        if close is None:
            return None
        literal = "{{" + delimiter + text[i + 2 : close.start()] + terminator
        return _Tag(start, close.end(), delimiter, literal=literal)
    closing = text.startswith("/", i)
    if closing:
        i += 1
        while i < len(text) and text[i] in " \t":
            i += 1
    name_match = _NAME_RE.match(text, i)
    if name_match is None:
        return None
    name = name_match.group()
    i = name_match.end()
    positional: list[Any] = []
    named: dict[str, Any] = {}
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return None
        if text.startswith(terminator, i):
            return _Tag(start, i + 3, delimiter, name, closing, False, tuple(positional), named)
        if text[i] == "/":
            j = i + 1
            while j < len(text) and text[j] in " \t":
                j += 1
            if text.startswith(terminator, j):
                return _Tag(start, j + 3, delimiter, name, closing, True, tuple(positional), named)
        if text.startswith("{{", i) or text.startswith("}}", i):
            return None
        value, i, quoted = _value(text, i, terminator)
        if value == "" and not quoted:
            return None
        j = i
        while j < len(text) and text[j] in " \t":
            j += 1
        if not quoted and j < len(text) and text[j] == "=":
            j += 1
            while j < len(text) and text[j] in " \t":
                j += 1
            if j >= len(text):
                return None
            named_value, i, value_quoted = _value(text, j, terminator)
            named[str(value)] = named_value if value_quoted else _typed(named_value)
        else:
            positional.append(value if quoted else _typed(value))


def parse_tags(text: str) -> list[_Tag]:
    """Every shortcode tag of `text` in order; tags in code are left out (comments are kept)."""
    if "{{" not in text:
        return []
    code = _code_ranges(text) if "`" in text or "~~~" in text else []
    tags: list[_Tag] = []
    position = 0
    while True:
        found = _TAG_START_RE.search(text, position)
        if found is None:
            return tags
        tag = _parse_tag(text, found.start())
        if tag is None:
            position = found.start() + 2
            continue
        in_code = any(a <= tag.start < b for a, b in code)
        if tag.literal is not None or not in_code:
            tags.append(tag)
            position = tag.end
        else:
            position = found.start() + 2


@dataclass
class _Node:
    open: _Tag
    close: _Tag | None = None

    @property
    def start(self) -> int:
        return self.open.start

    @property
    def end(self) -> int:
        return (self.close or self.open).end


def _nodes(tags: Sequence[_Tag]) -> list[_Node]:
    """Pairs opening and closing tags (the nearest open one of the same name); in order of start."""
    nodes: list[_Node] = []
    stack: list[_Node] = []
    for tag in tags:
        if tag.literal is not None or tag.self_closing:
            nodes.append(_Node(tag))
        elif not tag.closing:
            node = _Node(tag)
            nodes.append(node)
            stack.append(node)
        else:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].open.name == tag.name:
                    stack[depth].close = tag
                    del stack[depth:]
                    break
            # A closing tag with no opening one prints nothing.
            else:
                nodes.append(_Node(tag))
    return nodes


Renderer = Callable[[ShortcodeCall, "Expansion"], "str | None"]
"""Renders one shortcode to HTML, or None when there is no template for it."""


class Expansion:
    """The shortcodes of one page: `expand` the source, parse it, `restore` the HTML."""

    def __init__(self, render: Renderer) -> None:
        self._render = render
        self.outputs: list[str] = []
        self.unknown: list[UnknownShortcode] = []
        self.called: set[str] = set()
        """The name of every shortcode the page calls (Hugo's `.HasShortcode`)."""

    def expand(self, text: str, first_line: int = 1) -> str:
        """`text` with each top-level shortcode replaced by a placeholder for its HTML."""
        tags = parse_tags(text)
        if not tags:
            return text
        parts: list[str] = []
        position = 0
        for node in _nodes(tags):
            if node.start < position:
                continue  # nested: expanded with its parent's inner text
            parts.append(text[position : node.start])
            position = node.end
            tag = node.open
            if tag.literal is not None:
                parts.append(tag.literal)
                continue
            if tag.closing:
                continue
            line = first_line + text.count("\n", 0, tag.start)
            inner = None
            if node.close is not None:
                inner_text = text[tag.end : node.close.start]
                inner = self.expand(inner_text, line + text.count("\n", tag.start, tag.end))
            call = ShortcodeCall(tag.name, tag.positional, tag.named, inner, tag.delimiter == "%", line)
            self.called.add(tag.name)
            html = self._render(call, self)
            if html is None:
                self.unknown.append(UnknownShortcode(line, tag.name))
                html = ""
            html = self.restore(html)
            # Plain text (a ref's URL, a param's value) goes into the Markdown as it is, so it can
            # stand in a link's destination; HTML goes in as a placeholder.
            parts.append(html if _PLAIN_OUTPUT_RE.fullmatch(html) else self.placeholder(html))
        parts.append(text[position:])
        return "".join(parts)

    def placeholder(self, html: str) -> str:
        self.outputs.append(html)
        return f"{_OPEN}{len(self.outputs) - 1}{_CLOSE}"

    def restore(self, html: str) -> str:
        """`html` with every placeholder replaced by its shortcode's HTML."""
        if "%EE%80%80" in html:
            html = _URL_PLACEHOLDER_RE.sub(lambda match: escape(self.restore_url(match.group(0)), quote=True), html)
        if _OPEN not in html:
            return html
        html = _PARAGRAPH_OF_PLACEHOLDERS_RE.sub(self._blocks_of, html)
        return PLACEHOLDER_RE.sub(lambda match: self.outputs[int(match.group(1))], html)

    def restore_url(self, url: str) -> str:
        """A link's URL with each placeholder replaced by its shortcode's text, refused (``#``)
        where a Markdown link would be (`javascript:` ...)."""
        from pressroom.core.site.urls import is_safe_url

        def value(match: re.Match[str]) -> str:
            text = self.outputs[int(match.group(1))].strip()
            return text if is_safe_url(text) else "#"

        return _URL_PLACEHOLDER_RE.sub(value, url)

    def _blocks_of(self, match: re.Match[str]) -> str:
        blocks = (self.outputs[int(index)] for index in PLACEHOLDER_RE.findall(match.group(1)))
        return "".join(block if block.endswith("\n") else block + "\n" for block in blocks)


# --- templates ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def shortcode_environment(site_templates: tuple[tuple[str, str], ...]) -> Any:
    """The Jinja2 environment of shortcode templates: the site's first, then the theme's.

    Sandboxed, with bounded work and output (`core.sandbox`): a site's shortcodes are untrusted code.
    """
    import jinja2

    from pressroom.core.rendering.sandbox import (
        LAYOUT_TEMPLATE_PREFIX,
        THEME_TEMPLATE_PREFIX,
        NamedLoader,
        SiteTemplates,
    )
    from pressroom.core.rendering.theme import theme_template

    hugo = set(hugo_templates(site_templates))
    site = {name: text for name, text in site_templates if name not in hugo}
    loader = jinja2.ChoiceLoader(
        [
            NamedLoader(site.get, f"{LAYOUT_TEMPLATE_PREFIX}shortcodes/"),
            NamedLoader(lambda name: theme_template(f"shortcodes/{name}"), f"{THEME_TEMPLATE_PREFIX}shortcodes/"),
        ]
    )
    environment = SiteTemplates(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.ChainableUndefined,
    )
    # Filters that read the page are given the template context (jinja2 imported only here).
    with_page = jinja2.pass_context
    environment.add_filters(
        markdownify=with_page(_markdownify_value),
        plainify=_plainify_value,
        images=with_page(_images_value),
        resource=with_page(_resource_value),
        safe_url=_safe_url,
    )
    environment.globals.update(
        ref=with_page(_ref_value),
        bundle_files=with_page(_bundle_files_value),
        truthy=truthy,
        mermaid_block=_mermaid_block_value,
    )
    return environment


_GO_ACTION_RE = re.compile(
    r"\{\{-?\s*(?:\.[A-Za-z]|\$|/\*|(?:end|else|with|range|if|partial|partialCached|define|template|block|return"
    r"|printf|warnf|errorf|default|safeHTML|print|index|len|not|and|or|eq|ne|in|where|first)\b)"
)


@lru_cache(maxsize=8)
def hugo_templates(site_templates: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The site's shortcode files that are Hugo's Go templates, not Jinja2 (left out: they cannot run).

    A Hugo repository keeps its own shortcodes as Go templates; they are told apart by failing
    to compile as Jinja2 while holding Go template actions (``{{ .Get 0 }}``, ``{{ end }}``...).
    The built-in template of the same name, if any, is used instead, and `pressroom check`
    asks for a port.
    """
    import jinja2

    environment = jinja2.Environment()
    found: list[str] = []
    for name, text in site_templates:
        try:
            environment.parse(text)
        except jinja2.TemplateSyntaxError:
            if _GO_ACTION_RE.search(text):
                found.append(name)
    return tuple(found)


def validate_templates(site_templates: tuple[tuple[str, str], ...]) -> None:
    """Compile every Jinja2 shortcode template of the site: a broken one is a ConfigError naming its file and line."""
    import jinja2

    from pressroom.exceptions import ConfigError

    environment = shortcode_environment(site_templates)
    hugo = set(hugo_templates(site_templates))
    for name, _ in site_templates:
        if name in hugo:
            continue
        try:
            environment.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise ConfigError(f"layouts/shortcodes/{name}", f"template error: {error.message}", error.lineno) from None


def template_for(site_templates: tuple[tuple[str, str], ...], name: str) -> Any | None:
    """The template of shortcode `name`, or None if neither the site nor the theme has one."""
    import jinja2

    try:
        return shortcode_environment(site_templates).get_template(f"{name}.html")
    except jinja2.TemplateNotFound:
        return None
    except jinja2.TemplateSyntaxError as error:
        from pressroom.exceptions import ConfigError

        raise ConfigError(f"layouts/shortcodes/{name}.html", f"template error: {error.message}", error.lineno) from None


@dataclass(frozen=True)
class ShortcodePage:
    """What a shortcode template may know of its page and site (`page` and `site` in templates)."""

    key: str
    """The page's source key (`posts/x/index.md`)."""
    params: Mapping[str, Any]
    """The page's front matter."""
    site_params: Mapping[str, Any] = field(default_factory=dict)
    site_title: str = ""
    base_url: str = "/"
    siblings: tuple[str, ...] = ()
    """The file names beside the page (a bundle's images)."""
    templates: tuple[tuple[str, str], ...] = ()
    """The site's own shortcode templates: (NAME.html, source)."""
    resolve_url: Callable[[str], str] = str
    """How a relative image URL is written for this page (as Markdown images are)."""

    @property
    def folder(self) -> str:
        return self.key.rpartition("/")[0]


def truthy(value: Any) -> bool:
    """A Hugo boolean parameter: true, "true", 1 (false, "false", 0, missing: false)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def render_call(
    call: ShortcodeCall,
    expansion: Expansion,
    page: ShortcodePage,
    markdownify: Callable[[str], str],
) -> str | None:
    """One shortcode rendered with its template; None when there is none."""
    from markupsafe import Markup

    template = template_for(page.templates, call.name)
    if template is None:
        if call.inner is None:
            return None
        # No template: the inner content still shows (never the braces), and check says so.
        expansion.unknown.append(UnknownShortcode(call.line, call.name))
        return expansion.restore(markdownify(call.inner))
    inner: str | None = call.inner
    if call.inner is not None and call.markdown:
        inner = Markup(expansion.restore(markdownify(call.inner)))
    context = {
        "shortcode": call,
        "name": call.name,
        "get": call.get,
        "positional": call.positional,
        "named": call.named,
        "is_named": bool(call.named),
        "inner": inner,
        "page": page,
        "site": {"params": page.site_params, "title": page.site_title, "baseURL": page.base_url},
        "_markdownify": lambda text: expansion.restore(markdownify(text)),
    }
    from pressroom.core.rendering.sandbox import render_bounded, template_problem

    try:
        return render_bounded(template, context)
    except Exception as error:  # a template's own bug: name the page, the line and the shortcode
        from pressroom.exceptions import ContentError

        found = template_problem(error, f"layouts/shortcodes/{call.name}.html")
        problem = str(found) if found is not None else f"{type(error).__name__}: {error}"
        raise ContentError(page.key, f"shortcode {call.name!r} failed: {problem}", call.line) from None


def _mermaid_block_value(source: Any) -> Any:
    """`mermaid_block` for templates: the shortcode draws its diagram as a fence does."""
    from markupsafe import Markup

    from pressroom.core.markdown.diagrams import mermaid_block

    return Markup(mermaid_block(str(source or "")))


def _inline_html(html: str) -> str:
    """Hugo's markdownify: a result that is one paragraph loses its ``<p>``."""
    stripped = html.strip()
    if stripped.startswith("<p>") and stripped.endswith("</p>") and stripped.count("<p>") == 1:
        return stripped[3:-4]
    return stripped


def _markdownify_value(context: Any, value: Any) -> Any:
    from markupsafe import Markup

    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    return Markup(_inline_html(context["_markdownify"](str(value))))


def _plainify_value(value: Any) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", str(value or ""))).strip()


_IMG_RE = re.compile(r"<img\b([^>]*)>", re.IGNORECASE)
_ATTR_RE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _images_value(context: Any, value: Any) -> list[dict[str, str]]:
    """The ``<img>`` tags of a shortcode's raw inner HTML as attribute maps (src made usable)."""
    import html

    page: ShortcodePage = context["page"]
    found: list[dict[str, str]] = []
    for tag in _IMG_RE.finditer(str(value or "")):
        attrs = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR_RE.finditer(tag.group(1))
        }
        if attrs.get("src") and _safe_url(attrs["src"]) != "#":
            attrs["src"] = page.resolve_url(attrs["src"])
            found.append(attrs)
    return found


def _safe_url(value: Any) -> str:
    """A link from a parameter, refused (``#``) where a Markdown link would be (`javascript:` ...)."""
    from pressroom.core.site.urls import is_safe_url

    text = str(value or "")
    return text if is_safe_url(text) else "#"


def _resource_value(context: Any, value: Any) -> str:
    page: ShortcodePage = context["page"]
    return page.resolve_url(_safe_url(value))


def _ref_value(context: Any, target: Any) -> str:
    """Hugo's `ref`/`relref`: the site path of a page given by its content path."""
    from pressroom.core.site.urls import href, page_path

    page: ShortcodePage = context["page"]
    text = str(target or "")
    path, mark, anchor = text.partition("#")
    if not path:
        return mark + anchor
    key = path.lstrip("/") if path.startswith("/") else f"{page.folder}/{path}".lstrip("/")
    if not key.endswith((".md", ".markdown")):
        key = key.rstrip("/") + "/index.md" if "/" in key or key else key
    try:
        resolved = href(page_path(_normalize(key)))
    except Exception:
        resolved = "/" + path.lstrip("/")
    return resolved + mark + anchor


def _normalize(key: str) -> str:
    import posixpath

    return posixpath.normpath(key).lstrip("/")


def _bundle_files_value(context: Any, pattern: Any) -> list[str]:
    """The page's bundle files matching a glob (Blowfish's `images="gallery/*"`), as URLs."""
    import fnmatch

    page: ShortcodePage = context["page"]
    text = str(pattern or "").strip().strip("{}")
    patterns = [p.strip() for p in text.split(",") if p.strip()]
    urls: list[str] = []
    for item in patterns:
        if item.startswith(("http://", "https://", "/")):
            urls.append(item)
            continue
        urls += [page.resolve_url(name) for name in sorted(page.siblings) if fnmatch.fnmatch(name, item)]
    return urls
