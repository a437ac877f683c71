"""Images: variants upright, in sRGB, without metadata; originals stripped losslessly; bad files refused.

Every input is written here with Pillow (or by hand, for what Pillow will not write: a 48-bit
PNG, a PNG that declares 10 billion pixels, an Adobe RGB profile).
"""

from __future__ import annotations

import doctest
import io
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image, ImageCms

from pressroom.core.images import metadata, variants
from pressroom.core.images.exceptions import ImageError
from pressroom.core.images.metadata import exif_orientation, strip_metadata
from pressroom.core.images.processing import MAX_FILE_BYTES, inspect, process
from pressroom.core.images.variants import (
    AVATAR,
    CONTENT,
    THUMBNAIL,
    SourceImage,
    encoder_identity,
    picture,
    plan_variants,
)

IDENTITY = "Pillow test; libwebp test; libavif test"
RED, BLUE = (220, 30, 30), (30, 30, 220)
GPS_IFD = 0x8825


# --- inputs --------------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def two_halves(width: int, height: int, mode: str = "RGB", top=RED, bottom=BLUE) -> Image.Image:
    """Top half one colour, bottom half another: a turn of the image shows in its pixels."""
    image = Image.new(mode, (width, height), bottom)
    image.paste(Image.new(mode, (width, height // 2), top), (0, 0))
    return image


def camera_exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"
    exif[0x0110] = "Model X100"
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (48.0, 51.0, 29.9)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.2)
    return exif.tobytes()


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><exif:GPSLatitude>48,51.5N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>'
)


def camera_jpeg(width: int = 800, height: int = 600) -> bytes:
    """A phone's portrait photo: stored landscape with orientation 6, GPS, camera and XMP."""
    return encode(two_halves(width, height), "JPEG", quality=90, exif=camera_exif(6), xmp=XMP)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes, *extra: bytes) -> bytes:
    """A PNG written by hand; `rows` already carry their filter bytes."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + b"".join(extra)
        + png_chunk(b"IDAT", zlib.compress(rows))
        + png_chunk(b"IEND", b"")
    )


def s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def adobe_rgb_profile() -> bytes:
    """An ICC v2 matrix/TRC profile with Adobe RGB (1998)'s D50-adapted primaries and gamma 563/256."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    text = b"Adobe RGB test"
    tags = [
        (b"desc", b"desc\0\0\0\0" + struct.pack(">I", len(text) + 1) + text + b"\0" + bytes(4 + 4 + 2 + 1 + 67)),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", xyz(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", xyz(0.14919, 0.06322, 0.74457)),
        (b"rTRC", b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"),
        (b"cprt", b"text\0\0\0\0no copyright\0\0\0\0"),
    ]
    tags.insert(6, (b"gTRC", tags[5][1]))
    tags.insert(7, (b"bTRC", tags[5][1]))
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"none"
        + b"\x02\x10\0\0"
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(24)
        + struct.pack(">I", 0)
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + bytes(48)
    )
    return header + struct.pack(">I", len(tags)) + table + body


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = decoded(data)
    assert not image.getexif(), image.getexif()
    assert not {"exif", "icc_profile", "xmp"} & image.info.keys()
    for marker in (b"Exif", b"GPS", b"Camera maker", b"Model X100", b"xmpmeta"):
        assert marker not in data


# --- variants: plan and names ---------------------------------------------------------------


def test_the_modules_doctests_pass():
    for module in (variants, metadata):
        assert doctest.testmod(module).failed == 0


