"""Small but whole images for tests: a file that only starts like a PNG is refused as truncated
(`core.images.metadata`: an image whose structure cannot be followed cannot be cleaned)."""

TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDA"
    b"Tx\xdac\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xf7\x03AC\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1x1 red PNG with no metadata (published byte for byte)."""
