"""The local filesystem as a source of content and as a site store."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pressroom.core.reading.config import is_settings_key
from pressroom.core.reading.content import source_keys_read
from pressroom.core.site.urls import refuse_unsafe_key, unsafe_key_reason
from pressroom.exceptions import PressroomError

_SKIPPED_PARTS = frozenset({".git", ".hg", ".svn", "__pycache__", ".DS_Store"})


def is_hidden(name: str) -> bool:
    """A file or folder name the readers leave out: hidden (`.git`, `.DS_Store`, ...) or `__pycache__`."""
    return name.startswith(".") or name in _SKIPPED_PARTS


@dataclass(frozen=True)
class SourceFolder:
    """What is below a content folder: its files by key, and the symbolic links it holds."""

    keys: list[str]
    """Every regular file, as a `/`-separated key, in key order."""
    links: list[str]
    """Every symbolic link (to a file or a folder), in key order: never followed (SPEC 3.5)."""


def scan_folder(root: Path, ignored: Callable[[str], bool] = is_hidden) -> SourceFolder:
    """The files below `root`, with the names that `ignored` refuses (files and folders) left out.

    A symbolic link is never followed, to a file or a folder alike: it would publish what it
    points at (`/proc/self/environ`, a folder outside the site). The walk reads the type each
    directory entry already carries, so it costs one `getdents` per folder and no `stat` per file.
    """
    if not root.is_dir():
        raise PressroomError(f"{root}: no such content folder")
    keys: list[str] = []
    links: list[str] = []
    pending = [("", os.fspath(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if ignored(entry.name):
                        continue
                    key = prefix + entry.name
                    if entry.is_symlink():
                        links.append(key)
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append((key + "/", entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        keys.append(key)  # sockets, pipes and devices are not content
        except OSError as error:
            raise PressroomError(f"{folder}: cannot read the folder: {error.strerror or error}") from error
    return SourceFolder(sorted(keys), sorted(links))


def status_below(root: Path, key: str) -> os.stat_result | None:
    """The key's own status (`lstat`: a link is a link) when every folder on the way to it is a
    real folder below `root`; None when it is missing, or reached through a symbolic link."""
    if unsafe_key_reason(key) is not None:
        return None
    *folders, name = key.split("/")
    path = os.fspath(root)
    try:
        for folder in folders:
            path = os.path.join(path, folder)
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return None
        return os.lstat(os.path.join(path, name))
    except (FileNotFoundError, NotADirectoryError):
        return None


def link_warning(key: str) -> str:
    """What `build`, `check` and `sync` say, once per run, about a symbolic link they skipped."""
    return f"{key}: a symbolic link, skipped (pressroom never follows one: put the file itself here)"


def source_keys(root: Path) -> list[str]:
    """Every file below `root` as a `/`-separated key, hidden folders, VCS data and links left out."""
    return scan_folder(root).keys


def read_tree(root: Path, folder: SourceFolder | None = None) -> dict[str, bytes]:
    """The content folder (or Hugo site root) as key -> bytes: the files pressroom reads.

    `folder`: the scan of `root` already made (`scan_folder`), whose links the caller reports.
    """
    keys = (folder or scan_folder(root)).keys
    settings = {key: (root / key).read_bytes() for key in keys if is_settings_key(key)}
    return {key: settings.get(key) or (root / key).read_bytes() for key in source_keys_read(keys, settings)}


class SourceTree(Mapping[str, bytes]):
    """The files `read_tree` reads, as key -> bytes, those that `lazy` names read when first asked
    for (then kept). `pressroom build --cache-dir` reads its images so: an image whose facts it
    knows (`shells.image_memo`) and whose outputs are all in the cache is never read.

    `status(key)`: the file's status when it was read (taken before its bytes), None if unread.
    """

    def __init__(
        self, root: Path, keys: Iterable[str], lazy: Callable[[str], bool], read: Mapping[str, bytes] | None = None
    ) -> None:
        self.root = os.fspath(root)
        self._keys = list(keys)
        self._known = set(self._keys)
        self._statuses: dict[str, os.stat_result] = {}
        self._bytes = {key: data for key, data in (read or {}).items() if key in self._known}
        """What was read, with `read`: files already read (the settings)."""
        for key in self._keys:
            if not lazy(key):
                self[key]

    def __getitem__(self, key: str) -> bytes:
        found = self._bytes.get(key)
        if found is not None:
            return found
        if key not in self._known:
            raise KeyError(key)
        with open(os.path.join(self.root, key), "rb") as file:
            self._statuses[key] = os.fstat(file.fileno())
            found = self._bytes[key] = file.read()
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def status(self, key: str) -> os.stat_result | None:
        return self._statuses.get(key)


def source_tree(root: Path, folder: SourceFolder, lazy: Callable[[str], bool]) -> SourceTree:
    """`read_tree`'s files, those that `lazy` names read only when asked for (`SourceTree`)."""
    settings = {key: (root / key).read_bytes() for key in folder.keys if is_settings_key(key)}
    return SourceTree(root, source_keys_read(folder.keys, settings), lazy, settings)


def write_tree(root: Path, outputs: Mapping[str, bytes]) -> None:
    """Write outputs under `root`, skipping files whose bytes are already there."""
    writer = TreeWriter(root)
    for key, data in outputs.items():
        writer(key, data)


