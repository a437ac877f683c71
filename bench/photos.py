"""Image builds side by side: `pressroom build` and Hugo on a 150-post blog with 140 photos.

The blog is `photo_blog.py`'s (12- and 24-megapixel camera JPEGs, 4K PNGs, page bundles). Hugo
builds it with the theme of `bench/hugo-photos/`, whose templates make the variants pressroom
makes (`core/images/variants.py`): AVIF and WebP at 96, 160, 192, 320, 360, 672, 1008 and 1344
px (the content, thumbnail and avatar roles, never wider than the original), and a JPEG or PNG
1200 px wide; Lanczos; WebP quality 75 (method 4), AVIF quality 60 at speed 9, JPEG quality 75.
Hugo 0.168 encodes AVIF itself (libavif and aom compiled to WebAssembly), so both make the same
formats. Two more builders make everything but AVIF: Hugo with `HUGO_PARAMS_FORMATS=webp`
(the theme's switch) and pressroom with `variants.MODERN_FORMATS` set to WebP alone in its
process (a bench-only patch: pressroom has no such setting).

Every round, each builder in turn (the order rotates) builds twice:
- clean: output folder and caches deleted first (Hugo's `--cacheDir`, which holds its processed
  images through the theme's `[caches.images]`, and pressroom's `--cache-dir`);
- cached: output folder deleted, the cache the clean build left kept.
Wall time, CPU and peak memory (PSS of the process tree) as `builds.run_once` measures them.

`--cached-only hugo,hugo-webp` runs only the cached builds of those builders, with the cache an
earlier clean build left, and keeps that earlier run's clean figures from `bench/out/photos.json`
(Hugo's clean build of this blog takes 27 minutes); the report marks them.

    python bench/photos.py [--repeats 1] [--tools pressroom,hugo,pressroom-webp,hugo-webp]
                           [--cached-only hugo,hugo-webp]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from builds import NOW_FLAG, Run, Tool, hugo_binary, run_once
from photo_blog import describe, prepare

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS = ("pressroom", "hugo", "pressroom-webp", "hugo-webp")
CLEAN_TARGET = 0.5
"""Issue 22: a clean build of the photo blog at most 0.5x Hugo's..."""
CACHED_TARGET = 1.0
"""...and a rebuild with the cache at most Hugo's."""

