"""Which variants an image gets, what they are called, and what a template writes for them.

Widths come from the theme's layout (`theme/static/main.css`), 1x and 2x of each slot:

- **content** (a Markdown image, a figure, a post's feature image): the reading column is
  `--measure` = 42rem = 672 CSS px; a 390-px phone leaves 350 px after the 1.25rem paddings.
  Widths 360 (phone, 1x), 672 (column, 1x), 1008 (phone 3x, column 1.5x), 1344 (column, 2x).
- **thumbnail** (a summary's image on list pages): `.thumb img` is 7.5rem wide (120 px), 5rem on
  narrow screens, cropped by `object-fit: cover`, so 160 (1x, room for the crop of a 16:9
  image) and 320 (2x).
- **avatar** (the author's image): `.avatar` is 6rem (96 px): 96 and 192.

Every raster image gets WebP and AVIF at its roles' widths, never wider than the original: a
role whose largest width passes the original gets the original's width as its top candidate
instead. One more variant in a format every consumer reads, the **fallback** (JPEG for a JPEG
original, PNG for a PNG one, and for other formats JPEG when opaque, PNG with transparency),
1200 px wide or the original's width when narrower: it is the `<img src>` of a `<picture>` and
the image of feeds and Open Graph (1200 px is the width Facebook and LinkedIn ask for). An
animated GIF, WebP, PNG or AVIF gets no variant: it is published as it is.

A variant sits beside its source, named `STEM.HASH.WIDTH.EXT`:

>>> identity = "Pillow 13.0.0; webp 1.6.0"
>>> source = SourceImage("posts/trip/beach.jpg", "JPEG", 4000, 3000, 1, animated=False, has_alpha=False)
>>> [v.key for v in plan_variants(source, "ab" * 32, identity, (THUMBNAIL,))][:2]
['posts/trip/beach.29a5bb8d322f.160.avif', 'posts/trip/beach.4454d6f8483a.320.avif']

HASH is 12 hex digits of SHA-256 over the source's digest, the variant's format and width, the
processing parameters (`PIPELINE`, the format's `ENCODINGS` entry) and the encoder identity
(`encoder_identity`: the versions of Pillow and of the libraries that decode, convert and encode;
for a HEIC, those of its decoder too: `decoding_identity`).
So a name never changes bytes (variants are cached for a year), and a site built with another
Pillow or libavif gets other names instead of mixing bytes of two encoders under one name. Bytes
are equal between two builds that share the encoder identity: the encoders are deterministic
(AVIF with a fixed thread count: libaom's output depends on it, see `ENCODINGS`).

Names are computed from the image's header (its format and size, `processing.inspect`) and its
digest, without decoding pixels: a page is rendered with the names while the variants are made.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

HASH_LENGTH = 12
"""Hex digits of the variant hash: 48 bits, for names that never meet another image's bytes."""


@dataclass(frozen=True)
class Role:
    """A slot the theme lays an image out in: its widths (1x and 2x) and the `sizes` it is shown at."""

    name: str
    widths: tuple[int, ...]
    sizes: str


CONTENT = Role("content", (360, 672, 1008, 1344), "(max-width: 44.5rem) calc(100vw - 2.5rem), 42rem")
THUMBNAIL = Role("thumbnail", (160, 320), "(max-width: 30em) 5rem, 7.5rem")
AVATAR = Role("avatar", (96, 192), "6rem")
ROLES: Mapping[str, Role] = {role.name: role for role in (CONTENT, THUMBNAIL, AVATAR)}

FALLBACK_WIDTH = 1200
"""The fallback's width, which feeds and Open Graph use too."""

LARGEST_WIDTH = max([FALLBACK_WIDTH, *(w for role in ROLES.values() for w in role.widths)])

PIPELINE: Mapping[str, Any] = {
    # Bump `version` when the processing changes what a variant's pixels are for the same inputs.
    "version": 1,
    "filter": "lanczos",
    "reducing_gap": 3.0,  # Pillow's resize: a box reduction first, then Lanczos over 3x the target
    # A JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that stays at least this wide,
    # so every variant is made from the same pixels whichever of them a plan asks for.
    "decode_at_least": LARGEST_WIDTH,
    "colour": "sRGB, perceptual intent, converted after resizing",
    "metadata": "none",
}

