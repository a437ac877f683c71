"""Goldmark parity, measured (issue 23.2): the CommonMark spec's 652 examples and the constructs of
real blogs, rendered by pressroom and by the `hugo` binary (goldmark with Hugo's defaults), compared
as a browser reads them (`support.goldmark.canonical`).

Every example that differs is listed below with why; the test fails on a new difference and on a
listed one that no longer differs (remove it: parity only grows). Equal: 550 of 652 (84.4%; 544
before HTML comments were dropped as goldmark drops them), the same 550 before and after the switch
to pyromark (issue 23.1), whose pages are byte for byte what markdown-it-py made of them
(`tests/unit/test_markdown_parsers.py`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressroom.core.markdown.converter import render_markdown
from support.goldmark import canonical, goldmark_html

SPEC = Path(__file__).parents[1] / "fixtures" / "commonmark" / "spec-0.31.2.json"

RAW_HTML_SHOWN = "raw HTML is shown as text (SPEC 3.5: raw HTML off by default); goldmark omits it"
LAZY_IMAGES = 'pressroom adds loading="lazy" to images'
HIGHLIGHT_CLASSES = "code is highlighted with classes, not inline styles: the site's CSP forbids inline styles"

EXPECTED = {
    **dict.fromkeys(
        [
            21,
            31,
            148,
            149,
            150,
            151,
            152,
            153,
            154,
            155,
            156,
            157,
            158,
            159,
            160,
            161,
            162,
            163,
            164,
            165,
            166,
            167,
            168,
            169,
            170,
            171,
            172,
            173,
            174,
            175,
            176,
            178,
            180,
            181,
            182,
            183,
            184,
            185,
            186,
            187,
            188,
            189,
            190,
            191,
            201,
            344,
            475,
            476,
            477,
            491,
            494,
            524,
            536,
            613,
            614,
            615,
            616,
            617,
            623,
            627,
            628,
            629,
            630,
            631,
            642,
            643,
        ],
        RAW_HTML_SHOWN,
    ),
    **dict.fromkeys(
        [517, 520, 531, 572, 573, 574, 575, 576, 577, 578, 579, 580, 581, 582, 583, 584, 585, 586, 587, 588, 589, 591],
        LAZY_IMAGES,
    ),
    **dict.fromkeys([142, 143], HIGHLIGHT_CLASSES),
    12: "the typographer curls an apostrophe after `&` that goldmark leaves straight",
    24: "a fence's info string: markdown-it resolves its backslash escapes (CommonMark), goldmark keeps them",
    34: "a fence's info string: markdown-it resolves its entities (CommonMark), goldmark keeps them",
    41: "the typographer curls quotes around a link title that is not one; goldmark leaves &quot;",
    79: "an empty heading: pressroom gives it an id (`heading`, `heading-1`), goldmark none",
    81: "a setext heading over two lines with emphasis: goldmark gives it no id",
    82: "a setext heading over two lines with emphasis: goldmark gives it no id",
    91: "the typographer curls a closing quote goldmark leaves as &quot; (after `lot of dashes`)",
    95: "a setext heading over two lines: goldmark makes its id from the last line only",
    106: "the typographer: `---` after a line break is an em dash for markdown-it, `-–` for goldmark",
    602: "linkify finds the URL inside `<...>` with a space; goldmark's linkify does not",
    620: "the typographer curls an apostrophe after `=` that goldmark leaves straight",
}
"""Spec example number -> why pressroom's HTML differs from goldmark's."""

BLOG_PATTERNS = {
    "table": "| Left | Centre | Right |\n|:-----|:------:|------:|\n| a | b | c |\n",
    "footnotes": "Text with a note.[^1] And another.[^long]\n\n[^1]: The note.\n[^long]: A longer note.\n",
    "tasks": "- [x] done\n- [ ] to do\n",
    "strike": "~~gone~~ and ~~also gone~~\n",
    "linkify": "See https://example.org/a?b=c and www.example.com, or mail me@example.org.\n",
    "typographer": "\"Quoted\" and 'single' -- en, --- em... <<guillemets>>\n",
    "headings": "## Hello, World!\n\n## Ελληνικά και 日本語\n\n## C++ & Rust?\n\n## Hello, World!\n",
    "nested": "1. one\n   - a\n   - b\n2. two\n\n> quote\n> > nested\n",
    "plain-fence": "```text\nplain text\n```\n",
    "heading-attributes": '## Title {#custom}\n\n## T {.c #i key=v data-x="y z" onclick=f}\n\n'
    "## Code `x` {.c}\n\n## A\n\n## B {#a}\n\n## A\n\n## Set {a, b}\n\n## T { }\n\nSetext {#s}\n---\n",
    "comment": "Visible <!-- an author's note --> text.\n\n<!--\nA hidden block.\n-->\n\nMore.\n",
}
"""Constructs of the blogs pressroom publishes (the fixtures and the seed post's patterns)."""

BLOG_DIFFERENCES = {
    "table": "a table is wrapped in a focusable, labelled region that scrolls (axe: scrollable-region-focusable)",
    "tasks": "a task's text is a label of its checkbox (axe: a form field has a label)",
    "plain-fence": HIGHLIGHT_CLASSES,
}
"""Constructs whose HTML differs from goldmark's on purpose, and why."""


@pytest.fixture(scope="module")
def spec_examples() -> dict[int, str]:
    return {example["example"]: example["markdown"] for example in json.loads(SPEC.read_text())}


@pytest.fixture(scope="module")
def goldmark(tmp_path_factory: pytest.TempPathFactory, spec_examples: dict[int, str]) -> dict[str, str]:
    snippets = {f"e{number:04d}": text for number, text in spec_examples.items()}
    return goldmark_html(tmp_path_factory.mktemp("hugo"), {**snippets, **BLOG_PATTERNS})


def test_every_spec_example_matches_goldmark_or_is_listed_with_why(
    spec_examples: dict[int, str], goldmark: dict[str, str]
) -> None:
    differing = {
        number
        for number, text in spec_examples.items()
        if canonical(render_markdown(text).html) != canonical(goldmark[f"e{number:04d}"])
    }
    assert sorted(differing - set(EXPECTED)) == [], "new differences from goldmark"
    assert sorted(set(EXPECTED) - differing) == [], "listed differences that are gone: remove them"


@pytest.mark.parametrize("name", sorted(BLOG_PATTERNS))
def test_the_constructs_of_real_blogs_match_goldmark_or_differ_on_purpose(name: str, goldmark: dict[str, str]) -> None:
    same = canonical(render_markdown(BLOG_PATTERNS[name]).html) == canonical(goldmark[name])
    assert same != (name in BLOG_DIFFERENCES), BLOG_DIFFERENCES.get(name, "a new difference from goldmark")
