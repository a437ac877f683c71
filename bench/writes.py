"""Writing a built site into an empty folder, alone: the `pressroom build` output of the N-post
corpus (read back from the builds section's folder) written by `adapters.files.write_tree`,
against the previous implementation (a `Path.is_file`, `mkdir(parents=True)` and `write_bytes`
per file), alternating, best of 5; each run into a fresh folder, removed after the timing.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def write_tree_before(root: Path, outputs: Mapping[str, bytes]) -> None:
    """write_tree as it was before the bench branch (for comparison only)."""
    for key, data in outputs.items():
        target = root / key
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def bench_writes(site: Path, scratch: Path, repeats: int = 5) -> dict[str, Any]:
    from pressroom.adapters.files import read_tree, write_tree

    outputs = read_tree(site)
    variants = {"before": write_tree_before, "now": write_tree}
    best: dict[str, tuple[float, float]] = {}
    for attempt in range(repeats):
        for name, write in variants.items():
            target = scratch / f"writes-{name}-{attempt}"
            shutil.rmtree(target, ignore_errors=True)
            times = os.times()
            start = time.perf_counter()
            write(target, outputs)
            wall = time.perf_counter() - start
            after = os.times()
            cpu = after.user - times.user + after.system - times.system
            if name not in best or wall < best[name][0]:
                best[name] = (wall, cpu)
            shutil.rmtree(target, ignore_errors=True)
    return {
        "files": len(outputs),
        "folders": len({os.path.dirname(key) for key in outputs}),
        "mib": sum(map(len, outputs.values())) / 2**20,
        **{f"{name}_s": wall for name, (wall, _) in best.items()},
        **{f"{name}_cpu_s": cpu for name, (_, cpu) in best.items()},
    }
