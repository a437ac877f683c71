"""Every feed is valid RSS 2.0 and every sitemap valid against the sitemap protocol's schema.

Why: feed readers and search engines drop what they cannot parse, silently; a name where RSS
wants an e-mail address (`<managingEditor>Lucía Ferrer</managingEditor>`) is one such error.
The RSS rules are those of the RSS 2.0 specification (rssboard.org); the sitemap schemas are in
tests/schemas/.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from lxml import etree

from pressroom.adapters.files import read_tree
from pressroom.core.build import build_site
from pressroom.core.reading.config import parse_config
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.rendering.sitemap import SitemapUrl
from pressroom.core.rendering.template_functions import managing_editor
from pressroom.core.site.outputs import sitemap_files

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "tests" / "schemas"
NOW = datetime.fromisoformat("2026-11-29T00:00:00+00:00")

_DAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_ZONE = r"(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Z])"
RFC_822_DATE = re.compile(rf"{_DAY}\d{{1,2}} {_MONTH} (?:\d{{2}}|\d{{4}}) \d{{2}}:\d{{2}}(?::\d{{2}})? {_ZONE}")
EMAIL_WITH_NAME = re.compile(r"[^@\s()]+@[^@\s()]+\.[^@\s()]+(?: \([^()]+\))?")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
CHANNEL_ELEMENTS = {
    "title", "link", "description", "language", "copyright", "managingEditor", "webMaster", "pubDate",
    "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image", "rating", "textInput",
    "skipHours", "skipDays", "item",
}  # fmt: skip
ITEM_ELEMENTS = {"title", "link", "description", "author", "category", "comments", "enclosure", "guid", "pubDate"}
ITEM_ELEMENTS.add("source")
ATOM = "{http://www.w3.org/2005/Atom}"


def _absolute_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def rss_problems(data: bytes) -> list[str]:
    """What breaks the RSS 2.0 specification in a feed (empty: a valid feed)."""
    root = ElementTree.fromstring(data)
    problems: list[str] = []
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"the root is <{root.tag} version={root.get('version')!r}>, not <rss version='2.0'>"]
    channels = list(root)
    if len(channels) != 1 or channels[0].tag != "channel":
        return ["<rss> must hold exactly one <channel>"]
    channel = channels[0]
    names = [child.tag for child in channel]
    for required in ("title", "link", "description"):
        if names.count(required) != 1:
            problems.append(f"<channel> has {names.count(required)} <{required}>, needs exactly one")
    for child in channel:
        text = (child.text or "").strip()
        if child.tag.startswith("{"):
            if child.tag == f"{ATOM}link" and not _absolute_url(child.get("href", "")):
                problems.append(f"<atom:link href={child.get('href')!r}> is not an absolute URL")
            continue  # an extension: elements of another namespace may appear anywhere
        if child.tag not in CHANNEL_ELEMENTS:
            problems.append(f"<channel> holds <{child.tag}>, not an RSS 2.0 element")
        elif child.tag == "link" and not _absolute_url(text):
            problems.append(f"<link>{text}</link> is not an absolute URL")
        elif child.tag in {"managingEditor", "webMaster"} and not EMAIL_WITH_NAME.fullmatch(text):
            problems.append(f"<{child.tag}>{text}</{child.tag}> is not an e-mail address (name in parentheses)")
        elif child.tag in {"pubDate", "lastBuildDate"} and not RFC_822_DATE.fullmatch(text):
            problems.append(f"<{child.tag}>{text}</{child.tag}> is not an RFC 822 date")
        elif child.tag == "language" and not LANGUAGE.fullmatch(text):
            problems.append(f"<language>{text}</language> is not a language code")
        elif child.tag == "ttl" and not text.isdigit():
            problems.append(f"<ttl>{text}</ttl> is not a number of minutes")
        elif child.tag == "item":
            problems += [f"<item> {n}: {problem}" for n, problem in enumerate(_item_problems(child), 1)]
    return problems


def _item_problems(item: ElementTree.Element) -> list[str]:
    problems: list[str] = []
    names = [child.tag for child in item]
    if "title" not in names and "description" not in names:
        problems.append("an item needs a <title> or a <description>")
    for name in ITEM_ELEMENTS - {"category"}:
        if names.count(name) > 1:
            problems.append(f"<{name}> given {names.count(name)} times")
    for child in item:
        text = (child.text or "").strip()
        if child.tag.startswith("{"):
            continue
        if child.tag not in ITEM_ELEMENTS:
            problems.append(f"<{child.tag}> is not an RSS 2.0 item element")
        elif child.tag in {"link", "comments"} and not _absolute_url(text):
            problems.append(f"<{child.tag}>{text}</{child.tag}> is not an absolute URL")
        elif child.tag == "author" and not EMAIL_WITH_NAME.fullmatch(text):
            problems.append(f"<author>{text}</author> is not an e-mail address")
        elif child.tag == "pubDate" and not RFC_822_DATE.fullmatch(text):
            problems.append(f"<pubDate>{text}</pubDate> is not an RFC 822 date")
        elif child.tag == "guid":
            permalink = child.get("isPermaLink", "true")
            if permalink not in {"true", "false"}:
                problems.append(f"<guid isPermaLink={permalink!r}>")
            elif permalink == "true" and not _absolute_url(text):
                problems.append(f"<guid>{text}</guid> is a permalink but not an absolute URL")
        elif child.tag == "enclosure" and not (_absolute_url(child.get("url", "")) and child.get("type")):
            problems.append("<enclosure> needs an absolute url, a length and a type")
    return problems


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    return {root: etree.XMLSchema(etree.parse(str(SCHEMAS / f"{root}.xsd"))) for root in ("sitemap", "sitemapindex")}


def sitemap_problems(data: bytes, schemas: dict[str, etree.XMLSchema]) -> list[str]:
    document = etree.fromstring(data)
    schema = schemas["sitemapindex" if etree.QName(document).localname == "sitemapindex" else "sitemap"]
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def sample_sites() -> dict[str, dict[str, bytes]]:
    built = build_site(read_tree(REPO / "content"), NOW)
    assert built.errors == []
    return {"content/ built now": built.outputs, "the golden site": read_tree(REPO / "tests" / "golden" / "site")}


def test_every_feed_of_the_sample_site_is_valid_rss_2() -> None:
    for name, outputs in sample_sites().items():
        feeds = {key: body for key, body in outputs.items() if key.endswith("index.xml")}
        assert "index.xml" in feeds and len(feeds) > 3, name
        assert {key: rss_problems(body) for key, body in feeds.items() if rss_problems(body)} == {}, name


def test_every_sitemap_of_the_sample_site_is_valid_against_the_schema(schemas: dict[str, etree.XMLSchema]) -> None:
    for name, outputs in sample_sites().items():
        maps = {
            key: body for key, body in outputs.items() if re.fullmatch(r"sitemap(-(lists|pages)-\d+-of-\d+)?\.xml", key)
        }
        assert "sitemap.xml" in maps, name
        found = {key: sitemap_problems(body, schemas) for key, body in maps.items()}
        assert {key: problems for key, problems in found.items() if problems} == {}, name


def test_a_sitemap_index_and_its_parts_are_valid(
    schemas: dict[str, etree.XMLSchema], monkeypatch: pytest.MonkeyPatch
) -> None:
    import pressroom.core.rendering.sitemap as sitemap_module

    monkeypatch.setattr(sitemap_module, "SITEMAP_URL_LIMIT", 2)
    monkeypatch.setattr(sitemap_module, "SITEMAP_PART_URLS", 16)
    renderer = Renderer(parse_config("baseURL: https://blog.example.com/\n")[0])
    pages = [SitemapUrl(f"/posts/p{n}/", NOW if n % 2 else None) for n in range(40)]
    files = sitemap_files(renderer, {"lists": [SitemapUrl("/", None), SitemapUrl("/tags/", None)], "pages": pages})

    assert b"<sitemapindex" in files["sitemap.xml"]
    parts = ["sitemap-lists-1-of-1.xml", *(f"sitemap-pages-{n}-of-4.xml" for n in range(1, 5))]
    assert sorted(files) == sorted(["sitemap.xml", *parts])
    assert all(f"https://blog.example.com/{key}".encode() in files["sitemap.xml"] for key in parts)
    assert {
        key: sitemap_problems(body, schemas) for key, body in files.items() if sitemap_problems(body, schemas)
    } == {}


def test_the_checkers_catch_what_readers_reject(schemas: dict[str, etree.XMLSchema]) -> None:
    feed = (
        b'<rss version="2.0"><channel><title>T</title><link>/relative/</link><description>D</description>'
        b"<managingEditor>Luc\xc3\xada Ferrer</managingEditor><lastBuildDate>2026-11-29</lastBuildDate>"
        b"<item><link>https://x.example/a/</link><guid>a</guid></item></channel></rss>"
    )
    assert len(rss_problems(feed)) == 5
    sitemap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a/</loc></url></urlset>'
    assert sitemap_problems(sitemap, schemas) != []


@pytest.mark.parametrize(
    ("site_yaml", "expected"),
    [
        ('author: "Lucía Ferrer"\n', ""),
        (
            'author: "Lucía Ferrer"\nparams:\n  author:\n    email: lucia@example.com\n',
            "lucia@example.com (Lucía Ferrer)",
        ),
        ("params:\n  author:\n    name: Lucía\n    email: lucia@example.com\n", "lucia@example.com (Lucía)"),
        ('author: "lucia@example.com (Lucía Ferrer)"\n', "lucia@example.com (Lucía Ferrer)"),
        ("params:\n  author:\n    email: not-an-address\n", ""),
    ],
)
def test_the_managing_editor_is_an_address_with_the_name_or_nothing(site_yaml: str, expected: str) -> None:
    config = parse_config(site_yaml)[0]
    assert managing_editor(config) == expected
    if expected:
        assert EMAIL_WITH_NAME.fullmatch(expected)
