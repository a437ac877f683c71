"""The theme's own files: the stylesheet under a fingerprinted name, and a digest of the whole theme.

The stylesheet is published as `css/main.<hash>.css`, the hash taken from its bytes (as Hugo
Pipes' `fingerprint` does), so browsers may keep it for a year: a changed stylesheet is a new
name, which every page links to once re-rendered. The theme digest changes whenever anything
the theme renders with changes (a template, the stylesheet, the code highlighting styles): the
event path rebuilds the site when the deployed theme is not the one it was built with.

Pure: the bytes come from the installed package, the same on every machine with the same
version (and Pygments version).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib.resources import files

FINGERPRINT_LENGTH = 16
"""Hex digits of SHA-256 in a fingerprinted name: 64 bits, ample for one site's versions."""
_FINGERPRINTED = re.compile(rf"css/main\.[0-9a-f]{{{FINGERPRINT_LENGTH}}}\.css")


@cache
def stylesheet() -> bytes:
    """The site's stylesheet: the theme's main.css, then the code highlighting rules."""
    from pressroom.core.markdown import pygments_css

    theme_css = (files("pressroom") / "theme" / "static" / "main.css").read_text("utf-8")
    return (theme_css + "\n" + pygments_css()).encode("utf-8")


@cache
def stylesheet_key() -> str:
    """`css/main.<hash>.css`: the key the stylesheet is published at, and the templates link to."""
    return f"css/main.{hashlib.sha256(stylesheet()).hexdigest()[:FINGERPRINT_LENGTH]}.css"


def is_fingerprinted(key: str) -> bool:
    """A name that changes with its content (whatever the theme's version): cacheable for good."""
    return _FINGERPRINTED.fullmatch(key) is not None


@cache
def theme_digest() -> str:
    """Changes whenever any template of the theme or the stylesheet changes."""
    digest = hashlib.sha256(stylesheet())
    templates = files("pressroom") / "theme" / "templates"
    for template in sorted(templates.iterdir(), key=lambda item: item.name):
        if template.is_file():
            digest.update(b"\0" + template.name.encode() + b"\0" + template.read_bytes())
    return digest.hexdigest()
