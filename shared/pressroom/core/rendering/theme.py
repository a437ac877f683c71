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
from importlib.resources.abc import Traversable

from pressroom.core.markdown import highlighting

FINGERPRINT_LENGTH = 16
"""Hex digits of SHA-256 in a fingerprinted name: 64 bits, ample for one site's versions."""
_FINGERPRINTED = re.compile(rf"css/main\.[0-9a-f]{{{FINGERPRINT_LENGTH}}}\.css")


@cache
def stylesheet() -> bytes:
    """The site's stylesheet: the theme's main.css, then the code highlighting rules."""
    theme_css = (files("pressroom") / "theme" / "static" / "main.css").read_text("utf-8")
    return (theme_css + "\n" + _code_css(highlighting.pygments_css())).encode("utf-8")


@cache
def stylesheet_key() -> str:
    """`css/main.<hash>.css`: the key the stylesheet is published at, and the templates link to."""
    return f"css/main.{hashlib.sha256(stylesheet()).hexdigest()[:FINGERPRINT_LENGTH]}.css"


@cache
def theme_template(name: str) -> str | None:
    """The source of the theme's template `name` (`page.html`, `shortcodes/figure.html`); None if
    the theme has none. Read once per process."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        return None
    path = files("pressroom") / "theme" / "templates" / name
    return path.read_text("utf-8") if path.is_file() else None


@cache
def library_files() -> tuple[str, ...]:
    """The libraries the theme serves from the site itself (`static/lib/`: Mermaid, KaTeX, each with
    its licence; `make vendor` updates them), as output keys in name order. Lists them: reads none."""
    return tuple(f"lib/{name}" for name in _names_under(files("pressroom") / "theme" / "static" / "lib", ""))


@cache
def theme_file(path: str) -> bytes:
    """The bytes of the theme's file at `path` below its folder (`static/favicon.ico`), read once per
    process: the theme's digest and the site's copy of the file share that read (the vendored
    libraries are 6 MB: read three times, from a cold disk, they cost a build about 2 s)."""
    return (files("pressroom") / "theme" / path).read_bytes()


def is_fingerprinted(key: str) -> bool:
    """A name that changes with its content (whatever the theme's version): cacheable for good."""
    return _FINGERPRINTED.fullmatch(key) is not None


@cache
def theme_digest() -> str:
    """Changes whenever any template of the theme, the stylesheet or a static file (script, favicon)
    changes."""
    digest = hashlib.sha256(stylesheet())
    theme = files("pressroom") / "theme"
    for folder in ("templates", "static"):
        for name in _names_under(theme / folder, ""):
            digest.update(b"\0" + f"{folder}/{name}".encode() + b"\0" + theme_file(f"{folder}/{name}"))
    return digest.hexdigest()


def _names_under(folder: Traversable, prefix: str) -> list[str]:
    """The relative name of every file below `folder`, in name order."""
    found: list[str] = []
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        if item.is_file():
            found.append(prefix + item.name)
        elif item.is_dir():
            found.extend(_names_under(item, f"{prefix}{item.name}/"))
    return found


def _code_css(css: str) -> str:
    """The code colours, following the theme toggle as well as the system preference.

    Pygments' light rules come first and its dark ones in `@media (prefers-color-scheme: dark)`;
    a choice made with the toggle (`data-theme` on the root) overrides that media query.
    """
    light, _, dark = css.partition("@media (prefers-color-scheme: dark) {")
    dark = dark.rstrip().removesuffix("}")
    light_rules = [line for line in light.splitlines() if line.startswith(".highlight")]
    dark_rules = [line.strip() for line in dark.splitlines() if line.strip().startswith(".highlight")]
    media = "\n".join(f"  :root:not([data-theme=light]) {rule}" for rule in dark_rules)
    return (
        "\n".join(light_rules)
        + f"\n@media (prefers-color-scheme: dark) {{\n{media}\n}}\n"
        + "\n".join(f":root[data-theme=dark] {rule}" for rule in dark_rules)
        + "\n"
    )
