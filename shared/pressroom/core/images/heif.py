"""The HEIF container (ISO/IEC 23008-12 on ISOBMFF, ISO/IEC 14496-12) of a HEIC or an AVIF: which
codec its brands name, and its metadata items blanked in place.

A HEIF file is a sequence of boxes (size, type, payload). Its `ftyp` box names brands: `heic`,
`heix`, `hevc` and kin for HEVC (a phone's HEIC), `avif` and `avis` for AV1, `mif1` and `msf1`
for the structure alone. Its `meta` box lists the items: `iinf` says what each item is (an
`Exif` item, a `mime` item with its content type), `iloc` where its bytes are (extents in the
file, or in the `idat` box inside `meta`). The coded pixels, the `irot`/`imir` that turn them
upright and the colour profile (`colr`) are elsewhere, untouched.

Removing an item would move every offset after it, so its payload is overwritten in place with a
payload of the same length that says nothing: an `Exif` item becomes an empty TIFF block (no
entry at all; HEIF shows a photo upright by its `irot`/`imir` boxes, never by an EXIF tag), an
XMP item (`mime`, `application/rdf+xml`) an empty `x:xmpmeta` element followed by spaces.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from pressroom.core.images.exceptions import ImageError

HEVC_BRANDS = frozenset((b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"))
AV1_BRANDS = frozenset((b"avif", b"avis"))
STRUCTURE_BRANDS = frozenset((b"mif1", b"msf1"))
XMP_TYPE = b"application/rdf+xml"

EMPTY_EXIF = struct.pack(">I", 0) + b"MM\x00\x2a" + struct.pack(">IHI", 8, 0, 0)
"""An `Exif` item's payload that holds nothing: the offset of its TIFF header (0, right after
it), then the header and one IFD with no entry (18 bytes)."""
EMPTY_XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'

_Item = tuple[bytes, bytes]  # (item type, content type)


def brands(data: bytes) -> tuple[bytes, ...]:
    """The major brand, then the compatible ones, of a file that starts with an `ftyp` box; ().

    >>> brands(b"\\x00\\x00\\x00\\x18ftypheic\\x00\\x00\\x00\\x00mif1heic")
    (b'heic', b'mif1', b'heic')
    """
    if data[4:8] != b"ftyp" or len(data) < 16:
        return ()
    size = min(struct.unpack_from(">I", data)[0], len(data))
    return (data[8:12], *(data[pos : pos + 4] for pos in range(16, size - 3, 4)))


def codec(data: bytes) -> str | None:
    """ "HEIF" for a HEVC-coded HEIF (a HEIC), "AVIF" for an AV1-coded one, None for bytes that
    are neither; a file whose brands name the structure alone counts as HEIF.

    >>> codec(b"\\x00\\x00\\x00\\x18ftypmif1\\x00\\x00\\x00\\x00mif1avif"), codec(b"\\x89PNG")
    ('AVIF', None)
    """
    named = brands(data)
    if not named:
        return None
    if named[0] in HEVC_BRANDS:
        return "HEIF"
    if named[0] in AV1_BRANDS or (named[0] in STRUCTURE_BRANDS and AV1_BRANDS.intersection(named)):
        return "AVIF"
    if named[0] in STRUCTURE_BRANDS or HEVC_BRANDS.intersection(named):
        return "HEIF"
    return None


class _Unfollowable(Exception):
    """A structure that cannot be followed; its message says how, `{what}` standing for the format."""


def blank_metadata(data: bytes, key: str) -> bytes:
    """`data` with its `Exif` and XMP items' payloads overwritten (see the module's docstring):
    the same length, every other byte the same. `data` itself when there is nothing to blank.

    Raises ImageError when the boxes cannot be followed: a box runs past the end of the file (a
    truncated file), an item's bytes cannot be located, or its XMP is compressed.
    """
    try:
        return _blanked(data)
    except _Unfollowable as error:
        what = "HEIC" if codec(data) == "HEIF" else "AVIF"
        raise ImageError(key, str(error).replace("{what}", what)) from None


def _blanked(data: bytes) -> bytes:
    meta = None
    for kind, start, end in _boxes(data, 0, len(data)):
        if kind == b"meta" and meta is None:
            meta = (start + 4, end)  # a full box: version and flags first
    if meta is None:
        return data
    children = {kind: (start, end) for kind, start, end in reversed(list(_boxes(data, *meta)))}
    if b"iinf" not in children or b"iloc" not in children:
        return data
    items = _items(data, *children[b"iinf"])
    targets = {
        item: EMPTY_EXIF if kind == b"Exif" else EMPTY_XMP
        for item, (kind, content_type) in items.items()
        if kind == b"Exif" or (kind == b"mime" and content_type == XMP_TYPE)
    }
    if not targets:
        return data
    idat = children.get(b"idat", (0, 0))[0]
    out: bytearray | None = None
    for item, location in _locations(data, *children[b"iloc"]):
        if item not in targets:
            continue  # only the items blanked are located: another item's layout is libheif's to read
        ranges = _file_ranges(item, *location, idat)
        for start, end in ranges:
            if not 0 <= start <= end <= len(data):
                raise _Unfollowable(f"cannot be cleaned: its item {item}'s bytes lie outside the file")
        length = sum(end - start for start, end in ranges)
        blank = _blank(targets[item], length)
        if b"".join(data[start:end] for start, end in ranges) == blank:
            continue
        out = out if out is not None else bytearray(data)
        pos = 0
        for start, end in ranges:
            out[start:end] = blank[pos : pos + end - start]
            pos += end - start
    return data if out is None else bytes(out)


def _blank(empty: bytes, length: int) -> bytes:
    """`empty` padded to `length` (spaces after XMP, zeros after EXIF); zeros when it does not fit."""
    if length < len(empty):
        return bytes(length)
    return empty + (b" " if empty == EMPTY_XMP else b"\x00") * (length - len(empty))


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of each box from `start` to `end`."""
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise _Unfollowable("is a truncated {what} (a box header runs past its end)")
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:
                raise _Unfollowable("is a truncated {what} (a box header runs past its end)")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:  # the last box, up to the end
            size = end - pos
        if size < header or pos + size > end:
            raise _Unfollowable(f"is a truncated {{what}} (its {kind.decode('latin-1')!r} box runs past the end)")
        yield kind, pos + header, pos + size
        pos += size


