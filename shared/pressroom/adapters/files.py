"""The local filesystem as a source of content and as a site store."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pressroom.core.config import is_settings_key
from pressroom.core.content import source_keys_read
from pressroom.core.urls import refuse_unsafe_key
from pressroom.exceptions import PressroomError

_SKIPPED_PARTS = frozenset({".git", ".hg", ".svn", "__pycache__", ".DS_Store"})


def source_keys(root: Path) -> list[str]:
    """Every file below `root` as a `/`-separated key, hidden folders and VCS data left out."""
    if not root.is_dir():
        raise PressroomError(f"{root}: no such content folder")
    keys = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and not any(p in _SKIPPED_PARTS or p.startswith(".") for p in relative.parts):
            keys.append(relative.as_posix())
    return sorted(keys)


def read_tree(root: Path) -> dict[str, bytes]:
    """The content folder (or Hugo site root) as key -> bytes: the files pressroom reads."""
    keys = source_keys(root)
    settings = {key: (root / key).read_bytes() for key in keys if is_settings_key(key)}
    return {key: settings.get(key) or (root / key).read_bytes() for key in source_keys_read(keys, settings)}


def write_tree(root: Path, outputs: Mapping[str, bytes]) -> None:
    """Write outputs under `root`, skipping files whose bytes are already there."""
    writer = TreeWriter(root)
    for key, data in outputs.items():
        writer(key, data)


class TreeWriter:
    """A build's output sink: `writer(key, data)` writes one output under `root` as it is rendered.

    Files whose bytes are already there are left alone (their modification time with them). Each
    folder is looked up once; a folder this writer made is new, so the files in it are written
    without looking for an old copy first (into an empty folder, that halves the system calls).
    Safe to call from several processes at once on different keys, as the build's render workers do.
    A key that could leave `root` (`..`, a leading `/`, ...: `urls.unsafe_key_reason`) is refused.
    """

    def __init__(self, root: Path) -> None:
        self.root = os.fspath(root)
        self._made: set[str] = set()
        """Folders made by this writer (in this process): nothing in them to compare with."""
        self._found: set[str] = set()
        """Folders that were there already."""

    def __call__(self, key: str, data: bytes) -> None:
        refuse_unsafe_key(key, self.root)
        folder = key.rpartition("/")[0]
        if folder not in self._made and folder not in self._found:
            self._make(folder)
        path = os.path.join(self.root, key)
        try:
            if folder not in self._made and _holds(path, data):
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
    """Whether the file at `path` has exactly `data` (a file of another size is not read)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as existing:
            return existing.read() == data
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False
