"""What the Rust-backed Markdown parser gives (issue 23.1): the corpus bodies rendered on one
core, best of 2, by `render_markdown` as shipped (pyromark's events, markdown-it-py for the pages
`fast.FALLBACK_REASONS` names) and by `render_markdown` with markdown-it-py for every page (as
before the switch: the same HTML, byte for byte); for reference, the bare parsers on the same
bodies (pyromark's own HTML, and markdown-it-pyrs where installed). Then a one-core `build_site`
of the corpus, each way, in this process. Run by the bench's own environment; prints JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pressroom.core.reading.content import split_front_matter


def bodies(folder: Path) -> list[str]:
    return [
        split_front_matter(path.name, path.read_text("utf-8")).body for path in sorted((folder / "posts").glob("*.md"))
    ]


def best(action: Callable[[str], Any], texts: list[str], repeats: int = 2) -> float:
    seconds = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for text in texts:
            action(text)
        seconds = min(seconds, time.process_time() - start)
    return seconds


@contextmanager
def markdown_it_everywhere() -> Iterator[None]:
    """Every page rendered by markdown-it-py, as on a machine without a pyromark wheel."""
    from pressroom.core.markdown import fast

    saved = fast.pyromark
    fast.pyromark = None  # type: ignore[assignment]
    try:
        yield
    finally:
        fast.pyromark = saved


def fallbacks(texts: list[str]) -> dict[str, int]:
    """How many bodies fall back to markdown-it-py, by reason."""
    from pressroom.core.markdown.fast import Fallback, render_fast
    from pressroom.core.markdown.settings import DEFAULT_MARKUP

    reasons: Counter[str] = Counter()
    for text in texts:
        try:
            render_fast(text, DEFAULT_MARKUP, None)
        except Fallback as reason:
            reasons[str(reason)] += 1
    return dict(reasons)


def build_seconds(folder: Path) -> float:
    from pressroom.adapters.files import read_tree
    from pressroom.core.build import build_site
    from pressroom.shells.cli import _now

    files = read_tree(folder)
    start = time.process_time()
    build_site(files, _now("2026-11-29T00:00:00+00:00"))
    return time.process_time() - start


def main(folder: str) -> None:
    import pyromark

    from pressroom.core.markdown.converter import render_markdown

    texts = bodies(Path(folder))
    render_markdown(texts[0])  # Pygments' lexer and the parsers built once, outside the timings
    with markdown_it_everywhere():
        render_markdown(texts[0])
        markdown_it_py_s = best(render_markdown, texts)
        build_markdown_it_s = build_seconds(Path(folder))
    figures: dict[str, Any] = {
        "posts": len(texts),
        "markdown_it_py_s": markdown_it_py_s,
        "render_markdown_s": best(render_markdown, texts),
        "pyromark_s": best(pyromark.html, texts),
        "fallbacks": fallbacks(texts),
        "build_markdown_it_s": build_markdown_it_s,
        "build_one_core_s": build_seconds(Path(folder)),
    }
    try:
        import markdown_it_pyrs

        rs = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough", "footnote", "tasklist"])
        figures["markdown_it_pyrs_s"] = best(rs.render, texts)
    except ImportError:
        pass
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])
