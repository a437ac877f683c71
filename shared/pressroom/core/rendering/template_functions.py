"""The functions templates call and the values they show that need no Renderer: links, dates, the
feed's editor, the profile's links; `Renderer` registers them as template globals and filters, and
the output kinds (`core.site.outputs`) use them to build their templates' context.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

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
