"""The theme in a real browser: Debian's chromium, headless, driven by puppeteer-core with axe-core.

`make test` installs both (see the Makefile's `browser` target: chromium from Debian when missing,
the npm packages into tests/browser/node_modules). Two sites are built with `pressroom build`: the
sample site (content/) and the Congo-style Hugo site root of tests/fixtures/hugo-rules (its
config/_default/ asks for a table of contents, heading anchors, sharing links, the author box with
an image from assets/, a footer menu and a copyright line; a post has a Mermaid fence). Each is
served by a tiny static server that resolves `/dir/` to `/dir/index.html`, and every page below is
loaded light and dark, at 1280 and 390 px wide. Screenshots land in build/browser/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pressroom.shells.cli import main as pressroom

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "build" / "browser"
FIXTURE = ROOT / "tests" / "fixtures" / "hugo-rules"

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

SAMPLE_TOC = [
    "The shape of the system",
    "Two buckets and a queue",
    "One function",
    "A CDN that forgets selectively",
    "Configuration",
    "What one change costs",
    "The hard parts",
    "Ordering and races",
    "Time",
    "Determinism",
    "What I would do differently",
]
"""The table of contents of the sample's post with a diagram (h2 and h3, Hugo's default levels)."""

CONGO_PAGES = [
    "/",  # home: the footer menu and the copyright line
    "/posts/diagram/",  # a TOC down to h4, heading anchors, a Mermaid diagram, sharing links, the author box
    "/posts/",  # a section's list, with breadcrumbs
    "/tags/x/",  # a term page
    "/search/?q=reindexed",  # a word in the text of a post only (after its <!--more-->)
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


@contextlib.contextmanager
def _served(out: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 (`/dir/` -> `/dir/index.html`), under the strict CSP."""
    handler = functools.partial(_Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The sample site, built into a folder and served: (the folder, its address)."""
    out = tmp_path_factory.mktemp("site")
    assert pressroom(["build", str(ROOT / "content"), "--out", str(out)]) == 0
    with _served(out) as base:
        yield out, base


@pytest.fixture(scope="module")
def congo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """tests/fixtures/hugo-rules, a Hugo site root with Congo's params, built and served."""
    out = tmp_path_factory.mktemp("congo")
    assert pressroom(["build", str(FIXTURE), "--out", str(out)]) == 0
    with _served(out) as base:
        yield out, base


def _check(base: str, screenshots: Path, pages: list[str]) -> list[dict[str, Any]]:
    """check.mjs's report on `pages` (each light and dark, 1280 and 390 px, then the toggle)."""
    node = shutil.which("node")
    assert node, "node is needed for the browser tests (Debian: apt-get install nodejs npm)"
    assert (HERE / "node_modules" / "puppeteer-core").is_dir(), "run `make browser` to install the browser tests"
    assert shutil.which("chromium"), "run `make browser` to install Debian's chromium"
    run = subprocess.run(
        [node, str(HERE / "check.mjs"), base, str(screenshots), *pages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report: list[dict[str, Any]] = json.loads(run.stdout)
    assert len(report) == len(pages) * 4 + 1
    assert len(list(screenshots.glob("*.png"))) >= len(pages) * 4
    return report


def _problems(report: list[dict[str, Any]]) -> list[str]:
    return [f"{r['url']} {r['scheme']} {r['width']}px: {p}" for r in report for p in r["problems"]]


def _only_in_the_text(out: Path, word: str) -> bool:
    """`word` is in a search record's text, and in no record's title, summary or tags: only a
    search of the pages' text finds it."""
    records = [record for part in sorted(out.glob("search/part-*.json")) for record in json.loads(part.read_bytes())]
    elsewhere = [r for r in records if word in " ".join([r["title"], r["summary"], *r["tags"]]).lower()]
    return elsewhere == [] and any(word in r["text"].lower() for r in records)


def test_pages_pass_axe_and_read_well_light_and_dark_on_desktop_and_phone(sample_site: tuple[Path, str]) -> None:
    out, base = sample_site
    report = _check(base, SCREENSHOTS, PAGES)
    assert _problems(report) == []
    assert min(r["contrast"] for r in report if "contrast" in r) >= 4.5
    # The sample's Mermaid flowchart drawn as SVG, its shapes and its labels (the <br/> a line
    # break), and its two formulas, in every scheme and width; no page without them loads either.
    drawn = [r for r in report if r["url"] == "/posts/serverless-publishing-pipeline/"]
    assert len(drawn) == 4
    labels = "changedsame bytesS3 eventa hintRead the keynowRender and writeSkip"
    for r in drawn:
        assert [d["text"] for d in r["diagrams"]] == [labels]
        assert r["diagrams"][0]["shapes"] >= 4
        assert r["formulas"] == 2
        assert r["toc"] == SAMPLE_TOC
    assert all(not r.get("diagrams") and not r.get("formulas") for r in report if r not in drawn)
    # The search found "functools" (above: in bold in a snippet), a word only the post's text has.
    assert _only_in_the_text(out, "functools")


def test_a_congo_site_passes_axe_with_its_params_light_and_dark_on_desktop_and_phone(
    congo_site: tuple[Path, str],
) -> None:
    """The theme's params Congo's params.toml sets, its footer menu and copyright, the author's
    image from assets/, a TOC four levels deep and a drawn diagram: zero axe violations."""
    out, base = congo_site
    report = _check(base, SCREENSHOTS / "hugo-rules", CONGO_PAGES)
    assert _problems(report) == []
    drawn = [r for r in report if r["url"] == "/posts/diagram/"]
    assert len(drawn) == 4
    for r in drawn:
        assert [d["text"] for d in r["diagrams"]] == ["yesnoUploadChanged?RenderSkip"]
        assert r["toc"] == ["The path of an upload", "Rendering", "Feeds", "Skipping", "What readers see"]
    assert all(not r.get("diagrams") and not r.get("toc") for r in report if r not in drawn)
    assert _only_in_the_text(out, "reindexed")
