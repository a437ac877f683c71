"""HEIC photos from phones (issue 22): decoded by pi-heif, given variants like any photo, and
published without location or camera data, their pixels untouched.

The photo is `tests/fixtures/images/portrait.heic` (its `make_heic.py` says how it was made):
stored 400 x 300, top half red and bottom half blue, turned upright by an `irot` box (shown
300 x 400, red on the right), an Adobe RGB profile, an `Exif` item with a camera and a GPS
position, and an XMP item with a GPS latitude. The other HEIF structures are written here box by
box (pi-heif decodes, it does not encode); an AVIF is written by Pillow.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pi_heif
import pytest
from PIL import Image
from tests.unit.test_images import GPS_IFD, XMP, camera_exif, camera_jpeg, encode, two_halves
from tests.unit.test_published_originals import _published

from pressroom.core.build import build_site
from pressroom.core.images import heif
from pressroom.core.images.exceptions import ImageError, UnreadableImage
from pressroom.core.images.facts import VARIANT_ROLES
from pressroom.core.images.metadata import STRIPPED_FORMATS, strip_metadata
from pressroom.core.images.processing import image_facts, inspect, process

PORTRAIT = (Path(__file__).parents[1] / "fixtures" / "images" / "portrait.heic").read_bytes()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = "posts/trip/IMG_0001.HEIC"
POST = b"---\ntitle: Trip\ndate: 2025-06-01\n---\n![The view](IMG_0001.HEIC)\n"


def heic_image(data: bytes) -> Image.Image:
    """The HEIC decoded as pi-heif gives it (upright), its info with the Exif and XMP items."""
    pi_heif.register_heif_opener()
    image = Image.open(io.BytesIO(data), formats=["HEIF"])
    image.load()
    return image


def red_on_the_right(image: Image.Image) -> bool:
    rgb = image.convert("RGB")
    left, right = rgb.getpixel((2, image.height // 2)), rgb.getpixel((image.width - 3, image.height // 2))
    return left[2] > 150 > left[0] and right[0] > 150 > right[2]


def test_the_fixture_is_a_phones_portrait_photo_with_gps() -> None:
    assert heif.codec(PORTRAIT) == "HEIF" and b"irot" in PORTRAIT
    image = heic_image(PORTRAIT)
    assert image.size == (300, 400) and red_on_the_right(image)  # libheif applies irot
    exif = Image.Exif()
    exif.load(image.info["exif"])
    assert exif.get_ifd(GPS_IFD) and exif[0x0110] == "Model X100"
    assert b"GPSLatitude" in image.info["xmp"] and image.info["icc_profile"]


# --- variants -------------------------------------------------------------------------------


def test_a_heic_is_known_by_its_bytes_and_its_size_is_the_displayed_one() -> None:
    source = inspect(PORTRAIT, KEY)
    assert (source.format, source.width, source.height, source.orientation) == ("HEIF", 300, 400, 1)
    assert not source.animated and source.fallback_format == "JPEG"
    with pytest.raises(ImageError, match=r"named \.jpg but its bytes are a HEIF image"):
        inspect(PORTRAIT, "posts/trip/IMG_0001.jpg")
    with pytest.raises(ImageError, match=r"named \.heic but its bytes are a JPEG image"):
        inspect(camera_jpeg(), KEY)


def test_its_variants_are_avif_webp_and_a_jpeg_upright_in_srgb_without_metadata() -> None:
    made = process(PORTRAIT, KEY, "test identity", VARIANT_ROLES)
    assert [(m.variant.format, m.variant.width, m.variant.height) for m in made.variants] == [
        *((fmt, width, round(width * 4 / 3)) for fmt in ("AVIF", "WEBP") for width in (96, 160, 192, 300)),
        ("JPEG", 300, 400),
    ]
    upload_red = heic_image(PORTRAIT).convert("RGB").getpixel((297, 200))
    for item in made.variants:
        image = Image.open(io.BytesIO(item.data))
        image.load()
        assert image.format == item.variant.format and image.size == (item.variant.width, item.variant.height)
        assert red_on_the_right(image), item.variant.key  # upright: irot applied once, not twice
        assert not image.getexif() and not {"exif", "icc_profile", "xmp"} & image.info.keys()
        for marker in (b"Exif", b"GPS", b"Model X100", b"xmpmeta"):
            assert marker not in item.data
        # Adobe RGB's red (220, 30, 30) is an sRGB red past what 8 bits hold: converted, not copied
        red = image.convert("RGB").getpixel((image.width - 3, image.height // 2))
        assert red[0] > upload_red[0] + 20, (item.variant.key, red, upload_red)


def test_a_heics_variants_are_named_for_its_decoder_too() -> None:
    heic, jpeg = image_facts(PORTRAIT, KEY), image_facts(camera_jpeg(), "posts/trip/a.jpg")
    assert heic.identity.startswith(jpeg.identity + "; pi-heif ")
    assert "libheif" in heic.identity and "pi-heif" not in jpeg.identity
    made = process(PORTRAIT, KEY, jpeg.identity, VARIANT_ROLES)
    assert [m.variant.key for m in made.variants] == list(heic.variant_keys(KEY))


def test_reading_jpegs_and_markdown_never_imports_pi_heif() -> None:
    code = (
        "import sys\n"
        "from tests.unit.test_images import camera_jpeg\n"
        "from pressroom.core.images.facts import VARIANT_ROLES\n"
        "from pressroom.core.images.processing import image_facts, process\n"
        "data = camera_jpeg()\n"
        "image_facts(data, 'a.jpg'); process(data, 'a.jpg', image_facts(data, 'a.jpg').identity, VARIANT_ROLES)\n"
        "print('pi_heif' in sys.modules)\n"
    )
    root = Path(__file__).parents[2]
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert run.stdout == "False\n"


# --- the published original -------------------------------------------------------------------


def test_the_published_heic_has_no_gps_nor_camera_and_the_same_pixels() -> None:
    stripped = strip_metadata(PORTRAIT, KEY)
    assert len(stripped) == len(PORTRAIT)  # overwritten in place: no offset moves
    for marker in (b"Camera maker", b"Model X100", b"GPSLatitude"):
        assert marker in PORTRAIT and marker not in stripped
    image = heic_image(stripped)
    exif = Image.Exif()
    exif.load(image.info["exif"])  # the Exif item read back: a TIFF block with no entry
    assert dict(exif) == {} and not exif.get_ifd(GPS_IFD)
    assert b"GPS" not in image.info["xmp"]
    assert image.tobytes() == heic_image(PORTRAIT).tobytes()  # the pixels, upright as before
    assert image.info["icc_profile"] == heic_image(PORTRAIT).info["icc_profile"]
    assert strip_metadata(stripped, KEY) is stripped  # nothing left to blank: the same bytes


def test_a_cut_heic_is_not_published_and_its_error_names_it_while_its_page_is() -> None:
    for cut in (PORTRAIT[:300], PORTRAIT[:-40]):  # in its header, in its pixels
        with pytest.raises(UnreadableImage):  # libheif reads no image of it: no variant, linked as written
            image_facts(cut, KEY)
        files = {"site.yaml": b"title: T\n", "posts/trip/index.md": POST, KEY: cut}
        built = build_site(files, NOW)
        assert KEY not in built.outputs and "posts/trip/index.html" in built.outputs
        assert [str(error) for error in built.errors] == [
            f"{KEY}: is a truncated HEIC (its '{'meta' if len(cut) == 300 else 'mdat'}' box runs past the end)"
        ]
        assert _published(files) == built.outputs


def test_a_page_shows_the_heic_as_a_picture_and_publishes_it_clean_on_both_paths() -> None:
    files = {"site.yaml": b"title: T\n", "posts/trip/index.md": POST, KEY: PORTRAIT}
    built = build_site(files, NOW)
    assert built.errors == []
    html = built.outputs["posts/trip/index.html"].decode()
    assert '<source type="image/avif" srcset="IMG_0001.' in html and '<source type="image/webp"' in html
    img = html[html.index("<img ") : html.index(">", html.index("<img "))]
    assert 'width="300" height="400"' in img and ".300.jpg" in img and ".HEIC" not in img
    assert built.outputs[KEY] == strip_metadata(PORTRAIT, KEY) != PORTRAIT
    assert _published(files) == built.outputs


def test_a_site_that_keeps_metadata_publishes_the_heic_as_uploaded() -> None:
    files = {"site.yaml": b"title: T\nkeepImageMetadata: true\n", "posts/trip/index.md": POST, KEY: PORTRAIT}
    assert build_site(files, NOW).outputs[KEY] == PORTRAIT
    assert _published(files)[KEY] == PORTRAIT


# --- HEIF structures, box by box --------------------------------------------------------------


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return box(kind, bytes((version, 0, 0, 0)) + payload)


def infe(version: int, item: int, kind: bytes, content_type: bytes = b"") -> bytes:
    head = struct.pack(">IH4s" if version == 3 else ">HH4s", item, 0, kind)
    return full_box(b"infe", version, head + b"name\0" + content_type)


EXIF_PAYLOAD = struct.pack(">I", 6) + camera_exif(6)  # the TIFF header after `Exif\0\0`
PIXELS = bytes(range(256)) * 4


def structured_heif(
    version: int,
    xmp_type: bytes = b"application/rdf+xml\0",
    method: int = 1,
    exif_base: int | None = None,
    pixels_length: int = len(PIXELS),
) -> tuple[bytes, dict]:
    """A HEIF's boxes as a phone may lay them out: the Exif item in two extents around the coded
    pixels (a base offset into `mdat`), the XMP item in `idat` (construction method 1). `version`
    1: 16-bit item IDs (`iloc` 1, `infe` 2); 2: 32-bit (`iloc` 2, `infe` 3). `method`: the XMP
    item's construction method; `exif_base`: the Exif item's base offset (its `mdat` by default);
    `pixels_length`: the pixels' extent length (0: to the end). Returns the file and where each
    item's bytes are."""
    ids = ">I" if version == 2 else ">H"
    infe_version = 3 if version == 2 else 2
    entries = infe(infe_version, 1, b"Exif") + infe(infe_version, 2, b"mime", xmp_type) + infe(infe_version, 3, b"hvc1")
    iinf = full_box(b"iinf", 0, struct.pack(">H", 3) + entries)
    half = len(EXIF_PAYLOAD) // 2

    def meta(mdat_payload: int) -> bytes:
        count = struct.pack(">I" if version == 2 else ">H", 3)
        base = mdat_payload if exif_base is None else exif_base
        exif = struct.pack(ids, 1) + struct.pack(">HHIH", 0, 0, base, 2)
        exif += struct.pack(">II", 0, half) + struct.pack(">II", half + len(PIXELS), len(EXIF_PAYLOAD) - half)
        xmp = struct.pack(ids, 2) + struct.pack(">HHIH", method, 0, 0, 1) + struct.pack(">II", 0, len(XMP))
        pixels = (
            struct.pack(ids, 3) + struct.pack(">HHIH", 0, 0, mdat_payload, 1) + struct.pack(">II", half, pixels_length)
        )
        iloc = full_box(b"iloc", version, bytes((0x44, 0x40)) + count + exif + xmp + pixels)
        return full_box(
            b"meta", 0, full_box(b"hdlr", 0, bytes(4) + b"pict" + bytes(13)) + iinf + iloc + box(b"idat", XMP)
        )

    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    mdat_payload = len(ftyp) + len(meta(0)) + 8
    head = ftyp + meta(mdat_payload)
    data = head + box(b"mdat", EXIF_PAYLOAD[:half] + PIXELS + EXIF_PAYLOAD[half:])
    idat = head.index(b"idat") + 4
    where = {
        "exif": [(mdat_payload, mdat_payload + half), (mdat_payload + half + len(PIXELS), len(data))],
        "xmp": [(idat, idat + len(XMP))],
        "pixels": (mdat_payload + half, mdat_payload + half + len(PIXELS)),
    }
    return data, where


