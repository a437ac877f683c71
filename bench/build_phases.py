"""Where a `pressroom build` spends its time: wall seconds and the parent's own CPU per phase.

    .venv/bin/python bench/build_phases.py bench/out/corpus-5000/pressroom [--jobs N] [--in-memory]

Runs the build in this process as `pressroom build` runs it (a fresh output folder, every
output written by the process that rendered it; `--in-memory`: outputs kept as bytes and
written by the parent afterwards, as before the sink). Each phase of `core.build` is timed
from outside by wrapping the function that runs it: the parent's CPU is the serial part of a
phase, the rest of its wall time is spent waiting for the forked workers, whose CPU is the
`workers` line. On a shared machine, compare CPU rather than wall.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pressroom.core.build as build
from pressroom.adapters.files import TreeWriter, read_tree, write_tree
from pressroom.shells.pools import build_pool

PHASES = ("parse_pages", "plan_round", "MemoryIndex", "site_outputs", "render_outputs")
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("src", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--in-memory", action="store_true")
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}

    def timed(name: str, action: Callable[..., Any]) -> Callable[..., Any]:
        def run(*positional: Any, **named: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return action(*positional, **named)
            finally:
                spent = figures.setdefault(name, [0.0, 0.0])
                spent[0] += time.perf_counter() - wall
                spent[1] += time.process_time() - cpu

        return run

    for name in PHASES:
        setattr(build, name, timed(name, getattr(build, name)))
    out = Path(tempfile.mkdtemp(prefix="phases-")) / "site"
    try:
        files = timed("read sources", read_tree)(args.src)
        sink = None if args.in_memory else TreeWriter(out)
        site = timed("build_site", build.build_site)(files, NOW, build_pool(args.jobs), sink=sink)
        if site.outputs:
            timed("write (parent)", write_tree)(out, site.outputs)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    times = os.times()
    print(f"{'phase':16} {'wall s':>7} {'parent CPU s':>13}")
    for name, (wall, cpu) in figures.items():
        print(f"{name:16} {wall:7.2f} {cpu:13.2f}")
    print(
        f"workers CPU s: {times.children_user:.2f} user + {times.children_system:.2f} system; "
        f"parent: {times.user:.2f} + {times.system:.2f}; {len(site.keys):,} outputs"
    )


if __name__ == "__main__":
    main()
