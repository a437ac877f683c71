"""A 150-post blog with 140 photos, as Hugo page bundles, for the image builds (`bench/photos.py`).

Posts are `generate.make_post`'s (front matter, 300-1,500 words), each in a bundle
`posts/post-NNNNN/index.md`. 110 posts have a feature image (`feature.jpg` or `feature.png`:
Blowfish's and Congo's lookup, and Hugo's `.Resources.GetMatch "*feature*"`), 15 more have a
feature image and a photo in their body (`![...](photo.jpg)`), 25 have none: 140 images.

The images are `images.photo` pixels (smooth colour fields, detail and sensor grain), seeded:
- 84 12-megapixel camera JPEGs (4000 × 3000, quality 90, EXIF with camera and GPS data);
- 42 24-megapixel camera JPEGs (6000 × 4000, likewise);
- 14 large PNGs (3840 × 2160, smooth pixels without grain, about 6.6 MB each).
About one JPEG in four (26 of 126) is a portrait as cameras store it: landscape pixels with EXIF
orientation 6, shown 3000 × 4000 (or 4000 × 6000) once turned upright.

Written once under `bench/out/photo-blog/` (770 MB, about three minutes on one core):
`pressroom/` (with `site.yaml`) and `hugo/` (the same `posts/` as hard links, Hugo's
contentDir). Same seed, same bytes.
"""

from __future__ import annotations

import io
import os
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generate import SITE_YAML, _dates, make_post

POSTS = 150
FEATURE_ONLY = 110
FEATURE_AND_BODY = 15
KINDS = {"jpeg-12mp": 84, "jpeg-24mp": 42, "png-4k": 14}
"""Image kind -> how many of the 140."""
SIZES = {"jpeg-12mp": (4000, 3000), "jpeg-24mp": (6000, 4000), "png-4k": (3840, 2160)}
PORTRAIT_SHARE = 4
"""One JPEG in this many is a portrait (EXIF orientation 6)."""


@dataclass(frozen=True)
class Photo:
    """One image of the blog: its bundle key, its kind and how it is stored."""

    key: str
    kind: str
    seed: int
    orientation: int

    @property
    def extension(self) -> str:
        return "png" if self.kind.startswith("png") else "jpg"


def plan(seed: int = 22) -> tuple[dict[int, list[Photo]], list[Photo]]:
    """Post number -> its images (feature first), and every image: which post gets which kind."""
    rng = random.Random(seed)
    kinds = [kind for kind, count in KINDS.items() for _ in range(count)]
    rng.shuffle(kinds)
    numbers = list(range(POSTS))
    rng.shuffle(numbers)
    with_body = set(numbers[FEATURE_ONLY : FEATURE_ONLY + FEATURE_AND_BODY])
    by_post: dict[int, list[Photo]] = {}
    photos: list[Photo] = []
    for number in numbers[: FEATURE_ONLY + FEATURE_AND_BODY]:
        for name in ("feature", "photo") if number in with_body else ("feature",):
            kind = kinds[len(photos)]
            portrait = kind.startswith("jpeg") and rng.randrange(PORTRAIT_SHARE) == 0
            extension = "png" if kind.startswith("png") else "jpg"
            photo = Photo(
                f"posts/post-{number:05d}/{name}.{extension}", kind, seed * 1000 + len(photos), 6 if portrait else 1
            )
            by_post.setdefault(number, []).append(photo)
            photos.append(photo)
    return by_post, photos


def image_bytes(photo: Photo) -> bytes:
    """The photo's file: a camera JPEG (EXIF with GPS, its orientation) or a PNG."""
    from images import camera_exif
    from images import photo as pixels

    width, height = SIZES[photo.kind]
    out = io.BytesIO()
    if photo.kind.startswith("png"):
        pixels(width, height, photo.seed, grain=0).save(out, "PNG", compress_level=6)  # type: ignore[attr-defined]
    else:
        image = pixels(width, height, photo.seed)
        image.save(out, "JPEG", quality=90, exif=camera_exif(photo.orientation))  # type: ignore[attr-defined]
    return out.getvalue()


def post_bytes(number: int, date: object, seed: int, photos: list[Photo]) -> bytes:
    """The post's index.md: a generated post, with its body photo (if any) after its first paragraph."""
    rng = random.Random(seed * 1_000_003 + number)
    text = make_post(rng, number, date).decode("utf-8")  # type: ignore[arg-type]
    for photo in photos[1:]:
        front, body = text.split("---\n\n", 1)
        first, rest = body.split("\n\n", 1)
        name = photo.key.rsplit("/", 1)[1]
        text = f"{front}---\n\n{first}\n\n![A photo for post {number}]({name})\n\n{rest}"
    return text.encode("utf-8")


def prepare(base: Path, seed: int = 22) -> dict[str, Path]:
    """Write the blog once under `base`/photo-blog; its pressroom and Hugo content folders."""
    root = base / "photo-blog"
    folders = {"pressroom": root / "pressroom", "hugo": root / "hugo"}
    marker = root / f".complete-{seed}"
    if marker.exists():
        return folders
    shutil.rmtree(root, ignore_errors=True)
    by_post, photos = plan(seed)
    dates = _dates(POSTS, random.Random(seed))
    files: dict[str, bytes] = {"site.yaml": SITE_YAML.replace(b"Bench Notes", b"Bench Photos")}
    for number in range(POSTS):
        files[f"posts/post-{number:05d}/index.md"] = post_bytes(number, dates[number], seed, by_post.get(number, []))
    for key, data in files.items():
        _write(folders, key, data)
    for done, photo in enumerate(photos, 1):
        _write(folders, photo.key, image_bytes(photo))
        if done % 20 == 0:
            print(f"    photo blog: {done}/{len(photos)} images written", flush=True)
    marker.touch()
    return folders


def _write(folders: dict[str, Path], key: str, data: bytes) -> None:
    target = folders["pressroom"] / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if key.startswith("posts/"):
        linked = folders["hugo"] / key
        linked.parent.mkdir(parents=True, exist_ok=True)
        os.link(target, linked)


def describe(seed: int = 22) -> dict[str, object]:
    """What the blog holds, for the report."""
    by_post, photos = plan(seed)
    kinds = Counter(photo.kind for photo in photos)
    portraits = sum(photo.orientation != 1 for photo in photos)
    return {"posts": POSTS, "posts_with_images": len(by_post), "images": len(photos), "kinds": dict(kinds),
            "portraits": portraits, "seed": seed}  # fmt: skip
