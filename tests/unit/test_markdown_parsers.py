"""The two Markdown parsers give one HTML (issue 23.1): pyromark's events (`fast`) for most pages,
markdown-it-py (`mdit`) for the constructs `fast.FALLBACK_REASONS` names.

Whatever a page is parsed by, its HTML, headings, TOC entries, links, images and summary split
are the same: every CommonMark spec example and the constructs of real blogs, under Hugo's
defaults and with the switches turned, are rendered both ways and compared whole. A page falls
back only for a named reason, and each reason is seen to fall back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText

from pressroom.core.markdown import fast
from pressroom.core.markdown.converter import render_markdown
from pressroom.core.markdown.fast import FALLBACK_REASONS, Fallback, normalize_link, normalize_link_text, render_fast
from pressroom.core.markdown.mdit import mdit_body
from pressroom.core.markdown.settings import MarkupSettings

SPEC = Path(__file__).parents[1] / "fixtures" / "commonmark" / "spec-0.31.2.json"

BLOG = {
    "headings": "# Title\n\n## Hello, World!\n\n## Ελληνικά και 日本語\n\n## Hello, World!\n\n"
    "#### Deep `code` [link](/x)[^n]\n",
    "footnotes": "One[^1], two[^b] and one again[^1].\n\n[^b]: Bee.\n\n    More bee.\n[^1]: One *note* <https://x.example>.\n",
    "tasks": "- [x] done\n- [ ] to do\n  - nested\n\n1. [ ] loose\n\n2. [x] item\n",
    "table": "| Left | Centre | Right | None |\n|:-----|:------:|------:|------|\n| a | *b* | `c` |\n| d |\n",
    "linkify": "See https://example.org/a?b=c, www.example.com. Mail me@example.org! ftp://f.example/x)\n",
    "typographer": '"Quoted" and \'single\' -- en, --- em... <<angle>> it\'s the \'90s, "*em*" ["a"](/l)\n',
    "divider": 'Intro.\n\n<!--more-->\n\nRest with a [link](/r) and ![image](pic.png "t").[^1]\n\n[^1]: Note.\n',
    "divider-last": "Only intro.\n\n<!--more-->\n",
    "comments": "Visible <!-- an author's note --> text.\n\n<!--\nhidden\n-->\n\nMore <!-->.\n",
    "raw-inline": 'Some <span class="x">inline</span> HTML and <b>bold</b> <a href="http://x.example">a</a>.\n',
    "code": "```python\nx = 1\n```\n\n```mermaid\ngraph LR\n```\n\n```unknownlang\n<x>\n```\n\n    indented\n",
    "images": "![alt *em* `c`](rel/pic.png) ![](/abs.png) ![x](http://h.example/i.png) [![in](a.png)](/l)\n",
    "emoji": "Happy :smile: and :+1: :not_an_emoji:\n",
    "breaks": "line one  \nline two\\\nthree\nfour\n\n---\n\n> quote\n> > nested\n\n>\n",
    "lists": "- a\n- b\n\n  c\n- \n\n3. three\n4. four\n\n* * *\n",
    "autolinks": "<https://x.example/a%20b?c> <me@x.example> <HTTP://UPPER.example/>\n",
    "unicode-url": "[u](https://exämple.org/päth) <https://xn--exmple-cua.org/>\n",
    "attributes": '## Title {#custom}\n\n## T {.c #i key=v data-x="y z" onclick=f}\n\n## Esc \\{#x}\n\n'
    "## Code `x` {.c}\n\n## A\n\n## B {#a}\n\n## A\n\n## Set {a, b}\n\n## T { }\n\nSetext {#s}\n---\n\nPara {#p}\n",
    "entities": "&copy; &amp; &#35; &quot;x&quot; `&amp;`\n",
}
"""Constructs of the blogs pressroom publishes."""

VARIANTS = {
    "hugo": MarkupSettings(),
    "unsafe": MarkupSettings(unsafe=True),
    "switches-off": MarkupSettings(
        typographer=False, linkify=False, footnote=False, table=False, tasklist=False, heading_attributes=False
    ),
    "emoji": MarkupSettings(emoji=True, strikethrough=False),
}


def _examples() -> dict[str, str]:
    spec = {f"spec-{example['example']}": example["markdown"] for example in json.loads(SPEC.read_text())}
    return {**spec, **BLOG}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_page_pyromark_renders_equals_markdown_it_whole(variant: str) -> None:
    settings = VARIANTS[variant]
    differing = []
    fell_back = 0
    for name, text in _examples().items():
        for base_path in (None, "posts/2024"):
            try:
                body = render_fast(text, settings, base_path)
            except Fallback as reason:
                assert str(reason) in FALLBACK_REASONS
                fell_back += 1
                continue
            if body != mdit_body(text, settings, base_path):
                differing.append(name)
    assert differing == []
    assert fell_back < len(_examples())  # the spec's raw HTML examples; a blog's page rarely


@pytest.mark.parametrize("name", sorted(BLOG))
def test_the_constructs_of_real_blogs_need_no_fallback(name: str) -> None:
    render_fast(BLOG[name], MarkupSettings(), None)


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        ("raw HTML block", "<div>\n*emphasis* inside\n</div>\n"),
        ("raw HTML tag with Markdown inside", 'An <a title="*x*">tag</a>.\n'),
        ("linkify across an escape", "See http://example.org/a\\_b or <foo\\+@bar.example.com>.\n"),
        ("unsafe URL", "[click](javascript:alert(1)) ![i](data:image/svg+xml;base64,PHN2Zz4=)\n"),
    ],
)
def test_each_fallback_is_taken_for_its_construct_and_renders_as_markdown_it(reason: str, text: str) -> None:
    with pytest.raises(Fallback, match=reason):
        render_fast(text, MarkupSettings(), None)
    assert render_markdown(text).html == mdit_body(text, MarkupSettings(), None).html


def test_without_pyromark_every_page_is_rendered_by_markdown_it_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    text = BLOG["footnotes"] + BLOG["headings"] + BLOG["divider"]
    with_pyromark = render_markdown(text, summary_length=5)
    monkeypatch.setattr(fast, "pyromark", None)
    with pytest.raises(Fallback, match="pyromark not installed"):
        render_fast(text, MarkupSettings(), None)
    assert render_markdown(text, summary_length=5) == with_pyromark


@pytest.mark.parametrize(
    "url",
    [
        "/a b/ü?x=1&y=%41#f",
        "https://Example.ORG/Päth?q=ä",
        "https://exämple.org/",
        "https://xn--exmple-cua.org/x",
        "mailto:me@exämple.org",
        "http://[::1]:8080/a b",
        "//host.example/p",
        "rel/pic.png",
        "%E2%9C%93 done",
        "HTTP://UPPER.example/%zz",
    ],
)
def test_link_normalisation_equals_markdown_its(url: str) -> None:
    assert normalize_link(url) == normalizeLink(url)
    assert normalize_link_text(url) == normalizeLinkText(url)


def test_a_page_pyromark_renders_is_published_without_importing_markdown_it() -> None:
    """markdown-it-py is off the cold start: the handler and a build of an ordinary page never load it."""
    code = (
        "import sys\n"
        "from datetime import datetime, UTC\n"
        "import pressroom.shells.handler\n"
        "from pressroom.core.build import build_site\n"
        "page = b'---\\ntitle: A\\n---\\n## Hi\\n\\nA [link](/x), https://x.example, a note.[^1]\\n\\n[^1]: N.\\n'\n"
        "site = build_site({'site.yaml': b'title: T\\n', 'posts/a.md': page}, datetime(2026, 1, 1, tzinfo=UTC))\n"
        "assert 'posts/a/index.html' in site.outputs, site.errors\n"
        "print('markdown_it' in sys.modules, 'pyromark' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False True\n"


def test_heading_attributes_are_goldmarks_and_can_be_turned_off() -> None:
    text = "## Title {#custom .wide}\n\n## Title\n\n## Esc \\{#x}\n"
    on = render_markdown(text)
    assert on.html == (
        '<h2 id="custom" class="wide">Title</h2>\n<h2 id="title">Title</h2>\n<h2 id="esc-x">Esc {#x}</h2>\n'
    )
    assert on.headings[0] == (2, "custom", "Title")
    off = render_markdown(text, markup=MarkupSettings(heading_attributes=False))
    assert off.headings[0] == (2, "title-custom-wide", "Title {#custom .wide}")
