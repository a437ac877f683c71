"""What an `_index.md` reaches on the event path (issue 21.1): a cascade re-decides the pages
below it, in the round itself (its rendering is chunked through the queue by the round's
journal); an `_index.md` that comes or goes without a cascade re-decides none of them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from pressroom.engine.generation import GenerationReader
from support.accounts import Site, assert_converged

POSTS = 6


def _post(n: int) -> bytes:
    front = {"title": f"Post {n}", "date": f"2024-01-{n + 1:02d}", "tags": ["x"]}
    return ("---\n" + json.dumps(front) + "\n---\n\nSome words.\n").encode()


@pytest.fixture
def reached(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many pages each read below a changed rule handed the planner."""
    found: list[int] = []
    pages_under = GenerationReader.pages_under

    def counted(self: GenerationReader, folder: str) -> object:
        below = pages_under(self, folder)
        found.append(len(below))
        return below

    monkeypatch.setattr(GenerationReader, "pages_under", counted)
    yield found


def test_a_section_cascade_reaches_its_pages_and_an_intro_without_one_reaches_none(
    site: Site, reached: list[int]
) -> None:
    site.put("site.yaml", b"title: Cascades\nbaseURL: https://c.example/\n")
    for n in range(POSTS):
        site.put(f"posts/p{n}.md", _post(n))
    for n in range(3):
        site.put(f"notes/n{n}.md", _post(n))
    site.drain()
    assert_converged(site)
    reached.clear()
    site.put("notes/_index.md", b"---\ntitle: Notes\ncascade:\n  draft: true\n---\nPrivate.\n")
    site.drain()
    assert reached == [3], "the round re-decided the section's three pages"
    assert_converged(site)
    assert "notes/n0/index.html" not in site.published()
    reached.clear()
    site.put("_index.md", b"---\ntitle: Home\n---\nNo cascade.\n")
    site.put("posts/_index.md", b"---\ntitle: Posts\ndraft: true\n---\nA draft list: its pages stay (Hugo).\n")
    site.drain()
    assert reached == [], "an intro that brings no cascade re-decides no page below it"
    assert_converged(site)
    assert "posts/p0/index.html" in site.published() and "posts/index.html" not in site.published()
    site.put("posts/_index.md", b"---\ntitle: Posts\n---\nPublic again.\n")
    site.drain()
    assert_converged(site)
    assert "posts/index.html" in site.published()
    reached.clear()
    site.put("_index.md", b"---\ntitle: Home\ncascade:\n  params:\n    banner: all\n---\nHi.\n")
    site.put("notes/_index.md", b"---\ntitle: Notes\n---\nPublic.\n")
    site.drain()
    assert reached == [POSTS + 3], "a root cascade and a section's below it: the site's pages, read once"
    assert_converged(site)
    assert "notes/n0/index.html" in site.published()
