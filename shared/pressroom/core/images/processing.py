"""An image's bytes in, its variants' bytes out: decoded once, with limits set on purpose.

Refused, each with an `ImageError` naming the file and the problem, before any pixel is decoded
when the header tells: a file over `MAX_FILE_BYTES`; a name that is not a raster image's; bytes
that are not a JPEG, PNG, GIF, WebP, AVIF or HEIC (no other Pillow decoder is reached: fewer
decoders, less attack surface); an extension that lies (a PNG named `.jpg`); more pixels than the format's
limit (`MAX_PIXELS`: a JPEG is decoded at a reduced DCT scale, so it may be larger). Pillow's own
bomb check (`Image.MAX_IMAGE_PIXELS`) is set to the largest of these limits: it refuses a header
over twice that before ours is reached (a PNG that declares 100,000 × 100,000 pixels), and ours
refuses the rest with the format's limit in the message. Refused when decoding: a truncated or corrupt file
(`LOAD_TRUNCATED_IMAGES` stays off).

A HEIC (HEIF with HEVC, known by its `ftyp` brands: `heif.codec`) is decoded by pi-heif (libheif
with libde265, decode only), imported only when such bytes arrive: a site without HEIC never
loads it. libheif applies the `irot` and `imir` boxes as it decodes, so its size is the
displayed one and its pixels come upright (pi-heif sets the EXIF orientation it reports to 1).
Thumbnails, depth maps and other auxiliary images are not read. Its variants' names carry the
decoder's versions too (`decoding_identity`).

The pixels: EXIF orientation applied (so a phone's portrait photo is upright), the colour
profile converted to sRGB (Display P3 from phones, Adobe RGB, a CMYK profile), CMYK and 16-bit
inputs brought to 8-bit RGB or grey, then each variant resized with Lanczos and encoded with no
metadata at all: no EXIF, GPS, XMP, nor ICC profile (an untagged image is sRGB to a browser).
Orientation and colour are applied to each resized variant rather than to the full image: the
same result, a fraction of the time and memory. Pillow is imported inside the functions, so
importing this module costs the Markdown-only path nothing.
"""

from __future__ import annotations

import io
import math
import posixpath
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pressroom.core.images import heif
from pressroom.core.images.exceptions import ImageError, UnreadableImage
from pressroom.core.images.facts import VARIANT_ROLES, ImageFacts
from pressroom.core.images.metadata import strip_metadata
from pressroom.core.images.variants import (
    CONTENT,
    ENCODINGS,
    LARGEST_WIDTH,
    Role,
    SourceImage,
    Variant,
    decoding_identity,
    encoder_identity,
    plan_variants,
    source_digest,
)

if TYPE_CHECKING:
    from PIL import Image, ImageCms

MAX_FILE_BYTES = 50 * 1024 * 1024
"""An image file over 50 MiB is refused (SPEC 3.3.3's 5 MiB limit is Markdown's, not images')."""
MAX_PIXELS = {"JPEG": 100_000_000}
DEFAULT_MAX_PIXELS = 50_000_000
"""A JPEG up to 100 megapixels (decoded at 1/8 to 1/2 scale for the variants), any other format
up to 50: a 50-megapixel RGBA image takes 200 MB decoded, inside a 1,024 MB function."""

FORMATS_BY_EXTENSION = {
    "jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "avif": "AVIF", "heic": "HEIF",
    "heif": "HEIF",
}  # fmt: skip
_DECODERS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF")
_READABLE = "a readable JPEG, PNG, GIF, WebP, AVIF or HEIC image"

_SWAPS_AXES = (5, 6, 7, 8)
"""EXIF orientations that turn the stored image a quarter turn: displayed width is stored height."""


@dataclass(frozen=True)
class VariantBytes:
    """A variant and its encoded bytes."""

    variant: Variant
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """An image's header facts and the variants made from it (none for an animated image)."""

    source: SourceImage
    digest: str
    variants: tuple[VariantBytes, ...]


def inspect(data: bytes, key: str) -> SourceImage:
    """What the header says (format, displayed size, orientation, animation), every limit checked.

    Decodes no pixel, so a truncated file passes here and is refused by `process`.
    """
    return _open(data, key)[1]


def process(data: bytes, key: str, identity: str, roles: Iterable[Role] = (CONTENT,)) -> ProcessedImage:
    """The variants of `plan_variants` for these roles, made from one decoding of `data`."""
    image, source = _open(data, key)
    digest = source_digest(data)
    plan = plan_variants(source, digest, decoding_identity(identity, source.format), roles)
    if not plan:
        return ProcessedImage(source, digest, ())
    return ProcessedImage(source, digest, _make_variants(image, source, plan))


