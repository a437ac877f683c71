"""Small but whole images for tests: a file that only starts like a PNG is refused as truncated
(`core.images.metadata`: an image whose structure cannot be followed cannot be cleaned)."""

TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDA"
    b"Tx\xdac\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xf7\x03AC\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1x1 red PNG with no metadata (published byte for byte)."""


def photo(width: int, height: int, orientation: int = 1, colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A JPEG as a camera writes one: stored `width` x `height`, with an EXIF orientation and a GPS
    position (written with Pillow, imported here so that modules importing this one do not pay)."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 29.9)
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()
