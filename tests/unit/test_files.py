"""Writing a built site into a folder: new folders, files already there, files that changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pressroom.adapters.files import read_tree, scan_folder, write_tree
from pressroom.exceptions import PressroomError


def test_a_site_written_into_an_empty_folder_reads_back_the_same(tmp_path: Path) -> None:
    outputs = {
        "index.html": b"<p>home</p>",
        "posts/a/index.html": b"<p>a</p>",
        "posts/b/index.html": b"",
        "x.xml": b"x",
    }
    write_tree(tmp_path / "site", outputs)
    assert read_tree(tmp_path / "site") == outputs


def test_a_second_write_replaces_changed_files_and_leaves_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"index.html": b"old home", "posts/a/index.html": b"a", "posts/b/index.html": b"b"})
    (site / "posts/b/index.html").write_bytes(b"edited by hand, longer than before")
    (site / "posts/a/index.html").write_bytes(b"z")  # same length, other bytes
    kept = (site / "index.html").stat().st_mtime_ns
    write_tree(
        site, {"index.html": b"old home", "posts/a/index.html": b"a", "posts/b/index.html": b"b", "new/c.txt": b"c"}
    )
    assert read_tree(site) == {
        "index.html": b"old home",
        "posts/a/index.html": b"a",
        "posts/b/index.html": b"b",
        "new/c.txt": b"c",
    }
    assert (site / "index.html").stat().st_mtime_ns == kept, "an unchanged file is not written again"


def test_a_file_where_a_folder_must_go_is_named_in_the_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"posts": b"a file, not a folder"})
    with pytest.raises(PressroomError, match=r"site/posts: cannot write into it: a file is in the way"):
        write_tree(site, {"posts/a/index.html": b"a"})


def test_a_folder_where_a_file_must_go_is_named_in_the_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"posts/a/index.html": b"a"})
    with pytest.raises(PressroomError, match=r"site/posts/a: cannot write"):
        write_tree(site, {"posts/a": b"a file where a folder is"})


@pytest.mark.parametrize("key", ["../outside.html", "a/../../outside.html", "ABSOLUTE", "a\\..\\b.html", "a/./b"])
def test_a_key_that_would_leave_the_folder_is_refused_and_nothing_is_written(tmp_path: Path, key: str) -> None:
    site = tmp_path / "out" / "site"
    key = key.replace("ABSOLUTE", f"{tmp_path}/outside.html")
    with pytest.raises(PressroomError, match="refused"):
        write_tree(site, {key: b"escaped"})
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written == [], "not a byte outside (nor inside) the output folder"


def test_the_source_walk_never_follows_a_symbolic_link_and_names_each(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "secret.md").write_text("secret")
    (outside / "deep" / "more.md").write_text("more")
    root = tmp_path / "content"
    (root / "posts" / ".git").mkdir(parents=True)
    (root / "posts" / "a.md").write_text("a")
    (root / "posts" / ".git" / "HEAD").write_text("ref")
    (root / "posts" / "secret.md").symlink_to(outside / "secret.md")
    (root / "posts" / "dangling.md").symlink_to(outside / "gone.md")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / ".hidden-link").symlink_to(outside)
    os.mkfifo(root / "pipe")

    folder = scan_folder(root)

    assert folder.keys == ["posts/a.md"]
    assert folder.links == ["linked", "posts/dangling.md", "posts/secret.md"]
    assert read_tree(root, folder) == {"posts/a.md": b"a"} == read_tree(root)


def test_a_kept_variant_is_linked_into_the_site_and_never_written_through(tmp_path: Path) -> None:
    """`pressroom build --cache-dir`: the cache's file becomes the output (a hard link: neither
    read nor written); a later write of other bytes to that key replaces the file, so the cache
    keeps its own."""
    from pressroom.adapters.files import FolderCache, TreeWriter

    site = tmp_path / "site"
    writer = TreeWriter(site)
    cache = FolderCache(tmp_path / "cache", writer)
    cache.put("0123456789ab.320.webp", b"variant bytes")
    assert cache.send("0123456789ab.320.webp", "posts/a/photo.0123456789ab.320.webp")
    assert not cache.send("ba9876543210.320.webp", "posts/a/photo.ba9876543210.320.webp"), "not kept"
    kept, published = tmp_path / "cache" / "0123456789ab.320.webp", site / "posts/a/photo.0123456789ab.320.webp"
    assert os.path.samestat(kept.stat(), published.stat())
    again = TreeWriter(site)  # a rebuild into the same folder: the link there is left alone
    FolderCache(tmp_path / "cache", again).send("0123456789ab.320.webp", "posts/a/photo.0123456789ab.320.webp")
    assert os.path.samestat(kept.stat(), published.stat())
    again("posts/a/photo.0123456789ab.320.webp", b"other bytes")
    assert published.read_bytes() == b"other bytes" and kept.read_bytes() == b"variant bytes"
    assert not FolderCache(tmp_path / "cache").send("0123456789ab.320.webp", "x.webp"), "no writer: the caller sends"


def test_a_kept_variant_is_copied_where_it_cannot_be_linked(tmp_path: Path, monkeypatch) -> None:
    import errno

    from pressroom.adapters.files import FolderCache, TreeWriter

    def other_filesystem(source: str, target: str) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", other_filesystem)
    cache = FolderCache(tmp_path / "cache", TreeWriter(tmp_path / "site"))
    cache.put("0123456789ab.96.avif", b"avif bytes")
    assert cache.send("0123456789ab.96.avif", "me.0123456789ab.96.avif")
    published = tmp_path / "site" / "me.0123456789ab.96.avif"
    assert published.read_bytes() == b"avif bytes" and published.stat().st_nlink == 1
