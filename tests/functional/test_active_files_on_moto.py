"""An author's active files through the real handler on moto: published inert, with the headers the
full build gives them (SPEC 3.5 and 3.3.1: the headers are part of the published state)."""

from __future__ import annotations

from support.accounts import Site, assert_converged


def test_an_authors_script_and_svg_publish_inert_and_an_html_file_is_reported(site: Site) -> None:
    site.put("posts/b/index.md", b"---\ntitle: B\ndate: 2025-01-01\n---\n![d](x.svg)\n")
    site.put("posts/b/evil.js", b"alert(document.cookie)")
    site.put("posts/b/x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    site.put("posts/b/evil.html", b"<script>alert(1)</script>")
    site.drain()
    assert_converged(site)
    published = site.published()
    assert published["posts/b/evil.js"][1] == "text/plain; charset=utf-8"
    assert published["posts/b/x.svg"][1:4:2] == ("image/svg+xml", "attachment")
    assert "posts/b/evil.html" not in published
    assert any("HTML file" in problem for problem in site.errors()["posts/b/evil.html"])
    site.put("posts/b/x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>')
    site.drain()
    assert_converged(site)
    assert site.published()["posts/b/x.svg"][3] == "attachment"
