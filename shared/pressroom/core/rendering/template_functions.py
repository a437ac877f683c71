"""The functions templates call and the values they show that need no Renderer: links, dates, the
feed's editor, the profile's links; `Renderer` registers them as template globals and filters, and
the output kinds (`core.site.outputs`) use them to build their templates' context.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import Entry
from pressroom.core.site.urls import href, key_href, safe_link, urlize


@dataclass(frozen=True)
class Pager:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None


def feature_url(entry: Entry) -> str:
    """A bundle page's feature image is published with its other files, under the page's URL;
    a `featureimage` from front matter is a URL or a site path as written."""
    feature = entry.feature or ""
    if "://" in feature or feature.startswith("/"):
        return feature
    return key_href(f"{entry.path}/{feature}")


def human_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


@lru_cache(maxsize=4096)
def term_href(taxonomy: str, name: str) -> str:
    """A term page's link; cached because lists show the same few terms thousands of times."""
    return href(f"{taxonomy}/{urlize(name)}")


_TAG_RE = re.compile(r"<[^>]+>")
_EMAIL_RE = re.compile(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+")


def managing_editor(config: SiteConfig) -> str:
    """RSS 2.0's `managingEditor`: an e-mail address, the name in parentheses; "" without an address.

    The address comes from `params.author.email` (Hugo's and Blowfish's key), or from `author`
    when it is one (`lucia@example.com (Lucía Ferrer)`); the name from `params.author.name`,
    else `author`. A name alone is not valid there, so it is left out.
    """
    person = config.params.get("author")
    person = person if isinstance(person, Mapping) else {}
    email = str(person.get("email") or "").strip()
    name = str(person.get("name") or config.author or "").strip()
    if not email and _EMAIL_RE.match(config.author.strip()):
        return config.author.strip()
    if not _EMAIL_RE.fullmatch(email):
        return ""
    return f"{email} ({name})" if name and name != email else email


PROFILE_LINKS = (
    "github",
    "gitlab",
    "x-twitter",
    "twitter",
    "mastodon",
    "bluesky",
    "linkedin",
    "youtube",
    "email",
    "rss",
)
_PROFILE_URLS = {
    "github": "https://github.com/{}",
    "gitlab": "https://gitlab.com/{}",
    "x-twitter": "https://x.com/{}",
    "twitter": "https://x.com/{}",
    "bluesky": "https://bsky.app/profile/{}",
    "linkedin": "https://www.linkedin.com/in/{}",
    "youtube": "https://www.youtube.com/@{}",
    "email": "mailto:{}",
}


def profile_url(name: str, value: str) -> str:
    """A profile link's URL: as given when it is one, else built from a user name (`github: NAME`)."""
    value = value.strip()
    if value.startswith(("http://", "https://", "mailto:", "/")):
        return safe_link(value)
    pattern = _PROFILE_URLS.get(name)
    return pattern.format(value.lstrip("@")) if pattern and value else ""


def profile_of(config: SiteConfig) -> dict[str, Any]:
    """The author's profile (the home page's, the author box's): Blowfish's `params.author` (name,
    image, headline, bio, links), else the site's `author` and `description` with links from
    `params` (`github: NAME`, `email: ADDRESS`, ...)."""
    params = config.params
    author = params.get("author")
    person: Mapping[str, Any] = author if isinstance(author, Mapping) else {}
    links: list[dict[str, str]] = []
    configured = person.get("links")
    pairs: list[tuple[str, Any]] = []
    if isinstance(configured, list):
        pairs = [(str(k), v) for item in configured if isinstance(item, Mapping) for k, v in item.items()]
    else:
        pairs = [(name, params.get(name)) for name in PROFILE_LINKS if params.get(name)]
    for name, value in pairs:
        url = profile_url(name, str(value))
        if url:
            links.append({"icon": name, "url": url, "label": name.replace("-", " ").title()})
    return {
        "name": str(person.get("name") or config.author),
        "headline": str(person.get("headline") or person.get("bio") or ""),
        "bio": str(person.get("bio") or person.get("headline") or ""),
        "image": author_image(config),
        "links": links,
    }


def author_image(config: SiteConfig) -> str:
    """The link to the author's image ("" for none): `params.author.image` (else `params.avatar`),
    a path below the site's root (an image of `assets/`, published there, as Congo's and
    Blowfish's `resources.Get` finds it) or an address; an unsafe one shows nothing (SPEC 3.5)."""
    author = config.params.get("author")
    image = (author.get("image") if isinstance(author, Mapping) else None) or config.params.get("avatar")
    if not image:
        return ""
    value = str(image).strip()
    link = safe_link(value) if urlsplit(value).scheme else key_href(value.lstrip("/"))
    return "" if link == "#" else link


def nav_current(url: str, canonical: str) -> str | bool:
    """`aria-current` of a menu item: "page" on its own page, "true" below it, else False."""
    path = urlsplit(canonical).path or "/"
    if path == url:
        return "page"
    return "true" if url != "/" and path.startswith(url) else False


def updated(entry: Entry) -> bool:
    """Show "Updated": the page was modified on a later day than it was published."""
    return bool(entry.date and entry.lastmod and entry.lastmod.date() > entry.date.date())


def plain_summary(entry: Entry) -> str:
    """A meta description from the summary when the page has none: its text, tags stripped."""
    return _TAG_RE.sub("", entry.summary_html).strip()[:300]


def _lookup(tree: Any, name: str) -> tuple[bool, Any]:
    """(found, value) of key `name` in a mapping, whatever its case (Hugo lower-cases param keys)."""
    if not isinstance(tree, Mapping):
        return False, None
    if name in tree:
        return True, tree[name]
    lowered = name.lower()
    for key, value in tree.items():
        if str(key).lower() == lowered:
            return True, value
    return False, None


def theme_param(config: SiteConfig, path: str, default: Any, entry: Entry | None = None) -> Any:
    """A Congo/Blowfish param as those themes read it: the page's front matter by its last name
    (`showAuthor: false`) first, then the site's `params` nested by the dotted `path`
    (`article.showAuthor`), then `default`."""
    if entry is not None:
        found, value = _lookup(entry.params, path.rpartition(".")[2])
        if found and value is not None:
            return value
    node: Any = config.params
    for name in path.split("."):
        found, node = _lookup(node, name)
        if not found:
            return default
    return default if node is None else node


IMAGE_LAYOUTS = {"hero": True, "card": True, "background": False}
"""The home layouts that show `homepage.homepageImage`, and whether `defaultBackgroundImage`
stands in for it (Blowfish's hero and card fall back on it, its background layout does not)."""


def home_image(config: SiteConfig, layout: str | None) -> str:
    """The link to the image a home layout shows ("" for none): a path below the site's root (an
    image of `assets/`, published there) or an address; an unsafe one shows nothing (SPEC 3.5)."""
    if layout not in IMAGE_LAYOUTS:
        return ""
    value = theme_param(config, "homepage.homepageImage", None)
    if value is None and IMAGE_LAYOUTS[layout]:
        value = theme_param(config, "defaultBackgroundImage", None)
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value.strip()
    link = safe_link(value) if urlsplit(value).scheme else key_href(value.lstrip("/"))
    return "" if link == "#" else link


def show_more_link(config: SiteConfig) -> str:
    """Blowfish's `homepage.showMoreLink` below the recent posts: `showMoreLinkDest`, else the first
    main section's list ("" when the param is off)."""
    if not theme_param(config, "homepage.showMoreLink", False):
        return ""
    destination = theme_param(config, "homepage.showMoreLinkDest", None)
    if isinstance(destination, str) and destination.strip():
        return safe_link(destination.strip())
    section = (config.main_sections or ("posts",))[0]
    return href(config.list_path(section))


def newest_year(entries: Iterable[Entry]) -> int | None:
    """The year of the newest date (published or modified) among `entries`: the copyright line's
    year, from the site's data, never the clock."""
    years = [moment.year for entry in entries for moment in (entry.date, entry.lastmod) if moment is not None]
    return max(years, default=None)


def copyright_line(config: SiteConfig, year: int | None) -> str:
    """The footer's copyright: the site's `copyright` with `{ year }` replaced (Blowfish's form),
    else "© YEAR NAME" (Congo's default), NAME the author, else the site's title."""
    shown_year = "" if year is None else str(year)
    if config.copyright:  # entities unescaped: the template escapes the text again
        return re.sub(r"\{\s*year\s*\}", shown_year, html.unescape(config.copyright))
    return " ".join(part for part in ("©", shown_year, config.author or config.title) if part)


SHARING_URLS = {
    "email": ("Email", "mailto:?body={url}&subject={title}"),
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "mastodon": ("Mastodon", "https://tootpick.org/#text={title}%20{url}"),
    "pinterest": ("Pinterest", "https://pinterest.com/pin/create/button/?url={url}&description={title}"),
    "reddit": ("Reddit", "https://reddit.com/submit?url={url}&title={title}"),
    "telegram": ("Telegram", "https://t.me/share/url?url={url}&text={title}"),
    "twitter": ("X", "https://x.com/intent/post?url={url}&text={title}"),
    "x-twitter": ("X", "https://x.com/intent/post?url={url}&text={title}"),
    "bluesky": ("Bluesky", "https://bsky.app/intent/compose?text={title}%20{url}"),
    "threads": ("Threads", "https://www.threads.net/intent/post?text={title}%20{url}"),
    "whatsapp": ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
    "line": ("LINE", "https://social-plugins.line.me/lineit/share?url={url}"),
    "weibo": ("Weibo", "https://service.weibo.com/share/share.php?url={url}&title={title}"),
}
"""The services `sharingLinks` may name: a label and the service's share URL (plain links, no script)."""


def sharing_links(names: Any, canonical: str, title: str) -> list[dict[str, str]]:
    """The share links `sharingLinks` asks for (a list of service names; `true` means all of
    them, in this table's order), each with its icon, label and URL; unknown names are skipped."""
    if names is True:
        names = list(SHARING_URLS)
    if not isinstance(names, list):
        return []
    quoted_url, quoted_title = quote(canonical, safe=""), quote(title, safe="")
    links = []
    for name in dict.fromkeys(str(n).lower() for n in names):
        if name in SHARING_URLS:
            label, pattern = SHARING_URLS[name]
            links.append({"icon": name, "label": label, "url": pattern.format(url=quoted_url, title=quoted_title)})
    return links


_HEADING_RE = re.compile(r'<h([2-6]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)


def with_heading_anchors(html: str) -> str:
    """A body's h2-h6 headings with a link to themselves after their text (`showHeadingAnchors`)."""
    return _HEADING_RE.sub(
        r'<h\1 id="\2">\3 <a class="heading-anchor" href="#\2" aria-label="Link to this section">#</a></h\1>', html
    )
