"""`pressroom check` (SPEC 6): what an author should fix before publishing, with file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressroom.core.build import build_site
from pressroom.core.reading.lint import CheckReport, Finding, check_site, resolve_link

NOW = datetime(2026, 11, 29, tzinfo=UTC)
SEED_POST = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "seed-post.md"

# The seed post's damaged lines (UTF-8 read as Mac Roman): its title's emoji and its em dashes.
DAMAGED_TITLE = "\uf8ffüõ£Ô∏è Blog manifesto, my goals and why I started this blog"
DAMAGED_PROSE = "My path through AI has been incredibly enriching‚Äîfrom academic research to startups."
SEED_LIKE = (
    f'---\ntitle: "{DAMAGED_TITLE}"\ndate: 2025-07-12\ntags: ["Manifesto", "Core beliefs"]\n'
    f'categories: ["Columns"]\n---\n\n# Why I Started This AI Blog\n\n{DAMAGED_PROSE}\n'
)


def page(front: str, body: str = "Text.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


def messages(report: CheckReport, key: str) -> list[tuple[int | None, str]]:
    return [(finding.line, finding.message) for finding in report.findings if finding.source_key == key]


def test_a_clean_site_has_no_findings() -> None:
    files = {
        "posts/a.md": page("title: A\ntags: [python]\n", "See [b](/posts/b/) and [home](/).\n"),
        "posts/b.md": page("title: B\n", "Back to [a](/posts/a/#top).\n"),
    }
    report = check_site(files, NOW)
    assert report.findings == ()
    assert report.repairs == {}


def test_broken_internal_link_is_an_error_with_file_and_line() -> None:
    files = {
        "posts/a.md": page("title: A\n", "Intro.\n\nSee [the missing post](/posts/nope/).\n"),
    }
    report = check_site(files, NOW)
    assert messages(report, "posts/a.md") == [(6, "broken internal link '/posts/nope/'")]
    assert len(report.errors) == 1
    assert str(report.errors[0]) == "error: posts/a.md:6: broken internal link '/posts/nope/'"


def test_missing_image_is_an_error_with_file_and_line() -> None:
    files = {"posts/a.md": page("title: A\n", "Intro.\n\n![A cat](/img/cat.png)\n")}
    report = check_site(files, NOW)
    assert messages(report, "posts/a.md") == [(6, "missing image '/img/cat.png'")]


def test_links_to_generated_pages_assets_and_outside_are_fine() -> None:
    body = (
        "[tags](/tags/) [python](/tags/python/) [cats](/categories/) [posts](/posts/) [feed](/index.xml)\n"
        "[sitemap](/sitemap.xml) [page two](/page/2/) [C#](/tags/c%23/) [away](https://example.org/x)\n"
        "[mail](mailto:me@example.org) [anchor](#section) [query](/posts/b/?x=1) [logo](/img/logo.png)\n\n"
        "![logo](/img/logo.png) ![bundled](cat.png)\n"
    )
    files = {
        "site.yaml": b"pagerSize: 1\n",
        "posts/a/index.md": page("title: A\ntags: [Python, C#]\ncategories: [Notes]\n", body),
        "posts/a/cat.png": b"png",
        "posts/b.md": page("title: B\n"),
        "img/logo.png": b"png",
    }
    report = check_site(files, NOW)
    assert report.errors == ()


def test_a_link_to_a_draft_is_broken() -> None:
    files = {
        "posts/a.md": page("title: A\n", "[soon](/posts/draft/)\n"),
        "posts/draft.md": page("title: D\ndraft: true\n"),
    }
    assert messages(check_site(files, NOW), "posts/a.md") == [(4, "broken internal link '/posts/draft/'")]


def test_front_matter_errors_and_duplicate_urls_are_reported() -> None:
    files = {
        "posts/bad.md": b"---\ntitle: ok\nbad: : value\n---\n",
        "posts/one.md": page("title: One\nslug: same\n"),
        "posts/two.md": page("title: Two\nslug: same\n"),
    }
    report = check_site(files, NOW)
    keys = [(finding.source_key, finding.line) for finding in report.errors]
    assert ("posts/bad.md", 3) in keys
    assert ("posts/two.md", None) in keys
    assert "posts/one.md" in next(f.message for f in report.errors if f.source_key == "posts/two.md")


def test_warnings_are_not_errors() -> None:
    report = check_site({"posts/untitled.md": b"Just text.\n", "site.yaml": b"theme: x\n"}, NOW)
    assert report.errors == ()
    assert {finding.source_key for finding in report.findings} == {"posts/untitled.md", "site.yaml"}
    assert all(str(finding).startswith("warning: ") for finding in report.findings)


def test_encoding_damage_is_reported_with_its_line_and_repaired() -> None:
    report = check_site({"posts/manifesto.md": SEED_LIKE.encode()}, NOW)
    damage = [f for f in report.findings if "wrong encoding" in f.message]
    assert [(f.line, f.error) for f in damage] == [(2, True), (10, True)]
    assert "'🛣️'" in damage[0].message
    assert "'—'" in damage[1].message
    repaired = report.repairs["posts/manifesto.md"].decode("utf-8")
    assert 'title: "🛣️ Blog manifesto, my goals and why I started this blog"' in repaired
    assert "enriching—from academic research" in repaired
    assert repaired.replace("🛣️", DAMAGED_TITLE[:7]).replace("—", "‚Äî") == SEED_LIKE


def test_correct_text_is_never_touched() -> None:
    text = "---\ntitle: Café — déjà vu\n---\nl’été, naïve, “École”, 🛣️ Москва, 日本語\n"
    report = check_site({"posts/ok.md": text.encode()}, NOW)
    assert report.findings == ()
    assert report.repairs == {}


def test_damage_in_other_text_files_is_reported_too() -> None:
    report = check_site({"site.yaml": "title: Caf√© notes\n".encode()}, NOW)
    assert report.repairs == {"site.yaml": "title: Café notes\n".encode()}


def test_the_real_seed_post_has_its_damage_found_and_repaired() -> None:
    # Outside this workspace the embedded lines above stand in for the fixture.
    data = SEED_POST.read_bytes() if SEED_POST.is_file() else SEED_LIKE.encode()
    report = check_site({"posts/manifesto.md": data}, NOW)
    assert any(f.line == 2 and "'🛣️'" in f.message for f in report.findings)
    repaired = report.repairs["posts/manifesto.md"].decode("utf-8")
    assert "‚Äî" not in repaired
    assert "\uf8ff" not in repaired
    assert "—" in repaired


@pytest.mark.parametrize(
    ("source_key", "url", "target"),
    [
        ("posts/a.md", "/posts/b/", "posts/b/"),
        ("posts/a.md", "/posts/b", "posts/b"),
        ("posts/a.md", "/", "/"),
        ("posts/a.md", "/tags/c%23/", "tags/c#/"),
        ("posts/a.md", "/posts/b/#part", "posts/b/"),
        ("posts/a/index.md", "cat.png", "posts/a/cat.png"),
        ("posts/a/index.md", "../b/", "posts/b/"),
        ("posts/a.md", "https://example.org/", None),
        ("posts/a.md", "mailto:me@example.org", None),
        ("posts/a.md", "#top", None),
    ],
)
def test_resolve_link(source_key: str, url: str, target: str | None) -> None:
    assert resolve_link(source_key, url) == target


def test_finding_reads_like_a_compiler_message() -> None:
    assert str(Finding("posts/a.md", "broken", 3)) == "error: posts/a.md:3: broken"
    assert str(Finding("posts/a.md", "no title", error=False)) == "warning: posts/a.md: no title"


def test_an_image_of_assets_is_published_so_a_link_to_it_is_no_finding() -> None:
    # Blowfish's image hook finds `/img/chart.svg` in assets/ through Hugo Pipes; pressroom
    # publishes the images there at their path (issue 21.2), so `check` no longer asks to move it.
    files = {
        "hugo.toml": b'baseURL = "https://example.org/"\ntitle = "T"\n',
        "content/posts/a.md": page("title: A\ndate: 2025-01-01\n", "![Chart](/img/chart.svg)\n"),
        "assets/img/chart.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    }
    report = check_site(files, NOW, unread=["assets/css/main.css"])
    assert messages(report, "content/posts/a.md") == []
    assert build_site(files, NOW).outputs["img/chart.svg"] == files["assets/img/chart.svg"]


def test_a_file_of_assets_that_is_no_image_is_reported_with_where_to_move_it() -> None:
    files = {
        "hugo.toml": b'baseURL = "https://example.org/"\ntitle = "T"\n',
        "content/posts/a.md": page("title: A\ndate: 2025-01-01\n", "[Data](/data/points.csv)\n"),
    }
    report = check_site(files, NOW, unread=["assets/data/points.csv"])
    assert messages(report, "content/posts/a.md") == [
        (5, "broken internal link '/data/points.csv' (assets/data/points.csv is a Hugo Pipes resource, "
            "not published: move it to static/)")
    ]  # fmt: skip


def test_a_quoted_link_target_is_reported_with_the_fix() -> None:
    # A real blog: `[website]("https://example.com/")` links to `%22https://example.com/%22`.
    files = {"posts/a.md": page("title: A\ndate: 2025-01-01\n", 'See the [website]("https://example.com/").\n')}
    (finding,) = check_site(files, NOW).errors
    assert finding.message == (
        "broken internal link '%22https://example.com/%22' "
        "(the quotes are part of the URL: write the link's target without them)"
    )


def test_a_phones_heic_photo_needs_no_advice_and_a_cut_one_is_an_error() -> None:
    """Issue 22: a HEIC photo is converted (variants, a JPEG fallback) and published without its
    location data, so `check` no longer asks to export it as JPEG; one it cannot clean is an error."""
    photo = (Path(__file__).parents[1] / "fixtures" / "images" / "portrait.heic").read_bytes()
    files = {
        "posts/trip/index.md": page("title: Trip\n", "![Beach](IMG_0001.HEIC)\n"),
        "posts/trip/IMG_0001.HEIC": photo,
    }
    assert check_site(files, NOW).findings == ()
    report = check_site({**files, "posts/trip/IMG_0001.HEIC": photo[:-40]}, NOW)
    assert messages(report, "posts/trip/IMG_0001.HEIC") == [
        (None, "is a truncated HEIC (its 'mdat' box runs past the end)")
    ]
    assert [f.source_key for f in report.errors] == ["posts/trip/IMG_0001.HEIC", "posts/trip/index.md"]
