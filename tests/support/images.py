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


def scenery(width: int, height: int, seed: int, fmt: str = "PNG", grain: int = 6) -> bytes:
    """An image (PNG, or JPEG at quality 85) with a photograph's statistics, from a seed: colour
    fields, and light with detail at every scale (random layers from 4 px wide to `width`, each
    octave's amplitude 0.8 of the one below: about the 1/f spectrum of natural images), plus
    sensor grain. So it compresses as a photo does, not away: 1400 x 788 (seed 7) is a 1.77 MB
    PNG whose WebP variants weigh 9 KB (360 px) to 75 KB (1344 px), as the 1.7 MB PNG of issue
    22's blog, resized by Hugo, weighs 11 to 113 KB; bench's `photo`, with detail at one scale
    only, compresses to half that."""
    import io
    import random

    from PIL import Image, ImageChops, ImageOps

    rng = random.Random(seed)

    def layer(mode: str, across: int) -> Image.Image:
        down = max(2, round(across * height / width))
        small = Image.frombytes(mode, (across, down), rng.randbytes(across * down * len(mode)))
        return small.resize((width, height), Image.Resampling.BICUBIC)

    colour = layer("RGB", 6)
    light, total, amplitude, across = layer("L", 4), 1.0, 1.0, 8
    while across <= width:
        amplitude *= 0.8
        total += amplitude
        light = Image.blend(light, layer("L", across), amplitude / total)  # running weighted mean
        across *= 2
    light = ImageOps.autocontrast(light, cutoff=1)
    image = ImageOps.autocontrast(ImageChops.multiply(colour, Image.merge("RGB", (light,) * 3)), cutoff=0.5)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height)).point(lambda v: v * grain // 255)
    image = ImageChops.add(image, Image.merge("RGB", (noise,) * 3), offset=-(grain // 2))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()
