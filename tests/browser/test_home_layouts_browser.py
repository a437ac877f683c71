"""Congo's and Blowfish's home layouts in a real browser (issue 21.3): `tests/fixtures/hugo-home`
built once per `homepage.layout`, `page` at the root and each other at a sub-path of its own
(`/hero/`: the check's colour-scheme toggle loads `/`), with an author image
and a `homepageImage` from `assets/`, and loaded light and dark at 1280 and 390 px with axe-core
(`check.mjs`, as `test_browser.py` runs it for the sample site)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from browser.test_browser import HERE, ROOT, SCREENSHOTS, _served
from pressroom.shells.cli import main as pressroom

LAYOUTS = ("page", "profile", "hero", "background", "card")
FIXTURE = ROOT / "tests" / "fixtures" / "hugo-home"


def _image(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _at(layout: str) -> str:
    return "/" if layout == "page" else f"/{layout}/"


def _site(root: Path, layout: str) -> Path:
    """The fixture as a Blowfish site in `layout`, showing its recent posts and a "Show more" link."""
    shutil.copytree(FIXTURE, root)
    config = (root / "hugo.toml").read_text()
    config = config.replace('baseURL = "https://example.org/"', f'baseURL = "https://example.org{_at(layout)}"')
    config = config.replace('layout = "profile"', f'layout = "{layout}"\n  homepageImage = "img/cover.jpg"')
    config = config.replace("recentLimit = 2", "recentLimit = 2\n  showMoreLink = true\n  cardView = true")
    config = config.replace('name = "Ada"', 'name = "Ada"\n  image = "img/ada.jpg"\n  headline = "Notes on engines"')
    (root / "hugo.toml").write_text(config)
    (root / "assets" / "img").mkdir(parents=True)
    (root / "assets" / "img" / "cover.jpg").write_bytes(_image((1200, 500), (40, 90, 140)))
    (root / "assets" / "img" / "ada.jpg").write_bytes(_image((300, 300), (200, 160, 120)))
    return root


@pytest.fixture(scope="module")
def served_layouts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Each layout's site built into its path of one folder, served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("layouts")
    sources = tmp_path_factory.mktemp("sources")
    for layout in LAYOUTS:
        root = _site(sources / layout, layout)
        assert pressroom(["build", str(root), "--out", str(out / _at(layout).strip("/"))]) == 0
    with _served(out) as base:
        yield base


def test_every_home_layout_passes_axe_light_and_dark_on_desktop_and_phone(served_layouts: str) -> None:
    node = shutil.which("node")
    assert node, "node is needed for the browser tests (Debian: apt-get install nodejs npm)"
    assert (HERE / "node_modules" / "puppeteer-core").is_dir(), "run `make browser` to install the browser tests"
    pages = [_at(layout) for layout in LAYOUTS]
    run = subprocess.run(
        [node, str(HERE / "check.mjs"), served_layouts, str(SCREENSHOTS / "home-layouts"), *pages],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    problems = [f"{r['url']} {r['scheme']} {r['width']}px: {p}" for r in report for p in r["problems"]]
    assert problems == []
    assert len([r for r in report if "contrast" in r]) == len(pages) * 4
