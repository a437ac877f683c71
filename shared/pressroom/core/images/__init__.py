"""Raster images, processed once: responsive variants and originals without location data.

Pure like the rest of the core: bytes in, bytes out, no files, no clock, no environment.

- `variants`: which variants an image gets (widths, formats, names that carry a hash of the
  source, the processing and the encoder), and the `srcset`/`sizes` a template writes. Reads no
  pixels and imports no Pillow, so the Markdown-only path starts as fast as before.
- `processing`: decoding with limits set on purpose, then the variants' bytes, decoded once.
- `metadata`: an original's location and camera data removed byte by byte, pixels untouched.
"""
