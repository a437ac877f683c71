"""Writing a built site into an empty folder, alone: the `pressroom build` output of the N-post
corpus (read back from the builds section's folder) written by `adapters.files.write_tree`
(its `TreeWriter` is what `pressroom build`'s workers write with), against the lean variant
it grew from (each folder made once with `os.makedirs`, `os.open`/`os.write`, no look for an
old copy: it cannot keep unchanged files), alternating, best of 5; each run into a fresh folder,
all removed after the last run (a removal's deferred file-system work slows the next writer:
that, not Python, is what made clean builds slow on a busy machine).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def write_tree_lean(root: Path, outputs: Mapping[str, bytes]) -> None:
    """Each folder made once, no look-up in a new folder, bytes out through os.open/os.write."""
    made: set[str] = set()
    base = os.fspath(root)
    for key, data in outputs.items():
        folder = os.path.join(base, os.path.dirname(key))
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        descriptor = os.open(os.path.join(base, key), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(descriptor, data)
        finally:
            os.close(descriptor)


def bench_writes(site: Path, scratch: Path, repeats: int = 5) -> dict[str, Any]:
    from pressroom.adapters.files import read_tree, write_tree

    outputs = read_tree(site)
    variants = {"now": write_tree, "lean": write_tree_lean}
    best: dict[str, tuple[float, float]] = {}
    for attempt in range(repeats):
        for name, write in variants.items():
            target = scratch / f"writes-{name}-{attempt}"
            shutil.rmtree(target, ignore_errors=True)
            os.sync()
            times = os.times()
            start = time.perf_counter()
            write(target, outputs)
            wall = time.perf_counter() - start
            after = os.times()
            cpu = after.user - times.user + after.system - times.system
            if name not in best or wall < best[name][0]:
                best[name] = (wall, cpu)
    # Removed only now: a removal's deferred work in the file system would slow the next run.
    for attempt in range(repeats):
        for name in variants:
            shutil.rmtree(scratch / f"writes-{name}-{attempt}", ignore_errors=True)
    return {
        "files": len(outputs),
        "folders": len({os.path.dirname(key) for key in outputs}),
        "mib": sum(map(len, outputs.values())) / 2**20,
        **{f"{name}_s": wall for name, (wall, _) in best.items()},
        **{f"{name}_cpu_s": cpu for name, (_, cpu) in best.items()},
    }
