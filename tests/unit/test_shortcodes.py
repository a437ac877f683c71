"""Hugo shortcodes: parsed as Hugo parses them, rendered with Jinja2 templates a site can override."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.core.build import build_site
from pressroom.core.markdown.converter import render_markdown
from pressroom.core.markdown.shortcodes import ShortcodeCall, ShortcodePage, parse_tags
from pressroom.core.reading.lint import check_site

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = ShortcodePage(key="posts/x/index.md", params={"mood": "sunny"}, site_params={"author": {"name": "Ada"}})


def render(text: str, page: ShortcodePage = PAGE) -> str:
    return render_markdown(text, shortcodes=page).html


def post(body: str, front: str = "title: X\ndate: 2025-01-01\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name", "positional", "named"),
    [
        ('{{< figure src="a.png" alt="A \\"cat\\"" >}}', "figure", (), {"src": "a.png", "alt": 'A "cat"'}),
        ("{{<gallery>}}", "gallery", (), {}),
        ("{{< youtube 0RKpf3rK57I >}}", "youtube", ("0RKpf3rK57I",), {}),
        ("{{% details open=true n=3 %}}", "details", (), {"open": True, "n": 3}),
        ('{{< raw `a "b" c` >}}', "raw", ('a "b" c',), {}),
        ("{{< icon name=github />}}", "icon", (), {"name": "github"}),
        ('{{< x\n  user="a"\n  id="1" >}}', "x", (), {"user": "a", "id": "1"}),
    ],
)
def test_parameters_are_read_as_hugo_reads_them(
    source: str, name: str, positional: tuple[object, ...], named: dict[str, object]
) -> None:
    (tag,) = parse_tags(source)
    assert (tag.name, tag.positional, dict(tag.named)) == (name, positional, named)


def test_get_reads_positional_and_named_parameters() -> None:
    call = ShortcodeCall("x", ("first",), {"k": "v"})
    assert (call.get(0), call.get(1, "none"), call.get("k"), call.get("missing")) == ("first", "none", "v", None)


def test_shortcodes_in_code_are_left_as_written() -> None:
    html = render("`{{< alert >}}` and\n\n```\n{{< alert >}}\n```\n")
    assert html.count("{{&lt; alert &gt;}}") == 2
    assert "alert-text" not in html


def test_a_commented_shortcode_prints_itself_even_in_code() -> None:
    html = render('```\n{{</* figure src="x.png" */>}}\n```\n')
    assert "{{&lt; figure src=&quot;x.png&quot; &gt;}}" in html


# --- rendering -----------------------------------------------------------------------------


def test_a_paired_closing_tag_never_lands_in_a_list_item() -> None:
    html = render('{{< alert "circle-info" >}}\n**Note**:\n- one\n- two\n{{< /alert >}}\n\nAfter.\n')
    assert "{{" not in html
    assert "<li>two</li>\n</ul></div>" in html
    assert html.endswith("<p>After.</p>\n")


def test_without_spaces_a_shortcode_is_not_read_as_html() -> None:
    html = render('{{<gallery>}}\n<img src="a.jpg" class="grid-w50" />\n<img src="b.jpg" />\n{{</gallery>}}\n')
    assert '<div class="gallery">' in html
    assert '<img src="a.jpg" alt="" class="grid-w50" loading="lazy">' in html
    assert "&lt;img" not in html


def test_percent_form_inner_is_markdown_and_angle_form_inner_is_raw() -> None:
    assert "<em>md</em>" in render("{{% details %}}\n*md*\n{{% /details %}}\n")
    # The < form hands its inner text to the template as written: mermaid shows it escaped.
    assert "A --&gt; *B*" in render("{{< mermaid >}}\nA --> *B*\n{{< /mermaid >}}\n")


def test_nested_shortcodes_render_inside_their_parent() -> None:
    html = render("{{< alert >}}\nSee {{< badge >}}New{{< /badge >}} here.\n{{< /alert >}}\n")
    assert '<div class="alert-text">See <span class="badge">New</span> here.</div>' in html


def test_an_inline_shortcode_stays_in_its_paragraph() -> None:
    assert render('Star {{< icon "star" >}} me.\n') == (
        '<p>Star <span class="icon icon-star" aria-hidden="true"></span> me.</p>\n'
    )


def test_block_shortcodes_on_consecutive_lines_are_not_wrapped_in_a_paragraph() -> None:
    html = render('{{< figure src="a.png" >}}\n{{< github repo="nunocoracao/blowfish" >}}\n')
    assert not html.startswith("<p>")
    assert '<a href="https://github.com/nunocoracao/blowfish" rel="noopener">' in html


def test_embeds_are_links_with_no_inline_script_or_style() -> None:
    html = render(
        '{{< youtube dQw4w9WgXcQ >}}\n{{< youtubeLite id="SgXhGb-7QbU" label="Demo" >}}\n'
        '{{< vimeo 146022717 >}}\n{{< x user="SanDiegoZoo" id="1453110110599868418" >}}\n'
        "{{< instagram CxOWiQNP2MO >}}\n{{< gist spf13 7896402 >}}\n"
        '{{< chart >}}\ntype: "bar"\n{{< /chart >}}\n{{< katex >}}\n'
    )
    assert "<script" not in html and "style=" not in html and "<iframe" not in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert "▶ Demo" in html and "<img" not in html  # no request to YouTube until a reader follows the link
    assert 'href="https://vimeo.com/146022717"' in html
    assert 'href="https://x.com/SanDiegoZoo/status/1453110110599868418"' in html
    assert 'href="https://www.instagram.com/p/CxOWiQNP2MO/"' in html
    assert 'href="https://gist.github.com/spf13/7896402"' in html


def test_figure_caption_is_markdown_and_alt_falls_back_to_it() -> None:
    html = render('{{< figure src="cat.jpg" caption="A **cat**" link="https://cats.example" >}}\n')
    assert '<a href="https://cats.example"><img src="cat.jpg" alt="A cat" loading="lazy"></a>' in html
    assert "<figcaption><p>A <strong>cat</strong></p></figcaption>" in html


def test_highlight_param_and_ref() -> None:
    html = render('{{< highlight python >}}\nprint("hi")\n{{< /highlight >}}\n')
    assert '<code class="language-python" data-lang="python">' in html
    assert render('Mood: {{< param "mood" >}}, by {{< param "author.name" >}}.\n') == "<p>Mood: sunny, by Ada.</p>\n"
    assert render('[next]({{< ref "/posts/other.md" >}})\n') == '<p><a href="/posts/other/">next</a></p>\n'


def test_parameters_are_escaped_in_the_html() -> None:
    html = render('{{< figure src="x.png" alt="<script>alert(1)</script>" >}}\n')
    assert "<script>" not in html


def test_an_unknown_shortcode_shows_its_inner_content_never_the_braces() -> None:
    rendered = render_markdown("Hi.\n\n{{< mine a=1 >}}\ninner *text*\n{{< /mine >}}\n{{< other >}}\n", shortcodes=PAGE)
    assert "{{" not in rendered.html
    assert "<p>inner <em>text</em></p>" in rendered.html
    assert [(u.line, u.name) for u in rendered.unknown_shortcodes] == [(3, "mine"), (6, "other")]


# --- in a site -----------------------------------------------------------------------------


def test_a_site_template_overrides_the_theme_and_adds_its_own() -> None:
    files = {
        "posts/a.md": post('{{< alert >}}Hi{{< /alert >}}\n\n{{< mine who="you" >}}\n'),
        "layouts/shortcodes/alert.html": b'<aside class="mine">{{ inner | markdownify }}</aside>',
        "layouts/shortcodes/mine.html": b"<p>Hello {{ get('who') }} from {{ page.params.title }}</p>",
    }
    html = build_site(files, NOW).outputs["posts/a/index.html"].decode()
    assert '<aside class="mine">Hi</aside>' in html
    assert "<p>Hello you from X</p>" in html


def test_check_names_the_file_line_and_unknown_shortcode() -> None:
    files = {"posts/a.md": post("Text.\n\n{{< unknowncode >}}\n")}
    report = check_site(files, NOW)
    (finding,) = [f for f in report.findings if "shortcode" in f.message]
    assert (finding.source_key, finding.line) == ("posts/a.md", 7)
    assert "unknowncode" in str(finding)
    assert finding.error is False


def test_a_broken_site_template_names_its_file() -> None:
    files = {
        "posts/a.md": post("{{< mine >}}\n"),
        "layouts/shortcodes/mine.html": b"{% if %}",
    }
    site = build_site(files, NOW)
    assert any("layouts/shortcodes/mine.html" in str(error) for error in site.errors)


def test_script_links_in_parameters_are_refused_as_in_markdown() -> None:
    html = render(
        '{{< button href="javascript:alert(1)" >}}Go{{< /button >}}\n'
        '{{< figure src="javascript:x" link="JaVaScRiPt:alert(1)" >}}\n'
        '{{< gallery >}}<img src="javascript:y">{{< /gallery >}}\n'
    )
    assert "javascript" not in html.lower()


def test_a_sites_hugo_go_shortcodes_do_not_break_the_build_and_check_asks_for_a_port() -> None:
    files = {
        "posts/a.md": post("{{< alert >}}Hi{{< /alert >}}\n\n{{< mine >}}inner *text*{{< /mine >}}\n"),
        "layouts/shortcodes/alert.html": b'<div class="x">{{ .Inner | markdownify }}</div>',
        "layouts/shortcodes/mine.html": b'{{ with .Get "who" }}{{ . }}{{ end }}{{ .Inner }}',
    }
    site = build_site(files, NOW)
    assert site.errors == []
    html = site.outputs["posts/a/index.html"].decode()
    assert '<div class="alert-text">Hi</div>' in html  # the built-in alert
    assert "<p>inner <em>text</em></p>" in html  # no usable template: the inner content
    findings = {f.source_key: f for f in check_site(files, NOW).findings}
    assert "port it to Jinja2" in findings["layouts/shortcodes/mine.html"].message
    assert "port it to Jinja2" in findings["layouts/shortcodes/alert.html"].message


def test_check_sees_the_images_and_links_of_shortcodes() -> None:
    files = {
        "posts/a/index.md": post('{{< figure src="missing.png" link="/nowhere/" >}}\n{{< figure src="here.png" >}}\n'),
        "posts/a/here.png": b"png",
    }
    report = check_site(files, NOW)
    problems = sorted(f.message for f in report.errors)
    assert problems == ["broken internal link '/nowhere/'", "missing image 'missing.png'"]


def test_a_ref_in_a_link_links_to_the_page_whatever_its_url_holds() -> None:
    # A real Blowfish blog: `[Part 2]({{< ref "/posts/2511_layout" >}})`. The `_` sent the URL in
    # as a placeholder, which the link's percent-encoding hid from the restore: a broken link.
    rendered = render_markdown('See [Part 2]({{< ref "/posts/2511_file_layout" >}}).\n', shortcodes=PAGE)
    assert rendered.html == '<p>See <a href="/posts/2511_file_layout/">Part 2</a>.</p>\n'
    assert rendered.links == ("/posts/2511_file_layout/",)
    image = render_markdown('![A chart]({{< param "chart_url" >}})\n', shortcodes=ShortcodePage(
        key="posts/x/index.md", params={"chart_url": "/img/my_chart.png"}))  # fmt: skip
    assert '<img src="/img/my_chart.png" alt="A chart"' in image.html
    assert image.images == ("/img/my_chart.png",)
    hostile = render_markdown('[x]({{< param "u" >}})\n', shortcodes=ShortcodePage(
        key="posts/x/index.md", params={"u": "javascript:alert(1)"}))  # fmt: skip
    assert 'href="javascript' not in hostile.html
    hostile = render_markdown('[x]({{< param "u" >}})\n', shortcodes=ShortcodePage(
        key="posts/x/index.md", params={"u": "javascript:alert('_')"}))  # fmt: skip
    assert 'href="javascript' not in hostile.html


def test_typeit_shows_its_text_line_by_line_without_a_script() -> None:
    html = render('{{< typeit lifeLike="true" loop="true" tag=h2 >}}\nHello, I am JYu.\nWelcome.\n{{< /typeit >}}\n')
    assert '<h2 class="typeit">Hello, I am JYu.<br>Welcome.</h2>' in html
    assert "<script" not in html and "{{" not in html
