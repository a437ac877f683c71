"""Templates a site brings are untrusted code (SPEC 3.5): sandboxed, with bounded work and output.

Each hostile template must fail as a content error naming its file and line, print nothing of
the process, and leave the other pages of the build published.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from pressroom.core.build import build_site
from pressroom.shells.pools import ForkedPool

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CANARY = "canary-3b1f-do-not-publish"


@pytest.fixture(autouse=True)
def _secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSROOM_TEST_SECRET", CANARY)


def post(title: str, body: str = "Some words.") -> bytes:
    return f"---\ntitle: {title}\ndate: 2025-01-01\n---\n{body}\n".encode()


def site_with_shortcode(template: str) -> dict[str, bytes]:
    return {
        "posts/evil.md": post("Evil", "Before.\n\n{{< evil >}}\n\nAfter."),
        "posts/fine.md": post("Fine"),
        "layouts/shortcodes/evil.html": template.encode(),
    }


def assert_nothing_leaked(outputs: dict[str, bytes]) -> None:
    for key, body in outputs.items():
        assert CANARY.encode() not in body, f"{key} published the process's environment"


ESCAPES = [
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__.os.environ }}",
    "{{ namespace.__init__.__globals__.os.environ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ range.__globals__ }}",
    "{{ get.__self__.__class__.__init__.__globals__ }}",
    "{{ page.resolve_url.__globals__ }}",
    "{{ page.__class__.__init__.__globals__['os'].environ }}",
    "{{ self._TemplateReference__context.environment.globals }}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_a_shortcode_cannot_reach_the_process(template: str) -> None:
    site = build_site(site_with_shortcode("\n" + template), NOW)
    assert_nothing_leaked(site.outputs)
    assert "posts/fine/index.html" in site.outputs, "the other pages of the build publish"
    assert "posts/evil/index.html" not in site.outputs
    (error,) = [e for e in site.errors if e.source_key == "posts/evil.md"]
    assert "layouts/shortcodes/evil.html line 2" in str(error), "the message names the template's file and line"


def test_a_template_cannot_read_the_clock_or_files_through_a_class() -> None:
    files = {
        "posts/evil.md": b"---\ntitle: E\nwhen: 2025-01-01T10:00:00+01:00\n---\n{{< evil >}}\n",
        "layouts/shortcodes/evil.html": b"{{ page.params.when.now() }}",
        "layouts/shortcodes/tz.html": b"{{ page.params.when.tzinfo.fromutc }}{{ page.params.when.fromtimestamp(0) }}",
        "posts/tz.md": b"---\ntitle: T\nwhen: 2025-01-01T10:00:00Z\n---\n{{< tz >}}\n",
    }
    site = build_site(files, NOW)
    assert {e.source_key for e in site.errors} == {"posts/evil.md", "posts/tz.md"}
    assert all("unsafe" in e.problem for e in site.errors), [e.problem for e in site.errors]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "work limit"),
        (
            "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}"
            "{% endfor %}",
            "work limit",
        ),
        ("{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", "limit"),
        ("{{ 'x' * 1000000000 }}", "value over"),
        ("{{ 10 ** 100000 }}", "power"),
        ("{{ 'x'|center(1000000000) }}", "argument"),
        ("{{ ('x' * 100000)|replace('x', 'y' * 100000) }}", "replace"),
        ("{{ '%1000000000s' % 'x' }}", "format width"),
        (
            "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "value over",
        ),
        ("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recurs"),
    ],
)
def test_a_runaway_shortcode_is_stopped_and_named(template: str, expected: str) -> None:
    site = build_site(site_with_shortcode(template), NOW)
    assert "posts/fine/index.html" in site.outputs
    (error,) = [e for e in site.errors if e.source_key == "posts/evil.md"]
    assert "layouts/shortcodes/evil.html line 1" in error.problem
    assert expected in error.problem


def test_a_layout_that_escapes_fails_its_pages_only_and_names_the_file_and_line() -> None:
    files = {
        "posts/a.md": post("A"),
        "posts/b.md": post("B"),
        "layouts/page.html": (
            b"{% extends 'base.html' %}{% block main %}\n<p>{{ page.title }}</p>\n"
            b"{{ cycler.__init__.__globals__.os.environ }}{% endblock %}"
        ),
    }
    site = build_site(files, NOW)
    assert_nothing_leaked(site.outputs)
    assert "index.html" in site.outputs and "posts/index.html" in site.outputs, "lists still publish"
    assert "posts/a/index.html" not in site.outputs and "posts/a/index.html" not in site.keys
    errors = {e.source_key: e for e in site.errors}
    assert set(errors) == {"posts/a.md", "posts/b.md"}
    assert "layouts/page.html line 3" in errors["posts/a.md"].problem


def test_a_runaway_list_layout_is_named_with_the_output_and_other_outputs_publish() -> None:
    files = {
        "posts/a.md": post("A"),
        "layouts/list.html": b"{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    }
    site = build_site(files, NOW)
    assert "posts/a/index.html" in site.outputs
    assert "index.html" not in site.outputs and "posts/index.html" not in site.outputs
    assert any(e.source_key == "layouts/list.html" and "work limit" in e.problem for e in site.errors)


def test_render_failures_in_forked_workers_come_back_as_errors(tmp_path: object) -> None:
    files = {f"posts/p{n}.md": post(f"P{n}") for n in range(260)}
    files["layouts/page.html"] = b"{% if page.title == 'P7' %}{{ cycler.__init__.__globals__ }}{% endif %}ok"
    site = build_site(files, NOW, ForkedPool(2))
    assert [e.source_key for e in site.errors] == ["posts/p7.md"]
    assert "posts/p7/index.html" not in site.outputs and site.outputs["posts/p8/index.html"] == b"ok"


def test_the_theme_and_ordinary_site_templates_still_work() -> None:
    files = {
        "posts/a.md": post("A", '{{< note kind="tip" >}}Hello *there*{{< /note >}}'),
        "layouts/shortcodes/note.html": (
            b'{% set ns = namespace(n=0) %}{% for w in ["a", "b"] %}{% set ns.n = ns.n + 1 %}{% endfor %}'
            b'<aside class="{{ get("kind") }}" data-n="{{ ns.n }}">{{ inner|markdownify }}'
            b"{{ '%s-%d'|format('x', 3) }}{{ ', '.join(['p', 'q']) }}{{ 'ab' * 2 }}</aside>"
        ),
    }
    site = build_site(files, NOW)
    assert site.errors == []
    html = site.outputs["posts/a/index.html"].decode()
    assert '<aside class="tip" data-n="2">Hello <em>there</em>x-3p, qabab</aside>' in html


def test_no_secret_of_the_environment_is_reachable_by_name() -> None:
    assert os.environ["PRESSROOM_TEST_SECRET"] == CANARY
    site = build_site(site_with_shortcode("{{ environ }}{{ os }}{{ config }}{{ request }}"), NOW)
    assert_nothing_leaked(site.outputs)


def test_a_site_without_templates_runs_the_theme_alone_and_a_site_with_them_runs_everything_sandboxed() -> None:
    """The theme alone needs no sandbox (nothing it runs is the site's), but once a site brings a
    layout, the theme's templates it extends run under the sandbox's limits too: their compiled
    code, which carries the limits, is never shared with the theme-alone environment."""
    from pressroom.core.reading.config import SiteConfig
    from pressroom.core.rendering.renderer import Renderer
    from pressroom.core.rendering.sandbox import SiteTemplates, ThemeTemplates

    config = SiteConfig()
    alone = Renderer(config)
    with_layout = Renderer(config, {"page.html": "{% extends 'base.html' %}"})
    assert type(alone.env) is ThemeTemplates and type(with_layout.env) is SiteTemplates
    theme_alone = alone.env.get_template("base.html").root_render_func.__code__
    theme_sandboxed = with_layout.env.get_template("base.html").root_render_func.__code__
    assert theme_alone is not theme_sandboxed
