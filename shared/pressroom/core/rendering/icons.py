# ruff: noqa: E501 - icon paths are data, one per line
"""Inline SVG icons for Blowfish's icon names (front matter `icon:`, profile links, the theme's buttons).

Each icon is a 24x24 path drawn with `currentColor`, so it takes the colour of the text around it
and needs no request, no font and no external origin. Names are Blowfish's (`github`, `x-twitter`,
`envelope`, ...) with the common synonyms; an unknown name gets a neutral icon (`FALLBACK`).
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

# Stroked outline paths (stroke-width 2, round joins), except where a glyph is filled (`F:`).
_PATHS: dict[str, str] = {
    "github": "F:M12 1.5a10.5 10.5 0 0 0-3.32 20.46c.53.1.72-.23.72-.5v-1.8c-2.92.63-3.54-1.4-3.54-1.4-.48-1.22-1.17-1.54-1.17-1.54-.95-.65.07-.64.07-.64 1.06.07 1.61 1.09 1.61 1.09.94 1.6 2.46 1.14 3.06.87.1-.68.37-1.14.66-1.4-2.33-.27-4.78-1.17-4.78-5.2 0-1.15.41-2.09 1.08-2.82-.11-.27-.47-1.34.1-2.79 0 0 .88-.28 2.89 1.08a10 10 0 0 1 5.26 0c2-1.36 2.88-1.08 2.88-1.08.58 1.45.22 2.52.11 2.79.67.73 1.08 1.67 1.08 2.82 0 4.04-2.46 4.93-4.8 5.19.38.33.72.97.72 1.96v2.9c0 .28.19.61.73.5A10.5 10.5 0 0 0 12 1.5Z",
    "gitlab": "M12 21 3 14l2-9 2.5 6h9L19 5l2 9-9 7Z",
    "x-twitter": "M4 4l16 16M20 4 4 20",
    "twitter": "M22 5.9c-.7.3-1.5.6-2.3.7.8-.5 1.4-1.3 1.7-2.2-.8.5-1.6.8-2.5 1a4 4 0 0 0-6.9 3.6A11.4 11.4 0 0 1 3.7 4.8a4 4 0 0 0 1.2 5.4c-.6 0-1.3-.2-1.8-.5 0 2 1.4 3.6 3.2 4-.6.2-1.2.2-1.8.1a4 4 0 0 0 3.8 2.8A8 8 0 0 1 2 18.3 11.4 11.4 0 0 0 8.2 20c7.4 0 11.5-6.1 11.5-11.5v-.5c.9-.6 1.6-1.3 2.3-2.1Z",
    "linkedin": "M4 9h4v11H4zM6 3.5a2 2 0 1 1 0 4 2 2 0 0 1 0-4ZM10 9h3.8v1.6c.6-1 1.9-1.9 3.7-1.9 3.2 0 3.5 2.1 3.5 4.8V20h-4v-5.5c0-1.3-.1-2.6-1.7-2.6s-1.3 1.3-1.3 2.6V20h-4Z",
    "mastodon": "M21 8.5c0-4-2.6-5.2-2.6-5.2C17 2.7 14.6 2.5 12 2.5h-.1c-2.6 0-5 .2-6.4.8 0 0-2.6 1.2-2.6 5.2 0 .9 0 2 .1 3.2.1 3.8.7 7.5 4.2 8.5 1.6.4 3 .5 4.1.5 2.1-.1 3.2-.8 3.2-.8l-.1-1.5s-1.5.5-3.2.4c-1.7 0-3.4-.2-3.7-2.2v-.5s1.7.4 3.8.5c1.3.1 2.5-.1 3.7-.2 2.3-.3 4.4-1.7 4.6-3 .4-2 .4-4.9.4-4.9ZM16.5 13h-2V8.7c0-.9-.4-1.4-1.2-1.4-.9 0-1.3.6-1.3 1.7v2.4h-2V9c0-1.1-.4-1.7-1.3-1.7-.8 0-1.2.5-1.2 1.4V13h-2V8.6c0-.9.2-1.6.7-2.1.5-.5 1.1-.8 1.9-.8.9 0 1.6.4 2 1.1l.5.8.5-.8c.4-.7 1.1-1.1 2-1.1.8 0 1.4.3 1.9.8.5.5.7 1.2.7 2.1Z",
    "bluesky": "M6 4c2.5 1.8 5 5.5 6 7.5 1-2 3.5-5.7 6-7.5 1.8-1.3 4-2 4 .8 0 .6-.3 4.6-.5 5.3-.7 2.4-3.1 3-5.3 2.6 3.8.7 4.8 2.8 2.7 5-4 4.1-5.8-1-6.2-2.4L12 14l-.7 1.3c-.4 1.4-2.2 6.5-6.2 2.4-2.1-2.2-1.1-4.3 2.7-5-2.2.4-4.6-.2-5.3-2.6C2.3 9.4 2 5.4 2 4.8 2 2 4.2 2.7 6 4Z",
    "youtube": "M2.5 7.5c.2-1.6 1.2-2.6 2.8-2.7C7.4 4.6 9.7 4.5 12 4.5s4.6.1 6.7.3c1.6.1 2.6 1.1 2.8 2.7.2 1.5.2 3 .2 4.5s0 3-.2 4.5c-.2 1.6-1.2 2.6-2.8 2.7-2.1.2-4.4.3-6.7.3s-4.6-.1-6.7-.3c-1.6-.1-2.6-1.1-2.8-2.7C2.3 15 2.3 13.5 2.3 12s0-3 .2-4.5ZM10 9v6l5-3Z",
    "instagram": "M7 3h10a4 4 0 0 1 4 4v10a4 4 0 0 1-4 4H7a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4Zm5 5a4 4 0 1 0 0 8 4 4 0 0 0 0-8Zm5.5-1.5v.01",
    "facebook": "M14 8h3V4h-3a4 4 0 0 0-4 4v3H7v4h3v7h4v-7h3l1-4h-4V8Z",
    "rss": "M5 11a8 8 0 0 1 8 8M5 5a14 14 0 0 1 14 14M6 19a1 1 0 1 0 0-.01",
    "email": "M3 5h18v14H3zM3 6l9 7 9-7",
    "link": "M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1",
    "code": "M8 6l-6 6 6 6M16 6l6 6-6 6",
    "book": "M4 4.5A1.5 1.5 0 0 1 5.5 3H20v15H5.5A1.5 1.5 0 0 0 4 19.5v-15ZM4 19.5A1.5 1.5 0 0 0 5.5 21H20v-3",
    "cloud": "M7 18h10.5a4.5 4.5 0 0 0 .5-9 6 6 0 0 0-11.5 1.5A4 4 0 0 0 7 18Z",
    "chart": "M4 20V10M10 20V4M16 20v-7M22 20H2",
    "bookmark": "M6 3h12v18l-6-4-6 4Z",
    "bolt": "M13 2 4 14h7l-1 8 9-12h-7Z",
    "microphone": "M12 2a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V5a3 3 0 0 1 3-3ZM5 11a7 7 0 0 0 14 0M12 18v4M8 22h8",
    "calendar": "M4 5h16v16H4zM4 10h16M8 3v4M16 3v4",
    "star": "M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9Z",
    "heart": "M12 20s-8-4.8-8-10.5A4.5 4.5 0 0 1 12 6.7a4.5 4.5 0 0 1 8 2.8C20 15.2 12 20 12 20Z",
    "tag": "M3 12V3h9l9 9-9 9ZM7.5 7.5v.01",
    "search": "M11 4a7 7 0 1 1 0 14 7 7 0 0 1 0-14ZM16 16l5 5",
    "globe": "M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18ZM3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9s-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9s1-6.5 3.5-9Z",
    "sun": "M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8ZM12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4",
    "moon": "M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5Z",
    "auto": "M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18ZM12 3v18",
    "copy": "M9 9h11v11H9zM5 15H4V4h11v1",
    "check": "M4 12l5 5L20 6",
    "pencil": "M4 20l4-1L19 8l-3-3L5 16ZM14 7l3 3",
    "file": "M6 2h8l5 5v15H6zM14 2v5h5",
    "coffee": "M4 8h13v6a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5ZM17 9h1.5a2.5 2.5 0 0 1 0 5H17M8 2v3M12 2v3",
    "graduation-cap": "M2 9l10-5 10 5-10 5ZM6 11v5c3 2.5 9 2.5 12 0v-5M22 9v6",
    "location-dot": "M12 22s7-6.2 7-12a7 7 0 0 0-14 0c0 5.8 7 12 7 12Zm0-9a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z",
    "brain": "M9 4a3 3 0 0 0-3 3 3 3 0 0 0-2 5 3 3 0 0 0 2 5 3 3 0 0 0 6 1V5a3 3 0 0 0-3-1ZM15 4a3 3 0 0 1 3 3 3 3 0 0 1 2 5 3 3 0 0 1-2 5 3 3 0 0 1-6 1",
    "stack-overflow": "M5 15v5h13v-5M8 17h7M8.5 13.5l7 1.5M9.5 9.8l6.5 3M11.5 6.3l5.5 4.5M14.5 3.3l4 5.7",
    "discord": "M8 7a14 14 0 0 1 8 0l1.5-2 2.5 1c1.6 3 2.3 6.2 2 10l-4 2.5-1.3-2c-2.6.8-4.8.8-7.4 0L8 18.5 4 16c-.3-3.8.4-7 2-10l2.5-1ZM9 13v.01M15 13v.01",
    "telegram": "M21 4 3 11l6 2 2 6 3-4 5 4Z",
    "keybase": "M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18ZM9 9h.01M15 9h.01M8 15c2 2 6 2 8 0",
}

_ALIASES = {
    "x": "x-twitter",
    "envelope": "email",
    "mail": "email",
    "at": "email",
    "chain": "link",
    "code-branch": "code",
    "terminal": "code",
    "chart-line": "chart",
    "chart-bar": "chart",
    "bookmark-solid": "bookmark",
    "lightning": "bolt",
    "microphone-lines": "microphone",
    "calendar-days": "calendar",
    "magnifying-glass": "search",
    "website": "globe",
    "earth": "globe",
    "blog": "pencil",
    "pen": "pencil",
    "rss-square": "rss",
    "feed": "rss",
    "linkedin-in": "linkedin",
    "youtube-play": "youtube",
    "stackoverflow": "stack-overflow",
    "location": "location-dot",
    "school": "graduation-cap",
    "file-lines": "file",
}

FALLBACK = "file"
"""What an unknown icon name shows: a page, neutral enough for any front matter `icon:`."""


def icon_name(name: object) -> str:
    """The icon a Blowfish name shows: itself, its synonym, or FALLBACK."""
    key = str(name or "").strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in _PATHS else FALLBACK


def icon_svg(name: object, label: str = "") -> Markup:
    """The inline `<svg>` of an icon; decorative (hidden from screen readers) unless `label` names it."""
    return _svg(icon_name(name), str(label))


@lru_cache(maxsize=256)
def _svg(name: str, label: str) -> Markup:
    path = _PATHS[name]
    if path.startswith("F:"):
        paint = 'fill="currentColor" stroke="none"'
        path = path[2:]
    else:
        paint = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"'
    access = f'role="img" aria-label="{escape(label)}"' if label else 'aria-hidden="true" focusable="false"'
    return Markup(
        f'<svg class="icon" viewBox="0 0 24 24" width="24" height="24" {paint} {access}><path d="{path}"/></svg>'
    )
