"""The Markdown renderer: Hugo-like HTML, safe by default, and what pages and checks need."""

from __future__ import annotations

import re

import pytest

from pressroom.core.markdown.converter import hugo_anchor, render_markdown
from pressroom.core.markdown.highlighting import pygments_css
from pressroom.core.markdown.settings import MarkupSettings
from pressroom.core.site.urls import is_safe_url

# --- Markdown features Hugo users expect ---------------------------------------------------


def test_tables_render_with_column_alignment() -> None:
    html = render_markdown("| name | n |\n|------|--:|\n| a | 1 |\n").html
    assert "<table>" in html
    assert "<th>name</th>" in html
    # A class the theme styles, not an inline style: the site's Content-Security-Policy forbids those.
    assert '<td class="text-right">1</td>' in html
    assert "style=" not in render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n").html


def test_strikethrough_renders_as_del_like_goldmark() -> None:
    assert render_markdown("~~gone~~ kept").html == "<p><del>gone</del> kept</p>\n"


def test_footnotes_are_rendered_as_goldmark_renders_them() -> None:
    html = render_markdown("Claim.[^src] Again.[^src]\n\n[^src]: The *source*.\n").html
    assert html == (
        '<p>Claim.<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>'
        ' Again.<sup id="fnref1:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup></p>\n'
        '<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n<li id="fn:1">\n'
        "<p>The <em>source</em>."
        '&#160;<a href="#fnref:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'
        '&#160;<a href="#fnref1:1" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a></p>\n'
        "</li>\n</ol>\n</div>\n"
    )


def test_task_lists_render_disabled_checkboxes() -> None:
    html = render_markdown("- [ ] todo\n- [x] done\n").html
    assert html == (
        '<ul>\n<li><label class="task-list-label"><input disabled="" type="checkbox"> todo</label></li>\n'
        '<li><label class="task-list-label"><input checked="" disabled="" type="checkbox"> done</label></li>\n</ul>\n'
    )


def test_every_heading_gets_a_hugo_style_unique_id() -> None:
    rendered = render_markdown(
        "# Title\n\n## Hello, World!\n\n### Café `au` lait\n\n## Hello, World!\n\n"
        "## Hello, World!\n\n###### Deep_Six 6\n"
    )
    assert rendered.headings == (
        (1, "title", "Title"),
        (2, "hello-world", "Hello, World!"),
        (3, "café-au-lait", "Café au lait"),
        (2, "hello-world-1", "Hello, World!"),
        (2, "hello-world-2", "Hello, World!"),
        (6, "deep_six-6", "Deep_Six 6"),
    )
    assert '<h2 id="hello-world-1">Hello, World!</h2>' in rendered.html
    assert '<h6 id="deep_six-6">' in rendered.html


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("Hello, World!", "hello-world"),
        # A heading of the seed post: the emoji is dropped, the space before it stays (Hugo).
        ("🔄 Rediscovering the Old, Exploring the New", "-rediscovering-the-old-exploring-the-new"),
        ("Ελληνικά και 日本語", "ελληνικά-και-日本語"),
        ("a -- b", "a----b"),
        ("C++ & Rust?", "c--rust"),
        ("İstanbul", "istanbul"),
        ("!!!", "heading"),
    ],
)
def test_hugo_anchor_matches_hugo_github_ids(text: str, anchor: str) -> None:
    assert hugo_anchor(text) == anchor


def test_toc_nests_the_levels_it_is_given_like_hugo() -> None:
    text = "# Title\n\n## One\n\n### One `a`\n\n#### Deep\n\n##### Too deep\n\n## [Two](/x)\n"
    rendered = render_markdown(text, markup=MarkupSettings(toc_end_level=4))
    assert rendered.toc_html == (
        '<nav id="TableOfContents">\n'
        "  <ul>\n"
        '    <li><a href="#one">One</a>\n'
        "      <ul>\n"
        '        <li><a href="#one-a">One <code>a</code></a>\n'
        "          <ul>\n"
        '            <li><a href="#deep">Deep</a></li>\n'
        "          </ul>\n"
        "        </li>\n"
        "      </ul>\n"
        "    </li>\n"
        '    <li><a href="#two">Two</a></li>\n'
        "  </ul>\n"
        "</nav>"
    )


