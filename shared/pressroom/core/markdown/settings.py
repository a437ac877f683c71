"""The Markdown settings of a site: the value `site.yaml` (or a Hugo configuration) configures and
the converter reads, in a module of its own so neither has to import the other."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MarkupSettings:
    """How Markdown becomes HTML: Hugo's `markup.goldmark` switches (and `enableEmoji`), Hugo's defaults."""

    unsafe: bool = False
    """Raw HTML in Markdown is kept (goldmark `renderer.unsafe`); otherwise it is omitted."""
    typographer: bool = True
    footnote: bool = True
    table: bool = True
    strikethrough: bool = True
    tasklist: bool = True
    linkify: bool = True
    emoji: bool = False
    heading_attributes: bool = True
    """``## Title {#id .class}`` sets the heading's attributes (goldmark `parser.attribute.title`)."""
    toc_start_level: int = 2
    """The table of contents' first heading level (Hugo's `markup.tableOfContents.startLevel`)."""
    toc_end_level: int = 3
    """Its last (`endLevel`): Hugo's default lists h2 and h3."""
    toc_ordered: bool = False
    """`<ol>` rather than `<ul>` (`ordered`)."""


DEFAULT_MARKUP = MarkupSettings()
"""Hugo's defaults: the settings of a site that configures no Markdown switch."""
