"""Images: time and peak memory of processing one image, and the AVIF encoder's speed setting.

Run standalone: `.venv/bin/python bench/images.py` (add `--avif-speeds` for the speed table);
`make bench` runs it as its section `images` and writes the table into BENCHMARKS.md, with the
Lambda function's memory and timeout checked against it.

Inputs are generated once into a cache folder (photo-like pixels: smooth colour fields, detail
and sensor grain, from a seeded generator) and reused:
- a 12-megapixel and a 24-megapixel camera JPEG (quality 90, EXIF orientation 6 and GPS);
- a 50-megapixel PNG (49.8 MP, smooth pixels so it stays under the 50 MiB file limit);
- bombs: the inputs that take the most memory for the fewest bytes. A PNG declaring 10 billion
  pixels (refused from its header); a flat 50-megapixel RGBA PNG and a flat 50-megapixel
  16-bit grey PNG (accepted: the largest non-JPEG decodings); a flat progressive 100-megapixel
  JPEG (accepted: the largest JPEG; progressive, so libjpeg holds every coefficient).

Each image is processed in a fresh `python` process that has imported the Lambda handler
(`functions/publisher/app.py`, so its libraries are in the figure), as the function would: every
variant a used image gets (`facts.VARIANT_ROLES`: content, thumbnail and avatar widths in AVIF and
WebP, and the fallback), then the original's metadata stripped. The child reports its wall and
CPU time and its peak resident memory (VmHWM from /proc, Linux: Pillow's pixel buffers are C
allocations that tracemalloc does not see, and `ru_maxrss` keeps the parent's peak across fork),
with the resident memory after imports for reference.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import re
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = Path(tempfile.gettempdir()) / "pressroom-bench-images"

_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
import app  # the Lambda handler: its libraries are in the function's memory too
from pressroom.core.images.metadata import strip_metadata
from pressroom.core.images.processing import process
from pressroom.core.images.facts import VARIANT_ROLES
from pressroom.core.images.variants import encoder_identity
from pressroom.core.images.exceptions import ImageError
def status_mb(field):  # VmHWM is this process's own peak: ru_maxrss would carry the parent's over fork
    line = next(line for line in open("/proc/self/status") if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024
identity = encoder_identity()
baseline = status_mb("VmRSS")
path, key = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
start, cpu = time.perf_counter(), time.process_time()
try:
    made = process(data, key, identity, VARIANT_ROLES)
    variants, variant_bytes, problem = len(made.variants), sum(len(v.data) for v in made.variants), ""
    processed = time.perf_counter()
    stripped = len(strip_metadata(data, key))
except ImageError as error:
    variants, variant_bytes, problem, stripped = 0, 0, error.problem, 0
    processed = time.perf_counter()
end = time.perf_counter()
print(json.dumps({"process": processed - start, "cpu": time.process_time() - cpu, "strip": end - processed,
                  "variants": variants, "variant_bytes": variant_bytes, "problem": problem, "stripped": stripped,
                  "baseline_mb": baseline, "peak_mb": status_mb("VmHWM")}))
"""


def photo(width: int, height: int, seed: int, grain: int = 24) -> object:
    """Photo-like pixels: smooth colour fields, mid-frequency detail and (optionally) sensor grain."""
    from PIL import Image, ImageChops

    rng = random.Random(seed)
    fields = Image.frombytes("RGB", (12, 9), rng.randbytes(12 * 9 * 3)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    small = (width // 24, height // 24)
    detail = Image.frombytes("RGB", small, rng.randbytes(small[0] * small[1] * 3))
    image = Image.blend(fields, detail.resize((width, height), Image.Resampling.BILINEAR), 0.35)
    del fields, detail
    if grain:
        noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).point(lambda v: v * grain // 255)
        image = ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), offset=-grain // 2)
    return image


def camera_exif(orientation: int = 6) -> bytes:
    """A camera's EXIF block: its orientation, make and model, and a GPS position."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F], exif[0x0110] = "Bench camera", "Model 24"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (48.0, 51.0, 29.9), "E", (2.0, 17.0, 40.2)
    return exif.tobytes()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _flat_png(width: int, height: int, bit_depth: int, colour_type: int, channels: int) -> bytes:
    """A PNG of zero pixels written row by row through one zlib stream: tiny file, huge image."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    row = bytes(1 + width * channels * bit_depth // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _declared_png(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` × `height` grey pixels, with 10 KB of zero rows after it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(bytes(10_000_000), 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _encode(image: object, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)  # type: ignore[attr-defined]
    return out.getvalue()


INPUTS = {
    # name: (key, maker)
    "jpeg-12mp": ("photo-12mp.jpg", lambda: _encode(photo(4000, 3000, 12), "JPEG", quality=90, exif=camera_exif())),
    "jpeg-24mp": ("photo-24mp.jpg", lambda: _encode(photo(6000, 4000, 24), "JPEG", quality=90, exif=camera_exif())),
    "png-50mp": ("scan-50mp.png", lambda: _encode(photo(8640, 5760, 50, grain=0), "PNG", compress_level=6)),
    "bomb-png-10gp (refused)": ("bomb-10gp.png", lambda: _declared_png(100_000, 100_000)),
    "bomb-png-50mp-rgba": ("bomb-50mp-rgba.png", lambda: _flat_png(8640, 5760, 8, 6, 4)),
    "bomb-png-50mp-16bit": ("bomb-50mp-grey16.png", lambda: _flat_png(8640, 5760, 16, 0, 1)),
    "bomb-jpeg-100mp-progressive": ("bomb-100mp.jpg", lambda: _flat_jpeg_100mp()),
}


def _flat_jpeg_100mp() -> bytes:
    from PIL import Image

    return _encode(Image.new("RGB", (10_000, 10_000), (90, 120, 150)), "JPEG", quality=90, progressive=True)


def input_file(name: str) -> tuple[Path, str]:
    """The generated input's path (made on first use) and its key."""
    key, make = INPUTS[name]
    path = CACHE / key
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {key}...", file=sys.stderr)
        path.write_bytes(make())
    return path, key


def measure(name: str) -> dict[str, object]:
    path, key = input_file(name)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), key, str(HERE.parent / "functions" / "publisher")],
        capture_output=True, text=True, check=True, cwd=HERE,
    )  # fmt: skip
    return {"name": name, "file_mb": path.stat().st_size / 1e6, **json.loads(child.stdout)}


