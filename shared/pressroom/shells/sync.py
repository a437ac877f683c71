"""`pressroom sync`: mirror a local content folder into an S3 prefix, uploading only what changed.

A file is unchanged when the object under its key holds the same bytes. The listing gives each
object's size and ETag; the ETag of a single-part PUT is the MD5 of the body, so most files are
compared without any extra request. Every upload also stores the body's SHA-256 beside it (on S3,
in the object's metadata), because an ETag is not an MD5 after a multipart upload or with
SSE-KMS: for those objects (same size, ETag that is not our MD5) one more request fetches the
SHA-256, which is preferred whenever it is known.

The work is split so that the decision is a pure function (`plan_sync`) over two snapshots, and
`sync` is the shell that takes the snapshots, applies the plan in parallel, and reports. The
bucket is a port (`ports.SyncTarget`): `adapters.aws.s3.S3SyncTarget` on S3 (`s3_target`), and
`adapters.memory.MemorySyncTarget` for tests without boto3. Example:

    report = sync(Path("content"), s3_target("s3://my-source-bucket", boto3.client("s3")),
                  delete=True, progress=stderr_if_terminal(), log=sys.stdout)
    print(format_summary(report))
"""

from __future__ import annotations

import hashlib
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pressroom.adapters.files import scan_folder, status_below
from pressroom.core.reading.config import is_settings_key
from pressroom.core.reading.content import source_keys_read
from pressroom.core.rendering.mime import content_type
from pressroom.exceptions import PressroomError, SyncError
from pressroom.ports import RemoteObject, SyncTarget

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from pressroom.adapters.aws.s3 import S3SyncTarget

# Deletions go to the target in batches of this size, in parallel, the bar advancing per batch:
# S3 accepts at most 1000 keys in one DeleteObjects request, so a batch is one request.
DELETE_BATCH_SIZE = 1000

DEFAULT_MAX_DELETES = 256
"""Deletions a sync may make without `--max-deletes`, as `hugo deploy --maxDeletes` (see `deletion_refusal`)."""

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_HASH_CHUNK = 1024 * 1024


class TooManyDeletions(SyncError):
    """A sync that would delete more than `deletion_refusal` allows (an empty or wrong SRC, say)."""


class S3UrlError(SyncError, ValueError):
    """An argument that is not `s3://BUCKET[/PREFIX]`; also a ValueError, for input parsers."""


@dataclass(frozen=True)
class LocalFile:
    """A file under SRC: where it is, how big, and the two digests it is compared by."""

    path: Path
    size: int
    md5: str  # hex; equals the ETag of a single-part upload of the same bytes
    sha256: str  # hex; stored in the object's metadata on upload


