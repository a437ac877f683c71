"""How a list is cut into pages, and how many entries each page shows: the home page of a Congo
or Blowfish site is not paged like the other lists.

Congo's home template (every `homepage.layout`) lists the newest posts of the main sections only
with `homepage.showRecent`, and then through `.Paginate PAGES recentLimit`: Hugo makes its
`page/N/` of `recentLimit` posts each. Without `showRecent` it never paginates, so Hugo makes one
home page (no `page/N/`, no `page/1/` redirect) and it lists no post.
Blowfish's (a site that sets `showRecentItems`, not `recentLimit`) calls `.Paginate PAGES`: its
`page/N/` hold `pagerSize` posts, of which each shows the first `showRecentItems`.
`tests/functional/test_hugo_home.py` checks these against the `hugo` binary. A site that sets
neither `homepage.layout` nor `homepage.showRecent` keeps the usual home, paged by `pagerSize`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.template_functions import theme_param
from pressroom.core.site.model import HOME_LIST

HOME_LAYOUTS = ("page", "profile", "hero", "background", "card")
"""Congo's and Blowfish's built-in `homepage.layout` values that pressroom's theme draws."""
RECENT_LIMIT = 5
"""Congo's default `homepage.recentLimit` (and Blowfish's `showRecentItems`)."""


@dataclass(frozen=True)
class Paging:
    """A list's pages: `per_page` entries to a page, of which each page shows the first `shown`."""

    per_page: int
    shown: int
    paginated: bool = True
    """False: the list has one page only (no `page/N/`, no `page/1/` redirect)."""

    def pages(self, size: int) -> int:
        """How many pages a list of `size` entries that exists has: an empty one still has its first."""
        return max(1, math.ceil(size / self.per_page)) if self.paginated else 1

    def shown_range(self, number: int) -> tuple[int, int]:
        """The ranks of the entries page `number` (1-based) shows."""
        start = (number - 1) * self.per_page
        return start, start + self.shown


def _whole_number(value: Any, default: int) -> int:
    """A count from the site's params (untrusted): a positive integer, else `default`."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return number if number >= 1 else default


def themes_home(config: SiteConfig) -> bool:
    """Whether the home page is Congo's and Blowfish's: the site sets `homepage.layout` or `showRecent`."""
    return any(theme_param(config, f"homepage.{name}", None) is not None for name in ("layout", "showRecent"))


def home_layout(config: SiteConfig) -> str | None:
    """The home page's layout: one of `HOME_LAYOUTS` (an unknown one is `page`, as Congo falls back
    to it), or None for pressroom's own home (a site that is not Congo's or Blowfish's)."""
    if not themes_home(config):
        return None
    layout = str(theme_param(config, "homepage.layout", "page")).strip().lower()
    return layout if layout in HOME_LAYOUTS else "page"


def list_paging(list_id: str, config: SiteConfig) -> Paging:
    """How the list `list_id` is paged on this site."""
    if list_id != HOME_LIST or not themes_home(config):
        return Paging(config.pagerSize, config.pagerSize)
    if not theme_param(config, "homepage.showRecent", False):
        return Paging(config.pagerSize, 0, paginated=False)
    limit = theme_param(config, "homepage.recentLimit", None)
    items = theme_param(config, "homepage.showRecentItems", None)
    if limit is None and items is not None:  # Blowfish's spelling: its home pages by pagerSize
        return Paging(config.pagerSize, min(_whole_number(items, RECENT_LIMIT), config.pagerSize))
    limit = _whole_number(limit, RECENT_LIMIT)
    return Paging(limit, limit)