def avif_speeds(speeds: tuple[int, ...]) -> list[dict[str, object]]:
    """The AVIF variant set of the 12-MP photo (content and thumbnail widths) at each speed: encode time and bytes."""
    from PIL import Image

    from pressroom.core.images.variants import CONTENT, ENCODINGS, THUMBNAIL, role_widths

    path, _ = input_file("jpeg-12mp")
    source = Image.open(path).convert("RGB")
    widths = sorted(set(role_widths(CONTENT, source.width)) | set(role_widths(THUMBNAIL, source.width)))
    resized = [source.resize((w, round(w * source.height / source.width)), Image.Resampling.LANCZOS) for w in widths]
    rows = []
    for speed in speeds:
        params = {**ENCODINGS["AVIF"], "speed": speed}
        start = time.perf_counter()
        encoded = [_encode(image, "AVIF", **params) for image in resized]
        seconds = time.perf_counter() - start
        rows.append({"speed": speed, "seconds": seconds, "kb": sum(map(len, encoded)) / 1000,
                     "largest_kb": len(encoded[-1]) / 1000, "psnr": psnr(resized[-1], encoded[-1])})  # fmt: skip
    start = time.perf_counter()
    encoded = [_encode(image, "WEBP", **ENCODINGS["WEBP"]) for image in resized]
    rows.append({"speed": "webp", "seconds": time.perf_counter() - start, "kb": sum(map(len, encoded)) / 1000,
                 "largest_kb": len(encoded[-1]) / 1000, "psnr": psnr(resized[-1], encoded[-1])})  # fmt: skip
    return rows


def psnr(reference: object, encoded: bytes) -> float:
    """Peak signal-to-noise ratio of `encoded` against `reference`, over the three channels, in dB."""
    from PIL import Image, ImageChops

    difference = ImageChops.difference(reference, Image.open(io.BytesIO(encoded)).convert("RGB"))  # type: ignore[arg-type]
    histogram = difference.histogram()
    squares = sum(count * (index % 256) ** 2 for index, count in enumerate(histogram))
    mse = squares / (difference.width * difference.height * 3)
    return 10 * math.log10(255**2 / mse) if mse else float("inf")


LAMBDA_FULL_VCPU_MB = 1769
"""Lambda gives a function one full vCPU at 1,769 MB of memory, proportionally less below."""
TEMPLATE = HERE.parent / "infra" / "template.yaml"


def template_limits(path: Path = TEMPLATE) -> dict[str, int]:
    """The publisher function's MemorySize (MB) and Timeout (s) in infra/template.yaml."""
    text = path.read_text(encoding="utf-8")
    function = text[text.index("  PublisherFunction:") :]
    return {name: int(re.search(rf"\n\s+{name}: (\d+)", function).group(1))  # type: ignore[union-attr]
            for name in ("MemorySize", "Timeout")}  # fmt: skip


def bench_images(speeds: tuple[int, ...] = (4, 6, 7, 8, 9, 10)) -> dict[str, object]:
    """Every input measured in a child process, the AVIF speeds, and what the template allows."""
    from pressroom.core.images.variants import encoder_identity

    rows = []
    for name in INPUTS:
        rows.append(measure(name))
        print(f"    {name}: {rows[-1]['process']:.2f} s, {rows[-1]['peak_mb']:.0f} MB", flush=True)
    return {"rows": rows, "speeds": avif_speeds(speeds) if speeds else [], "identity": encoder_identity(),
            "template": template_limits()}  # fmt: skip