_WEBP_ONLY = (
    "import sys\n"
    "import pressroom.core.images.variants as variants\n"
    "variants.MODERN_FORMATS = ('WEBP',)  # the bench's patch: no AVIF variant, no AVIF <source>\n"
    "from pressroom.shells.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)

LABELS = {
    "pressroom": "pressroom (AVIF, WebP, fallback)",
    "hugo": "Hugo (AVIF, WebP, fallback)",
    "pressroom-webp": "pressroom without AVIF (bench patch)",
    "hugo-webp": "Hugo without AVIF",
}
PAIRS = (("pressroom", "hugo"), ("pressroom-webp", "hugo-webp"))


def tools(folders: dict[str, Path], base: Path, names: Sequence[str]) -> list[tuple[Tool, Path]]:
    """Each builder's command and its cache folder."""
    out, caches = base / "photo-out", base / "photo-cache"
    python = ROOT / ".venv" / "bin" / "python"

    def pressroom(name: str, start: list[str]) -> tuple[Tool, Path]:
        cache = caches / name
        command = [*start, "build", str(folders["pressroom"]), "--out", str(out / name), "--now", NOW_FLAG,
                   "--cache-dir", str(cache), "--quiet"]  # fmt: skip
        return Tool(name, command, out / name), cache

    def hugo(name: str, env: tuple[tuple[str, str], ...]) -> tuple[Tool, Path]:
        cache = caches / name
        command = [str(hugo_binary()), "--source", str(HERE / "hugo-photos"), "--contentDir", str(folders["hugo"]),
                   "--destination", str(out / name), "--cacheDir", str(cache), "--quiet"]  # fmt: skip
        return Tool(name, command, out / name, env=env), cache

    every = {
        "pressroom": pressroom("pressroom", [str(ROOT / ".venv" / "bin" / "pressroom")]),
        "hugo": hugo("hugo", ()),
        "pressroom-webp": pressroom("pressroom-webp", [str(python), "-c", _WEBP_ONLY]),
        "hugo-webp": hugo("hugo-webp", (("HUGO_PARAMS_FORMATS", "webp"),)),
    }
    return [every[name] for name in names]


def output_bytes(folder: Path) -> dict[str, float]:
    """MB of the output by extension of the image files (variants and originals)."""
    sizes: Counter[str] = Counter()
    for path, _, names in os.walk(folder):
        for name in names:
            extension = name.rsplit(".", 1)[-1]
            if extension in ("avif", "webp", "jpg", "png"):
                sizes[extension] += os.path.getsize(os.path.join(path, name))
    return {extension: round(size / 1e6, 1) for extension, size in sorted(sizes.items())}


def bench_photos(base: Path, names: Sequence[str], repeats: int, cached_only: Sequence[str] = ()) -> dict[str, Any]:
    """`repeats` rounds of a clean then a cached build by each builder; every run's figures. The
    builders in `cached_only` make their cached builds alone, their clean figures kept from the
    previous `photos.json`."""
    base = base.resolve()
    folders = prepare(base)
    chosen = tools(folders, base, names)
    kept_clean = _kept_clean(base / "photos.json", cached_only)
    for tool, cache in chosen:
        if tool.name in kept_clean and not cache.is_dir():
            raise SystemExit(f"--cached-only {tool.name}: no cache at {cache}: run its clean build first")
    runs: dict[str, dict[str, list[Run]]] = {tool.name: {"clean": [], "cached": []} for tool, _ in chosen}
    outputs: dict[str, dict[str, float]] = {}
    for round_number in range(repeats):
        shift = round_number % len(chosen)
        for tool, cache in chosen[shift:] + chosen[:shift]:
            for kind in ("clean", "cached"):
                if kind == "clean" and tool.name in kept_clean:
                    continue
                shutil.rmtree(tool.out, ignore_errors=True)
                if kind == "clean":
                    shutil.rmtree(cache, ignore_errors=True)
                os.sync()
                run = run_once(tool)
                runs[tool.name][kind].append(run)
                print(f"    {tool.name:15} {kind:6} {run.wall:7.1f} s wall, {run.cpu:7.1f} CPU-s, "
                      f"{run.peak_mib:6.0f} MiB, {run.files:,} files", flush=True)  # fmt: skip
            outputs[tool.name] = output_bytes(tool.out)
    source_mb = sum(path.stat().st_size for path in folders["pressroom"].rglob("*") if path.is_file()) / 1e6
    return {
        "blog": {**describe(), "source_mb": round(source_mb)},
        "repeats": repeats,
        "results": [
            {"name": name, "clean": kept_clean.get(name) or [asdict(r) for r in kinds["clean"]],
             "cached": [asdict(r) for r in kinds["cached"]], "output_mb": outputs.get(name, {}),
             **({"clean_kept": True} if name in kept_clean else {})}
            for name, kinds in runs.items()
        ],
    }  # fmt: skip


def _kept_clean(previous: Path, names: Sequence[str]) -> dict[str, list[dict[str, float]]]:
    """The clean runs of these builders in the previous photos.json (SystemExit when it has none)."""
    if not names:
        return {}
    earlier = (
        {result["name"]: result for result in json.loads(previous.read_text())["results"]} if previous.exists() else {}
    )
    missing = [name for name in names if not earlier.get(name, {}).get("clean")]
    if missing:
        raise SystemExit(f"--cached-only {','.join(missing)}: {previous} has no clean run of it to keep")
    return {name: earlier[name]["clean"] for name in names}


def _median(runs: list[dict[str, float]], field: str) -> float:
    return statistics.median(run[field] for run in runs) if runs else float("nan")


def _by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["name"]: result for result in data["results"]}


def target_rows(data: dict[str, Any], verdict: Callable[[bool], str]) -> list[list[str]]:
    """Issue 22's build targets against this run: (target, measured, verdict) rows."""
    rows: list[list[str]] = []
    by = _by_name(data)
    for ours, theirs in PAIRS:
        if ours not in by or theirs not in by:
            continue
        label = "" if ours == "pressroom" else " (both without AVIF)"
        for kind, target in (("clean", CLEAN_TARGET), ("cached", CACHED_TARGET)):
            ratio = _median(by[ours][kind], "wall") / _median(by[theirs][kind], "wall")
            rows.append([f"photo blog, {kind} build{label}: wall <= {target}x Hugo", f"{ratio:.2f}x",
                         verdict(ratio <= target)])  # fmt: skip
    return rows