def test_importing_the_package_loads_no_pillow():
    code = (
        "import sys, pressroom.core.images.variants, pressroom.core.images.processing, "
        "pressroom.core.images.metadata; print('PIL' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_a_plan_never_goes_wider_than_the_original_and_ends_with_the_fallback():
    source = SourceImage("posts/x/photo.jpg", "JPEG", 900, 600, 1, animated=False, has_alpha=False)
    plan = plan_variants(source, "0" * 64, IDENTITY, (CONTENT, THUMBNAIL))
    assert [(v.format, v.width, v.height) for v in plan] == [
        *((fmt, w, round(w * 600 / 900)) for fmt in ("AVIF", "WEBP") for w in (160, 320, 360, 672, 900)),
        ("JPEG", 900, 600),
    ]
    assert all(v.key.startswith("posts/x/photo.") for v in plan)
    assert plan[0].key.endswith(".160.avif") and plan[-1].key.endswith(".900.jpg")


def test_names_change_with_the_source_the_encoder_and_the_parameters(monkeypatch):
    source = SourceImage("a/b.png", "PNG", 2000, 1000, 1, animated=False, has_alpha=True)
    first = [v.key for v in plan_variants(source, "1" * 64, IDENTITY)]
    assert first == [v.key for v in plan_variants(source, "1" * 64, IDENTITY)]
    other_bytes = [v.key for v in plan_variants(source, "2" * 64, IDENTITY)]
    other_encoder = [v.key for v in plan_variants(source, "1" * 64, IDENTITY.replace("libavif test", "libavif 1.5"))]
    monkeypatch.setitem(variants.ENCODINGS, "WEBP", {"quality": 80, "method": 4})
    other_quality = [v.key for v in plan_variants(source, "1" * 64, IDENTITY)]
    assert not set(first) & set(other_bytes)
    assert not set(first) & set(other_encoder)
    assert {k for k in set(first) - set(other_quality)} == {k for k in first if k.endswith(".webp")}


def test_the_encoder_identity_names_pillow_and_its_codecs():
    identity = encoder_identity()
    for name in ("Pillow 1", "libwebp ", "libavif ", "aom ", "libjpeg-turbo ", "lcms2 "):
        assert name in identity


def test_a_picture_has_its_srcsets_sizes_and_displayed_size():
    source = SourceImage("img/me.webp", "WEBP", 300, 400, 6, animated=False, has_alpha=False)
    result = picture(source, "3" * 64, IDENTITY, AVATAR)
    assert (result.width, result.height, result.sizes) == (300, 400, "6rem")
    assert [s.media_type for s in result.sources] == ["image/avif", "image/webp"]
    avif = result.sources[0]
    assert avif.srcset(lambda key: "/" + key) == f"/{avif.candidates[0].key} 96w, /{avif.candidates[1].key} 192w"
    assert result.src.endswith(".300.jpg")  # opaque WebP: the fallback is a JPEG
    planned = {v.key for v in plan_variants(source, "3" * 64, IDENTITY, (AVATAR,))}
    assert {v.key for s in result.sources for v in s.candidates} | {result.src} == planned


# --- processing ---------------------------------------------------------------------------


def test_a_camera_jpeg_gives_upright_variants_without_gps():
    data = camera_jpeg()
    source = inspect(data, "posts/trip/IMG_0001.JPG")
    assert (source.width, source.height, source.orientation) == (600, 800, 6)
    made = process(data, "posts/trip/IMG_0001.JPG", IDENTITY, (THUMBNAIL,))
    assert [(m.variant.format, m.variant.width) for m in made.variants] == [
        ("AVIF", 160),
        ("AVIF", 320),
        ("WEBP", 160),
        ("WEBP", 320),
        ("JPEG", 600),
    ]
    for item in made.variants:
        image = decoded(item.data)
        assert image.size == (item.variant.width, item.variant.height)
        assert image.format == item.variant.format
        # stored top (red) turned a quarter clockwise: red on the right, blue on the left
        rgb = image.convert("RGB")
        left, right = rgb.getpixel((2, image.height // 2)), rgb.getpixel((image.width - 3, image.height // 2))
        assert left[2] > 150 > left[0] and right[0] > 150 > right[2], (item.variant.key, left, right)
        assert_no_metadata(item.data)


def test_the_original_is_stripped_losslessly_keeping_only_its_orientation():
    data = camera_jpeg()
    assert decoded(data).getexif().get_ifd(GPS_IFD)  # the input does carry GPS
    stripped = strip_metadata(data, "IMG_0001.JPG")
    assert decoded(stripped).tobytes() == decoded(data).tobytes()
    assert dict(decoded(stripped).getexif()) == {0x0112: 6}
    for marker in (b"GPS", b"Camera maker", b"Model X100", b"xmpmeta"):
        assert marker in data and marker not in stripped
    assert strip_metadata(stripped, "IMG_0001.JPG") is stripped  # nothing left to remove: same bytes


def test_an_upright_jpeg_loses_its_exif_entirely_and_what_follows_its_end():
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    data = encode(two_halves(64, 48), "JPEG", exif=exif.tobytes(), comment=b"shot at home")
    stripped = strip_metadata(data + b"\xff\xd8 a second picture, as in an MPO", "a.jpg")
    assert b"Exif" not in stripped and b"shot at home" not in stripped and b"second picture" not in stripped
    assert stripped.endswith(b"\xff\xd9") and decoded(stripped).tobytes() == decoded(data).tobytes()


def test_a_jpeg_keeps_its_icc_profile_when_stripped():
    profile = adobe_rgb_profile()
    data = encode(two_halves(64, 48), "JPEG", icc_profile=profile, exif=camera_exif(1))
    stripped = strip_metadata(data, "a.jpg")
    assert decoded(stripped).info["icc_profile"] == profile
    assert b"GPS" not in stripped and not decoded(stripped).getexif()


def test_a_png_loses_its_text_chunks_and_exif_but_keeps_colour_and_orientation():
    rows = b"".join(b"\0" + b"".join(bytes((x * 8, y * 8, 128)) for x in range(32)) for y in range(16))
    exif = camera_exif(6)
    itxt = b"XML:com.adobe.xmp\0\0\0\0\0" + XMP
    data = raw_png(
        32,
        16,
        8,
        2,
        rows,
        png_chunk(b"gAMA", struct.pack(">I", 45455)),
        png_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif") else exif),
        png_chunk(b"tEXt", b"Comment\0taken at 48.85N"),
        png_chunk(b"iTXt", itxt),
        png_chunk(b"zTXt", b"Raw profile type exif\0\0" + zlib.compress(b"GPS GPS")),
        png_chunk(b"tIME", struct.pack(">HBBBBB", 2024, 5, 1, 12, 0, 0)),
    )
    stripped = strip_metadata(data, "a.png")
    for kind in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
        assert kind in data and kind not in stripped
    assert b"gAMA" in stripped
    assert dict(decoded(stripped).getexif()) == {0x0112: 6}
    assert decoded(stripped).tobytes() == decoded(data).tobytes()


def test_a_webp_loses_its_exif_and_xmp_chunks_and_their_flags():
    data = encode(two_halves(64, 48), "WEBP", lossless=True, exif=camera_exif(1), xmp=XMP)
    stripped = strip_metadata(data, "a.webp")
    assert b"EXIF" in data and b"EXIF" not in stripped and b"XMP " not in stripped and b"GPS" not in stripped
    assert struct.unpack_from("<I", stripped, 4)[0] == len(stripped) - 8
    assert stripped[20] & 0x0C == 0  # VP8X says: no EXIF, no XMP
    assert decoded(stripped).tobytes() == decoded(data).tobytes()
    oriented = strip_metadata(encode(two_halves(64, 48), "WEBP", exif=camera_exif(8)), "b.webp")
    assert dict(decoded(oriented).getexif()) == {0x0112: 8} and b"GPS" not in oriented


def test_a_cmyk_jpeg_becomes_rgb():
    data = encode(Image.new("CMYK", (400, 300), (0, 255, 255, 0)), "JPEG", quality=95)
    made = process(data, "cmyk.jpg", IDENTITY, (THUMBNAIL,))
    for item in made.variants:
        image = decoded(item.data).convert("RGB")
        assert decoded(item.data).mode in ("RGB", "RGBA")
        red, green, blue = image.getpixel((image.width // 2, image.height // 2))
        assert red > 230 and green < 30 and blue < 30, (item.variant.key, (red, green, blue))


def test_16_bit_pngs_are_scaled_to_8_bits_not_clipped():
    grey_rows = b"".join(b"\0" + struct.pack(">H", 32896) * 200 for _ in range(100))  # 50% grey, 16-bit
    rgb_rows = b"".join(b"\0" + struct.pack(">HHH", 65535, 16448, 0) * 200 for _ in range(100))
    grey = process(raw_png(200, 100, 16, 0, grey_rows), "grey.png", IDENTITY, (THUMBNAIL,))
    rgb = process(raw_png(200, 100, 16, 2, rgb_rows), "rgb.png", IDENTITY, (THUMBNAIL,))
    grey_fallback, rgb_fallback = decoded(grey.variants[-1].data), decoded(rgb.variants[-1].data)
    assert grey_fallback.mode == "L" and grey_fallback.getpixel((5, 5)) == 128
    assert rgb_fallback.convert("RGB").getpixel((5, 5)) == (255, 64, 0)


def test_an_adobe_rgb_png_is_converted_to_srgb_and_carries_no_profile():
    profile = adobe_rgb_profile()
    colour = (200, 100, 50)
    data = encode(Image.new("RGB", (300, 200), colour), "PNG", icc_profile=profile)
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), colour), ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB")
    ).getpixel((0, 0))
    assert expected != colour  # the profile does change the colour
    made = process(data, "adobe.png", IDENTITY, (THUMBNAIL,))
    fallback = decoded(made.variants[-1].data)
    assert fallback.getpixel((10, 10)) == expected
    assert_no_metadata(made.variants[-1].data)


def test_an_animated_gif_gets_no_variants():
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE, (30, 200, 30))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    made = process(data, "spin.gif", IDENTITY, (CONTENT,))
    assert made.source.animated and made.variants == ()
    result = picture(made.source, made.digest, IDENTITY, CONTENT)
    assert result.sources == () and result.src == "spin.gif" and (result.width, result.height) == (40, 30)


def test_the_same_bytes_make_the_same_names_and_bytes():
    data = camera_jpeg(640, 480)
    first = process(data, "p/a.jpg", encoder_identity(), (CONTENT, THUMBNAIL))
    second = process(data, "p/a.jpg", encoder_identity(), (CONTENT, THUMBNAIL))
    assert first == second
    assert len({v.variant.key for v in first.variants}) == len(first.variants)


# --- refusals ------------------------------------------------------------------------------


def refusal(data: bytes, key: str) -> str:
    with pytest.raises(ImageError) as caught:
        process(data, key, IDENTITY)
    assert caught.value.source_key == key
    return caught.value.problem


def test_a_truncated_file_is_refused():
    data = encode(two_halves(400, 300), "JPEG")
    assert "cannot be decoded" in refusal(data[: len(data) // 2], "cut.jpg")
    png = encode(two_halves(400, 300), "PNG")
    assert refusal(png[: len(png) // 2], "cut.png")
    with pytest.raises(ImageError, match="truncated"):
        strip_metadata(data[: len(data) // 2], "cut.jpg")


def test_a_corrupt_file_is_refused():
    assert "not a readable" in refusal(b"\x89PNG\r\n\x1a\n not really", "x.png")
    assert "not a readable" in refusal(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.png")


def test_a_decompression_bomb_is_refused_before_any_pixel_is_decoded():
    # 10 billion grey pixels declared, 10 MB of zero rows that a zlib stream of 10 KB inflates to
    bomb = raw_png(100_000, 100_000, 8, 0, bytes(10_000_000))
    assert "decompression bomb" in refusal(bomb, "bomb.png")


def test_each_format_has_its_pixel_limit():
    header = struct.pack(">IIBBBBB", 8000, 7000, 8, 0, 0, 0, 0)  # 56 megapixels
    big_png = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")
    assert "over the 50 megapixel limit of a PNG" in refusal(big_png, "big.png")
    jpeg = encode(Image.new("RGB", (16, 16)), "JPEG")
    sof = jpeg.index(b"\xff\xc0")
    big_jpeg = jpeg[: sof + 5] + struct.pack(">HH", 10_000, 10_500) + jpeg[sof + 9 :]  # 105 megapixels
    assert "over the 100 megapixel limit of a JPEG" in refusal(big_jpeg, "big.jpg")
    allowed = jpeg[: sof + 5] + struct.pack(">HH", 7_500, 10_000) + jpeg[sof + 9 :]  # 75: a JPEG may
    assert inspect(allowed, "ok.jpg").width == 10_000


def test_a_file_over_50_mib_is_refused():
    assert "over the 50 MiB limit" in refusal(b"\xff\xd8" + bytes(MAX_FILE_BYTES), "huge.jpg")


def test_an_extension_that_lies_is_refused():
    png = encode(Image.new("RGB", (8, 8)), "PNG")
    assert refusal(png, "photo.jpg") == "is named .jpg but its bytes are a PNG image"
    assert "not named as a raster image" in refusal(png, "photo.tiff")


def test_exif_orientation_reads_both_byte_orders_and_survives_damage():
    assert exif_orientation(camera_exif(3)) == 3
    little = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + struct.pack("<HHIH2x", 0x0112, 3, 1, 5) + bytes(4)
    assert exif_orientation(little) == 5
    assert exif_orientation(b"MM\0*\0\0\0\x08\x00\x05") == 1
    assert exif_orientation(b"garbage") == 1


def test_a_pngs_orientation_is_read_without_decoding_its_pixels(monkeypatch):
    # Pillow's PNG getexif decodes every pixel when no eXIf chunk came before them, to look for one
    # after them (a quarter of a second for a 4K PNG); PNG places eXIf before the first IDAT.
    rows = b"".join(b"\0" + bytes(3 * 32) for _ in range(16))
    exif = camera_exif(6)
    oriented = raw_png(32, 16, 8, 2, rows, png_chunk(b"eXIf", exif))
    plain = encode(two_halves(32, 16), "PNG")
    late = plain[:-12] + png_chunk(b"eXIf", exif) + plain[-12:]  # after IDAT: not read
    decoders: list[object] = []

    def no_decoder(*args: object, **kwargs: object) -> object:
        decoders.append(args)
        raise AssertionError("a pixel decoder was asked for")

    monkeypatch.setattr(Image, "_getdecoder", no_decoder)
    upright = inspect(oriented, "portrait.png")
    assert (upright.orientation, upright.width, upright.height) == (6, 16, 32)
    assert inspect(plain, "plain.png").orientation == 1
    assert inspect(late, "late.png").orientation == 1
    assert decoders == []
