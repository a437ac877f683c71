"""Code highlighting with Pygments: the spans of a fenced block, and the stylesheet that colours them.

In a module of its own so the theme can build its stylesheet without importing the Markdown
converter. Pygments is imported only when a page has a code block (or the stylesheet is built),
to keep it off the cold start of pages without code.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pygments.formatters.html import HtmlFormatter
    from pygments.lexer import Lexer

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"

_PLAIN_ALIASES = {"plain": "text", "plaintext": "text", "txt": "text", "no-highlight": "text", "nohighlight": "text"}
"""Chroma's names for its plain-text lexer: highlighted as Hugo does, without colours."""


def highlighted(code: str, language: str) -> str | None:
    """`code` as Pygments spans with CSS classes (no wrapper), or None if Pygments has no lexer
    for `language` (a fence's language name, Chroma's plain-text names included)."""
    lexer = _lexer(_PLAIN_ALIASES.get(language.lower(), language))
    if lexer is None:
        return None
    from pygments import highlight

    return highlight(code, lexer, _html_formatter())


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