def image_facts(data: bytes, key: str) -> ImageFacts:
    """What an image's record keeps (`facts.ImageFacts`): its header's facts, its digest, and the
    identity of the encoder its variants are named for. ImageError as `inspect` refuses it, or
    when its structure ends early: a file cut after its header has a size but no variant can be
    made of it, so its pages must not name any (the same walk that cleans its copy finds it, a
    scan of its bytes with no pixel decoded)."""
    source = inspect(data, key)
    strip_metadata(data, key)
    identity = decoding_identity(encoder_identity(), source.format)
    return ImageFacts(
        source.format,
        source.width,
        source.height,
        source.orientation,
        source.animated,
        source.has_alpha,
        source_digest(data),
        identity,
    )


def variant_bytes(data: bytes, key: str, variant_key: str) -> bytes:
    """The bytes of the variant named `variant_key` of the image published at `key`, made now.

    Every variant of the image is made from one decoding and kept (`_processed`): its other
    variants, asked for next, cost nothing more. ImageError when the image cannot be processed,
    or when no variant of these bytes, made by this encoder, has that name (bytes changed since
    the name was given, or another encoder's name).
    """
    for made in _processed(data, key, encoder_identity()).variants:
        if made.variant.key == variant_key:
            return made.data
    raise ImageError(key, f"has no variant {variant_key} made by {encoder_identity()}")


@lru_cache(maxsize=2)
def _processed(data: bytes, key: str, identity: str) -> ProcessedImage:
    return process(data, key, identity, VARIANT_ROLES)


def _pillow() -> Any:
    """Pillow's Image module, with its limits set to ours (idempotent: the same values every call)."""
    from PIL import Image, ImageFile

    Image.MAX_IMAGE_PIXELS = max(DEFAULT_MAX_PIXELS, *MAX_PIXELS.values())
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return Image


def _decoders(data: bytes) -> tuple[str, ...]:
    """The Pillow decoders that may read `data`: pi-heif's HEIF decoder added, and registered,
    only for bytes whose brands say HEIF: importing it (about 10 ms, Pillow loaded) is paid by the
    first HEIC a process reads, never by a site without one."""
    if heif.codec(data) != "HEIF":
        return _DECODERS
    import pi_heif

    pi_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
    return (*_DECODERS, "HEIF")


def _open(data: bytes, key: str) -> tuple[Image.Image, SourceImage]:
    """Pillow's lazy image (header read, no pixel) and the facts of `SourceImage`, limits checked."""
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(
            key, f"is {len(data) / 1024 / 1024:.1f} MiB, over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit"
        )
    extension = posixpath.splitext(key)[1].lstrip(".").lower()
    expected = FORMATS_BY_EXTENSION.get(extension)
    if expected is None:
        raise ImageError(key, "is not named as a raster image (.jpg, .jpeg, .png, .gif, .webp, .avif, .heic, .heif)")
    pil = _pillow()
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns; our limits, checked
            # just below and never above MAX_IMAGE_PIXELS, refuse such an image with its size.
            warnings.simplefilter("ignore", pil.DecompressionBombWarning)
            image = pil.open(io.BytesIO(data), formats=_decoders(data))
    except pil.DecompressionBombError as error:
        raise ImageError(key, f"is a decompression bomb: {error}") from error
    except pil.UnidentifiedImageError as error:  # its message names a BytesIO object: not kept
        raise UnreadableImage(key, f"is not {_READABLE}") from error
    except Exception as error:  # any other failure of a decoder reading untrusted bytes
        raise UnreadableImage(key, f"is not {_READABLE} ({error})") from error
    fmt = "JPEG" if image.format == "MPO" else image.format
    if fmt != expected:
        raise ImageError(key, f"is named .{extension} but its bytes are a {fmt} image")
    width, height = image.size
    limit = MAX_PIXELS.get(fmt, DEFAULT_MAX_PIXELS)
    if width * height > limit:
        raise ImageError(
            key,
            f"is {width}×{height} ({width * height / 1e6:.1f} megapixels), over the {limit // 1_000_000}"
            f" megapixel limit of a {fmt}",
        )
    orientation = 1 if fmt == "HEIF" else _orientation(image, pil)  # libheif turns HEIF's pixels upright
    if orientation in _SWAPS_AXES:
        width, height = height, width
    # A HEIF with several images (a burst) is not animated: its primary image is the picture.
    animated = fmt not in ("JPEG", "HEIF") and bool(getattr(image, "is_animated", False))
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    return image, SourceImage(key, fmt, width, height, orientation, animated, has_alpha)