ENCODINGS: Mapping[str, Mapping[str, Any]] = {
    "WEBP": {"quality": 75, "method": 4},
    # Speed 9, measured by `bench/images.py --avif-speeds` on a 12-MP photo's six AVIF widths:
    # 0.25 s and 263 KB (1344 px: 105 KB, 37.4 dB PSNR); speed 6 writes 12% fewer bytes at the
    # same quality (91 KB, 37.8 dB) but takes 1.5 s, 6x longer, too long for a 12-MP photo to be
    # on its page within 5 s on a 1,024 MB function (0.6 vCPU); speeds 7 and 8 are slower than 9
    # and larger; 10 is 9 (libaom's still-image mode stops at 9). One thread, because libaom's
    # bytes depend on the thread count and a laptop and a Lambda function must write the same.
    "AVIF": {"quality": 60, "speed": 9, "max_threads": 1, "codec": "aom", "subsampling": "4:2:0"},
    "JPEG": {"quality": 75, "progressive": True, "optimize": True, "subsampling": "4:2:0"},
    "PNG": {"compress_level": 9},
}

MODERN_FORMATS = ("AVIF", "WEBP")
"""Every role's formats, and the `<source>` elements in this order: a browser takes the first it reads."""

MEDIA_TYPES: Mapping[str, str] = {"AVIF": "image/avif", "WEBP": "image/webp", "JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS: Mapping[str, str] = {"AVIF": "avif", "WEBP": "webp", "JPEG": "jpg", "PNG": "png"}


@dataclass(frozen=True)
class SourceImage:
    """What an image's header says, with no pixel decoded; sizes in the displayed orientation."""

    key: str
    format: str  # Pillow's name, MPO counted as JPEG: JPEG, PNG, GIF, WEBP, AVIF, HEIF (a HEIC)
    width: int
    height: int
    orientation: int  # EXIF orientation, 1 to 8 (1: as stored)
    animated: bool
    has_alpha: bool

    @property
    def fallback_format(self) -> str:
        """JPEG or PNG: the original's format when it is one of them, else by transparency."""
        if self.format in ("JPEG", "PNG"):
            return self.format
        return "PNG" if self.has_alpha else "JPEG"


@dataclass(frozen=True)
class Variant:
    """One file to make: its key beside the source, its size (displayed orientation) and format."""

    key: str
    width: int
    height: int
    format: str

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(frozen=True)
class PictureSource:
    """A `<source>` of a `<picture>`: one format at several widths."""

    media_type: str
    candidates: tuple[Variant, ...]

    def srcset(self, url: Callable[[str], str] = str) -> str:
        """`srcset` for the candidates, each key turned into a URL by `url`."""
        return ", ".join(f"{url(v.key)} {v.width}w" for v in self.candidates)


@dataclass(frozen=True)
class Picture:
    """What a template writes for an image in a role: `<picture>` sources, the `<img>` and its size.

    `width` and `height` are the original's, displayed orientation: the browser reserves the
    box from their ratio before any byte arrives, so nothing shifts. An animated image has no
    source and its `src` is the original.
    """

    src: str
    width: int
    height: int
    sizes: str
    sources: tuple[PictureSource, ...]


def source_digest(data: bytes) -> str:
    """The digest a variant's name starts from: SHA-256 of the source's bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@cache
def encoder_identity() -> str:
    """Versions of everything that decides a variant's bytes, as Pillow reports them.

    Pillow (resizing, its plugins), libjpeg-turbo (JPEG decoding and encoding), zlib-ng or zlib
    (PNG), Little CMS (colour conversion), libwebp, libavif and the AV1 encoder it calls.
    Imports Pillow: call it only when an image is processed or named.
    """
    import PIL
    from PIL import AvifImagePlugin, features

    def version(feature: str) -> str:
        return str(features.version(feature)) if features.check(feature) else "none"

    zlib = f"zlib-ng {version('zlib_ng')}" if features.check("zlib_ng") else f"zlib {version('zlib')}"
    return "; ".join(
        (
            f"Pillow {PIL.__version__}",
            f"libjpeg-turbo {version('libjpeg_turbo')}",
            zlib,
            f"lcms2 {version('littlecms2')}",
            f"libwebp {version('webp')}",
            f"libavif {version('avif')}",
            f"aom {AvifImagePlugin.get_codec_version('aom') if features.check('avif') else 'none'}",
        )
    )


def decoding_identity(identity: str, fmt: str) -> str:
    """`identity` (an `encoder_identity`), and for a HEIC (`fmt` HEIF) the versions of pi-heif,
    libheif and libde265, which decode it: Pillow does not. Other formats' names do not change
    with them. Imports pi-heif for a HEIC only."""
    if fmt != "HEIF":
        return identity
    return f"{identity}; {_heif_decoder()}"


@cache
def _heif_decoder() -> str:
    import pi_heif

    info = pi_heif.libheif_info()
    libde265 = str(info.get("decoders", {}).get("libde265", "none")).rsplit(" ", 1)[-1]
    return f"pi-heif {pi_heif.__version__}; libheif {info.get('libheif')}; libde265 {libde265}"


def variant_hash(digest: str, fmt: str, width: int, identity: str) -> str:
    """The HASH of a variant's name (see the module's docstring)."""
    inputs = {
        "source": digest,
        "format": fmt,
        "width": width,
        "pipeline": PIPELINE,
        "encoding": ENCODINGS[fmt],
        "encoder": identity,
    }
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def role_widths(role: Role, original_width: int) -> tuple[int, ...]:
    """The role's widths up to the original's; the original's width when it is narrower than some.

    >>> role_widths(CONTENT, 4000), role_widths(CONTENT, 800), role_widths(CONTENT, 200)
    ((360, 672, 1008, 1344), (360, 672, 800), (200,))
    """
    narrower = tuple(w for w in role.widths if w < original_width)
    return (*narrower, original_width) if len(narrower) < len(role.widths) else narrower


def scaled_height(source: SourceImage, width: int) -> int:
    """The height of `source` shown `width` pixels wide, rounded, at least 1."""
    return max(1, round(source.height * width / source.width))


def variant_stem(key: str) -> str:
    """`dir/STEM` of the image published at `key`: its variants are `dir/STEM.HASH.WIDTH.EXT`.

    >>> variant_stem("posts/trip/beach.jpg"), variant_stem("img/a.b.png")
    ('posts/trip/beach', 'img/a.b')
    """
    directory, filename = posixpath.split(key)
    return posixpath.join(directory, filename.rsplit(".", 1)[0] if "." in filename else filename)


_VARIANT_TAIL = re.compile(rf"[0-9a-f]{{{HASH_LENGTH}}}\.[1-9][0-9]*\.(?:{'|'.join(EXTENSIONS.values())})")


def variants_beside(keys: Iterable[str], stem: str) -> list[str]:
    """The keys named as variants of the image whose stem is `stem` (not of another image whose
    name starts the same, such as `stem.old.png`'s).

    >>> variants_beside(["a/b.29a5bb8d322f.160.avif", "a/b.old.29a5bb8d322f.160.avif", "a/b.jpg"], "a/b")
    ['a/b.29a5bb8d322f.160.avif']
    """
    start = len(stem) + 1
    return [key for key in keys if key.startswith(stem + ".") and _VARIANT_TAIL.fullmatch(key, start)]


def _variant(source: SourceImage, digest: str, identity: str, fmt: str, width: int) -> Variant:
    name = f"{variant_stem(source.key)}.{variant_hash(digest, fmt, width, identity)}.{width}.{EXTENSIONS[fmt]}"
    return Variant(name, width, scaled_height(source, width), fmt)


def fallback_variant(source: SourceImage, digest: str, identity: str) -> Variant:
    """The JPEG or PNG variant 1200 px wide (or the original's width): `<img src>`, feeds, Open Graph."""
    return _variant(source, digest, identity, source.fallback_format, min(FALLBACK_WIDTH, source.width))


def plan_variants(
    source: SourceImage, digest: str, identity: str, roles: Iterable[Role] = (CONTENT,)
) -> tuple[Variant, ...]:
    """Every variant the image gets in these roles, each once: AVIF, WebP, then the fallback.

    None for an animated image, which is published as it is.
    """
    if source.animated:
        return ()
    widths = sorted({w for role in roles for w in role_widths(role, source.width)})
    modern = [_variant(source, digest, identity, fmt, w) for fmt in MODERN_FORMATS for w in widths]
    return (*modern, fallback_variant(source, digest, identity))


def picture(source: SourceImage, digest: str, identity: str, role: Role) -> Picture:
    """The `<picture>` data of the image in one role; the names match `plan_variants`'s."""
    if source.animated:
        return Picture(source.key, source.width, source.height, role.sizes, ())
    widths = role_widths(role, source.width)
    sources = tuple(
        PictureSource(MEDIA_TYPES[fmt], tuple(_variant(source, digest, identity, fmt, w) for w in widths))
        for fmt in MODERN_FORMATS
    )
    src = fallback_variant(source, digest, identity).key
    return Picture(src, source.width, source.height, role.sizes, sources)
