"""The theme in a real browser: Debian's chromium, headless, driven by puppeteer-core with axe-core.

`make test` installs both (see the Makefile's `browser` target: chromium from Debian when missing,
the npm packages into tests/browser/node_modules). The sample site is built with `pressroom build`,
served by a tiny static server that resolves `/dir/` to `/dir/index.html`, and every page below is
loaded light and dark, at 1280 and 390 px wide. Screenshots land in build/browser/.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pressroom.shells.cli import main as pressroom

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "build" / "browser"

PAGES = [
    "/",  # home: profile, summaries, thumbnails
    "/posts/serverless-publishing-pipeline/",  # code, a wide table, a table of contents, an SVG image, a series
    # box, a Mermaid diagram and KaTeX maths (drawn under the strict CSP below)
    "/posts/tokenizers-are-not-boring/",  # footnotes
    "/posts/2024/retro/",  # a task list
    "/tags/python/",  # a term page
    "/tags/",  # the taxonomy index
    "/page/2/",  # page 2 of the home list
    "/404.html",
    "/search/?q=python",
    "/search/?q=functools",  # a word only in a post's text: found, in bold in a snippet
]


CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'"
"""A strict policy, as the site is served in production: no inline script or style, nothing from
another origin. A violation is a console error, so the pages below must raise none."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site built into a folder and served on 127.0.0.1 (`/dir/` -> `/dir/index.html`)."""
    out = tmp_path_factory.mktemp("site")
    assert pressroom(["build", str(ROOT / "content"), "--out", str(out)]) == 0
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_pages_pass_axe_and_read_well_light_and_dark_on_desktop_and_phone(served_site: str) -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser tests (Debian: apt-get install nodejs npm)"
    assert (HERE / "node_modules" / "puppeteer-core").is_dir(), "run `make browser` to install the browser tests"
    assert shutil.which("chromium"), "run `make browser` to install Debian's chromium"
    run = subprocess.run(
        [node, str(HERE / "check.mjs"), served_site, str(SCREENSHOTS), *PAGES],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert len(report) == len(PAGES) * 4 + 1
    problems = [f"{r['url']} {r['scheme']} {r['width']}px: {p}" for r in report for p in r["problems"]]
    assert problems == []
    assert min(r["contrast"] for r in report if "contrast" in r) >= 4.5
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(PAGES) * 4
    # The sample's Mermaid flowchart drawn as SVG, its shapes and its labels (the <br/> a line
    # break), and its two formulas, in every scheme and width; no page without them loads either.
    drawn = [r for r in report if r["url"] == "/posts/serverless-publishing-pipeline/"]
    assert len(drawn) == 4
    labels = "changedsame bytesS3 eventa hintRead the keynowRender and writeSkip"
    for r in drawn:
        assert [d["text"] for d in r["diagrams"]] == [labels]
        assert r["diagrams"][0]["shapes"] >= 4
        assert r["formulas"] == 2
    assert all(not r.get("diagrams") and not r.get("formulas") for r in report if r not in drawn)
