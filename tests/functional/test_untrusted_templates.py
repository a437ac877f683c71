"""Templates uploaded as content, through the real handler on moto (SPEC 3.5, 3.3.3).

A shortcode or layout that tries to reach the process, or runs away, must publish nothing of the
function's environment, leave the pages it broke as they were published, and let the rest of
the batch publish.
"""

from __future__ import annotations

import os

import pytest

from support.accounts import Site

CANARY = "canary-7d2e-aws-secret"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    # What the function's role credentials look like to the process: in its environment.
    monkeypatch.setenv("AWS_SESSION_TOKEN", CANARY)


def post(title: str, body: str = "Words.") -> bytes:
    return f"---\ntitle: {title}\ndate: 2025-01-01\n---\n{body}\n".encode()


def assert_no_secret_published(site: Site) -> None:
    assert os.environ["AWS_SESSION_TOKEN"] == CANARY
    for key, (body, *_) in site.published().items():
        assert CANARY.encode() not in body, f"{key} published the function's environment"


def test_a_shortcode_reaching_for_the_environment_publishes_nothing_of_it_and_keeps_the_page(site: Site) -> None:
    site.put("layouts/shortcodes/box.html", b"<div class='box'>{{ inner }}</div>")
    site.put("posts/a.md", post("A", "{{< box >}}hello{{< /box >}}"))
    site.drain()
    before = site.published()["posts/a/index.html"]
    assert b"<div class='box'>hello</div>" in before[0]
    site.put("layouts/shortcodes/box.html", b"\n{{ cycler.__init__.__globals__.os.environ }}")
    site.put("posts/b.md", post("B"))
    stats = site.drain()
    assert stats.failed_last == 0 and site.dead_letters() == 0, "a content error is not retried"
    assert_no_secret_published(site)
    published = site.published()
    assert published["posts/a/index.html"] == before, "the page keeps its last published version"
    assert "posts/b/index.html" in published, "the rest of the batch publishes"
    problems = site.errors()["posts/a.md"]
    assert any("layouts/shortcodes/box.html line 2" in p and "unsafe" in p for p in problems), problems


def test_a_layout_reaching_for_the_environment_leaves_every_page_as_published(site: Site) -> None:
    site.put("posts/a.md", post("A"))
    site.drain()
    before = site.published()
    site.put(
        "layouts/page.html",
        b"{% extends 'base.html' %}{% block main %}{{ cycler.__init__.__globals__.os.environ }}{% endblock %}",
    )
    site.put("posts/b.md", post("B"))
    stats = site.drain()
    assert stats.failed_last == 0 and site.dead_letters() == 0
    assert_no_secret_published(site)
    published = site.published()
    assert published["posts/a/index.html"] == before["posts/a/index.html"]
    assert "posts/b/index.html" not in published, "a page its layout cannot render is not published"
    assert b"/posts/b/" in published["posts/index.html"][0], "the lists still publish"


def test_a_runaway_shortcode_is_stopped_and_the_page_keeps_its_last_version(site: Site) -> None:
    site.put("posts/a.md", post("A", "{{< spin >}}"))
    site.drain()
    before = site.published()["posts/a/index.html"]
    site.put(
        "layouts/shortcodes/spin.html",
        b"{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    )
    site.put("posts/b.md", post("B"))
    site.drain()
    assert site.published()["posts/a/index.html"] == before
    assert "posts/b/index.html" in site.published()
    assert any("work limit" in p for p in site.errors()["posts/a.md"])
