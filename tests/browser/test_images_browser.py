"""A bundle's images in a real browser (issue 22): they reserve their box, cost few bytes, and
wait below the first screen until a reader scrolls to them.

A small site is written into the test's folder, its images generated there from seeds
(`support.images.scenery`: photo-like pixels, so a PNG weighs what a photo's does), built with
`pressroom build` and served as `test_browser.py` serves the sample. `images.mjs` loads its
pages in Debian's chromium and reports; the assertions are here:

- `posts/gallery/`: a feature image, a Markdown image on the first screen, a `figure` shortcode
  of a camera JPEG turned by its EXIF orientation, a portrait and a PNG far below the first
  screen; `posts/`: the list of its six posts with their thumbnails. Every image request is held
  until the page is laid out, then answered, the page scrolled to its end: no layout shift, and
  every `<img>` has, before a byte of it arrives, the box it has once loaded.
- `posts/heavy/`: a feature image that is a 1.77 MB PNG. The image bytes chromium receives
  (CDP's Network.loadingFinished, headers included) at 1280 and 390 px wide, at device pixel
  ratios 1, 2 and 3: at most 120 KB and 40 KB at ratio 1, issue 22's targets (a 1280-px laptop
  screen and a 390-px phone in CSS pixels; the higher ratios are recorded in
  build/browser/images.json, as phones are 2x or 3x: their budget is not the issue's).
- `posts/gallery/` again, nothing held: an image below the first screen is not fetched until
  scrolled to, and is once it is.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.test_browser import HERE, SCREENSHOTS, _served
from pressroom.shells.cli import main as pressroom
from support.images import photo, scenery

KB = 1000
HEAVY_FEATURE = (1400, 788)
"""The heavy post's feature image: a 1.77 MB PNG (issue 22's blog had a 1.7 MB one)."""

LAZY_MARGIN = 2500
"""Chromium fetches a lazy image this close below the viewport already: 1,250 px on a 4G
connection, 2,500 px on 3G or slower (its `lazyImageLoadingDistanceThresholdPx` settings; here
1,250: the camera JPEG, 2,400 px below at 1280 px, is not fetched). Further down, an image
waits for the reader."""


def _words(seed: int, count: int) -> str:
    """A paragraph of plain words, different for each seed (long text, cheap to lay out)."""
    vocabulary = ["harbour", "light", "morning", "boats", "water", "rope", "gulls", "market", "stone", "quay"]
    return " ".join(vocabulary[(seed * 7 + i * 3 + i // 5) % len(vocabulary)] for i in range(count)).capitalize() + "."


def _paragraphs(seed: int, count: int) -> str:
    return "\n\n".join(_words(seed + i, 90) for i in range(count))


def _post(folder: Path, title: str, date: str, body: str, images: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(f'---\ntitle: "{title}"\ndate: {date}\n---\n\n{body}\n')
    for name, data in images.items():
        (folder / name).write_bytes(data)


def _site(root: Path) -> Path:
    """The site: a gallery post, a heavy post, four short posts with feature images, a list."""
    (root / "posts").mkdir(parents=True)
    (root / "site.yaml").write_text('title: "Harbour Notes"\nbaseURL: "https://example.org/"\npagerSize: 10\n')
    (root / "posts" / "_index.md").write_text('---\ntitle: "Posts"\n---\n\nEvery post, newest first.\n')
    gallery = "\n\n".join(
        [
            _paragraphs(1, 1),
            "![The quay at dawn, boats tied up](quay.jpg)",
            _paragraphs(2, 8),
            '{{< figure src="camera.jpg" alt="The market hall, taken with the camera on its side" '
            'caption="The market hall (a camera JPEG turned by its EXIF orientation)" >}}',
            _paragraphs(10, 24),
            "![The lighthouse, portrait](lighthouse.jpg)",
            _paragraphs(40, 6),
            "![The bay from the hill](bay.png)",
            _paragraphs(50, 2),
        ]
    )
    _post(
        root / "posts" / "gallery",
        "A morning at the harbour",
        "2025-05-06",
        gallery,
        {
            "feature.jpg": scenery(1600, 900, 1, "JPEG"),
            "quay.jpg": scenery(1200, 800, 2, "JPEG"),
            "camera.jpg": photo(1200, 800, orientation=6),  # stored landscape, shown portrait
            "lighthouse.jpg": scenery(600, 900, 3, "JPEG"),
            "bay.png": scenery(800, 500, 4),
        },
    )
    _post(
        root / "posts" / "heavy",
        "One heavy picture",
        "2025-05-05",
        _paragraphs(60, 3),
        {"feature.png": scenery(*HEAVY_FEATURE, 7)},
    )
    for n in range(4):
        _post(
            root / "posts" / f"short-{n}",
            f"Short note {n}",
            f"2025-05-0{4 - n}",
            _paragraphs(70 + n, 1),
            {"feature.jpg": scenery(800, 450 + 50 * n, 10 + n, "JPEG")},
        )
    return root


@pytest.fixture(scope="module")
def image_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The site built (no variant cache: every variant made by this build) and served."""
    source = _site(tmp_path_factory.mktemp("images-source"))
    out = tmp_path_factory.mktemp("images-site")
    assert pressroom(["build", str(source), "--out", str(out), "--cache-dir", ""]) == 0
    with _served(out) as base:
        yield source, base


