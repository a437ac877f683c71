"""Which images of the site a page shows: each named by the output key it is published at.

A page shows an image by a link: a Markdown image, a figure, raw HTML (`<img src>`), its
feature image, the author's image in its author box. The link is resolved as a browser resolves
it from the page's URL (`resolve_link`, the base URL's path taken off: `under_base`), so every
form reaches the same output key:

- a name in the page's bundle (`beach.jpg`, `./photos/beach.jpg`): below the page's URL, where
  its bundle's files are published (under its slug too);
- a relative path to another folder (`../other/beach.jpg`), from the page's URL;
- a site path (`/img/x.png`, `/blog/img/x.png` under a base URL with a path): a file of a Hugo
  root's `static/`, an image of its `assets/` (published at its path below the folder, as
  Congo's and Blowfish's `resources.Get` finds it) or of `content/`. Which of them is published
  there is the ownership rule of every output key (`core.site.resolve`): the image the page
  shows is the one the site publishes at that URL;
- a front matter `featureimage` (Blowfish's: a path of `assets/`, which comes back as a site
  path) and the author's image (`params.author.image`), as the theme links them.

A URL of another site, a `data:` URL, a path outside the base URL's path, a link with a query or
a fragment (its variants could not be named beside it), or a name that is no raster image's
(`RASTER_SUFFIXES`) is no use: it is linked as written.

The page's parse names its uses (`ParsedPage.image_uses`), the planner keeps them as claims
(`core.planning.images`), and rendering looks up the images published at exactly these keys
(`SiteIndex.images_at`): a page shows variants of the images the planner knows it shows, and
renders again when one of them changes.

The home page shows the author's image too (its profile) where its layout does, and the image of
its `hero`, `background` or `card` layout (`homepage.homepageImage`): those uses are the
configuration's (`home_uses`), not a page's.
"""

from __future__ import annotations

from pressroom.core.images.facts import is_raster_name
from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.pictures import image_sources
from pressroom.core.rendering.template_functions import (
    author_image,
    feature_url,
    home_image,
    profile_of,
    theme_param,
)
from pressroom.core.site.model import Entry
from pressroom.core.site.paging import home_layout
from pressroom.core.site.urls import resolve_link, safe_link, under_base

PROFILE_LAYOUTS = ("profile", "hero", "background")
"""The home layouts that show the author's profile, image included, on every page of the home."""


def image_use(link: str, page_path: str, config: SiteConfig) -> str | None:
    """The output key of the image of the site that `link`, on the page at `page_path`, shows;
    None when it shows none (see the module's docstring).

    >>> config = SiteConfig(baseURL="https://example.org/blog/")
    >>> [image_use(link, "posts/trip", config) for link in ("beach.jpg", "../other/b.png", "/blog/img/x.png")]
    ['posts/trip/beach.jpg', 'posts/other/b.png', 'img/x.png']
    >>> [image_use(link, "posts/trip", config) for link in ("/img/x.png", "https://cdn.example/x.png", "notes.pdf")]
    [None, None, None]
    """
    if "?" in link or "#" in link:
        return None
    target = resolve_link(f"{page_path}/index.html" if page_path else "index.html", link)
    if target is None or target.endswith("/"):
        return None
    key = under_base(target, link, config.base_path)
    return key if key and is_raster_name(key) else None


def page_image_uses(entry: Entry, body_html: str, config: SiteConfig) -> tuple[str, ...]:
    """Every image the page shows (its body's, its feature image, the author's in its author
    box), by output key, sorted, once each."""
    links = image_sources(body_html)
    feature = feature_link(entry, config)
    if feature:
        links.append(feature)
    if shows_author_image(entry, config):
        links.append(config.rel_url(author_image(config)))
    return tuple(sorted({use for link in links if (use := image_use(link, entry.path, config)) is not None}))


def feature_link(entry: Entry, config: SiteConfig) -> str:
    """The feature image's link as the page and its thumbnail write it ("" for none)."""
    return config.rel_url(safe_link(feature_url(entry))) if entry.feature else ""


def feature_use(entry: Entry, config: SiteConfig) -> str | None:
    """The output key of the page's feature image (its thumbnail on lists), or None."""
    link = feature_link(entry, config)
    return image_use(link, entry.path, config) if link else None


def shows_author_image(entry: Entry, config: SiteConfig) -> bool:
    """The page ends with the author box (`article.showAuthor`, the page's `showAuthor` first), and
    the box has an image: `author.html`'s rule."""
    person = profile_of(config)
    shown = theme_param(config, "article.showAuthor", False, entry)
    return bool(shown) and bool(person["name"]) and bool(person["image"])


def author_use(config: SiteConfig) -> str | None:
    """The output key of the author's image (`params.author.image`), or None: an address, none."""
    link = author_image(config)
    return image_use(config.rel_url(link), "", config) if link else None


def home_author_use(config: SiteConfig) -> tuple[str, int | None] | None:
    """The author's image as the home page shows it: (its output key, the last page of the home
    that shows it, None for every page), or None where the home shows none.

    pressroom's own home shows the profile on its first page (`profile.html`: with a name or a
    link); Congo's and Blowfish's `profile`, `hero` and `background` layouts on each page of the
    home (`home.html`); `page` and `card` show no author.
    """
    use = author_use(config)
    if use is None:
        return None
    layout = home_layout(config)
    if layout is None:
        person = profile_of(config)
        return (use, 1) if person["name"] or person["links"] else None
    return (use, None) if layout in PROFILE_LAYOUTS else None


def home_image_use(config: SiteConfig) -> str | None:
    """The output key of the image the home's layout shows (`homepage.homepageImage`, or
    `defaultBackgroundImage` where it stands in: `home_image`), or None: none, an address."""
    link = home_image(config, home_layout(config))
    return image_use(config.rel_url(link), "", config) if link else None


def home_uses(config: SiteConfig) -> dict[str, int | None]:
    """Every image the home shows, by output key: the last page of the home that shows it (None:
    every page). The layout's image is on each page of the home (`home.html`); the author's
    where `home_author_use` says."""
    uses: dict[str, int | None] = {}
    author = home_author_use(config)
    if author is not None:
        uses[author[0]] = author[1]
    image = home_image_use(config)
    if image is not None:
        uses[image] = None
    return uses
