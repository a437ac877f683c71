"""An author's active files are inert on the site's origin (SPEC 3.5, core/rendering/mime.py).

A script, XML or SVG in `content/` is published so that no browser runs it as a page or a script;
an HTML file there is not published at all (Hugo refuses it too); the site owner's `static/`
files keep their own types.
"""

from __future__ import annotations

import threading
import urllib.request
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from pressroom.core.build import build_site
from pressroom.core.rendering.mime import INERT_CONTENT_TYPE
from support.images import TINY_PNG

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
BUNDLE = {
    "posts/b/index.md": b"---\ntitle: B\ndate: 2025-01-01\n---\n![diagram](x.svg)\n",
    "posts/b/evil.js": b"alert(document.cookie)",
    "posts/b/x.svg": SVG,
    "posts/b/data.xml": b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "posts/b/page.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "posts/b/photo.png": TINY_PNG,
    "posts/b/evil.html": b"<script>alert(1)</script>",
    "posts/loose.htm": b"<script>alert(1)</script>",
}


def test_an_authors_scripts_xml_and_svg_are_published_inert() -> None:
    site = build_site(BUNDLE, NOW)
    for key in ("posts/b/evil.js", "posts/b/data.xml", "posts/b/page.xhtml"):
        assert site.outputs[key] == BUNDLE[key], "the bytes are the author's, as uploaded"
        assert site.headers(key).content_type == INERT_CONTENT_TYPE
        assert site.headers(key).disposition == ""
    svg = site.headers("posts/b/x.svg")
    assert (svg.content_type, svg.disposition) == ("image/svg+xml", "attachment"), "an <img> still shows it"
    assert site.headers("posts/b/photo.png").content_type == "image/png"
    assert site.headers("posts/b/index.html").content_type == "text/html; charset=utf-8"


def test_an_authors_html_file_is_not_published_and_is_reported_by_name() -> None:
    site = build_site(BUNDLE, NOW)
    assert "posts/b/evil.html" not in site.outputs and "posts/loose.htm" not in site.outputs
    problems = {error.source_key: error.problem for error in site.errors}
    assert set(problems) == {"posts/b/evil.html", "posts/loose.htm"}
    assert "Hugo refuses it too" in problems["posts/b/evil.html"]
    assert "posts/b/index.html" in site.outputs, "the rest of the site publishes"


def test_the_site_owners_static_files_keep_their_types() -> None:
    files = {
        "hugo.toml": b'title = "T"\n',
        "content/posts/b/index.md": b"---\ntitle: B\ndate: 2025-01-01\n---\nText\n",
        "content/posts/b/evil.js": b"alert(1)",
        "static/js/analytics.js": b"console.log('owner')",
        "static/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "static/embed.html": b"<p>the owner's page</p>",
    }
    site = build_site(files, NOW)
    assert site.errors == []
    assert site.headers("js/analytics.js").content_type == "text/javascript; charset=utf-8"
    assert site.headers("logo.svg").disposition == ""
    assert site.headers("embed.html").content_type == "text/html; charset=utf-8"
    assert site.headers("posts/b/evil.js").content_type == INERT_CONTENT_TYPE
    assert site.headers("js/main.js").content_type == "text/javascript; charset=utf-8", "the theme's own script"


def test_the_dev_server_serves_an_authors_files_as_published(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from pressroom.shells.dev import DevLoop, _handler

    for key, body in BUNDLE.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(body)
    loop = DevLoop(tmp_path, 0, SimpleNamespace(quiet=True, as_json=False, fancy=False))
    loop._preview()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(loop.site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/posts/b/evil.js") as answer:
            assert answer.headers["Content-Type"] == INERT_CONTENT_TYPE
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
        with urllib.request.urlopen(f"{base}/posts/b/x.svg") as answer:
            assert answer.headers["Content-Disposition"] == "attachment"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}/posts/b/evil.html")
        assert refused.value.code == 404
    finally:
        server.shutdown()