def test_toc_fills_a_skipped_level_with_an_empty_item() -> None:
    toc = render_markdown("### Starts at three\n").toc_html
    assert '<ul>\n    <li>\n      <ul>\n        <li><a href="#starts-at-three">' in toc


def test_toc_is_empty_without_h2_to_h3_headings() -> None:
    assert render_markdown("# Only a title\n\n##### and a tiny one\n\ntext").toc_html == ""
    assert render_markdown("just text").toc_html == ""


# --- code -----------------------------------------------------------------------------------


def test_fenced_code_is_highlighted_with_css_classes_only() -> None:
    html = render_markdown("```python\ndef f(x):\n    return x < 1\n```\n").html
    assert html.startswith(
        '<div class="highlight"><pre tabindex="0">'
        '<code class="language-python" data-lang="python"><span class="k">def</span>'
    )
    assert '<span class="o">&lt;</span>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    ("fence", "expected"),
    [
        ("```\n<b>&</b>\n```\n", '<pre tabindex="0"><code>&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n'),
        (
            "```no-such-language\n<b>\n```\n",
            '<pre tabindex="0"><code class="language-no-such-language" data-lang="no-such-language">'
            "&lt;b&gt;\n</code></pre>\n",
        ),
    ],
)
def test_code_without_a_known_language_is_escaped_plain(fence: str, expected: str) -> None:
    assert render_markdown(fence).html == expected


def test_pygments_css_has_scoped_light_and_dark_rules() -> None:
    css = pygments_css()
    light, dark = css.split("@media (prefers-color-scheme: dark) {")
    assert ".highlight .k {" in light
    assert ".highlight .k {" in dark
    assert dark.rstrip().endswith("}")
    # Only rules for highlighted code: nothing that restyles every <pre> of the site.
    selectors = re.findall(r"^\s*([^@{}\s][^{]*?)\s*\{", css, re.MULTILINE)
    assert selectors
    assert all(selector.startswith(".highlight") for selector in selectors)


# --- safety -----------------------------------------------------------------------------------


def test_raw_html_is_escaped_by_default() -> None:
    html = render_markdown('<script>alert(1)</script>\n\nHi <img src=x onerror="alert(1)">').html
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_raw_html_passes_through_when_unsafe_html() -> None:
    html = render_markdown('<div class="box">\n\nHi <kbd>K</kbd>\n\n</div>', unsafe_html=True).html
    assert '<div class="box">' in html
    assert "<kbd>K</kbd>" in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](java&#9;script:alert(1))",
        "[x](java\nscript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](%6Aavascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "![x](javascript:alert(1))",
    ],
)
def test_script_urls_never_become_links(source: str) -> None:
    rendered = render_markdown(source)
    assert "<a " not in rendered.html
    assert "<img" not in rendered.html
    assert rendered.links == ()
    assert "alert(1)" in rendered.html or "msgbox" in rendered.html or "PHNj" in rendered.html


