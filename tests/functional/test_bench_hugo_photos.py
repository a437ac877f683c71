"""The image bench's Hugo theme (`bench/hugo-photos/`) makes the variants pressroom makes.

`make bench` compares pressroom's image builds with Hugo's (`bench/photos.py`); the comparison
holds only while both make the same files: for every image, the same formats at the same sizes
(the roles' widths never wider than the original, a portrait turned upright, the 1200-px
fallback in the original's format; a height that falls on a half pixel is rounded to even by
pressroom, up by Hugo). When `core/images/variants.py` changes its widths or
formats, this fails until the theme follows.
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from pressroom.core.build import build_site
from support.hugo import hugo_binary
from support.images import photo

THEME = Path(__file__).resolve().parents[2] / "bench" / "hugo-photos"
POST = "---\ntitle: {title}\ndate: 2026-01-0{day}\n---\n\nSome text.\n\n{body}\n"


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, "PNG")
    return out.getvalue()


FILES = {
    # a portrait as a camera stores it, a PNG narrower than the widest widths, a tiny JPEG
    "posts/portrait/index.md": POST.format(title="Portrait", day=1, body="![A chart](chart.png)").encode(),
    "posts/portrait/feature.jpg": photo(1600, 1200, orientation=6),
    "posts/portrait/chart.png": _png(800, 450),
    "posts/tiny/index.md": POST.format(title="Tiny", day=2, body="").encode(),
    "posts/tiny/feature.jpg": photo(150, 100),
}


def _variants(files: dict[str, bytes], pattern: str) -> dict[tuple[str, str, int], int]:
    """(image, format, width) -> height of each variant file whose key matches `pattern` (group 1: the image)."""
    found = {}
    for key, data in files.items():
        match = re.fullmatch(pattern, key)
        if match:
            with Image.open(io.BytesIO(data)) as image:
                found[(match.group(1), str(image.format), image.width)] = image.height
    return found


def test_the_bench_hugo_theme_makes_the_variants_pressroom_makes(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for key, data in FILES.items():
        (content / key).parent.mkdir(parents=True, exist_ok=True)
        (content / key).write_bytes(data)
    public = tmp_path / "public"
    subprocess.run(
        [hugo_binary(), "--quiet", "--source", str(THEME), "--contentDir", str(content), "--destination",
         str(public), "--cacheDir", str(tmp_path / "cache")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    hugo = {str(path.relative_to(public)): path.read_bytes() for path in public.rglob("*_hu_*")}
    ours = build_site(dict(FILES), datetime(2026, 11, 29, tzinfo=UTC)).outputs

    made = _variants(ours, r"(posts/\w+/\w+)\.[0-9a-f]{12}\.\d+\.(?:avif|webp|jpg|png)")
    assert len(made) == 17 + 15 + 5  # 8 widths, 7 and 2, in AVIF and WebP, and each image's fallback
    theirs = _variants(hugo, r"(posts/\w+/\w+)_hu_[0-9a-f]+\.(?:avif|webp|jpg|png)")
    assert made.keys() == theirs.keys()
    assert all(abs(made[variant] - theirs[variant]) <= 1 for variant in made), (made, theirs)
    page = (public / "posts" / "portrait" / "index.html").read_text()
    assert 'width="1200" height="1600"' in page, "the portrait's <img> is upright, as pressroom writes it"
