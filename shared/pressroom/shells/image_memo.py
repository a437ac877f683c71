"""What `pressroom build --cache-dir` remembers of each image between builds: its facts (format,
size, orientation, the digest of its bytes: `core.images.facts.ImageFacts`), with the status of
its file when they were read.

An image whose file has the same size, modification and change times, inode and device as when
its facts were read is taken as unchanged, as git's index takes a file: its facts are reused, and
its bytes are neither read nor hashed again (with all its outputs in the cache, a rebuild does
not open it). Writing a file changes its change time, which no program sets back, so a file
written since is read again; so is one whose facts came from another encoder (`build_site`).

One JSON file per content folder, under the cache folder's `sources/`, named by a hash of the
folder's absolute path; rewritten whole, under a temporary name then renamed, at the end of each
build. A missing, unreadable or malformed one is a memo of nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from pressroom.adapters.files import SourceTree, status_below
from pressroom.core.images.facts import ImageFacts

MEMO_FORMAT = 1


def signature(status: os.stat_result) -> list[int]:
    """What says a file is the one read: size, modification and change times, inode, device."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


class ImageMemo:
    """The facts of a content folder's images, kept in a build's cache folder between builds."""

    def __init__(self, cache_root: Path, source_root: Path) -> None:
        folder_id = hashlib.sha256(os.fsencode(source_root.resolve())).hexdigest()[:16]
        self.path = cache_root / "sources" / f"{folder_id}.json"
        self.root = source_root
        self._matched: dict[str, list[int]] = {}

    def known(self) -> dict[str, ImageFacts]:
        """The facts of the images whose files are as they were when their facts were read."""
        try:
            data = json.loads(self.path.read_bytes())
            records = data["images"] if data.get("format") == MEMO_FORMAT else {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}
        found: dict[str, ImageFacts] = {}
        for key, record in records.items() if isinstance(records, dict) else ():
            try:
                kept, facts = list(record[0]), ImageFacts(**record[1])
            except (TypeError, KeyError, IndexError):
                continue
            status = status_below(self.root, key)
            if status is not None and signature(status) == kept:
                found[key] = facts
                self._matched[key] = kept
        return found

    def save(self, tree: SourceTree, images: Mapping[str, ImageFacts]) -> None:
        """Remember these facts with the status each file had when read (or when found unchanged)."""
        records: dict[str, list[object]] = {}
        for key, facts in sorted(images.items()):
            status = tree.status(key)
            kept = signature(status) if status is not None else self._matched.get(key)
            if kept is not None:
                records[key] = [kept, asdict(facts)]
        if not records and not self._matched and not self.path.exists():
            return  # a site without images leaves nothing in the cache folder
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps({"format": MEMO_FORMAT, "images": records}, separators=(",", ":")))
            os.replace(partial, self.path)
        except OSError:  # a memo that cannot be written costs the next build the reading, nothing more
            return
