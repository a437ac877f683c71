"""Every page of the sample site, as built now and as in the golden site, obeys the
Content-Security-Policy that infra/template.yaml makes CloudFront send.

Why: a browser enforcing the policy silently drops what it forbids (an inline style, an inline
script, a stylesheet from another origin): the page still loads, only broken. Nothing else
would notice before a reader does.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from samtranslator.yaml_helper import yaml_parse

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.core.reading.config import settings_of

REPO = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")

Policy = dict[str, list[str]]

# Which directive governs each kind of fetch, and its fallback (CSP Level 3).
FALLBACK = {
    "script-src-elem": "script-src",
    "style-src-elem": "style-src",
    "style-src-attr": "style-src",
    "script-src-attr": "script-src",
    "script-src": "default-src",
    "style-src": "default-src",
    "img-src": "default-src",
    "media-src": "default-src",
    "font-src": "default-src",
    "frame-src": "child-src",
    "child-src": "default-src",
    "object-src": "default-src",
    "manifest-src": "default-src",
    "connect-src": "default-src",
}


def parse_policy(text: str) -> Policy:
    policy: Policy = {}
    for directive in text.split(";"):
        name, *sources = directive.split()
        policy.setdefault(name.lower(), sources)
    return policy


@pytest.fixture(scope="module")
def policy() -> Policy:
    template = yaml_parse((REPO / "infra" / "template.yaml").read_text(encoding="utf-8"))
    config = template["Resources"]["SiteResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    assert config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"] == {
        "Ref": "ContentSecurityPolicy"
    }
    return parse_policy(template["Parameters"]["ContentSecurityPolicy"]["Default"])


def sources_for(policy: Policy, directive: str) -> list[str]:
    while directive not in policy:
        if directive not in FALLBACK:
            return ["*"]  # no directive and no default-src: anything goes
        directive = FALLBACK[directive]
    return policy[directive]


def allows_url(sources: list[str], url: str, page_origin: str) -> bool:
    """A URL as a host-source list matches it (enough of CSP's matching for a static site)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    for source in sources:
        if source == "'none'":
            continue
        if source == "*" and parts.scheme in {"http", "https"}:
            return True
        if source == "'self'" and origin == page_origin:
            return True
        if source.endswith(":") and "//" not in source and parts.scheme == source[:-1]:
            return True
        if source.rstrip("/") == origin:
            return True
    return False


def allows_inline(sources: list[str], content: str) -> bool:
    """An inline script or style runs if the policy says 'unsafe-inline' (and no hash or nonce), or names its hash."""
    digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode()
    if f"'sha256-{digest}'" in sources:
        return True
    hashed = any(s.startswith(("'sha", "'nonce-")) for s in sources)
    return "'unsafe-inline'" in sources and not hashed


FETCHES = {
    ("script", "src"): "script-src-elem",
    ("img", "src"): "img-src",
    ("img", "srcset"): "img-src",
    ("source", "srcset"): "img-src",
    ("video", "src"): "media-src",
    ("video", "poster"): "img-src",
    ("audio", "src"): "media-src",
    ("source", "src"): "media-src",
    ("track", "src"): "media-src",
    ("iframe", "src"): "frame-src",
    ("embed", "src"): "object-src",
    ("object", "data"): "object-src",
}
LINK_FETCHES = {"stylesheet": "style-src-elem", "icon": "img-src", "manifest": "manifest-src", "preload": None}


class Violations(HTMLParser):
    """What a browser enforcing `policy` would block on one page."""

    def __init__(self, policy: Policy, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.policy = policy
        self.page_url = page_url
        parts = urlsplit(page_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.found: list[str] = []
        self._inline: tuple[str, str] | None = None
        self._text: list[str] = []

    def _fetch(self, directive: str, url: str, what: str) -> None:
        absolute = urljoin(self.page_url, url.strip())
        if absolute.startswith("data:"):
            absolute = "data:"
        if not allows_url(sources_for(self.policy, directive), absolute, self.origin):
            self.found.append(f"{what} {url!r} is not allowed by {directive}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values and not allows_inline(sources_for(self.policy, "style-src-attr"), values["style"]):
            self.found.append(f'<{tag} style="{values["style"]}">: inline style')
        for name in values:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: inline event handler")
        for name in ("href", "src", "action", "formaction"):
            if values.get(name, "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={values[name]!r}>: javascript: URL")
        if tag == "script" and "src" not in values and _runs(values.get("type", "")):
            self._inline = ("script-src-elem", tag)
            self._text = []
        if tag == "style":
            self._inline = ("style-src-elem", tag)
            self._text = []
        if tag == "link":
            for rel in values.get("rel", "").lower().split():
                directive = LINK_FETCHES.get(rel)
                if directive and values.get("href"):
                    self._fetch(directive, values["href"], f"<link rel={rel}>")
        for (element, attribute), directive in FETCHES.items():
            if tag == element and values.get(attribute):
                urls = [values[attribute]]
                if attribute == "srcset":
                    urls = [candidate.split()[0] for candidate in values[attribute].split(",") if candidate.strip()]
                for url in urls:
                    self._fetch(directive, url, f"<{tag} {attribute}>")

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._inline is not None and tag == self._inline[1]:
            directive, element = self._inline
            content = "".join(self._text)
            if not allows_inline(sources_for(self.policy, directive), content):
                self.found.append(f"inline <{element}> whose sha256 the policy does not list: {content[:60]!r}")
            self._inline = None


def _runs(script_type: str) -> bool:
    """A script element of this `type` runs; any other type (`application/ld+json`) is a data block,
    which no browser executes, so the policy does not apply to it (HTML: "data block")."""
    kind = script_type.strip().lower()
    return kind in ("", "module") or kind.endswith(("javascript", "ecmascript", "jscript", "livescript"))


def violations(policy: Policy, pages: dict[str, bytes], base_url: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, body in sorted(pages.items()):
        if not key.endswith(".html"):
            continue
        checker = Violations(policy, urljoin(base_url, key))
        checker.feed(body.decode("utf-8"))
        checker.close()
        if checker.found:
            found[key] = checker.found
    return found


def test_the_policy_is_strict(policy: Policy) -> None:
    # Nothing inline or injected runs; a page cannot be framed, nor its base or forms redirected.
    for directive in ("script-src-elem", "style-src-elem", "style-src-attr", "script-src-attr"):
        sources = sources_for(policy, directive)
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources and "*" not in sources
        assert not any(s.endswith(":") for s in sources), (directive, sources)
    assert policy["default-src"] == ["'none'"]
    assert sources_for(policy, "object-src") == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]


def test_every_page_of_the_sample_site_obeys_the_policy(policy: Policy) -> None:
    files = read_tree(REPO / "content")
    site = build_site(files, NOW)
    base_url = settings_of(files).config.absolute_url("")
    assert site.errors == []
    assert any(key.endswith(".html") for key in site.outputs)

    assert violations(policy, site.outputs, base_url) == {}


def test_every_page_of_the_golden_site_obeys_the_policy(policy: Policy) -> None:
    files = read_tree(REPO / "content")
    golden = read_tree(REPO / "tests" / "golden" / "site")

    assert violations(policy, golden, settings_of(files).config.absolute_url("")) == {}


def test_the_checker_sees_what_a_browser_would_block(policy: Policy) -> None:
    page = (
        b'<html><head><link rel="stylesheet" href="https://cdn.example.net/x.css"><style>p{}</style>'
        b'<script>alert(1)</script><script src="/js/ok.js"></script>'
        b'<script type="application/ld+json">{"@type": "BlogPosting"}</script></head><body>'
        b'<td style="text-align:right">1</td><a href="javascript:alert(1)" onclick="x()">a</a>'
        b'<img src="https://images.example.net/a.png"><iframe src="https://www.youtube.com/embed/x"></iframe>'
        b"</body></html>"
    )
    found = violations(policy, {"index.html": page}, "https://blog.example.com/")["index.html"]

    assert len(found) == 7, found
    assert not any("/js/ok.js" in problem or "images.example.net" in problem for problem in found)
