"""Diagrams and maths, drawn in the reader's browser as Hugo's Congo and Blowfish themes draw them.

A ```` ```mermaid ```` fence and the `mermaid` shortcode are one rule: both become
``<pre class="mermaid">`` holding the diagram's source, escaped (what goldmark writes through
Hugo's documented `render-codeblock-mermaid` hook, and what the themes' shortcode writes), never
highlighted. The theme's script draws every such element with the site's own copy of Mermaid.

A page says what its template must load, as Hugo's `.HasShortcode` does for the themes: a
diagram when its HTML holds one, maths when it calls the `katex` shortcode (Blowfish's and
Congo's switch: the shortcode renders nothing, KaTeX then draws the TeX between `\\(`, `\\)` and
`$$` in the page's text). A page with neither loads nothing of either library.

>>> mermaid_block("graph LR\\n  A --> B<br/>C\\n")
'<pre class="mermaid">graph LR\\n  A --&gt; B&lt;br/&gt;C</pre>'
>>> has_diagram(mermaid_block("graph LR")), has_diagram("<pre><code>graph LR</code></pre>")
(True, False)
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["MATH_SHORTCODES", "MERMAID_LANGUAGE", "has_diagram", "has_math", "mermaid_block"]

MERMAID_LANGUAGE = "mermaid"
"""The fence language that is a diagram, not code."""

MATH_SHORTCODES = frozenset({"katex"})
"""Shortcodes that switch KaTeX on for their page."""

_MERMAID_OPEN = '<pre class="mermaid">'


def mermaid_block(source: str) -> str:
    """The diagram element for Mermaid `source` (surrounding blank lines and spaces dropped)."""
    escaped = source.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return f"{_MERMAID_OPEN}{escaped}</pre>"


def has_diagram(html: str) -> bool:
    """Whether a page's HTML holds a diagram for the theme's script to draw."""
    return _MERMAID_OPEN in html


def has_math(shortcodes_called: Collection[str]) -> bool:
    """Whether a page calls a shortcode that asks for KaTeX."""
    return not MATH_SHORTCODES.isdisjoint(shortcodes_called)
