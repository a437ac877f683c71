"""What a reader sees matches goldmark (Hugo's Markdown renderer), switch by switch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pressroom.core.build import build_site
from pressroom.core.markdown.converter import render_markdown
from pressroom.core.markdown.settings import MarkupSettings
from pressroom.core.markdown.typographer import Typographer, smarten
from pressroom.core.reading.config import parse_config


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Hello," she said.', "“Hello,” she said."),
        ("It's Alice's, I'm sure; don't.", "It’s Alice’s, I’m sure; don’t."),
        ("I've, I'll, you're", "I’ve, I’ll, you’re"),
        ("'Quoted' text", "‘Quoted’ text"),
        ("the '90s and 'twas", "the ’90s and ’twas"),
        ("the Smiths' car", "the Smiths’ car"),
        ("pages 1--2 --- a pause...", "pages 1–2 — a pause…"),
        ("<<guillemets>>", "«guillemets»"),
        ("no change here", "no change here"),
    ],
)
def test_typographer_substitutes_as_goldmark(text: str, expected: str) -> None:
    assert smarten(text) == expected


def test_typographer_keeps_quote_state_across_runs_of_one_block() -> None:
    typographer = Typographer()
    assert typographer.smarten('"open ', "\n", "e") + typographer.smarten('" close', "m", " ") == "“open ” close"


def test_typographer_leaves_code_and_urls_alone() -> None:
    html = render_markdown('"Quote" `"code" --` [it\'s](https://x.example/a--b)\n\n```\n"x" -- y\n```\n').html
    assert html == (
        '<p>“Quote” <code>&quot;code&quot; --</code> <a href="https://x.example/a--b">it’s</a></p>\n'
        '<pre tabindex="0"><code>&quot;x&quot; -- y\n</code></pre>\n'
    )


def test_typographer_works_across_emphasis_and_in_headings() -> None:
    rendered = render_markdown('## Don\'t "*panic*"\n')
    assert rendered.html == '<h2 id="dont-panic">Don’t “<em>panic</em>”</h2>\n'


def test_plain_and_text_fences_get_hugos_wrapper_without_colour() -> None:
    for language in ("plain", "text"):
        html = render_markdown(f"```{language}\n<b>x</b>\n```\n").html
        assert html == (
            f'<div class="highlight"><pre tabindex="0"><code class="language-{language}" '
            f'data-lang="{language}">&lt;b&gt;x&lt;/b&gt;\n</code></pre></div>\n'
        )


def test_relative_links_are_left_as_written() -> None:
    html = render_markdown("[site](example.org) [up](../other/) ![i](cat.png)", base_path="posts/x").html
    assert 'href="example.org"' in html and 'href="../other/"' in html
    # Images are made site-absolute only where the caller asks (a page not published at its folder).
    assert 'src="/posts/x/cat.png"' in html
    assert 'src="cat.png"' in render_markdown("![i](cat.png)").html


def test_bundle_under_a_slug_still_finds_its_images() -> None:
    front = b"---\ntitle: T\ndate: 2025-01-01\nslug: better\n---\n![i](cat.png) [x](example.org)\n"
    site = build_site({"posts/trip/index.md": front, "posts/trip/cat.png": b"png"}, datetime(2026, 1, 1, tzinfo=UTC))
    html = site.outputs["posts/better/index.html"].decode()
    # As in Hugo, a bundle's files are published beside the page, wherever its slug puts it.
    assert 'src="cat.png"' in html and 'href="example.org"' in html
    assert site.outputs["posts/better/cat.png"] == b"png"


def test_linkify_links_urls_and_www_but_not_bare_host_names() -> None:
    html = render_markdown(
        "See https://example.com/a_(b). Or www.example.org, not example.net; mail me@example.com"
    ).html
    assert '<a href="https://example.com/a_(b)">https://example.com/a_(b)</a>.' in html
    assert '<a href="https://www.example.org">www.example.org</a>,' in html  # as the hugo binary links it
    assert "example.net;" in html and 'href="http://example.net"' not in html
    assert '<a href="mailto:me@example.com">me@example.com</a>' in html


def test_emoji_codes_only_when_enabled() -> None:
    assert render_markdown("Hi :smile: `:smile:`").html == "<p>Hi :smile: <code>:smile:</code></p>\n"
    html = render_markdown("Hi :smile: :nope: `:smile:`", markup=MarkupSettings(emoji=True)).html
    assert html == "<p>Hi 😄 :nope: <code>:smile:</code></p>\n"


@pytest.mark.parametrize(
    ("switch", "source", "on", "off"),
    [
        ("typographer", "it's", "it’s", "it's"),
        ("table", "| a |\n|---|\n| 1 |", "<table>", "| a |"),
        ("strikethrough", "~~x~~", "<del>x</del>", "~~x~~"),
        ("tasklist", "- [x] done", 'type="checkbox"', "[x] done"),
        ("linkify", "https://example.com", '<a href="https://example.com">', "<p>https://example.com</p>"),
        ("footnote", "a[^1]\n\n[^1]: n", 'class="footnote-ref"', '<a href="n">^1</a>'),
        ("unsafe", "<kbd>K</kbd>", "<kbd>K</kbd>", "&lt;kbd&gt;"),
    ],
)
def test_every_markup_switch_is_honoured(switch: str, source: str, on: str, off: str) -> None:
    defaults = MarkupSettings()
    enabled = render_markdown(source, markup=MarkupSettings(**{**defaults.__dict__, switch: True})).html
    disabled = render_markdown(source, markup=MarkupSettings(**{**defaults.__dict__, switch: False})).html
    assert on in enabled and on not in disabled
    assert off in disabled


def test_site_yaml_takes_hugos_markup_names_and_unsafe_html_is_the_same_setting() -> None:
    config, warnings = parse_config(
        "unsafeHTML: true\nenableEmoji: true\n"
        "markup:\n  goldmark:\n    extensions:\n      typographer: false\n      footnote: {enable: false}\n"
        "    parser: {attribute: {block: true, title: false}}\n"
    )
    assert config.markup == MarkupSettings(
        unsafe=True, typographer=False, footnote=False, emoji=True, heading_attributes=False
    )
    assert config.unsafeHTML is True
    assert warnings == ["site.yaml: markup.goldmark.parser.attribute.block is ignored"]
    nested, _ = parse_config("markup:\n  goldmark:\n    renderer:\n      unsafe: true\n")
    assert nested.unsafeHTML is True


def test_markup_settings_reach_the_rendered_site() -> None:
    files = {
        "site.yaml": b"markup: {goldmark: {extensions: {typographer: false}}}\nenableEmoji: true\n",
        "posts/a.md": b"---\ntitle: A\ndate: 2025-01-01\n---\nIt's :tada:\n",
    }
    html = build_site(files, datetime(2026, 1, 1, tzinfo=UTC)).outputs["posts/a/index.html"].decode()
    assert "<p>It's 🎉</p>" in html


def test_markup_and_site_shortcodes_survive_the_index_round_trip() -> None:
    # The event path stores the settings as JSON-like data and reads them back.
    import json

    from pressroom.core.reading.config import config_from_data, config_to_data, settings_of

    settings = settings_of(
        {
            "site.yaml": b"unsafeHTML: true\nenableEmoji: true\n",
            "layouts/shortcodes/note.html": b"<aside>{{ inner }}</aside>",
        }
    )
    again = config_from_data(json.loads(json.dumps(config_to_data(settings.config))))
    assert again == settings.config
    assert again.shortcodes == (("note.html", "<aside>{{ inner }}</aside>"),)
    assert config_from_data({"unsafeHTML": True}).markup.unsafe is True  # data stored before markup


def test_the_seed_post_reads_as_hugo_shows_it_once_repaired() -> None:
    from pathlib import Path

    from pressroom.core.reading.config import SiteConfig
    from pressroom.core.reading.content import parse_page
    from pressroom.core.reading.mojibake import repair

    seed = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "seed-post.md"
    # Outside this workspace a few of its lines stand in for the fixture.
    text = (
        seed.read_text("utf-8")
        if seed.is_file()
        else "---\ntitle: M\ndate: 2025-07-12\n---\n## 🔄 Rediscovering the Old, Exploring the New\n\n"
        "I've experienced firsthand how education can transform lives—it allowed me...\n\n---\n\n*P.S.*\n"
    )
    body = parse_page("posts/manifesto.md", repair(text).encode(), SiteConfig()).body.html
    assert '<h2 id="-rediscovering-the-old-exploring-the-new">🔄 Rediscovering the Old, Exploring the New</h2>' in body
    assert "I’ve experienced firsthand how education can transform lives—it allowed me" in body
    assert "<hr>" in body and "{{" not in body
