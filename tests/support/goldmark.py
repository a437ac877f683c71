"""Render Markdown with the `hugo` binary (goldmark, Hugo's defaults) and compare HTML as a
browser reads it: for the differential tests of pressroom's Markdown against goldmark's."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from support.hugo import hugo_binary

HUGO_CONFIG = (
    'baseURL = "https://example.org/"\n'
    'disableKinds = ["taxonomy", "term", "rss", "sitemap", "robotsTXT", "404", "home", "section"]\n'
)


def goldmark_html(root: Path, snippets: Mapping[str, str]) -> dict[str, str]:
    """Name -> goldmark's HTML of each Markdown snippet: one Hugo site under `root`, a page a
    snippet, whose only template prints `.Content`."""
    (root / "content").mkdir(parents=True)
    (root / "layouts").mkdir()
    (root / "hugo.toml").write_text(HUGO_CONFIG)
    (root / "layouts" / "single.html").write_text("{{ .Content }}")
    for name, text in snippets.items():
        (root / "content" / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n{text}", encoding="utf-8")
    subprocess.run([hugo_binary(), "--quiet", "--source", str(root)], check=True, capture_output=True, timeout=300)
    pages = {name: root / "public" / name / "index.html" for name in snippets}
    # Hugo writes no file for a page whose content and template print nothing.
    return {name: page.read_text(encoding="utf-8") if page.exists() else "" for name, page in pages.items()}


class _Canonical(HTMLParser):
    """Tags with their attributes sorted, text with its character references resolved and its
    whitespace collapsed: `&ldquo;` and `“`, or a newline and a space between tags, read alike."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[object, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append(("<", tag, tuple(sorted(attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("/", tag))

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text:
            return
        if self.items and self.items[-1][0] == "text":
            self.items[-1] = ("text", f"{self.items[-1][1]} {text}")
        else:
            self.items.append(("text", text))

    def handle_comment(self, data: str) -> None:
        self.items.append(("comment", data.strip()))


def canonical(html: str) -> list[tuple[object, ...]]:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    return parser.items