def test_data_image_urls_are_allowed_for_images() -> None:
    rendered = render_markdown("![dot](data:image/png;base64,iVBORw0KGgo=)")
    assert rendered.images == ("data:image/png;base64,iVBORw0KGgo=",)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=c", True),
        ("/posts/x/", True),
        ("cat.png", True),
        ("mailto:me@example.org", True),
        ("data:image/webp;base64,AAAA", True),
        ("data:image/svg+xml,<svg onload=alert(1)>", False),
        (" \x01JavaScript:alert(1)", False),
        ("java\u200bscript:alert(1)", False),
        ("file:///etc/passwd", False),
    ],
)
def test_is_safe_url(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def test_html_in_link_titles_and_alt_text_is_escaped() -> None:
    html = render_markdown('[x](/a "<script>\\"") ![<b>"alt"</b>](cat.png "t<i>")').html
    assert 'title="&lt;script&gt;&quot;"' in html
    assert 'alt="&lt;b&gt;&quot;alt&quot;&lt;/b&gt;"' in html
    assert 'title="t&lt;i&gt;"' in html
    assert "<script" not in html


# --- images and links -------------------------------------------------------------------------


def test_images_keep_alt_relative_src_and_load_lazily() -> None:
    rendered = render_markdown("![A cat on a mat](cat.png)")
    assert rendered.html == '<p><img src="cat.png" alt="A cat on a mat" loading="lazy"></p>\n'
    assert rendered.images == ("cat.png",)


def test_links_and_images_are_listed_in_document_order() -> None:
    rendered = render_markdown(
        "# [Home](/)\n\nSee [a](/posts/a/) and <https://example.org> ![p](img/p.jpg).[^n]\n\n"
        "| [t](/t/) | ![q](q.png) |\n|---|---|\n\n[^n]: From [b](../b/).\n"
    )
    assert rendered.links == ("/", "/posts/a/", "https://example.org", "/t/", "../b/")
    assert rendered.images == ("img/p.jpg", "q.png")


# --- summary ---------------------------------------------------------------------------------


def test_explicit_summary_is_rendered_as_inline_markdown() -> None:
    rendered = render_markdown("Body text.", summary="A *short* <b>intro</b>\n")
    assert rendered.summary_html == "A <em>short</em> &lt;b&gt;intro&lt;/b&gt;"
    assert rendered.truncated is True


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_more_divider_splits_summary_from_the_rest(unsafe_html: bool) -> None:
    rendered = render_markdown("First *para*.\n<!--more-->\nSecond para.\n", unsafe_html=unsafe_html)
    assert rendered.summary_html == "<p>First <em>para</em>.</p>\n"
    assert rendered.html == "<p>First <em>para</em>.</p>\n<p>Second para.</p>\n"
    assert "more" not in rendered.html
    assert rendered.truncated is True


def test_more_divider_at_the_end_is_not_truncated() -> None:
    rendered = render_markdown("All there is.\n\n<!--more-->\n")
    assert rendered.summary_html == "<p>All there is.</p>\n"
    assert rendered.truncated is False


def test_more_divider_inside_code_is_just_code() -> None:
    rendered = render_markdown("```\n<!--more-->\n```\n\nafter")
    assert "&lt;!--more--&gt;" in rendered.html
    assert rendered.summary_html == "<p>&lt;!--more--&gt;</p><p>after</p>"
    assert rendered.truncated is False


def test_automatic_summary_takes_the_first_words_of_the_text() -> None:
    body = "## Heading\n\n" + " ".join(f"w{i}" for i in range(1, 100)) + " <tag> & more"
    rendered = render_markdown(body, summary_length=5)
    assert rendered.summary_html == "w1 w2 w3 w4 w5…"
    assert rendered.truncated is True

    short = render_markdown("Just **a** <few> words", summary_length=5)
    assert short.summary_html == "Just a &lt;few&gt; words"
    assert short.truncated is False


def test_automatic_summary_keeps_paragraphs_apart_and_leaves_headings_out() -> None:
    """Issue 12: "…harder than they looked. The shape of the system Two buckets…" on list pages."""
    body = "They were harder than they looked.\n\n## The shape of the system\n\nTwo buckets and a queue."
    rendered = render_markdown(body, summary_length=8)
    assert rendered.summary_html == "<p>They were harder than they looked.</p><p>Two buckets…</p>"
    assert rendered.truncated is True
    assert "shape" not in rendered.summary_html


def test_task_list_checkboxes_are_labelled_by_their_text() -> None:
    rendered = render_markdown("- [x] write *tests*\n- [ ] ship")
    assert '<li><label class="task-list-label"><input checked="" disabled="" type="checkbox">' in rendered.html
    assert " write <em>tests</em></label>" in rendered.html
    assert 'type="checkbox"> ship</label>' in rendered.html


def test_tables_scroll_in_a_focusable_region() -> None:
    rendered = render_markdown("| a | b |\n| - | - |\n| 1 | 2 |")
    assert rendered.html.startswith('<div class="table-wrap" tabindex="0" role="region" aria-label="Table"><table>')
    assert rendered.html.endswith("</table>\n</div>\n")


def test_explicit_summary_wins_over_the_divider() -> None:
    rendered = render_markdown("Before\n\n<!--more-->\n\nAfter", summary="Mine")
    assert rendered.summary_html == "Mine"
    assert rendered.html == "<p>Before</p>\n<p>After</p>\n"


# --- text, word count, reading time -----------------------------------------------------------


def test_plain_text_strips_tags_and_keeps_code() -> None:
    rendered = render_markdown("# Title\n\nA *b* [c](/c) &amp; d.\n\n```python\nx = 1 < 2\n```\n\n- one\n- two\n")
    assert rendered.plain_text == "Title A b c & d. x = 1 < 2 one two"
    assert rendered.word_count == 13


@pytest.mark.parametrize(("words", "minutes"), [(0, 0), (1, 1), (213, 1), (214, 2), (640, 4)])
def test_reading_time_is_hugos_ceil_of_words_over_213(words: int, minutes: int) -> None:
    rendered = render_markdown(" ".join(["word"] * words))
    assert rendered.word_count == words
    assert rendered.reading_time == minutes


# --- determinism and a real post ------------------------------------------------------------


def test_same_input_gives_the_same_output() -> None:
    text = "# T\n\n## A\n\n- [ ] task\n\nx[^1]\n\n```python\nprint(1)\n```\n\n| a |\n|---|\n| 1 |\n\n[^1]: n\n"
    assert render_markdown(text) == render_markdown(text)


# Lines of ../shared/fixtures/seed-post.md as they arrive, encoding damage included.
SEED_POST_LINES = """\
# Why I Started This AI Blog: A Personal Manifesto

## A Journey Through AI Landscapes

Let me start by sharing a bit about my journey through the life and work in AI. My path \
through AI has been incredibly enriching‚Äîfrom academic research to startups to big tech‚Äîeach \
experience taught me something valuable.

## \uf8ffüîÑ Rediscovering the Old, Exploring the New
"""


def test_seed_post_shape_renders_ids_toc_and_summary() -> None:
    rendered = render_markdown(SEED_POST_LINES, summary_length=11)
    assert [anchor for _, anchor, _ in rendered.headings] == [
        "why-i-started-this-ai-blog-a-personal-manifesto",
        "a-journey-through-ai-landscapes",
        "üîñ-rediscovering-the-old-exploring-the-new",
    ]
    assert rendered.toc_html.count("<li>") == 2
    assert rendered.summary_html == "Let me start by sharing a bit about my journey through…"


def test_cjk_words_summaries_and_reading_time_count_as_hugo_counts_them() -> None:
    # Hugo's hasCJKLanguage: a non-ASCII word counts a word per character, and a page with Han,
    # Hangul or kana reads at 501 words a minute. Without it, "很好的文章" is one word.
    text = "这是一篇关于静态网站的文章 with some English words.\n\n" + "很长的段落" * 150 + "\n"
    plain = render_markdown(text, summary_length=10)
    assert plain.word_count == 6
    counted = render_markdown(text, summary_length=10, cjk=True)
    assert counted.word_count == 13 + 4 + 750
    assert counted.reading_time == 2  # ceil(767 / 501), where 213 a minute would make 4
    assert counted.summary_html == "这是一篇关于静态网站…"  # ten characters, cut inside the word
    assert counted.truncated


def test_html_comments_are_dropped_and_an_unclosed_one_stays_text() -> None:
    """As goldmark with raw HTML off: a comment is an author's note for no reader."""
    assert render_markdown("x <!-- a note --> y <!-- no end\n").html == "<p>x  y &lt;!– no end</p>\n"
    assert render_markdown("<!--\nA hidden block.\n-->\nShown.\n").html == "<p>Shown.</p>\n"
    # A comment runs to the first `-->`; after the last one, every `<!--` stays text.
    assert render_markdown("a <!--x <!-- y --> b <!--x c").html == "<p>a  b &lt;!–x c</p>\n"
    assert render_markdown("a <!-- closed --> b " + "<!--x " * 50).html.count("&lt;!–x") == 50
