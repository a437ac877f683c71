"""`pressroom sync` against the in-memory target: its decisions, with no boto3 and no moto.

The same behaviour on S3, request by request, is tests/e2e/test_sync.py; here each test says
which requests the target saw, so a change to sync's logic shows without a server.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from pressroom.adapters.memory import MemorySyncTarget
from pressroom.exceptions import SyncError
from pressroom.shells.sync import SyncReport, TooManyDeletions, sync, sync_keys

SITE = {
    "site.yaml": b"title: A blog\n",
    "about.md": b"---\ntitle: About\n---\nHello.\n",
    "posts/first.md": b"---\ntitle: First\n---\nBody one.\n",
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for key, body in SITE.items():
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(body)
    return root


def operations(target: MemorySyncTarget) -> list[str]:
    return sorted(operation for operation, _ in target.requests)


def test_a_first_sync_puts_every_file_with_its_content_type_and_digest(content: Path) -> None:
    target = MemorySyncTarget()

    report = sync(content, target)

    assert report == SyncReport(uploaded=3, deleted=0, unchanged=0, bytes_uploaded=sum(map(len, SITE.values())))
    assert {key: body for key, (body, *_) in target.objects.items()} == SITE
    _, _, content_type, sha256 = target.objects["about.md"]
    assert content_type == "text/markdown; charset=utf-8"
    assert sha256 == hashlib.sha256(SITE["about.md"]).hexdigest()


def test_a_second_sync_only_lists(content: Path) -> None:
    target = MemorySyncTarget()
    sync(content, target)
    target.requests.clear()

    report = sync(content, target, delete=True)

    assert report == SyncReport(uploaded=0, deleted=0, unchanged=3, bytes_uploaded=0)
    assert target.requests == [("list", ())]


def test_an_etag_that_is_not_an_md5_is_settled_by_the_stored_digest(content: Path) -> None:
    target = MemorySyncTarget()
    body = SITE["about.md"]
    target.upload("about.md", body, etag="0123456789abcdef0123456789abcdef-2", sha256=hashlib.sha256(body).hexdigest())
    target.upload("posts/first.md", SITE["posts/first.md"], etag="0123456789abcdef0123456789abcdef-2")

    report = sync(content, target)

    assert sorted(keys for operation, keys in target.requests if operation == "head") == [
        ("about.md",),
        ("posts/first.md",),
    ]
    assert sorted(keys for operation, keys in target.requests if operation == "put") == [
        ("posts/first.md",),
        ("site.yaml",),
    ]
    assert report.unchanged == 1


def test_an_empty_folder_deletes_nothing_and_says_how_to_insist(content: Path, tmp_path: Path) -> None:
    target = MemorySyncTarget()
    sync(content, target)
    empty = tmp_path / "empty"
    empty.mkdir()
    target.requests.clear()

    with pytest.raises(TooManyDeletions, match="memory://memory/: this sync would delete 3 of the 3") as raised:
        sync(empty, target, delete=True)

    assert "--max-deletes 3" in str(raised.value)
    assert operations(target) == ["list"]
    assert sync(empty, target, delete=True, max_deletes=3).deleted == 3
    assert target.objects == {}


def test_a_refused_deletion_fails_the_sync_after_the_uploads(content: Path) -> None:
    target = MemorySyncTarget()
    target.upload("old.md", b"removed locally")
    target.upload("older.md", b"removed locally too")
    target.upload("oldest.md", b"and this one")
    target.refused.add("old.md")

    with pytest.raises(SyncError, match=r"1 deletions under memory://memory/ failed: old.md: AccessDenied"):
        sync(content, target, delete=True, max_deletes=-1)

    assert set(target.objects) == {"old.md", *SITE}


def test_a_dry_run_lists_and_says_what_it_would_do(content: Path) -> None:
    target = MemorySyncTarget()
    target.upload("stale.md", b"removed locally")
    log = io.StringIO()

    report = sync(content, target, delete=True, dry_run=True, log=log)

    assert (report.uploaded, report.deleted) == (3, 1)
    assert target.requests == [("list", ())]
    assert "(dry run) upload: about.md -> memory://memory/about.md" in log.getvalue().splitlines()
    assert "(dry run) delete: memory://memory/stale.md" in log.getvalue().splitlines()


def test_sync_keys_puts_what_changed_and_deletes_what_went(content: Path) -> None:
    target = MemorySyncTarget()
    sync(content, target)
    (content / "about.md").write_bytes(b"---\ntitle: About\n---\nEdited.\n")
    (content / "posts" / "first.md").unlink()
    target.requests.clear()

    report = sync_keys(content, target, ["about.md", "posts/first.md", ".DS_Store"])

    assert (report.uploaded, report.deleted) == (1, 1)
    assert target.requests == [("put", ("about.md",)), ("delete", ("posts/first.md",))]
    assert sorted(target.objects) == ["about.md", "site.yaml"]
