"""`pressroom build --cache-dir` on a rebuild: an image whose file is unchanged is not opened (its
facts from the memo, its copy and variants linked from the cache); one written since is read
again; a damaged memo is a memo of nothing. The site is the same bytes as a build without cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pressroom.adapters import files as files_module
from pressroom.adapters.files import read_tree
from pressroom.shells.cli import main
from pressroom.shells.image_memo import ImageMemo
from support.images import photo

NOW = "2026-11-29T00:00:00+00:00"
IMAGES = ("posts/trip/one.jpg", "posts/trip/two.png")


def content(root: Path) -> Path:
    from PIL import Image

    (root / "posts/trip").mkdir(parents=True)
    (root / "site.yaml").write_bytes(b"title: Trips\nbaseURL: https://trips.example/\n")
    (root / "posts/trip/index.md").write_bytes(
        b"---\ntitle: Trip\ndate: 2025-01-01\n---\n![One](one.jpg)\n![Two](two.png)\n"
    )
    (root / "posts/trip/one.jpg").write_bytes(photo(900, 600, orientation=6))
    Image.new("RGB", (700, 400), (10, 90, 200)).save(root / "posts/trip/two.png")
    return root


def build(src: Path, out: Path, cache: Path | None) -> None:
    flags = ["--cache-dir", str(cache) if cache else ""]
    assert main(["build", str(src), "--out", str(out), "--now", NOW, "--jobs", "1", "--quiet", *flags]) == 0


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the source reader opens (in this process: the builds run with --jobs 1)."""
    paths: list[str] = []
    real: Callable[..., Any] = open

    def spy(path: Any, *args: Any, **kwargs: Any) -> Any:
        paths.append(os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files_module, "open", spy, raising=False)
    return paths


def images_opened(paths: list[str], src: Path) -> set[str]:
    return {key for key in IMAGES if str(src / key) in paths}


def test_a_rebuild_opens_no_unchanged_image_and_writes_the_same_site(tmp_path: Path, opened: list[str]) -> None:
    src, cache = content(tmp_path / "src"), tmp_path / "cache"
    build(src, tmp_path / "plain", None)
    build(src, tmp_path / "first", cache)
    assert images_opened(opened, src) == set(IMAGES)
    opened.clear()
    build(src, tmp_path / "second", cache)
    assert images_opened(opened, src) == set()
    expected = read_tree(tmp_path / "plain")
    assert read_tree(tmp_path / "first") == expected == read_tree(tmp_path / "second")
    published = tmp_path / "second" / "posts/trip/one.jpg"
    assert published.stat().st_nlink > 1, "the copy without metadata is linked from the cache"

    (src / "posts/trip/one.jpg").write_bytes(photo(900, 600, colour=(30, 160, 90)))  # written since: read again
    opened.clear()
    build(src, tmp_path / "third", cache)
    assert images_opened(opened, src) == {"posts/trip/one.jpg"}
    build(src, tmp_path / "plain-third", None)
    assert read_tree(tmp_path / "third") == read_tree(tmp_path / "plain-third") != expected


def test_a_damaged_memo_is_a_memo_of_nothing(tmp_path: Path, opened: list[str]) -> None:
    src, cache = content(tmp_path / "src"), tmp_path / "cache"
    build(src, tmp_path / "first", cache)
    memo = ImageMemo(cache, src)
    assert set(memo.known()) == set(IMAGES)
    for damage in (b"{not json", b'{"format": 1, "images": {"posts/trip/one.jpg": [1, {"x": 2}]}}', b"[]"):
        memo.path.write_bytes(damage)
        assert ImageMemo(cache, src).known() == {}
        opened.clear()
        build(src, tmp_path / "again", cache)
        assert images_opened(opened, src) == set(IMAGES)
        assert read_tree(tmp_path / "again") == read_tree(tmp_path / "first")