def _items(data: bytes, start: int, end: int) -> dict[int, _Item]:
    """Each item of the `iinf` box: its type and, for a `mime` item, its content type."""
    version = data[start] if start < end else 0
    entries = start + 4 + (2 if version == 0 else 4)
    items: dict[int, _Item] = {}
    for kind, box_start, box_end in _boxes(data, entries, end):
        if kind == b"infe":
            item, item_type, content_type, encoding = _entry(data[box_start:box_end])
            if encoding and item_type == b"mime" and content_type == XMP_TYPE:
                raise _Unfollowable(f"cannot be cleaned: its XMP is stored compressed ({encoding.decode('latin-1')})")
            items[item] = (item_type, content_type)
    return items


def _entry(box: bytes) -> tuple[int, bytes, bytes, bytes]:
    """An `infe` box's item ID, item type, content type and content encoding (the last two for a
    `mime` item, and for every item of version 0 or 1, which are all MIME-typed)."""
    try:
        version = box[0]
        if version >= 2:
            fmt = ">I2x4s" if version == 3 else ">H2x4s"
            item, item_type = struct.unpack_from(fmt, box, 4)
            rest = box[4 + struct.calcsize(fmt) :]
            if item_type != b"mime":
                return item, item_type, b"", b""
            strings = rest.split(b"\x00")[1:]  # after the item's name
        else:
            (item,) = struct.unpack_from(">H2x", box, 4)
            item_type, strings = b"mime", box[8:].split(b"\x00")[1:]
    except (IndexError, struct.error) as error:
        raise _Unfollowable("is a truncated {what} (an item entry ends early)") from error
    content_type = strings[0] if strings else b""
    encoding = strings[1] if len(strings) > 2 else b""  # a string ends with a NUL: one more piece
    return item, item_type, content_type, encoding


_Location = tuple[int, int, int, list[tuple[int, int]]]  # construction method, data reference, base, extents


def _locations(data: bytes, start: int, end: int) -> Iterator[tuple[int, _Location]]:
    """Each item of the `iloc` box and where its bytes are: construction method, data reference
    index, base offset, and the (offset, length) of each extent."""
    box = data[start:end]
    try:
        version, sizes, more = box[0], box[4], box[5]
        offset_size, length_size, base_size = sizes >> 4, sizes & 15, more >> 4
        index_size = more & 15 if version in (1, 2) else 0
        count, pos = (struct.unpack_from(">I", box, 6)[0], 10) if version == 2 else (box[6] << 8 | box[7], 8)
        for _ in range(count):
            item, pos = _number(box, pos, 4 if version == 2 else 2)
            method = 0
            if version in (1, 2):
                method, pos = _number(box, pos, 2)
                method &= 15
            reference, pos = _number(box, pos, 2)
            base, pos = _number(box, pos, base_size)
            extents, pos = _number(box, pos, 2)
            ranges = []
            for _ in range(extents):
                pos += index_size
                offset, pos = _number(box, pos, offset_size)
                length, pos = _number(box, pos, length_size)
                ranges.append((offset, length))
            yield item, (method, reference, base, ranges)
    except (IndexError, struct.error) as error:
        raise _Unfollowable("is a truncated {what} (its iloc box ends early)") from error


def _file_ranges(
    item: int, method: int, reference: int, base: int, extents: list[tuple[int, int]], idat: int
) -> list[tuple[int, int]]:
    """An item's extents as (start, end) in the file: from the file's start (construction method
    0) or from the `idat` box's payload (1); none for bytes in another file."""
    if reference != 0:
        return []  # its bytes are in another file: none of them here
    if method not in (0, 1) or (method == 1 and not idat) or any(length == 0 for _, length in extents):
        raise _Unfollowable(f"cannot be cleaned: its item {item}'s bytes cannot be located")
    origin = base + (idat if method == 1 else 0)
    return [(origin + offset, origin + offset + length) for offset, length in extents]


def _number(box: bytes, pos: int, size: int) -> tuple[int, int]:
    """The big-endian unsigned number of `size` bytes (0, 2, 4 or 8) at `pos`, and the position after it."""
    if pos + size > len(box):
        raise IndexError(pos)
    return int.from_bytes(box[pos : pos + size], "big"), pos + size
