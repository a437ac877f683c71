"""The pure pieces of `pressroom dev` and `pressroom new`: URL resolution, page injection, archetypes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest

from pressroom.shells.archetype import content_base_name, default_source, fill_archetype
from pressroom.shells.dev import banner, inject, resolve

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_resolve_as_the_cloudfront_function() -> None:
    assert resolve("/") == ("index.html", None)
    assert resolve("/posts/a/") == ("posts/a/index.html", None)
    assert resolve("/posts/a") == (None, "/posts/a/")
    assert resolve("/index.xml") == ("index.xml", None)
    assert resolve("/posts/a/My%20Photo.png") == ("posts/a/My Photo.png", None)
    assert resolve("/posts/v1.2-release") == (None, "/posts/v1.2-release/"), "urlize keeps dots in page paths"


@pytest.mark.parametrize(
    "path", ["/../../etc/passwd", "/posts/%2e%2e/%2e%2e/x.png", "/posts/..%5c..%5cx.png", "//etc/passwd", "/a%00.png"]
)
def test_a_request_for_a_key_that_could_leave_the_site_resolves_to_nothing(path: str) -> None:
    assert resolve(path) == (None, None)


def test_inject_puts_the_script_and_the_banner_before_the_last_body_end() -> None:
    page = b"<html><body><p>text</p></body></html>"
    served = inject(page, 7, ["error: posts/a.md:3: invalid <YAML>"])
    assert served.startswith(b'<html><body><p>text</p><aside id="pressroom-dev-problems"')
    assert served.endswith(b"</script>\n</body></html>")
    assert b"var version = 7;" in served
    assert b"invalid &lt;YAML&gt;" in served, "problems are escaped"
    assert b"pressroom-dev-problems" not in inject(page, 1, [])
    assert inject(b"<p>no body</p>", 1, []).startswith(b"<p>no body</p><script")


def test_banner_counts_errors_and_warnings_and_stays_short() -> None:
    text = banner(["error: a.md: x"] + [f"warning: b{n}.md: y" for n in range(40)])
    assert "1 errors, 40 warnings" in text
    assert text.count("<li>") == 31 and "and 11 more" in text


def test_archetype_placeholders() -> None:
    text = '---\ntitle: "{{ replace .File.ContentBaseName "-" " " | title }}"\ndate: {{ .Date }}\n---\n'
    filled = fill_archetype(text, PurePosixPath("posts/my-first-post.md"), NOW)
    assert filled == '---\ntitle: "My First Post"\ndate: 2026-12-01T10:00:00+00:00\n---\n'
    assert fill_archetype("{{ .Name }} in {{ .Section }}", PurePosixPath("notes/a-b/index.md"), NOW) == "a-b in notes"
    assert content_base_name(PurePosixPath("posts/trip/index.md")) == "trip"


def test_default_source_is_the_site_here(tmp_path: Path) -> None:
    assert default_source(tmp_path) == tmp_path
    (tmp_path / "content").mkdir()
    assert default_source(tmp_path) == tmp_path / "content"
    (tmp_path / "hugo.toml").write_text("")
    assert default_source(tmp_path) == tmp_path, "a Hugo root is read as it is (SPEC 1)"


def test_a_save_while_the_preview_is_shown_builds_it_again_and_none_once_the_bucket_is(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from pressroom.shells.dev import DevLoop

    (tmp_path / "posts").mkdir()
    post = tmp_path / "posts" / "a.md"
    post.write_text("---\ntitle: A\ndate: 2025-01-01\n---\nFirst words.\n")
    loop = DevLoop(tmp_path, 0, SimpleNamespace(quiet=True, as_json=False, fancy=False))
    loop._preview()
    assert loop.site.preview is not None and b"First words." in loop.site.preview["posts/a/index.html"]
    shown = loop.site.version
    post.write_text("---\ntitle: A\ndate: 2025-01-01\n---\nSaved words.\n")
    loop.refresh_preview()
    loop.refresh_preview()  # a second save during the build: one more build, not two at once
    loop._join()
    assert b"Saved words." in loop.site.preview["posts/a/index.html"]
    assert loop.site.version > shown
    (tmp_path / "site.yaml").write_text("title: [broken\n")
    loop.refresh_preview()
    loop._join()
    assert b"Saved words." in loop.site.preview["posts/a/index.html"], "a broken site.yaml keeps the last preview"
    loop.site.bucket = (object(), "pressroom-site")
    threads = len(loop.threads)
    loop.refresh_preview()
    assert len(loop.threads) == threads, "once the bucket is shown, saves go through the pipeline only"
