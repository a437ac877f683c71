"""An original's location and camera data removed byte by byte, its pixels untouched (SPEC 1).

A published original keeps only what displaying it needs; everything else goes, by allowlist,
so a new kind of metadata from a new phone is dropped too:

- **JPEG**: kept are the frame (quantization and Huffman tables, frame and scan headers, the
  entropy-coded data), APP0 (JFIF), APP2 `ICC_PROFILE` and APP14 `Adobe` (how CMYK or YCCK is
  stored). Dropped: APP1 Exif (GPS, camera, lens, serial numbers, its thumbnail) and XMP,
  APP13 (Photoshop, IPTC), every other APPn (MPF, FlashPix, makers' blocks), comments, and what
  follows the end of the image (an MPO's second picture, a motion photo's video).
- **PNG**: kept are the critical chunks and those that decide the displayed pixels (`tRNS`,
  colour: `iCCP`, `sRGB`, `gAMA`, `cHRM`, `cICP`, `mDCv`, `cLLi`, `sBIT`; `bKGD`, `hIST`, `pHYs`,
  `sPLT`; APNG's `acTL`, `fcTL`, `fdAT`). Dropped: `eXIf`, `tEXt`, `iTXt` (XMP), `zTXt`,
  `tIME`, private chunks (C2PA's `caBX`).
- **WebP**: kept are `VP8X`, `VP8 `, `VP8L`, `ALPH`, `ANIM`, `ANMF`, `ICCP`. Dropped: `EXIF`,
  `XMP `, unknown chunks; `VP8X`'s flags and the RIFF size follow.
- **HEIF (a phone's HEIC) and AVIF**, known by their `ftyp` brands: the payloads of the `Exif`
  item and of the XMP items are overwritten in place with empty ones of the same length, so no
  offset moves (`heif`: removing an item is not lossless in this container). Everything else
  stays: the coded pixels, `irot`/`imir` (which turn the photo upright: HEIF ignores EXIF's
  orientation), the colour profile, thumbnails and auxiliary images (depth, HDR gain map).
- **GIF** is returned as it is (it carries no camera data).

**Orientation** is the one EXIF tag kept in a JPEG, PNG or WebP: a photo stored sideways with orientation 6 is shown
upright by browsers because of it, and rotating the pixels losslessly is not possible in general
(a JPEG whose size is not a multiple of its blocks). So when the orientation is not 1, the EXIF
block is replaced by a minimal one holding only that tag (42 bytes: no GPS, no camera, no date).

The colour profile stays: it decides the colours. Bytes with nothing to remove come back as the
same object, so re-publishing them writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from functools import cache
from importlib.resources import files

from pressroom.core.images import heif
from pressroom.core.images.exceptions import ImageError

ORIENTATION_TAG = 0x0112
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT = {
    b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"cICP", b"mDCv", b"cLLi", b"sBIT",
    b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_WEBP_KEPT = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_WEBP_EXIF_FLAG, _WEBP_XMP_FLAG = 0x08, 0x04


def strip_metadata(data: bytes, key: str) -> bytes:
    """`data` without location and camera data (see the module's docstring); the format from the bytes.

    Raises ImageError when the structure cannot be followed (a truncated JPEG, PNG or HEIC): such a
    file cannot be cleaned, so it is not published as it is either.
    """
    if data.startswith(b"\xff\xd8"):
        stripped = _strip_jpeg(data, key)
    elif data.startswith(_PNG_SIGNATURE):
        stripped = _strip_png(data, key)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        stripped = _strip_webp(data, key)
    elif heif.codec(data) is not None:
        return heif.blank_metadata(data, key)
    else:
        return data
    return data if stripped == data else stripped


STRIPPED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF")
"""The formats `strip_metadata` rewrites (a GIF comes back as it is)."""


def stripped_name(digest: str, fmt: str, extension: str) -> str | None:
    """The name a build's cache keeps an image's copy without metadata under (`HASH.original.EXT`),
    from the digest of its source's bytes and `stripping_identity`; None for a format that is
    published as it is.

    >>> stripped_name("ab" * 32, "PNG", ".png")[12:]
    '.original.png'
    """
    if fmt not in STRIPPED_FORMATS:
        return None
    name_hash = hashlib.sha256(f"{digest}\0{stripping_identity()}".encode()).hexdigest()[:12]
    return f"{name_hash}.original.{extension.lstrip('.').lower() or 'bin'}"


@cache
def stripping_identity() -> str:
    """The digest of this module's source and `heif`'s: what a copy without metadata is made by. Any
    change to what is kept changes the names of the copies a build's cache holds, so none is
    served stale."""
    package = files("pressroom.core.images")
    return hashlib.sha256(b"".join((package / name).read_bytes() for name in ("metadata.py", "heif.py"))).hexdigest()


def exif_orientation(exif: bytes) -> int:
    """The Orientation tag of an EXIF block (TIFF bytes, with or without `Exif\\0\\0`); 1 when absent.

    >>> exif_orientation(minimal_exif(6))
    6
    """
    tiff = exif[6:] if exif.startswith(b"Exif\x00\x00") else exif
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None:
        return 1
    try:
        (ifd,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, ifd)
        for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
            tag, kind = struct.unpack_from(order + "HH", tiff, entry)
            if tag == ORIENTATION_TAG and kind == 3:  # SHORT
                (value,) = struct.unpack_from(order + "H", tiff, entry + 8)
                return value if 1 <= value <= 8 else 1
    except struct.error:  # an offset past the end: a damaged block shows as stored
        return 1
    return 1


def minimal_exif(orientation: int) -> bytes:
    """TIFF bytes with one IFD holding one tag, Orientation (big-endian, no `Exif\\0\\0` header)."""
    header = b"MM\x00\x2a" + struct.pack(">I", 8)
    entry = struct.pack(">HHIH2x", ORIENTATION_TAG, 3, 1, orientation)
    return header + struct.pack(">H", 1) + entry + struct.pack(">I", 0)


def _strip_jpeg(data: bytes, key: str) -> bytes:
    """The segments and scans up to the end of the image, metadata segments left out."""
    view = memoryview(data)  # what is kept is copied once, by the join
    out: list[bytes | memoryview] = [b"\xff\xd8"]
    pos, orientation_kept = 2, False
    while True:
        marker, pos = _jpeg_marker(data, pos, key)
        if marker == 0xD9:  # EOI: what follows (an MPO's next picture, a video) is not this image
            out.append(b"\xff\xd9")
            return b"".join(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers carry no length
            out.append(bytes((0xFF, marker)))
            continue
        if pos + 2 > len(data):
            raise ImageError(key, "is a truncated JPEG (a segment runs past the end of the file)")
        (length,) = struct.unpack_from(">H", data, pos)
        end = pos + length
        if length < 2 or end > len(data):
            raise ImageError(key, "is a truncated JPEG (a segment runs past the end of the file)")
        payload = data[pos + 2 : end]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00") and not orientation_kept:
            orientation = exif_orientation(payload)
            if orientation != 1:
                exif = b"Exif\x00\x00" + minimal_exif(orientation)
                out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
                orientation_kept = True
        elif _jpeg_segment_kept(marker, payload):
            out.append(view[pos - 2 : end])
        pos = end
        if marker == 0xDA:  # SOS: the entropy-coded data runs to the next marker
            scan_end = _jpeg_scan_end(data, pos, key)
            out.append(view[pos:scan_end])
            pos = scan_end


def _jpeg_segment_kept(marker: int, payload: bytes) -> bool:
    """Every segment that is not APPn or a comment, and of those APP0, ICC profiles and Adobe."""
    if marker == 0xE0:
        return True
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    if marker == 0xEE:
        return payload.startswith(b"Adobe")
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)


def _jpeg_marker(data: bytes, pos: int, key: str) -> tuple[int, int]:
    """The marker at `pos` (fill bytes skipped) and the position after it."""
    if pos >= len(data) or data[pos] != 0xFF:
        raise ImageError(
            key,
            "is not a well-formed JPEG (a marker was expected)"
            if pos < len(data)
            else "is a truncated JPEG (no end of image)",
        )
    while pos < len(data) and data[pos] == 0xFF:
        pos += 1
    if pos >= len(data):
        raise ImageError(key, "is a truncated JPEG (no end of image)")
    return data[pos], pos + 1


_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
"""A 0xFF that starts a marker: not a stuffed 0xFF00, a restart marker 0xFFD0-D7, nor a fill byte
(of 0xFF 0xFF 0xD9, the second 0xFF matches)."""


def _jpeg_scan_end(data: bytes, pos: int, key: str) -> int:
    """Where the entropy-coded data starting at `pos` ends: at a 0xFF that starts a marker
    (`_SCAN_END`; one search in C, where a loop over every 0xFF of a 24-megapixel photo took 15 ms)."""
    found = _SCAN_END.search(data, pos)
    if found is None:
        raise ImageError(key, "is a truncated JPEG (no end of image)")
    return found.start()


def _strip_png(data: bytes, key: str) -> bytes:
    """The chunks up to IEND, ancillary ones kept only when they decide the displayed pixels."""
    view = memoryview(data)
    out: list[bytes | memoryview] = [_PNG_SIGNATURE]
    pos, orientation_kept = len(_PNG_SIGNATURE), False
    while True:
        if pos + 12 > len(data):
            raise ImageError(key, "is a truncated PNG (no IEND chunk)")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            raise ImageError(key, f"is a truncated PNG (its {kind.decode('latin-1')} chunk runs past the end)")
        critical = not kind[0] & 0x20
        if kind == b"eXIf" and not orientation_kept:
            orientation = exif_orientation(data[pos + 8 : pos + 8 + length])
            if orientation != 1:
                out.append(_png_chunk(b"eXIf", minimal_exif(orientation)))
                orientation_kept = True
        elif critical or kind in _PNG_KEPT:
            out.append(view[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _strip_webp(data: bytes, key: str) -> bytes:
    """The RIFF chunks needed to display the image, VP8X's flags and the RIFF size made to agree."""
    chunks: list[tuple[bytes, bytes]] = []
    pos, has_vp8x, orientation = 12, data[12:16] == b"VP8X", 1
    while pos + 8 <= len(data):
        kind, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8 : pos + 8 + size]
        if len(body) < size:
            raise ImageError(key, f"is a truncated WebP (its {kind.decode('latin-1')!r} chunk runs past the end)")
        if kind == b"EXIF" and has_vp8x and orientation == 1:
            orientation = exif_orientation(body)
            if orientation != 1:
                chunks.append((b"EXIF", minimal_exif(orientation)))
        elif kind in _WEBP_KEPT:
            chunks.append((kind, body))
        pos += 8 + size + (size & 1)
    if has_vp8x:
        flags = chunks[0][1][0] & ~_WEBP_XMP_FLAG & ~(_WEBP_EXIF_FLAG if orientation == 1 else 0)
        chunks[0] = (b"VP8X", bytes((flags,)) + chunks[0][1][1:])
    body = b"WEBP" + b"".join(
        kind + struct.pack("<I", len(chunk)) + chunk + b"\x00" * (len(chunk) & 1) for kind, chunk in chunks
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body