@pytest.mark.parametrize("version", [1, 2])
def test_the_exif_and_xmp_items_are_blanked_wherever_iloc_puts_them(version: int) -> None:
    data, where = structured_heif(version)
    stripped = strip_metadata(data, "a.heic")
    assert len(stripped) == len(data)
    changed = {i for i, (a, b) in enumerate(zip(data, stripped, strict=True)) if a != b}
    blanked = {i for start, end in where["exif"] + where["xmp"] for i in range(start, end)}
    assert changed and changed <= blanked  # nothing else moved or changed: the pixels stay
    exif = b"".join(stripped[start:end] for start, end in where["exif"])
    assert exif == heif.EMPTY_EXIF + bytes(len(exif) - len(heif.EMPTY_EXIF))
    start, end = where["xmp"][0]
    assert stripped[start:end].rstrip(b" ") == heif.EMPTY_XMP
    assert strip_metadata(stripped, "a.heic") is stripped


def test_a_heif_whose_metadata_cannot_be_located_or_read_is_refused() -> None:
    with pytest.raises(ImageError, match=r"a\.heic: cannot be cleaned: its XMP is stored compressed \(deflate\)"):
        strip_metadata(structured_heif(1, b"application/rdf+xml\0deflate\0")[0], "a.heic")
    with pytest.raises(ImageError, match=r"cannot be cleaned: its item 2's bytes cannot be located"):
        strip_metadata(structured_heif(1, method=2)[0], "a.heic")
    with pytest.raises(ImageError, match=r"a\.heic: cannot be cleaned: its item 1's bytes lie outside the file"):
        strip_metadata(structured_heif(2, exif_base=10_000)[0], "a.heic")
    data, where = structured_heif(1)
    idat = where["xmp"][0][0]
    outside = data[: idat - 8] + struct.pack(">I", 8 + len(XMP) + 4) + data[idat - 4 :]  # idat runs past meta
    with pytest.raises(ImageError, match=r"a\.heic: is a truncated HEIC \(its 'idat' box runs past the end\)"):
        strip_metadata(outside, "a.heic")


