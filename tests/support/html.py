"""Reading rendered pages in tests."""

from __future__ import annotations

import re

_THEME_SCRIPT = re.compile(r'<script src="/js/[a-z.]+"( defer)?></script>')
_JSON_LD = re.compile(r'<script type="application/ld\+json">[^<]*</script>')


def without_theme_scripts(html: str) -> str:
    """A page without the theme's own scripts (its static files and its JSON-LD data block)."""
    return _JSON_LD.sub("", _THEME_SCRIPT.sub("", html))
