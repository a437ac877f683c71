"""`pressroom sync`: the pure planning rules, then real syncs against a moto server on 127.0.0.1.

Every S3 request the sync makes is recorded through botocore's event hooks, so "a second run
uploads nothing" is checked on the wire, not only on the returned counts.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

import pressroom.shells.sync
from pressroom.exceptions import SyncError
from pressroom.ports import RemoteObject
from pressroom.shells.sync import (
    DELETE_BATCH_SIZE,
    LocalFile,
    SyncPlan,
    SyncReport,
    TooManyDeletions,
    batched,
    deletion_refusal,
    format_summary,
    parse_s3_url,
    plan_sync,
    s3_target,
    sync,
)
from support.images import TINY_PNG
from support.moto_server import moto_server

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

WRITE_OPERATIONS = {
    "PutObject",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "DeleteObject",
    "DeleteObjects",
    "CopyObject",
}


# ---------------------------------------------------------------------------------------------
# parse_s3_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("s3://my-bucket", ("my-bucket", "")),
        ("s3://my-bucket/", ("my-bucket", "")),
        ("s3://my-bucket/blog", ("my-bucket", "blog/")),
        ("s3://my-bucket/blog/", ("my-bucket", "blog/")),
        ("s3://my.bucket-1/sites/blog", ("my.bucket-1", "sites/blog/")),
    ],
)
def test_parse_s3_url_gives_bucket_and_slash_terminated_prefix(url: str, expected: tuple[str, str]) -> None:
    assert parse_s3_url(url) == expected


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("my-bucket/blog", "not an S3 URL"),
        ("https://my-bucket/blog", "not an S3 URL"),
        ("s3://", "not a bucket name"),
        ("s3://My_Bucket/blog", "not a bucket name"),
        ("s3://ab", "not a bucket name"),
        ("s3://my-bucket/blog//drafts", "segment"),
        ("s3://my-bucket/blog/../other", "segment"),
    ],
)
def test_parse_s3_url_rejects_bad_input_with_a_value_error_naming_it(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as raised:
        parse_s3_url(url)
    assert url in str(raised.value)
    assert isinstance(raised.value, SyncError)  # the CLI reports it like every pressroom error


# ---------------------------------------------------------------------------------------------
# plan_sync


def local_file(body: bytes) -> LocalFile:
    return LocalFile(
        path=Path("unused"),
        size=len(body),
        md5=hashlib.md5(body).hexdigest(),
        sha256=hashlib.sha256(body).hexdigest(),
    )


def remote_object(body: bytes, *, etag: str | None = None, sha256: str | None = None) -> RemoteObject:
    return RemoteObject(size=len(body), etag=etag or hashlib.md5(body).hexdigest(), sha256=sha256)


def test_plan_uploads_new_and_changed_files_and_counts_the_rest_unchanged() -> None:
    local = {
        "new.md": local_file(b"new"),
        "same.md": local_file(b"same"),
        "edit.md": local_file(b"v2"),
    }
    remote = {"same.md": remote_object(b"same"), "edit.md": remote_object(b"v1")}

    assert plan_sync(local, remote, delete=False) == SyncPlan(uploads=("edit.md", "new.md"), deletions=(), unchanged=1)


def test_plan_deletes_remote_only_keys_only_when_asked() -> None:
    local = {"kept.md": local_file(b"kept")}
    remote = {"kept.md": remote_object(b"kept"), "gone.md": remote_object(b"gone")}

    assert plan_sync(local, remote, delete=False).deletions == ()
    assert plan_sync(local, remote, delete=True).deletions == ("gone.md",)


def test_plan_never_deletes_keys_that_sync_ignores() -> None:
    remote = {
        ".DS_Store": remote_object(b"x"),
        "posts/.git/config": remote_object(b"x"),
        "posts/a.md~": remote_object(b"x"),
        "__pycache__/m.pyc": remote_object(b"x"),
        "posts/old.md": remote_object(b"x"),
    }

    assert plan_sync({}, remote, delete=True).deletions == ("posts/old.md",)


def test_plan_prefers_the_stored_sha256_over_the_etag() -> None:
    body = b"same bytes, uploaded in parts"
    multipart = remote_object(body, etag="0123456789abcdef0123456789abcdef-2", sha256=hashlib.sha256(body).hexdigest())
    stale = remote_object(body, sha256=hashlib.sha256(b"older bytes").hexdigest())

    plan = plan_sync(
        {"a.bin": local_file(body), "b.bin": local_file(body)},
        {"a.bin": multipart, "b.bin": stale},
        delete=False,
    )

    # a: the ETag is no MD5 but the SHA-256 matches; b: the ETag matches but the SHA-256 says
    # the object holds other bytes (it was written by something that kept stale metadata).
    assert plan.uploads == ("b.bin",)
    assert plan.unchanged == 1


@pytest.mark.parametrize(
    ("deletions", "managed", "max_deletes", "refused"),
    [
        (0, 0, None, None),
        (1, 2, None, None),
        (12, 25, None, None),
        (256, 1000, None, None),
        (25, 25, None, "every object"),
        (1, 1, None, "every object"),
        (2, 3, None, "more than half"),
        (13, 25, None, "more than half"),
        (257, 1000, None, "more than 256"),
        (25, 25, 25, None),
        (300, 300, 300, None),
        (25, 25, 24, "more than --max-deletes 24"),
        (1000, 1000, -1, None),
    ],
)
def test_a_sync_deletes_neither_everything_nor_most_unless_a_count_allows_it(
    deletions: int, managed: int, max_deletes: int | None, refused: str | None
) -> None:
    reason = deletion_refusal(deletions, managed, max_deletes)
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


def test_summary_line_names_every_count() -> None:
    report = SyncReport(uploaded=3, deleted=1, unchanged=10, bytes_uploaded=2048)

    assert format_summary(report) == "uploaded 3 (2.0 KiB), deleted 1, unchanged 10"
    assert "would upload 3" in format_summary(report, dry_run=True)


# ---------------------------------------------------------------------------------------------
# Against a moto server


@pytest.fixture(scope="module")
def endpoint_url() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3(endpoint_url: str, monkeypatch: pytest.MonkeyPatch) -> S3Client:
    # Dummy credentials and no profile: nothing here may ever reach a real account.
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    return boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")


@pytest.fixture
def bucket(s3: S3Client) -> str:
    name = f"pressroom-sync-{uuid.uuid4().hex[:12]}"  # a fresh bucket per test: no shared state
    s3.create_bucket(Bucket=name)
    return name


class Requests:
    """The S3 operations a client sends, in order, as (operation, params)."""

    def __init__(self, client: S3Client) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("provide-client-params.s3.*", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, dict(params)))

    def keys_written(self, operation: str) -> list[str]:
        return sorted(params["Key"] for name, params in self.calls if name == operation)

    def writes(self) -> list[str]:
        return [name for name, _ in self.calls if name in WRITE_OPERATIONS]

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def requests(s3: S3Client) -> Requests:
    return Requests(s3)


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, body in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, str):
            path.write_text(body, encoding="utf-8")
        else:
            path.write_bytes(body)


def objects(s3: S3Client, bucket: str) -> dict[str, bytes]:
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    ]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


SITE: dict[str, str | bytes] = {
    "site.yaml": "title: A blog\n",
    "about.md": "---\ntitle: About\n---\nHello.\n",
    "posts/first.md": "---\ntitle: First\n---\nBody one.\n",
    "posts/trip/index.md": "---\ntitle: Trip\n---\n![road](road.png)\n",
    "posts/trip/road.png": TINY_PNG,
}


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write(root, SITE)
    return root


def test_first_run_uploads_every_file_under_the_prefix(
    s3: S3Client, bucket: str, content: Path, requests: Requests
) -> None:
    report = sync(content, s3_target(f"s3://{bucket}/blog", s3))

    expected = {f"blog/{key}": body if isinstance(body, bytes) else body.encode() for key, body in SITE.items()}
    assert objects(s3, bucket) == expected
    assert report == SyncReport(
        uploaded=5, deleted=0, unchanged=0, bytes_uploaded=sum(len(b) for b in expected.values())
    )
    assert requests.keys_written("PutObject") == sorted(expected)


def test_second_run_uploads_nothing(s3: S3Client, bucket: str, content: Path, requests: Requests) -> None:
    sync(content, s3_target(f"s3://{bucket}/blog", s3))
    requests.clear()

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True)

    assert report == SyncReport(uploaded=0, deleted=0, unchanged=5, bytes_uploaded=0)
    assert requests.writes() == []
    # Every object was a single-part upload: its ETag decides, no per-object HEAD is needed.
    assert [name for name, _ in requests.calls] == ["ListObjectsV2"]


def test_after_one_edit_and_one_removal_exactly_one_upload_and_one_deletion(
    s3: S3Client, bucket: str, content: Path, requests: Requests
) -> None:
    sync(content, s3_target(f"s3://{bucket}/blog", s3))
    (content / "posts/first.md").write_text("---\ntitle: First\n---\nEdited.\n", encoding="utf-8")
    (content / "about.md").unlink()
    requests.clear()
    log = io.StringIO()

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True, log=log)

    assert report.uploaded == 1
    assert report.deleted == 1
    assert report.unchanged == 3
    assert requests.keys_written("PutObject") == ["blog/posts/first.md"]
    deletes = [params for name, params in requests.calls if name == "DeleteObjects"]
    assert [[o["Key"] for o in d["Delete"]["Objects"]] for d in deletes] == [["blog/about.md"]]
    remaining = objects(s3, bucket)
    assert "blog/about.md" not in remaining
    assert remaining["blog/posts/first.md"].endswith(b"Edited.\n")
    assert log.getvalue().splitlines() == [
        f"upload: posts/first.md -> s3://{bucket}/blog/posts/first.md",
        f"delete: s3://{bucket}/blog/about.md",
    ]


def test_removed_files_stay_without_delete(s3: S3Client, bucket: str, content: Path) -> None:
    sync(content, s3_target(f"s3://{bucket}/blog", s3))
    (content / "about.md").unlink()

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3))

    assert report.deleted == 0
    assert "blog/about.md" in objects(s3, bucket)


def test_objects_outside_the_prefix_are_never_touched(s3: S3Client, bucket: str, content: Path) -> None:
    outside = {
        "blog2/posts/first.md": b"a neighbour",
        "blog": b"same name as the prefix",
        "other/x.txt": b"x",
        "blo": b"y",
    }
    for key, body in outside.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)

    sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True)
    (content / "posts/first.md").unlink()
    sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True)

    after = objects(s3, bucket)
    assert {key: after[key] for key in outside} == outside
    assert "blog/posts/first.md" not in after


def test_syncing_to_the_bucket_root_uses_plain_relative_keys(s3: S3Client, bucket: str, content: Path) -> None:
    sync(content, s3_target(f"s3://{bucket}", s3))

    assert sorted(objects(s3, bucket)) == sorted(SITE)


def test_content_type_and_sha256_metadata_are_set(s3: S3Client, bucket: str, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "post.md": "# Hi\n",
        "old.markdown": "# Old\n",
        "site.yaml": "title: x\n",
        "style.css": "body{}",
        "photo.PNG": b"\x89PNG",
        "notes.unknownext": b"?",
    }
    write(tmp_path / "src", files)

    sync(tmp_path / "src", s3_target(f"s3://{bucket}/c", s3))

    def head(key: str) -> Any:
        return s3.head_object(Bucket=bucket, Key=f"c/{key}")

    assert {key: head(key)["ContentType"] for key in files} == {
        "post.md": "text/markdown; charset=utf-8",
        "old.markdown": "text/markdown; charset=utf-8",
        "site.yaml": "application/yaml",
        "style.css": "text/css; charset=utf-8",
        "photo.PNG": "image/png",
        "notes.unknownext": "application/octet-stream",
    }
    assert head("post.md")["Metadata"] == {"sha256": hashlib.sha256(b"# Hi\n").hexdigest()}


def test_ignored_local_files_are_not_uploaded(s3: S3Client, bucket: str, tmp_path: Path) -> None:
    write(
        tmp_path / "src",
        {
            "post.md": "kept",
            ".DS_Store": b"junk",
            ".git/HEAD": "ref: refs/heads/main\n",
            "posts/.hidden.md": "draft",
            "posts/post.md~": "backup",
            "tools/__pycache__/x.pyc": b"\0",
        },
    )

    report = sync(tmp_path / "src", s3_target(f"s3://{bucket}", s3))

    assert sorted(objects(s3, bucket)) == ["post.md"]
    assert report.uploaded == 1


def test_dry_run_lists_what_it_would_do_and_changes_nothing(
    s3: S3Client, bucket: str, content: Path, requests: Requests
) -> None:
    s3.put_object(Bucket=bucket, Key="blog/stale.md", Body=b"removed locally")
    s3.put_object(Bucket=bucket, Key="blog/about.md", Body=b"an older about page")
    before = objects(s3, bucket)
    requests.clear()
    log = io.StringIO()

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True, dry_run=True, log=log)

    assert objects(s3, bucket) == before
    assert requests.writes() == []
    assert report.uploaded == 5
    assert report.deleted == 1
    lines = log.getvalue().splitlines()
    assert f"(dry run) upload: about.md -> s3://{bucket}/blog/about.md" in lines
    assert f"(dry run) delete: s3://{bucket}/blog/stale.md" in lines
    assert len(lines) == 6


def test_multipart_object_is_compared_by_its_stored_sha256(
    s3: S3Client, bucket: str, tmp_path: Path, requests: Requests
) -> None:
    body = b"a big video, uploaded in parts"
    write(tmp_path / "src", {"same.bin": body, "unknown.bin": body})

    def put_multipart(key: str, metadata: dict[str, str]) -> None:
        upload = s3.create_multipart_upload(Bucket=bucket, Key=key, Metadata=metadata)
        part = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=body)
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
        )

    put_multipart("same.bin", {"sha256": hashlib.sha256(body).hexdigest()})
    put_multipart("unknown.bin", {})  # written by another tool: no digest to trust
    assert "-" in s3.head_object(Bucket=bucket, Key="same.bin")["ETag"]  # not an MD5
    requests.clear()

    report = sync(tmp_path / "src", s3_target(f"s3://{bucket}", s3))

    assert requests.keys_written("PutObject") == ["unknown.bin"]
    assert report.unchanged == 1
    # Once uploaded by sync, the object carries its digest and the next run leaves it alone.
    assert sync(tmp_path / "src", s3_target(f"s3://{bucket}", s3)).uploaded == 0


def test_deletion_batches_hold_at_most_1000_keys_the_s3_limit() -> None:
    keys = [f"posts/{number:04}.md" for number in range(2001)]

    batches = list(batched(keys, DELETE_BATCH_SIZE))

    assert [len(batch) for batch in batches] == [1000, 1000, 1]
    assert [key for batch in batches for key in batch] == keys


def test_deletions_are_sent_in_batches(
    s3: S3Client,
    bucket: str,
    content: Path,
    requests: Requests,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 1001 real objects would cost ten seconds of moto; a batch of 2 exercises the same path.
    monkeypatch.setattr(pressroom.shells.sync, "DELETE_BATCH_SIZE", 2)
    sync(content, s3_target(f"s3://{bucket}/blog", s3))
    for path in list(content.rglob("*.md")):
        path.unlink()
    requests.clear()

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3), delete=True, max_deletes=3)

    batches = [params["Delete"]["Objects"] for name, params in requests.calls if name == "DeleteObjects"]
    assert sorted(len(batch) for batch in batches) == [1, 2]
    assert report.deleted == 3
    assert sorted(objects(s3, bucket)) == ["blog/posts/trip/road.png", "blog/site.yaml"]


def test_progress_bar_is_one_line_redrawn_in_place(s3: S3Client, bucket: str, content: Path) -> None:
    progress = io.StringIO()

    sync(content, s3_target(f"s3://{bucket}/blog", s3), progress=progress)

    drawn = progress.getvalue()
    assert drawn.count("\n") == 1
    assert drawn.endswith("\n")
    assert drawn.count("\r") >= 5  # redrawn after each of the 5 uploads
    assert drawn.rstrip().rsplit("\r", 1)[-1].startswith("[" + "#" * 30 + "] 5/5")


def test_missing_source_folder_is_a_clear_error(s3: S3Client, bucket: str, tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="no such folder") as raised:
        sync(tmp_path / "nope", s3_target(f"s3://{bucket}", s3))
    assert str(tmp_path / "nope") in str(raised.value)


def test_missing_bucket_is_a_clear_error(s3: S3Client, content: Path) -> None:
    with pytest.raises(SyncError, match="s3://pressroom-no-such-bucket/: cannot list"):
        sync(content, s3_target("s3://pressroom-no-such-bucket", s3))


def test_an_empty_source_folder_deletes_nothing(s3: S3Client, bucket: str, content: Path, tmp_path: Path) -> None:
    """Issue 19: `sync --delete` from an empty or mistyped folder deleted every object."""
    sync(content, s3_target(f"s3://{bucket}/blog", s3))
    before = objects(s3, bucket)
    empty = tmp_path / "empty"
    empty.mkdir()

    with pytest.raises(TooManyDeletions, match="would delete 5 of the 5 objects") as raised:
        sync(empty, s3_target(f"s3://{bucket}/blog", s3), delete=True)

    assert "--max-deletes 5" in str(raised.value) and "\n" not in str(raised.value)
    assert objects(s3, bucket) == before, "a refused sync changes nothing"
    report = sync(empty, s3_target(f"s3://{bucket}/blog", s3), delete=True, max_deletes=5)
    assert report.deleted == 5 and objects(s3, bucket) == {}


def test_symbolic_links_are_never_uploaded_and_each_is_reported(s3: S3Client, bucket: str, content: Path) -> None:
    outside = content.parent / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (content / "posts" / "secret.txt").symlink_to(outside / "secret.txt")
    (content / "linked").symlink_to(outside, target_is_directory=True)

    report = sync(content, s3_target(f"s3://{bucket}/blog", s3))

    assert report.links == ("linked", "posts/secret.txt")
    assert sorted(objects(s3, bucket)) == sorted(f"blog/{key}" for key in SITE)


def test_the_dev_watcher_deletes_what_went_and_nothing_else(s3: S3Client, bucket: str, content: Path) -> None:
    """`pressroom dev` on a folder removed (or renamed): the objects below it go, the rest stays,
    even objects of the bucket that SRC lacks (a full `sync --delete` took those too)."""
    from pressroom.shells.dev import upload_changes

    url = f"s3://{bucket}/blog"
    sync(content, s3_target(url, s3))
    s3.put_object(Bucket=bucket, Key="blog/notes/from-elsewhere.md", Body=b"not in SRC")
    (content / "posts" / "trip" / "road.png").unlink()
    (content / "posts" / "trip" / "index.md").unlink()
    (content / "posts" / "trip").rmdir()
    (content / "about.md").rename(content / "about-me.md")

    report = upload_changes(content, url, ["posts/trip", "about.md", "about-me.md"], s3)

    assert report.deleted == 3 and report.uploaded == 1
    assert sorted(objects(s3, bucket)) == [
        "blog/about-me.md",
        "blog/notes/from-elsewhere.md",
        "blog/posts/first.md",
        "blog/site.yaml",
    ]