@dataclass(frozen=True)
class SyncPlan:
    """What a sync does; keys are relative to SRC (and to the prefix), with `/` separators."""

    uploads: tuple[str, ...]
    deletions: tuple[str, ...]
    unchanged: int


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (with `dry_run`: what it would have done)."""

    uploaded: int
    deleted: int
    unchanged: int
    bytes_uploaded: int
    links: tuple[str, ...] = ()
    """The symbolic links under SRC, by key: never followed, so never uploaded (SPEC 3.5)."""


# ---------------------------------------------------------------------------------------------
# Pure core


def parse_s3_url(url: str) -> tuple[str, str]:
    """Split `s3://BUCKET[/PREFIX]` into `(bucket, prefix)`; the prefix is `""` or ends in `/`.

    The trailing `/` is what keeps `s3://b/blog` from ever touching `blog2/...`.

    >>> parse_s3_url("s3://my-bucket/blog")
    ('my-bucket', 'blog/')
    """
    scheme = "s3://"
    if not url.startswith(scheme):
        raise S3UrlError(f"{url!r}: not an S3 URL; expected s3://BUCKET[/PREFIX]")
    bucket, _, path = url[len(scheme) :].partition("/")
    if not _BUCKET_NAME.fullmatch(bucket) or ".." in bucket:
        raise S3UrlError(
            f"{url!r}: {bucket!r} is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"
        )
    path = path.strip("/")
    if not path:
        return bucket, ""
    segments = path.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise S3UrlError(f"{url!r}: the prefix has an empty, '.' or '..' segment")
    return bucket, path + "/"


def is_ignored(relative_key: str) -> bool:
    """True for files that are never synced: hidden files and folders, editor backups (`*~`),
    and `__pycache__`. Applied to local files and to remote keys alike, so that `--delete`
    never removes an object that sync would not have uploaded."""
    segments = relative_key.split("/")
    return segments[-1].endswith("~") or any(
        segment.startswith(".") or segment == "__pycache__" for segment in segments
    )


def has_same_content(local: LocalFile, remote: RemoteObject) -> bool:
    """Compare by the stored SHA-256 when known, else by size and MD5 ETag."""
    if remote.sha256 is not None:
        return remote.sha256 == local.sha256
    return remote.size == local.size and remote.etag == local.md5


def keys_needing_metadata(local: Mapping[str, LocalFile], remote: Mapping[str, RemoteObject]) -> list[str]:
    """Keys whose listing cannot decide: same size, but an ETag that is not the local MD5
    (multipart or encrypted uploads). Only their metadata SHA-256 can say whether they match."""
    return sorted(
        key
        for key, obj in remote.items()
        if key in local and obj.sha256 is None and obj.size == local[key].size and obj.etag != local[key].md5
    )


def plan_sync(
    local: Mapping[str, LocalFile],
    remote: Mapping[str, RemoteObject],
    *,
    delete: bool,
    delete_within: Sequence[str] | None = None,
) -> SyncPlan:
    """Decide what to upload (new or changed) and, with `delete`, what to remove.

    Remote keys that `is_ignored` are never deleted: they are not part of the synced tree. With
    `delete_within`, only keys equal to or below one of those keys are (what a watcher saw go).
    """
    uploads = tuple(sorted(key for key, file in local.items() if not _matches(file, remote.get(key))))
    deletions: tuple[str, ...] = ()
    if delete:
        deletions = tuple(
            sorted(
                key
                for key in remote
                if key not in local
                and not is_ignored(key)
                and (delete_within is None or any(key == gone or key.startswith(gone + "/") for gone in delete_within))
            )
        )
    return SyncPlan(uploads=uploads, deletions=deletions, unchanged=len(local) - len(uploads))


def deletion_refusal(deletions: int, managed: int, max_deletes: int | None) -> str | None:
    """Why a sync may not delete `deletions` of the `managed` objects under its prefix, or None.

    An explicit `max_deletes` always decides (negative: no limit). Without one, a sync never
    deletes every object under the prefix, nor more than half of them, nor more than
    `DEFAULT_MAX_DELETES`: what `--delete` from an empty or mistyped SRC would do.
    """
    if max_deletes is not None:
        return None if max_deletes < 0 or deletions <= max_deletes else f"more than --max-deletes {max_deletes}"
    if deletions == 0:
        return None
    if deletions >= managed:
        return "every object under the prefix"
    if 2 * deletions > managed:
        return "more than half of the objects under the prefix"
    if deletions > DEFAULT_MAX_DELETES:
        return f"more than {DEFAULT_MAX_DELETES}, the default --max-deletes"
    return None


def _matches(file: LocalFile, obj: RemoteObject | None) -> bool:
    return obj is not None and has_same_content(file, obj)


def batched(keys: Sequence[str], size: int) -> Iterator[tuple[str, ...]]:
    """Consecutive slices of at most `size` keys (itertools.batched needs Python 3.12)."""
    for start in range(0, len(keys), size):
        yield tuple(keys[start : start + size])


def format_summary(report: SyncReport, *, dry_run: bool = False) -> str:
    """The one line `pressroom sync` prints at the end."""
    size = _human_bytes(report.bytes_uploaded)
    if dry_run:
        return (
            f"dry run: would upload {report.uploaded} ({size}), delete {report.deleted}, "
            f"leave {report.unchanged} unchanged; nothing was changed"
        )
    return f"uploaded {report.uploaded} ({size}), deleted {report.deleted}, unchanged {report.unchanged}"


def _human_bytes(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    value = count / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    return f"{value:.1f} {unit}"


# ---------------------------------------------------------------------------------------------
# Shell: local files, the bucket, the terminal


def stderr_if_terminal() -> TextIO | None:
    """The stream for `sync(progress=...)`: stderr when it is a terminal, else no progress bar
    (a log file or CI output should not fill up with carriage returns)."""
    return sys.stderr if sys.stderr.isatty() else None


def s3_target(url: str, s3_client: S3Client) -> S3SyncTarget:
    """The prefix `url` names (`s3://BUCKET[/PREFIX]`, see `parse_s3_url`), through `s3_client`."""
    from pressroom.adapters.aws.s3 import S3SyncTarget  # boto3's transfer module: only for S3

    bucket, prefix = parse_s3_url(url)
    return S3SyncTarget(s3_client, bucket, prefix)


def sync(
    src: Path,
    target: SyncTarget,
    *,
    delete: bool = False,
    dry_run: bool = False,
    workers: int = 8,
    progress: TextIO | None = None,
    log: TextIO | None = None,
    bar: Callable[[int, int], Any] | None = None,
    max_deletes: int | None = None,
    delete_within: Sequence[str] | None = None,
) -> SyncReport:
    """Make `target` (an S3 prefix: `s3_target`) hold the files under `src`; upload only what changed.

    Uploads go first and deletions (`delete=True`) only after every upload succeeded, so a
    failed run never leaves the prefix with less than it had. Objects outside the prefix are
    never read or touched. With `dry_run` the target is only listed; the report and the `log`
    lines then say what would be done. `progress` gets a one-line bar (see
    `stderr_if_terminal`), or `bar(items, bytes)` makes one (see `terminal.Output.bar`); `log`
    gets one line per upload or deletion. A sync that would delete more than `deletion_refusal`
    allows (every object, more than half, more than `max_deletes` or by default 256) changes
    nothing and raises TooManyDeletions. `delete_within`: see `plan_sync`. Symbolic links under
    `src` are not followed; the report names them.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pressroom-sync") as pool:
        local, links = scan_local(src, pool)
        remote = target.list_objects()
        remote = _with_metadata(target, local, remote, pool)
        plan = plan_sync(local, remote, delete=delete, delete_within=delete_within)
        bytes_to_upload = sum(local[key].size for key in plan.uploads)
        managed = sum(1 for key in remote if not is_ignored(key))
        refused = deletion_refusal(len(plan.deletions), managed, max_deletes)
        if refused is not None and not dry_run:
            count = len(plan.deletions)
            raise TooManyDeletions(
                f"{target.where()}: this sync would delete {count} of the {managed} objects under it "
                f"({refused}); nothing was changed. Check {src} (empty, or the wrong folder?), or pass "
                f"--max-deletes {count} if you mean it"
            )
        if dry_run:
            _log_plan(log, plan, target)
            uploaded_bytes, deleted = bytes_to_upload, len(plan.deletions)
        else:
            total = len(plan.uploads) + len(plan.deletions)
            drawn = bar(total, bytes_to_upload) if bar else _ProgressBar(progress, total, bytes_to_upload)
            try:
                uploaded_bytes = _upload_all(target, plan, local, pool, drawn, log)
                deleted = _delete_all(target, plan.deletions, pool, drawn, log)
            finally:
                drawn.finish()
    return SyncReport(
        uploaded=len(plan.uploads),
        deleted=deleted,
        unchanged=plan.unchanged,
        bytes_uploaded=uploaded_bytes,
        links=tuple(links),
    )