def _report(base: str) -> dict[str, Any]:
    """images.mjs's report on the site served at `base`; kept in build/browser/images.json."""
    node = shutil.which("node")
    assert node, "node is needed for the browser tests (Debian: apt-get install nodejs npm)"
    assert (HERE / "node_modules" / "puppeteer-core").is_dir(), "run `make browser` to install the browser tests"
    assert shutil.which("chromium"), "run `make browser` to install Debian's chromium"
    run = subprocess.run(
        [node, str(HERE / "images.mjs"), base], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "images.json").write_text(run.stdout)
    report: dict[str, Any] = json.loads(run.stdout)
    return report


@pytest.fixture(scope="module")
def report(image_site: tuple[Path, str]) -> dict[str, Any]:
    return _report(image_site[1])


def test_no_image_shifts_the_layout_when_it_arrives_after_the_first_layout(report: dict[str, Any]) -> None:
    """Images held until the page is laid out, then let through, the page scrolled to its end:
    no layout shift (CLS 0, not one entry), and each `<img>` had its box from the start.

    Once loaded, an image takes the ratio of the variant it got, whose height is rounded to a
    whole pixel: its box may differ from the one `width`/`height` reserved by half a pixel (at
    most, as the browser picks a variant at least as wide as the box), and what is below it moves
    by as much; Chromium reports no layout shift under 3 px. Without `width` and `height` the
    boxes are 0 px high until the image arrives: a feature image pushes the page down by 378 px."""
    assert [(s["url"], s["width"]) for s in report["shifts"]] == [
        ("/posts/gallery/", 1280),
        ("/posts/gallery/", 390),
        ("/posts/", 1280),
        ("/posts/", 390),
    ]
    for visit in report["shifts"]:
        where = f"{visit['url']} at {visit['width']} px"
        before, after = visit["before"], visit["after"]
        assert len(before) == (5 if visit["url"] == "/posts/gallery/" else 6), where
        assert "feature" in visit["heldAtLayout"], f"{where}: the first screen's images were not held"
        assert not [b["src"] for b in before if b["loaded"]], f"{where}: loaded before the layout"
        assert not [a["src"] for a in after if not a["loaded"]], f"{where}: never loaded"
        for above, (b, a) in enumerate(zip(before, after, strict=True)):
            assert b["width"] > 0 and b["height"] > 0, f"{where}: {b['src']} has no box before it loads"
            assert abs(a["width"] - b["width"]) < 0.6 and abs(a["height"] - b["height"]) < 0.6, (where, b, a)
            assert abs(a["top"] - b["top"]) < 0.6 * max(above, 1), (where, b, a)
        assert visit["layoutShifts"] == [], where
    gallery = report["shifts"][0]["before"]
    camera = next(b for b in gallery if b["src"].startswith("camera."))
    assert camera["height"] > camera["width"]  # stored landscape, shown upright by its EXIF orientation


def test_a_feature_image_of_a_heavy_png_costs_a_laptop_and_a_phone_few_bytes(
    image_site: tuple[Path, str], report: dict[str, Any]
) -> None:
    """Issue 22's targets: 120 KB at 1280 px, 40 KB at 390 px (device pixel ratio 1); at every
    ratio, the one AVIF variant fetched is the one the layout needs."""
    source, _ = image_site
    assert 1_600_000 < (source / "posts" / "heavy" / "feature.png").stat().st_size < 1_900_000
    budget = {1280: 120 * KB, 390: 40 * KB}
    seen = set()
    for visit in report["bytes"]:
        images = visit["images"]
        assert images and all(i["status"] == 200 and i["bytes"] for i in images), visit
        assert all("/posts/heavy/feature." in i["url"] and not i["url"].endswith("/feature.png") for i in images)
        # The variant chosen is the narrowest offered that covers the box in device pixels (the
        # widest if none does): `sizes` tells the browser the width the theme lays it out at.
        (shown,) = visit["shown"]
        needed = shown["width"] * visit["dpr"]
        covering = [w for w in shown["offered"] if w >= needed]
        assert shown["currentSrc"].endswith(f".{min(covering, default=max(shown['offered']))}.avif"), visit
        assert [i["url"] for i in images] == [shown["currentSrc"]], visit
        if visit["dpr"] == 1:
            assert sum(i["bytes"] for i in images) <= budget[visit["width"]], visit
            seen.add(visit["width"])
    assert seen == {1280, 390}


def test_an_image_below_the_first_screen_waits_until_it_is_scrolled_to(report: dict[str, Any]) -> None:
    """Every image below the first screen is `loading="lazy"`; one beyond Chromium's margin is
    not fetched when the page has loaded, and is once the reader scrolls to it."""
    for visit in report["lazy"]:
        where = f"{visit['url']} at {visit['width']} px"
        screen = visit["innerHeight"]
        first = [i["stem"] for i in visit["images"] if i["top"] < screen]
        below = [i for i in visit["images"] if i["top"] >= screen]
        far = [i["stem"] for i in below if i["top"] > screen + LAZY_MARGIN]
        assert "feature" in first and set(first) <= set(visit["atLoad"]), where
        assert len(far) >= 2 and not [i["stem"] for i in below if not i["lazy"]], where
        assert not set(far) & set(visit["atLoad"]), f"{where}: fetched before the reader scrolled"
        fetched_on_the_way = {stem for step in visit["scrolledTo"] for stem in step["fetched"]}
        assert set(far) <= fetched_on_the_way, where
        assert [s["stem"] for s in visit["scrolledTo"]] == [i["stem"] for i in below], where
        assert all(s["loaded"] for s in visit["scrolledTo"]), where
