"""`pressroom check`: what an author should fix before publishing, without publishing anything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pressroom.core.build import build_site
from pressroom.core.reading.config import SiteConfig, is_settings_key, settings_of
from pressroom.core.reading.content import ParsedPage, SourceKind, classify
from pressroom.core.reading.mojibake import find_damage, repair
from pressroom.core.site.urls import resolve_link, under_base
from pressroom.exceptions import ConfigError

_TEXT_SUFFIXES = (".md", ".markdown", ".yaml", ".yml", ".toml", ".html", ".xml", ".txt", ".css")


@dataclass(frozen=True)
class Finding:
    source_key: str
    message: str
    line: int | None = None
    error: bool = True

    def __str__(self) -> str:
        where = f"{self.source_key}:{self.line}" if self.line else self.source_key
        return f"{'error' if self.error else 'warning'}: {where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    repairs: Mapping[str, bytes]
    """Files whose encoding damage `--fix` would repair: key -> repaired bytes."""

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.error)


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def _exists(target: str, outputs: Mapping[str, bytes]) -> bool:
    if target in {"", "/"}:
        return True
    stripped = target.rstrip("/")
    return stripped in outputs or f"{stripped}/index.html" in outputs


def damaged_text(files: Mapping[str, bytes]) -> tuple[list[Finding], dict[str, bytes]]:
    """Encoding damage in every text file, each run with its repair, and the repaired files."""
    findings: list[Finding] = []
    repairs: dict[str, bytes] = {}
    for key, data in sorted(files.items()):
        if not key.lower().endswith(_TEXT_SUFFIXES):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # reported by the parser as not UTF-8
        damage = find_damage(text)
        for found in damage:
            findings.append(
                Finding(
                    key,
                    f"text damaged by a wrong encoding: {found.damaged!r} should read {found.repaired!r}",
                    found.line,
                )
            )
        if damage:
            repairs[key] = repair(text).encode("utf-8")
    return findings, repairs


def link_findings(
    parsed: Iterable[ParsedPage],
    files: Mapping[str, bytes],
    outputs: Mapping[str, bytes],
    config: SiteConfig | None = None,
    unread: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Links and images that resolve to no output (pages, copied files, a Hugo root's `static/`).

    Under a base URL with a path (`/blog/`), a site-absolute link must start with it.
    """
    config = config or SiteConfig()
    base = config.base_path
    findings: list[Finding] = []
    for page in parsed:
        key = page.entry.source_key
        text = files[key].decode("utf-8", "replace")
        for kind, urls in (("link", page.links), ("image", page.images)):
            for url in urls:
                # A relative URL left in the page resolves against the page's URL, as in a browser.
                target = resolve_link(f"{page.entry.path}/index.html", url)
                if target is None:
                    continue
                target = under_base(target, url, base)
                if target is not None and _exists(target, outputs):
                    continue
                what = "broken internal link" if kind == "link" else "missing image"
                line = _line_of(text, url) or _line_of(text, url.rstrip("/").rsplit("/", 1)[-1])
                hint = ""
                if url.startswith(('"', "%22", "'", "%27")):
                    hint = " (the quotes are part of the URL: write the link's target without them)"
                elif target is not None and config.is_hugo_root and f"assets/{target}" in unread:
                    # A file Blowfish's templates find through Hugo Pipes (images there are published).
                    hint = f" (assets/{target} is a Hugo Pipes resource, not published: move it to static/)"
                findings.append(Finding(key, f"{what} {url!r}{hint}", line))
    return findings


def check_site(
    files: Mapping[str, bytes], now: datetime, unread: Iterable[str] = (), warnings: Iterable[str] = ()
) -> CheckReport:
    """Every problem in a content tree: parse errors, URL clashes, broken links, damaged text.

    `unread`: the keys of a Hugo root that are not read (`assets/`, `themes/`, ...), for hints.
    `warnings`: what the reader of the tree found (`KEY: problem`), such as the links it skipped.
    """
    site = build_site(files, now)
    findings = [Finding(e.source_key, e.problem, e.line) for e in site.errors]
    findings += [Finding(*_split_warning(w), error=False) for w in [*warnings, *site.warnings]]
    config = _config_of(files)
    findings += link_findings(site.parsed.values(), files, site.outputs, config, frozenset(unread))
    findings += hugo_template_findings(config)
    findings += [
        Finding(
            key,
            f"unknown shortcode {found.name!r}: its inner content is shown, the shortcode is not",
            found.line,
            False,
        )
        for key, page in site.parsed.items()
        for found in page.unknown_shortcodes
    ]
    taxonomies = tuple(f"{name}/" for name in config.taxonomies)
    for key in files:
        site_key = config.site_key(key)
        if (
            classify(key, config) is SourceKind.INTRO
            and site_key.count("/") > 1
            and not site_key.startswith(taxonomies)
        ):
            findings.append(Finding(key, "nested sections are not supported; this _index.md is not used", error=False))
        elif config.is_hugo_root and key.startswith("config/") and not is_settings_key(key):
            findings.append(Finding(key, "ignored: only config/_default/ is read (no environments)", error=False))
    damage, repairs = damaged_text(files)
    findings += damage
    findings.sort(key=lambda f: (f.source_key, f.line or 0, f.message))
    return CheckReport(tuple(findings), repairs)


def hugo_template_findings(config: SiteConfig) -> list[Finding]:
    """Site shortcodes written as Hugo Go templates: not run, and to be ported to Jinja2."""
    from pressroom.core.markdown.shortcodes import hugo_templates

    return [
        Finding(
            f"layouts/shortcodes/{name}",
            "a Hugo (Go) template cannot run in pressroom: port it to Jinja2 (see the README); until then "
            "the built-in shortcode of that name, if any, is used, else pages show its inner content",
            error=False,
        )
        for name in hugo_templates(config.shortcodes)
    ]


def _config_of(files: Mapping[str, bytes]) -> SiteConfig:
    try:
        return settings_of(files).config
    except ConfigError:
        return SiteConfig()  # the build reported it


def _split_warning(warning: str) -> tuple[str, str]:
    key, _, message = warning.partition(": ")
    return key, message