def sync_keys(src: Path, target: SyncTarget, keys: Iterable[str]) -> SyncReport:
    """Upload (or, when gone, delete) just these keys of `src`: the files a watcher saw change.

    The `pressroom dev` path: no listing, no hashing of the rest of the tree. A key that is now
    a symbolic link (or below one) is gone as `build` sees it: its object goes, nothing is read.
    """
    uploaded = size = 0
    gone: list[str] = []
    for key in sorted(set(keys)):
        if is_ignored(key):
            continue
        status = status_below(src, key)
        if status is not None and stat.S_ISREG(status.st_mode):
            path = src / key
            _check_key_encodable(key, path)
            file = _digest_file(path)
            _upload_one(target, key, file)
            uploaded += 1
            size += file.size
        elif status is None or stat.S_ISLNK(status.st_mode):
            gone.append(key)
    refused = target.delete(gone) if gone else {}
    if refused:
        raise SyncError(f"deletions under {target.where()} failed: " + "; ".join(sorted(refused.values())))
    return SyncReport(uploaded=uploaded, deleted=len(gone), unchanged=0, bytes_uploaded=size)


def scan_local(src: Path, pool: ThreadPoolExecutor | None = None) -> tuple[dict[str, LocalFile], list[str]]:
    """Every file under `src` that is not ignored, by key relative to `src`, with its digests;
    and the symbolic links found, which are never followed (the walk of `build` and `check`).

    Ignored folders are pruned while walking, so a large `.git` costs nothing.
    """
    if not src.exists():
        raise SyncError(f"{src}: no such folder to sync")
    if not src.is_dir():
        raise SyncError(f"{src}: not a folder; sync takes the folder whose files it uploads")
    try:
        folder = scan_folder(src, ignored=is_ignored)
    except PressroomError as error:
        raise SyncError(str(error)) from error
    paths: dict[str, Path] = {}
    for key in folder.keys:
        paths[key] = path = src / key
        _check_key_encodable(key, path)
    settings = {key: path.read_bytes() for key, path in paths.items() if is_settings_key(key)}
    paths = {key: paths[key] for key in source_keys_read(paths, settings)}
    digest: Callable[[Path], LocalFile] = _digest_file
    files: Iterable[LocalFile] = pool.map(digest, paths.values()) if pool else map(digest, paths.values())
    return dict(zip(paths, files, strict=True)), folder.links


