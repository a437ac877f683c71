"""The local filesystem as a source of content and as a site store."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

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
    """The content folder as key -> bytes."""
    return {key: (root / key).read_bytes() for key in source_keys(root)}


def write_tree(root: Path, outputs: Mapping[str, bytes]) -> None:
    """Write outputs under `root`, skipping files whose bytes are already there."""
    for key, data in outputs.items():
        target = root / key
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