def test_only_the_metadata_items_are_located_another_items_layout_is_no_concern() -> None:
    data, where = structured_heif(1, pixels_length=0)  # the pixels' extent "to the end of the file"
    stripped = strip_metadata(data, "a.heic")
    start, end = where["pixels"]
    assert stripped[start:end] == data[start:end] and b"Model X100" in data and b"Model X100" not in stripped


def test_brands_decide_the_codec() -> None:
    def ftyp(major: bytes, *compatible: bytes) -> bytes:
        return box(b"ftyp", major + bytes(4) + b"".join(compatible))

    assert heif.codec(ftyp(b"heic", b"mif1")) == "HEIF"
    assert heif.codec(ftyp(b"mif1", b"mif1", b"heic")) == "HEIF"
    assert heif.codec(ftyp(b"msf1", b"hevc")) == "HEIF"
    assert heif.codec(ftyp(b"mif1", b"avif", b"mif1")) == "AVIF"
    assert heif.codec(ftyp(b"avif", b"mif1")) == "AVIF"
    assert heif.codec(ftyp(b"isom", b"mp41")) is None  # a video: published as it is
    assert "HEIF" in STRIPPED_FORMATS and "AVIF" in STRIPPED_FORMATS


def test_an_avif_loses_its_exif_and_xmp_items_and_keeps_its_orientation() -> None:
    data = encode(two_halves(64, 48), "AVIF", quality=90, exif=camera_exif(6), xmp=XMP)
    stripped = strip_metadata(data, "a.avif")
    assert len(stripped) == len(data) and b"irot" in stripped
    for marker in (b"Camera maker", b"Model X100", b"GPSLatitude"):
        assert marker in data and marker not in stripped
    before, after = inspect(data, "a.avif"), inspect(stripped, "a.avif")
    assert after == before and (after.width, after.height, after.orientation) == (48, 64, 6)  # irot still read
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(io.BytesIO(data)).tobytes()