def _check_key_encodable(key: str, path: Path) -> None:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError as error:
        raise SyncError(f"{path}: the file name is not valid UTF-8, so it cannot be a key") from error


def _digest_file(path: Path) -> LocalFile:
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_HASH_CHUNK):
                md5.update(chunk)
                sha256.update(chunk)
                size += len(chunk)
    except OSError as error:
        raise SyncError(f"{path}: cannot be read: {error.strerror or error}") from error
    return LocalFile(path=path, size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())


def _with_metadata(
    target: SyncTarget,
    local: Mapping[str, LocalFile],
    remote: dict[str, RemoteObject],
    pool: ThreadPoolExecutor,
) -> dict[str, RemoteObject]:
    """`remote` with the stored SHA-256 filled in where the listing alone cannot decide."""
    keys = keys_needing_metadata(local, remote)
    hashes = pool.map(target.stored_sha256, keys)
    updated = dict(remote)
    for key, sha256 in zip(keys, hashes, strict=True):
        updated[key] = RemoteObject(size=remote[key].size, etag=remote[key].etag, sha256=sha256)
    return updated


def _upload_all(
    target: SyncTarget,
    plan: SyncPlan,
    local: Mapping[str, LocalFile],
    pool: ThreadPoolExecutor,
    bar: Any,
    log: TextIO | None,
) -> int:
    """Upload the plan's files in parallel; raise once all finished if any failed."""
    futures = {pool.submit(_upload_one, target, key, local[key]): key for key in plan.uploads}
    failures: list[str] = []
    uploaded_bytes = 0
    for future in as_completed(futures):
        key = futures[future]
        error = future.exception()
        if error is not None:
            failures.append(f"{key}: {error}")
            continue
        uploaded_bytes += local[key].size
        bar.write_line(log, f"upload: {key} -> {target.where(key)}")
        bar.advance(1, local[key].size)
    if failures:
        raise SyncError(
            f"{len(failures)} of {len(plan.uploads)} uploads to {target.where()} failed "
            "(nothing was deleted): " + "; ".join(sorted(failures))
        )
    return uploaded_bytes


