"""Before and after in one run: `pressroom build` of another commit, of this tree, and Hugo.

    cd bench && .venv/bin/python versus.py REF SIZE [ROUNDS]

The package of commit REF (`git archive REF shared`, into bench/out/ref-REF/) runs on this
tree's environment with PYTHONPATH pointing at it; this tree's runs as `make bench` runs it.
The three alternate, the order rotating every round, each into a folder that does not exist
(as the builds section's "empty"), on the corpus of `builds.prepare`. Prints every run and a
table of medians, and writes bench/out/versus-SIZE.json. Only ratios within one run count.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

from builds import ROOT, Tool, run_once, tools

OUT = Path(__file__).resolve().parent / "out"


def checkout(ref: str) -> Path:
    """The `shared` folder of commit `ref`, extracted once."""
    folder = OUT / f"ref-{ref}"
    if not (folder / "shared" / "pressroom").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "shared"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "shared"


def main(ref: str, size: int, rounds: int) -> None:
    here, hugo = tools(size, OUT, ["pressroom", "hugo"])
    out = here.out.parent / f"pressroom-{ref}"
    command = [str(part) for part in here.command]
    command[command.index(str(here.out))] = str(out)
    before = Tool(f"pressroom {ref}", ["env", f"PYTHONPATH={checkout(ref)}", *command], out, warm=False)
    chosen = [before, replace(here, name="pressroom (this tree)"), hugo]
    runs: dict[str, list] = {tool.name: [] for tool in chosen}
    for number in range(rounds):
        shift = number % len(chosen)
        for tool in chosen[shift:] + chosen[:shift]:
            shutil.rmtree(tool.out, ignore_errors=True)
            os.sync()
            run = run_once(tool)
            runs[tool.name].append(run)
            figures = f"{run.wall:6.2f} s wall {run.cpu:6.2f} CPU-s {run.peak_mib:6.0f} MiB"
            print(f"  {tool.name:22} N={size:,}: {figures}", flush=True)
    hugo_wall = statistics.median(run.wall for run in runs[hugo.name])
    hugo_peak = statistics.median(run.peak_mib for run in runs[hugo.name])
    print(f"\n| posts | tool | wall s | CPU s | peak MiB | wall / Hugo | peak / Hugo |  (median of {rounds})")
    for name, done in runs.items():
        wall = statistics.median(run.wall for run in done)
        peak = statistics.median(run.peak_mib for run in done)
        cpu = statistics.median(run.cpu for run in done)
        ratios = f"{wall / hugo_wall:.2f}x | {peak / hugo_peak:.2f}x"
        print(f"| {size:,} | {name} | {wall:.2f} | {cpu:.2f} | {peak:.0f} | {ratios} |")
    every = {name: [asdict(run) for run in done] for name, done in runs.items()}
    (OUT / f"versus-{size}.json").write_text(json.dumps({"ref": ref, "runs": every}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
