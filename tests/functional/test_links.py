"""A link checker over the built sample site: every internal link, image and fragment resolves.

Internal means a site path (`/posts/x/`), a relative URL, or an absolute URL under the site's
baseURL (canonical links, feeds). A URL resolves as a static host serves the site: `/dir/` to
`dir/index.html`, anything else to the file of that name; `#id` to an element with that id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from pressroom.core.build import build_site
from pressroom.core.reading.config import settings_of
from pressroom.shells.cli import main as pressroom

ROOT = Path(__file__).resolve().parent.parent.parent
CONTENT = ROOT / "content"
LINK_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.ids.add(values[name])
        for element, attribute in LINK_ATTRIBUTES:
            if tag == element and values.get(attribute):
                self.links.append((tag, values[attribute]))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.links.append(("meta refresh", values.get("content", "").partition("url=")[2]))
        if tag == "img" and not values.get("alt", "").strip():
            self.images_without_alt.append(values.get("src", ""))


def _file_of(site: Path, path: str) -> Path | None:
    """The file a static host serves at a URL path, or None."""
    relative = unquote(path).lstrip("/")
    candidates = (
        [site / relative / "index.html"] if path.endswith("/") else [site / relative, site / relative / "index.html"]
    )
    return next((candidate for candidate in candidates if candidate.is_file()), None)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert pressroom(["build", str(CONTENT), "--out", str(out)]) == 0
    return out


def problems(site: Path, base: str) -> tuple[list[str], int]:
    """Every broken internal link, image and fragment of the site in folder `site`, and how many were checked."""
    pages: dict[Path, _Page] = {}
    for file in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(file.read_text("utf-8"))
        pages[file] = parser
    broken: list[str] = []
    checked = 0
    for file, page in pages.items():
        relative = file.relative_to(site).as_posix()
        page_url = "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
        broken += [f"{page_url}: image without alt text: {src}" for src in page.images_without_alt]
        for tag, link in page.links:
            if link.startswith(base):
                link = "/" + link[len(base) :]
            url = urlsplit(urljoin(page_url, link))
            if url.scheme or url.netloc:
                continue  # another site: not ours to check
            checked += 1
            target = _file_of(site, url.path)
            if target is None:
                broken.append(f"{page_url}: <{tag}> {link} -> nothing at {url.path}")
            elif url.fragment and target in pages and unquote(url.fragment) not in pages[target].ids:
                broken.append(f"{page_url}: <{tag}> {link} -> no #{url.fragment} in {url.path}")
    return broken, checked


def test_every_internal_link_image_and_fragment_of_the_sample_site_resolves(built: Path) -> None:
    base = settings_of({"site.yaml": (CONTENT / "site.yaml").read_bytes()}).config.base_url
    broken, checked = problems(built, base)
    assert broken == []
    assert checked > 500  # it did look at the site


def test_the_checker_catches_a_broken_link_image_fragment_and_missing_alt(tmp_path: Path) -> None:
    body = b"[x](/posts/nope/) ![](/img/gone.png) [y](/posts/a/#missing) [z](https://blog.example.com/gone/)\n"
    site = build_site({"posts/a.md": b"---\ntitle: A\n---\n" + body}, datetime(2026, 1, 1, tzinfo=UTC))
    for key, data in site.outputs.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(data)
    broken, _ = problems(tmp_path, "https://blog.example.com/")
    assert broken == [
        "/posts/a/: image without alt text: /img/gone.png",
        "/posts/a/: <a> /posts/nope/ -> nothing at /posts/nope/",
        "/posts/a/: <img> /img/gone.png -> nothing at /img/gone.png",
        "/posts/a/: <a> /posts/a/#missing -> no #missing in /posts/a/",
        "/posts/a/: <a> /gone/ -> nothing at /gone/",
    ]