class TreeWriter:
    """A build's output sink: `writer(key, data)` writes one output under `root` as it is rendered;
    `writer.place(key, path)` puts a file there without reading it (an image cache's variant).

    Files whose bytes are already there are left alone (their modification time with them). Each
    folder is looked up once; a folder this writer made is new, so the files in it are written
    without looking for an old copy first (into an empty folder, that halves the system calls).
    Safe to call from several processes at once on different keys, as the build's render workers do.
    A key that could leave `root` (`..`, a leading `/`, ...: `urls.unsafe_key_reason`) is refused.
    A file with other links (a variant linked from the image cache) is replaced, never written
    through: the cache's copy keeps its bytes.
    """

    def __init__(self, root: Path) -> None:
        self.root = os.fspath(root)
        self._made: set[str] = set()
        """Folders made by this writer (in this process): nothing in them to compare with."""
        self._found: set[str] = set()
        """Folders that were there already."""

    def __call__(self, key: str, data: bytes) -> None:
        path, new = self._path(key)
        try:
            if not new and _holds(path, data):
                return
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
        except OSError as error:
            raise PressroomError(f"{path}: cannot write: {error.strerror or error}") from error

    def place(self, key: str, source: str) -> None:
        """The file at `source` put at `key` without reading it: hard-linked when both are on one
        filesystem, else copied by the kernel. A file already there is left alone when it is that
        file, or holds its bytes; else it is replaced (a new file renamed over it), never rewritten."""
        path, new = self._path(key)
        try:
            if not new and _same_file(path, source):
                return
            if new:
                _link_or_copy(source, path)
                return
            partial = f"{path}.{os.getpid()}.partial"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)  # left by a build that was stopped
            _link_or_copy(source, partial)
            os.replace(partial, path)
        except OSError as error:
            raise PressroomError(f"{path}: cannot write: {error.strerror or error}") from error

    def _path(self, key: str) -> tuple[str, bool]:
        """Where `key` goes, its folder made; and whether that folder is new (made by this writer)."""
        refuse_unsafe_key(key, self.root)
        folder = key.rpartition("/")[0]
        if folder not in self._made and folder not in self._found:
            self._make(folder)
        return os.path.join(self.root, key), folder in self._made

    def _make(self, folder: str) -> None:
        path = os.path.join(self.root, folder) if folder else self.root
        try:
            os.mkdir(path)
            self._made.add(folder)
        except FileExistsError:
            if not os.path.isdir(path):
                raise PressroomError(f"{path}: cannot write into it: a file is in the way") from None
            self._found.add(folder)
        except (FileNotFoundError, NotADirectoryError):
            # A parent is missing (made first), or is a file (named by the parent's own error).
            if folder:
                self._make(folder.rpartition("/")[0])
                self._make(folder)
            else:
                os.makedirs(path, exist_ok=True)
                self._found.add(folder)
        except OSError as error:
            raise PressroomError(f"{path}: cannot make the folder: {error.strerror or error}") from error


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` has exactly `data` (a file of another size is not read). One
    that does not and has other links (to the image cache) is removed: rewriting it would change
    the bytes the cache keeps."""
    try:
        found = os.stat(path)
        if found.st_size == len(data):
            with open(path, "rb") as existing:
                if existing.read() == data:
                    return True
        if found.st_nlink > 1:
            os.unlink(path)
        return False
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def _same_file(path: str, source: str) -> bool:
    """Whether the file at `path` is the file at `source` (a link to it) or holds the same bytes."""
    try:
        found, wanted = os.stat(path), os.stat(source)
    except (FileNotFoundError, NotADirectoryError):
        return False
    if os.path.samestat(found, wanted):
        return True
    if found.st_size != wanted.st_size:
        return False
    with open(path, "rb") as existing, open(source, "rb") as kept:
        return existing.read() == kept.read()


def _link_or_copy(source: str, path: str) -> None:
    """A hard link at `path` to `source`; a copy (made by the kernel: no byte through this process)
    where links cannot be made: another filesystem, one without links, a file with too many."""
    try:
        os.link(source, path)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(source, path)


class FolderCache:
    """`core.build.BytesCache` in a folder: one file per name (`HASH.WIDTH.EXT`), written under a
    temporary name then renamed, so a reader never sees half a file and workers may share it.

    Given the build's `writer`, the cache publishes what it keeps itself (`send`): its file is
    hard-linked into the output folder (copied across filesystems), so a rebuild neither reads nor
    writes a variant's bytes. A file of the cache is never written again once renamed into place,
    and the writer replaces a linked output rather than writing through it: an output file changed
    in place by another program changes the cache's copy too (delete the cache to start afresh).
    """

    def __init__(self, root: Path, writer: TreeWriter | None = None) -> None:
        self.root = root
        self.writer = writer

    def get(self, name: str) -> bytes | None:
        try:
            return (self.root / self._checked(name)).read_bytes()
        except FileNotFoundError:
            return None

    def send(self, name: str, key: str) -> bool:
        if self.writer is None:
            return False
        path = os.fspath(self.root / self._checked(name))
        if not os.path.isfile(path):
            return False
        self.writer.place(key, path)
        return True

    def put(self, name: str, data: bytes) -> None:
        path = self.root / self._checked(name)
        self.root.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)

    @staticmethod
    def _checked(name: str) -> str:
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a cache name: {name!r}")
        return name
