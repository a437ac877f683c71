"""The sample blog against its expected site: any unintended change to the output shows here.

After an intended change to the theme, templates or content, run `make golden` and review the
diff of `tests/golden/site` like any other change.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.shells.pools import ForkedPool

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "site"
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")  # the Makefile's GOLDEN_NOW


def test_sample_blog_builds_exactly_the_expected_site() -> None:
    site = build_site(read_tree(REPO / "content"), NOW)
    assert site.errors == []
    expected = read_tree(GOLDEN)
    assert sorted(site.outputs) == sorted(expected), "keys differ: run `make golden` if the change is intended"
    changed = [key for key in expected if site.outputs[key] != expected[key]]
    assert changed == [], "bytes differ: run `make golden` if the change is intended"


def test_two_builds_of_one_input_are_identical() -> None:
    files = read_tree(REPO / "content")
    assert build_site(files, NOW).outputs == build_site(files, NOW, ForkedPool(2)).outputs


def test_the_parallel_build_equals_the_serial_build() -> None:
    files = read_tree(REPO / "content")
    assert build_site(files, NOW, ForkedPool(2, parallel_from=1)).outputs == build_site(files, NOW).outputs


def test_pressroom_build_writes_the_expected_site_from_its_workers(tmp_path: Path) -> None:
    """`pressroom build` hands each output to the folder writer in the process that rendered it."""
    from pressroom.adapters.files import TreeWriter

    site = build_site(read_tree(REPO / "content"), NOW, ForkedPool(2, parallel_from=1), TreeWriter(tmp_path / "site"))
    assert site.errors == [] and site.outputs == {}
    assert sorted(site.keys) == sorted(read_tree(GOLDEN))
    assert read_tree(tmp_path / "site") == read_tree(GOLDEN)