def _orientation(image: Image.Image, pil: Any) -> int:
    """The EXIF orientation, 1 when absent, unreadable or out of range; no pixel decoded.

    Pillow's own reading of the metadata the header holds (the EXIF block, else XMP's
    `tiff:Orientation`). For a PNG, Pillow's `getexif` decodes every pixel when `Image.open` found
    no eXIf chunk, to look for one after them (a quarter of a second for a 4K PNG): PNG places
    eXIf before the first IDAT, where `Image.open` has read it already, so the image's own
    chunks before its pixels are read, and an eXIf after them is not.
    """
    try:
        exif = pil.Image.getexif(image) if image.format == "PNG" else image.getexif()
        value = exif.get(0x0112, 1)
    except Exception:  # a corrupt EXIF block: the pixels are still good, shown as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _make_variants(image: Image.Image, source: SourceImage, plan: Sequence[Variant]) -> tuple[VariantBytes, ...]:
    """Decode once; for each size, resize, turn upright, convert to sRGB, then encode each format."""
    icc_profile = image.info.get("icc_profile")
    working = _decode(image, source)
    colour = _srgb_transform(working, icc_profile)
    encoded: dict[Variant, bytes] = {}
    for size in dict.fromkeys((v.width, v.height) for v in plan):
        variant_image = _displayed(working, source.orientation, size, colour)
        for variant in (v for v in plan if (v.width, v.height) == size):
            encoded[variant] = _encode(variant_image, variant.format)
    return tuple(VariantBytes(variant, encoded[variant]) for variant in plan)


def _decode(image: Image.Image, source: SourceImage) -> Image.Image:
    """The pixels, in one of the modes resizing handles: RGB, L, CMYK, or premultiplied RGBa or La.

    A JPEG is decoded at the smallest DCT scale that keeps it at least `LARGEST_WIDTH` wide
    (displayed), so a 24-megapixel photo is decoded at a quarter of its size: 16 times fewer
    pixels to hold and to resize.
    """
    if source.format == "JPEG" and source.width > LARGEST_WIDTH:
        scale = LARGEST_WIDTH / source.width
        stored_width, stored_height = image.size
        image.draft(image.mode, (math.ceil(stored_width * scale), math.ceil(stored_height * scale)))
    try:
        image.load()
    except Exception as error:  # a truncated or corrupt file: any failure of the decoder
        raise ImageError(source.key, f"cannot be decoded ({error})") from error
    working = _normalized_mode(image)
    if working.mode in _PREMULTIPLIED:
        # Pillow resizes RGBA through premultiplied RGBa, converting the full image at each
        # call: converted once here instead (the same pixels, 7 conversions fewer).
        working = working.convert(_PREMULTIPLIED[working.mode])
    if working is not image:
        image.close()  # frees the decoded pixels that the conversions replaced
    return working


_PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}


def _normalized_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA, L, LA or CMYK; 16-bit grey scaled to 8 bits (Pillow's own conversion clips it)."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if mode.startswith("I;16") or mode in ("I", "F"):
        return image.convert("I").point(lambda value: value / 257).convert("L")
    if mode in ("P", "PA"):
        return image.convert("RGBA" if mode == "PA" or "transparency" in image.info else "RGB")
    if mode in ("1", "La"):
        return image.convert("L" if mode == "1" else "LA")
    return image.convert("RGBA" if mode == "RGBa" else "RGB")


def _srgb_transform(image: Image.Image, icc_profile: bytes | None) -> ImageCms.ImageCmsTransform | None:
    """The conversion from the image's profile to sRGB; None when it is sRGB, absent or unusable.

    A profile that Little CMS cannot read, or whose colour space is not the pixels' (a grey
    profile on grey pixels: Pillow's ImageCms has no LA mode), is ignored: the pixels are shown
    as sRGB, as a browser shows an untagged image. CMYK without a profile is converted naively.
    """
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return None
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return None
        space = profile.profile.xcolor_space.strip()
        if space != ("CMYK" if image.mode == "CMYK" else "RGB"):
            return None
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
        out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.buildTransform(profile, srgb, image.mode, out_mode, ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None


def _displayed(
    working: Image.Image, orientation: int, size: tuple[int, int], colour: ImageCms.ImageCmsTransform | None
) -> Image.Image:
    """`working` resized to `size` (displayed orientation), upright, in sRGB, with no metadata."""
    from PIL import Image

    width, height = size
    stored_size = (height, width) if orientation in _SWAPS_AXES else (width, height)
    resized = working.resize(stored_size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if resized.mode in ("RGBa", "La"):
        resized = resized.convert(resized.mode.upper())
    if orientation != 1:
        resized = resized.transpose(_transposition(orientation))
    if colour is not None:
        resized = colour.apply(resized)
    elif resized.mode == "CMYK":
        resized = resized.convert("RGB")
    resized.info.clear()  # no EXIF, XMP nor ICC reaches an encoder that would copy it
    return resized


def _transposition(orientation: int) -> Image.Transpose:
    """What turns an image stored with this EXIF orientation upright: `ImageOps.exif_transpose`'s
    table, applied here to each small variant instead of to the full image."""
    from PIL import Image

    return {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }[orientation]


def _encode(image: Image.Image, fmt: str) -> bytes:
    """`image` in `fmt` with `ENCODINGS[fmt]`: deterministic, no metadata."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **ENCODINGS[fmt])
    return out.getvalue()