def lambda_seconds(cpu: float, memory_mb: int) -> float:
    """A single-threaded job's time on a function of `memory_mb`, from its CPU seconds on a full core
    (Lambda's share of a vCPU below 1,769 MB; a Graviton core taken as fast as this machine's)."""
    return cpu * max(1.0, LAMBDA_FULL_VCPU_MB / memory_mb)


def images_markdown(data: dict[str, Any], table: Callable[..., str]) -> list[str]:
    limits = data["template"]
    memory, timeout = limits["MemorySize"], limits["Timeout"]
    rows = [
        [row["name"], f"{row['file_mb']:.2f}", row["variants"], f"{row['variant_bytes'] / 1000:,.0f}",
         f"{row['process']:.2f}", f"{row['cpu']:.2f}", f"{row['strip']:.3f}", f"{row['peak_mb']:.0f}",
         f"{lambda_seconds(row['cpu'], memory):.1f}", row["problem"] or "—"]
        for row in data["rows"]
    ]  # fmt: skip
    accepted = [row for row in data["rows"] if not row["problem"]]
    heaviest = max(data["rows"], key=lambda row: row["peak_mb"])
    slowest = max(accepted, key=lambda row: row["cpu"])
    baseline = min(row["baseline_mb"] for row in data["rows"])
    header = ["input", "file MB", "variants", "KB written", "wall s", "CPU s", "strip s", "peak MB",
              f"est. s on Lambda at {memory:,} MB", "refused because"]  # fmt: skip
    lines = [
        "## Images: one image's variants, time and memory",
        "",
        table(header, rows),
        "",
        f"`python bench/images.py` (`make bench` section `images`): each input in a fresh process that has imported "
        f"the Lambda handler ({baseline:.0f} MB resident before the image), which makes every variant a used image "
        "gets (AVIF and WebP at the content, thumbnail and avatar widths, and the fallback) and strips the "
        "original's metadata. Peak: the process's VmHWM. Encoders: " + data["identity"] + ".",
        "",
        f"The function (infra/template.yaml): {memory:,} MB, {timeout} s. Memory: the heaviest input "
        f"({heaviest['name']}) peaks at {heaviest['peak_mb']:.0f} MB, {memory - heaviest['peak_mb']:.0f} MB under the "
        f"function's {memory:,}. Time: at {memory:,} MB Lambda gives {memory / LAMBDA_FULL_VCPU_MB:.2f} of a vCPU, so "
        f"the slowest accepted input ({slowest['name']}, {slowest['cpu']:.1f} CPU s here) takes about "
        f"{lambda_seconds(slowest['cpu'], memory):.0f} s there, inside the {timeout} s timeout (the estimate takes a "
        "Graviton core as fast as this machine's).",
    ]
    if data.get("speeds"):
        speed_rows = [[row["speed"], f"{row['seconds']:.2f}", f"{row['kb']:.0f}", f"{row['largest_kb']:.0f}",
                       f"{row['psnr']:.1f}"] for row in data["speeds"]]  # fmt: skip
        lines += [
            "",
            "The AVIF encoder's speed (`variants.ENCODINGS`), on the 12-MP photo's content and thumbnail widths "
            "(160 to 1344 px; WebP for reference):",
            "",
            table(["speed", "encode s", "KB", "1344-px KB", "1344-px PSNR dB"], speed_rows),
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--avif-speeds", action="store_true", help="also time the AVIF encoder at speeds 4 to 10")
    parser.add_argument("--only", nargs="*", choices=list(INPUTS), help="measure only these inputs")
    args = parser.parse_args()
    print(f"{'image':<30} {'file MB':>8} {'variants':>8} {'KB out':>8} {'process s':>9} {'cpu s':>6} {'strip s':>8} "
          f"{'peak MB':>8} {'base MB':>8}  problem")  # fmt: skip
    for name in args.only or INPUTS:
        row = measure(name)
        print(
            f"{row['name']:<30} {row['file_mb']:>8.2f} {row['variants']:>8} {row['variant_bytes'] / 1000:>8.0f} "
            f"{row['process']:>9.2f} {row['cpu']:>6.2f} {row['strip']:>8.3f} {row['peak_mb']:>8.0f} "
            f"{row['baseline_mb']:>8.0f}  {row['problem']}"
        )
    if args.avif_speeds:
        print(f"\nAVIF variant set of the 12-MP photo (widths {', '.join(map(str, (160, 320, 360, 672, 1008, 1344)))})")
        print(f"{'speed':>6} {'seconds':>8} {'KB':>8} {'1344w KB':>9} {'1344w PSNR dB':>14}")
        for row in avif_speeds((4, 6, 7, 8, 9, 10)):
            print(
                f"{row['speed']!s:>6} {row['seconds']:>8.2f} {row['kb']:>8.0f} {row['largest_kb']:>9.0f}"
                f" {row['psnr']:>14.2f}"
            )


if __name__ == "__main__":
    main()