def photos_markdown(data: dict[str, Any], table: Callable[..., str]) -> list[str]:
    by = _by_name(data)
    rows = []
    for name in (n for n in TOOLS if n in by):
        result = by[name]
        rival = by.get("hugo-webp" if name.endswith("-webp") else "hugo")
        cells = [LABELS[name]]
        for kind in ("clean", "cached"):
            wall = _median(result[kind], "wall")
            ratio = f"{wall / _median(rival[kind], 'wall'):.2f}x" if rival else "—"
            mark = "*" if kind == "clean" and result.get("clean_kept") else ""
            cells += [f"{wall:.1f}{mark}", f"{_median(result[kind], 'cpu'):.1f}{mark}",
                      f"{_median(result[kind], 'peak_mib'):.0f}{mark}", ratio]  # fmt: skip
        cells += [f"{int(_median(result['clean'], 'files')):,}",
                  ", ".join(f"{ext} {mb:,.0f}" for ext, mb in result["output_mb"].items())]  # fmt: skip
        rows.append(cells)
    header = ["builder", "clean: wall s", "CPU s", "peak MiB", "wall / Hugo", "cached: wall s", "CPU s", "peak MiB",
              "wall / Hugo", "files", "image MB written"]  # fmt: skip
    blog = data["blog"]
    kept = [LABELS[result["name"]] for result in data["results"] if result.get("clean_kept")]
    kept_note = (
        [f"\\* clean build not run again (`--cached-only`): the figures of an earlier run of this section on this "
         f"machine, kept for {', '.join(kept)}; its cached builds ran in this run, with the cache that clean build "
         "left.", ""]
        if kept else []
    )  # fmt: skip
    kinds = ", ".join(f"{count} {kind}" for kind, count in blog["kinds"].items())
    return [
        "## Images: a 150-post blog with 140 photos, pressroom against Hugo",
        "",
        table(header, rows),
        "",
        *kept_note,
        f"`python bench/photos.py` (`make bench` section `photos`), median of {data['repeats']} round(s). The blog "
        f"(`bench/photo_blog.py`, seed {blog['seed']}): {blog['posts']} posts as page bundles, {blog['images']} "
        f"images in {blog['posts_with_images']} of them ({kinds}; {blog['portraits']} JPEGs are portraits stored "
        "with EXIF orientation 6), each a post's feature image or a photo in its body. Both builders make the "
        "same variants of every image: AVIF and WebP at 96 to 1344 px (8 widths, fewer for a narrower image) "
        "and a 1200-px JPEG or PNG, Lanczos, WebP quality 75, AVIF quality 60 at speed 9, JPEG quality 75 "
        "(Hugo: the theme in `bench/hugo-photos/`, the avatar widths made but not shown, as pressroom makes "
        "them; portraits turned upright with `images.AutoOrient`). Hugo 0.168 encodes AVIF (libavif 1.4.2 and "
        "aom compiled to WebAssembly), so the first pair compares the same formats; the second pair makes "
        "everything but AVIF (pressroom through a bench-only patch of `variants.MODERN_FORMATS`, no product "
        "setting). pressroom also strips every original's location and camera data (Hugo copies originals as "
        f"they are: {blog.get('source_mb', 0):,} MB of sources here). With its cache, pressroom keeps each "
        "image's copy without metadata beside its variants and hard-links both into the output folder, and "
        "remembers each image's facts with its file's status: its cached build opens no image (Hugo's copies "
        "every original and reads its cached variants).",
        "",
        "*clean*: output folder and every cache deleted first (Hugo's `--cacheDir`, which holds its processed "
        "images, pressroom's `--cache-dir`); *cached*: output folder deleted, the clean build's cache kept. "
        "CPU: user + system seconds of the process and its children; peak: the largest PSS of the process tree, "
        "sampled every 50 ms.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--cached-only", default="", help="builders whose clean figures are kept from the last run")
    args = parser.parse_args()
    data = bench_photos(
        HERE / "out", args.tools.split(","), args.repeats, [n for n in args.cached_only.split(",") if n]
    )
    (HERE / "out" / "photos.json").write_text(json.dumps(data, indent=2) + "\n")
    for row in target_rows(data, lambda ok: "met" if ok else "NOT met"):
        print("   ", " | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
