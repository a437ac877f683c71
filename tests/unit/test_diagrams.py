"""Diagrams and maths as Hugo with Congo or Blowfish draws them: the markup, the page's flags,
and the libraries linked only from pages that need them (the drawing itself: tests/browser)."""

from __future__ import annotations

from datetime import UTC, datetime

from pressroom.core.build import build_site
from pressroom.core.markdown.converter import render_markdown
from pressroom.core.markdown.shortcodes import ShortcodePage
from pressroom.core.reading.config import SiteConfig
from pressroom.core.reading.content import parse_page
from pressroom.core.site.outputs import THEME_FILES

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = ShortcodePage(key="posts/x.md", params={})
FLOW = "flowchart LR\n  A[Upload<br/>a post] --> B{Valid?}\n"
DRAWN = '<pre class="mermaid">flowchart LR\n  A[Upload&lt;br/&gt;a post] --&gt; B{Valid?}</pre>'


def test_a_mermaid_fence_is_the_diagrams_escaped_source_not_highlighted_code() -> None:
    page = render_markdown(f"Before.\n\n```mermaid\n{FLOW}```\n\nAfter.\n")
    assert page.html == f"<p>Before.</p>\n{DRAWN}\n<p>After.</p>\n"
    assert page.has_diagram and not page.has_math


def test_the_mermaid_shortcode_draws_exactly_as_the_fence_does() -> None:
    page = render_markdown(f"{{{{< mermaid >}}}}\n{FLOW}{{{{< /mermaid >}}}}\n", shortcodes=PAGE)
    assert page.html == DRAWN + "\n"
    assert page.has_diagram


def test_the_katex_shortcode_shows_nothing_and_asks_for_katex() -> None:
    page = render_markdown("{{< katex >}}\nEuler: \\\\(e^{i\\pi} + 1 = 0\\\\)\n", shortcodes=PAGE)
    assert page.html == "<p>Euler: \\(e^{i\\pi} + 1 = 0\\)</p>\n"
    assert page.has_math and not page.has_diagram


def test_code_that_mentions_mermaid_is_no_diagram() -> None:
    page = render_markdown('```html\n<pre class="mermaid">graph LR</pre>\n```\n\n`{{< katex >}}`\n', shortcodes=PAGE)
    assert not page.has_diagram and not page.has_math
    assert "language-mermaid" not in render_markdown("```python\nx = 1\n```\n").html


def test_the_page_body_carries_the_flags() -> None:
    body = parse_page("posts/a.md", f"---\ntitle: A\n---\n```mermaid\n{FLOW}```\n".encode(), SiteConfig()).body
    assert body.has_diagram and not body.has_math
    plain = parse_page("posts/b.md", b"---\ntitle: B\n---\nText.\n", SiteConfig()).body
    assert not plain.has_diagram and not plain.has_math


def test_only_a_page_with_a_diagram_or_maths_links_their_libraries() -> None:
    files = {
        "site.yaml": b"title: T\nbaseURL: https://example.org/\n",
        "posts/diagram.md": f"---\ntitle: D\ndate: 2025-01-01\n---\n```mermaid\n{FLOW}```\n".encode(),
        "posts/maths.md": b"---\ntitle: M\ndate: 2025-01-02\n---\n{{< katex >}}\n$$x^2$$\n",
        "posts/plain.md": b"---\ntitle: P\ndate: 2025-01-03\n---\nText.\n",
    }
    site = build_site(files, NOW)
    assert site.errors == []
    diagram = site.outputs["posts/diagram/index.html"].decode()
    maths = site.outputs["posts/maths/index.html"].decode()
    assert '<script src="/lib/mermaid/mermaid.min.js" defer></script>' in diagram
    assert '<script src="/js/diagrams.js" defer></script>' in diagram and "katex" not in diagram
    assert '<link rel="stylesheet" href="/lib/katex/katex.min.css">' in maths and "mermaid" not in maths
    assert '<script src="/js/maths.js" defer></script>' in maths
    for key in ("posts/plain/index.html", "index.html", "posts/index.html"):
        assert "/lib/" not in site.outputs[key].decode() and "diagrams.js" not in site.outputs[key].decode()
    # Served by the site itself, each library with its licence.
    for key in ("lib/mermaid/mermaid.min.js", "lib/mermaid/LICENSE.txt", "js/diagrams.js", "js/maths.js"):
        assert key in THEME_FILES and site.outputs[key]
    for key in ("lib/katex/katex.min.js", "lib/katex/contrib/auto-render.min.js", "lib/katex/LICENSE.txt"):
        assert key in site.outputs
    assert any(key.startswith("lib/katex/fonts/") and key.endswith(".woff2") for key in site.outputs)
