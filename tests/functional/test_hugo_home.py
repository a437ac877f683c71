"""The home page of a Congo or Blowfish site as the `hugo` binary makes it (issue 21.3):
`tests/fixtures/hugo-home`, built with a minimal theme whose home template does what Congo's and
Blowfish's do (`tests/fixtures/hugo-home-theme`).

Congo's home lists the newest `recentLimit` posts of the main sections through
`.Paginate PAGES recentLimit` when `homepage.showRecent` is on: Hugo then makes `page/N/` of
`recentLimit` posts each. With `showRecent` off the template never paginates, and the home page
is one page: no `page/N/`, no `page/1/` redirect. A site with no `params.homepage` keeps the usual
home, paginated by `pagerSize`. Blowfish (a site with `showRecentItems` and no
`recentLimit`) pages its home by `pagerSize` and shows the first `showRecentItems` of each page.
pressroom must make the same pages and feeds, with the same posts on each home page, and the
event path what the full build makes.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.core.rendering.theme import stylesheet_key
from pressroom.core.site.outputs import SEARCH_INDEX_KEY, SEARCH_PAGE_KEY, THEME_FILES, is_search_part
from support.accounts import Site, assert_converged
from support.hugo import hugo_build

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "hugo-home"
THEME = REPO / "tests" / "fixtures" / "hugo-home-theme"
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")
CONFIG = (FIXTURE / "hugo.toml").read_text()
HOMEPAGE = CONFIG[CONFIG.index("[params.homepage]") : CONFIG.index("[params.author]")]

CONFIGS = {
    "congo-recent": CONFIG,
    "congo-no-recent": CONFIG.replace("showRecent = true", "showRecent = false"),
    "layout-only": CONFIG.replace(HOMEPAGE, '[params.homepage]\n  layout = "page"\n'),
    "recent-only": CONFIG.replace('  layout = "profile"\n', "").replace("recentLimit = 2", "recentLimit = 4"),
    "no-homepage": CONFIG.replace(HOMEPAGE, ""),
    "blowfish-recent": CONFIG.replace("recentLimit = 2", "showRecentItems = 2"),
    "blowfish-recent-past-pager": CONFIG.replace("recentLimit = 2", "showRecentItems = 5"),
}


def _root(tmp_path: Path, config: str) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    (root / "hugo.toml").write_text(config)
    return root


def _hugo_build(root: Path, public: Path) -> dict[str, bytes]:
    return hugo_build(root, public, THEME)


def _ours(built: dict[str, bytes]) -> set[str]:
    """pressroom's own files: its theme, stylesheet, search page and search index."""
    return {stylesheet_key(), *THEME_FILES, SEARCH_PAGE_KEY, SEARCH_INDEX_KEY, "robots.txt", "404.html"} | {
        key for key in built if is_search_part(key)
    }


def _home_pages(site: dict[str, bytes]) -> list[str]:
    return sorted(key for key in site if key == "index.html" or re.fullmatch(r"page/\d+/index\.html", key))


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_the_home_pages_are_hugos(tmp_path: Path, config: str) -> None:
    root = _root(tmp_path, CONFIGS[config])
    theirs = _hugo_build(root, tmp_path / "public")
    site = build_site(read_tree(root), NOW)
    assert site.errors == []
    assert sorted(set(site.outputs) - _ours(site.outputs)) == sorted(theirs)
    for key in _home_pages(theirs):
        if b'http-equiv="refresh"' in theirs[key]:
            continue  # `page/1/`: a redirect in both
        shown = re.findall(r'<a class="recent" href="([^"]+)"', theirs[key].decode())
        assert re.findall(r'<h2><a href="([^"]+)">', site.outputs[key].decode()) == shown, key


def test_the_event_path_makes_the_home_pages_of_the_full_build(site: Site) -> None:
    """Uploaded one by one, then a newer post, a deleted one, `showRecent` switched off and on, and
    Blowfish's `showRecentItems` in place of `recentLimit`."""
    for key, body in read_tree(FIXTURE).items():
        site.put(key, body)
    site.drain()
    assert_converged(site)
    assert "page/4/index.html" in site.published()
    site.put("content/posts/p8.md", b"---\ntitle: Post 8\ndate: 2026-01-08\n---\nNewest.\n")
    site.put("content/posts/p0.md", b"---\ntitle: Post 0\ndate: 2025-12-31\n---\nOldest.\n")
    site.drain()
    assert_converged(site)
    assert "page/5/index.html" in site.published()
    for number in (8, 7, 6):
        site.delete(f"content/posts/p{number}.md")
    site.drain()
    assert_converged(site)
    assert "page/3/index.html" in site.published() and "page/4/index.html" not in site.published()
    site.put("hugo.toml", CONFIGS["congo-no-recent"].encode())
    site.drain()
    assert_converged(site)
    assert "page/2/index.html" not in site.published() and "page/1/index.html" not in site.published()
    site.put("content/posts/p9.md", b"---\ntitle: Post 9\ndate: 2026-01-09\n---\nNewer still.\n")
    site.drain()
    assert_converged(site)
    site.put("hugo.toml", CONFIG.encode())
    site.drain()
    assert_converged(site)
    assert "page/4/index.html" in site.published()
    site.put("hugo.toml", CONFIGS["blowfish-recent"].encode())
    site.drain()
    site.put("content/posts/p10.md", b"---\ntitle: Post 10\ndate: 2026-01-10\n---\nNewest again.\n")
    site.drain()
    assert_converged(site)
    assert "page/3/index.html" in site.published() and "page/4/index.html" not in site.published()