def _upload_one(target: SyncTarget, key: str, file: LocalFile) -> None:
    target.put(key, file.path, content_type(key), file.sha256)


def _delete_all(
    target: SyncTarget,
    deletions: Sequence[str],
    pool: ThreadPoolExecutor,
    bar: Any,
    log: TextIO | None,
) -> int:
    """Delete the keys in batches of `DELETE_BATCH_SIZE`; raise if the target refused any."""
    batches = list(batched(deletions, DELETE_BATCH_SIZE))
    results = pool.map(target.delete, batches)
    deleted = 0
    failures: list[str] = []
    for batch, refused in zip(batches, results, strict=True):
        for key in batch:
            if key in refused:
                failures.append(f"{key}: {refused[key]}")
            else:
                deleted += 1
                bar.write_line(log, f"delete: {target.where(key)}")
        bar.advance(len(batch), 0)
    if failures:
        raise SyncError(f"{len(failures)} deletions under {target.where()} failed: " + "; ".join(sorted(failures)))
    return deleted


def _log_plan(log: TextIO | None, plan: SyncPlan, target: SyncTarget) -> None:
    if log is None:
        return
    for key in plan.uploads:
        log.write(f"(dry run) upload: {key} -> {target.where(key)}\n")
    for key in plan.deletions:
        log.write(f"(dry run) delete: {target.where(key)}\n")


class _ProgressBar:
    """A single terminal line redrawn with `\\r`: `[#####.....] 12/40  1.2 MiB/3.4 MiB`.

    Only the thread that collects results draws, so no lock is needed. With no stream it does
    nothing, which keeps the callers free of `if progress` checks.
    """

    _WIDTH = 30

    def __init__(self, stream: TextIO | None, total_items: int, total_bytes: int) -> None:
        self._stream = stream if total_items else None
        self._total_items = total_items
        self._total_bytes = total_bytes
        self._done_items = 0
        self._done_bytes = 0
        self._drawn_width = 0
        self._draw()

    def advance(self, items: int, size: int) -> None:
        self._done_items += items
        self._done_bytes += size
        self._draw()

    def write_line(self, log: TextIO | None, line: str) -> None:
        """Write a log line without tearing the bar when both go to the same terminal."""
        if log is None:
            return
        if self._stream is not None:
            self._stream.write("\r" + " " * self._drawn_width + "\r")
            self._drawn_width = 0
        log.write(line + "\n")
        log.flush()
        self._draw()

    def finish(self) -> None:
        if self._stream is not None:
            self._stream.write("\n")
            self._stream.flush()
            self._stream = None

    def _draw(self) -> None:
        if self._stream is None:
            return
        filled = self._WIDTH * self._done_items // self._total_items
        bar = "#" * filled + "." * (self._WIDTH - filled)
        line = (
            f"[{bar}] {self._done_items}/{self._total_items}  "
            f"{_human_bytes(self._done_bytes)}/{_human_bytes(self._total_bytes)}"
        )
        # Pad with spaces to cover a longer previous line ("1023 bytes" -> "1.0 KiB").
        self._stream.write("\r" + line.ljust(self._drawn_width))
        self._stream.flush()
        self._drawn_width = len(line)
