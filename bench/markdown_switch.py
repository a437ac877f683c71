"""What a Rust-backed Markdown parser would save: the corpus bodies rendered by pressroom's
markdown-it-py configuration (`core.markdown.render_markdown`) and by `pyromark` (pulldown-cmark,
tables, strikethrough, footnotes, tasklists, heading attributes) on one core, best of 2.
Run by the bench's own environment (bench/.venv has pyromark); prints JSON.

The build-time estimate: the share of `render_markdown` in a one-core `build_site` of the same
corpus, measured back to back in this process, is taken out of the build and pyromark's time put
in: what the build would cost if the parse were the only thing that changed (an upper bound of
the saving: highlighting, heading ids, the TOC and summaries, which markdown.py adds on top of
the parser, are taken out with it and would need their own way back in).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pressroom.core.reading.content import split_front_matter


def bodies(folder: Path) -> list[str]:
    return [
        split_front_matter(path.name, path.read_text("utf-8")).body for path in sorted((folder / "posts").glob("*.md"))
    ]


def best(action, texts: list[str], repeats: int = 2) -> float:
    seconds = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            action(text)
        seconds = min(seconds, time.perf_counter() - start)
    return seconds


def main(folder: str) -> None:
    import markdown_it_pyrs
    import pyromark
    from pressroom.core.markdown.converter.converter import render_markdown

    texts = bodies(Path(folder))
    options = (
        pyromark.Options.ENABLE_TABLES
        | pyromark.Options.ENABLE_STRIKETHROUGH
        | pyromark.Options.ENABLE_FOOTNOTES
        | pyromark.Options.ENABLE_TASKLISTS
        | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
    )
    rs = markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough", "footnote", "tasklist"])
    from pressroom.adapters.files import read_tree
    from pressroom.core.build import build_site
    from pressroom.shells.cli import _now

    files = read_tree(Path(folder))
    start = time.perf_counter()
    build_site(files, _now("2026-11-29T00:00:00+00:00"))
    build_s = time.perf_counter() - start
    figures = {
        "build_one_core_s": build_s,
        "posts": len(texts),
        "markdown_it_py_s": best(lambda text: render_markdown(text), texts),
        "pyromark_s": best(lambda text: pyromark.html(text, options=options), texts),
        "markdown_it_pyrs_s": best(rs.render, texts),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])
