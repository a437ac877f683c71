"""Who publishes what: the one set of rules that decides which outputs exist and who owns each URL.

Every output key that more than one source could fill is *claimed*; its owner is the smallest
claim (`owner`): a section's list beats a page, a page beats an alias, an alias beats an asset,
and within a kind the smaller source key wins (SPEC 3.3.6: nothing is written over another
page). The planner (`core.plan`) applies these rules, for a whole site (the full build, a
rebuild: one round against an empty index) or for the keys one change touches (the event
path), so the two can only agree.

Resolution runs in a fixed order, each step reading only the ones before it, so it never loops:
1. sections exist when a live page or an `_index.md` is in them (`section_exists`);
2. a live page is published when it owns its page key (sections and other pages claim it too);
3. a published page's aliases claim their keys, and so do assets (a bundle's files claim keys
   under their page's URL, and only while the page is published);
4. an alias or asset is published when it owns its key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from pressroom.core.reading.config import SiteConfig
from pressroom.core.rendering.mime import refused_reason
from pressroom.core.rendering.search import SEARCH_INDEX_KEY, is_search_part
from pressroom.core.rendering.sitemap import is_sitemap_part
from pressroom.core.rendering.theme import is_fingerprinted
from pressroom.core.site.model import Entry, Intro
from pressroom.core.site.outputs import SEARCH_PAGE_KEY, SITE_REPLACES, THEME_FILES
from pressroom.core.site.urls import (
    TAXONOMIES,
    is_markdown,
    page_key,
    reserved_reason,
    strip_markdown_suffix,
    unsafe_key_reason,
)
from pressroom.exceptions import ContentError

GENERATED_KEYS = (
    frozenset({"index.html", "index.xml", "sitemap.xml", "robots.txt", "404.html", SEARCH_INDEX_KEY, SEARCH_PAGE_KEY})
    | frozenset(THEME_FILES) - SITE_REPLACES
)
"""Keys pressroom always generates: an asset never takes them (nor a fingerprinted stylesheet's name)."""


class ClaimKind(IntEnum):
    """What claims an output key, in order of precedence."""

    SECTION = 0
    PAGE = 1
    ALIAS = 2
    ASSET = 3


@dataclass(frozen=True, order=True)
class Claim:
    """One claimant of an output key: `source` is a section's name or a source key."""

    kind: ClaimKind
    source: str

    def encode(self) -> str:
        """`1:posts/a.md`: how the index stores it (ordered as the claims are)."""
        return f"{int(self.kind)}:{self.source}"

    @classmethod
    def decode(cls, text: str) -> Claim:
        kind, _, source = text.partition(":")
        return cls(ClaimKind(int(kind)), source)


def owner(claims: Iterable[Claim]) -> Claim | None:
    """The claim that publishes a key: the smallest kind, then the smallest source key."""
    return min(claims, default=None)


def section_exists(live_pages: int, has_intro: bool, hidden: bool = False) -> bool:
    """A section has a list page when a live page or an `_index.md` is in it, unless its
    `_index.md` is one the build leaves out (a draft, future, expired or headless list): then,
    as the `hugo` binary builds it, no list page and no feed, though its pages are published."""
    return (live_pages > 0 or has_intro) and not hidden


def section_of_intro(intro: Intro) -> str | None:
    """The section an `_index.md` introduces, or None (the home page, a taxonomy or a term)."""
    list_id = intro.list_id
    if not list_id or "/" in list_id or list_id in TAXONOMIES:
        return None
    return list_id


def section_claims(section: str) -> list[tuple[str, Claim]]:
    """A section's list claims its page and its feed."""
    claim = Claim(ClaimKind.SECTION, section)
    return [(page_key(section), claim), (f"{section}/index.xml", claim)]


def page_claim(entry: Entry) -> tuple[str, Claim]:
    return page_key(entry.path), Claim(ClaimKind.PAGE, entry.source_key)


def alias_claims(entry: Entry) -> list[tuple[str, Claim]]:
    """Every alias a page asks for (only a published page's aliases claim; a page with no file
    of its own, `render: never` or `link`, has none, as in Hugo)."""
    if not entry.has_page:
        return []
    claim = Claim(ClaimKind.ALIAS, entry.source_key)
    return [(page_key(alias), claim) for alias in entry.aliases]


def publishes_resource(bundle: Entry, name: str) -> bool:
    """Whether a bundle's page publishes its file `name` (a path below the bundle's folder): every
    file, unless its `build` says `publishResources: false`; then only what the theme links, its
    feature image (Hugo publishes a resource a template asks the URL of)."""
    return bundle.publish_resources or name == bundle.feature


def bundle_folders(key: str) -> list[str]:
    """The folders that would make `key` a page bundle's file, nearest first."""
    parts = key.split("/")[:-1]
    return ["/".join(parts[:depth]) for depth in range(len(parts), 0, -1)]


def bundle_page_keys(folder: str, language: str = "") -> tuple[str, ...]:
    """The source keys of the page that makes `folder` a leaf bundle (`index.LANG.md` too, in a
    Hugo root built in LANG)."""
    keys: tuple[str, ...] = (f"{folder}/index.md", f"{folder}/index.markdown")
    if language:
        keys += (f"{folder}/index.{language}.md", f"{folder}/index.{language}.markdown")
    return keys


def is_bundle_page(key: str) -> bool:
    return is_markdown(key) and strip_markdown_suffix(key.rsplit("/", 1)[-1]) == "index" and "/" in key


def asset_output(key: str, bundle: Entry | None, site_key: str | None = None) -> str:
    """Where an asset is published: a bundle's file under its page's URL, any other at its key in
    the site (`site_key`: a Hugo root's `static/img/a.png` is published at `img/a.png`)."""
    if bundle is None:
        return key if site_key is None else site_key
    folder = bundle.source_key.rsplit("/", 1)[0]
    return f"{bundle.path}/{key[len(folder) + 1 :]}"


def reserved_asset_reason(output_key: str, taxonomies: Sequence[str] = TAXONOMIES) -> str | None:
    """Why an asset may not be published at `output_key` (a page pressroom generates, or a key
    that could leave the site: the source bucket's keys can hold `..`), or None."""
    unsafe = unsafe_key_reason(output_key)
    if unsafe is not None:
        return f"{output_key!r} could leave the site ({unsafe})"
    if (
        output_key in GENERATED_KEYS
        or is_sitemap_part(output_key)
        or is_search_part(output_key)
        or is_fingerprinted(output_key)
    ):
        return f"/{output_key} is generated by pressroom"
    folder, _, name = output_key.rpartition("/")
    if name in {"index.html", "index.xml"}:
        reason = reserved_reason(folder, taxonomies)
        if reason is not None:
            return f"/{output_key} would overwrite {reason}"
    return None


BundlePage = tuple[Entry, bool]
"""A bundle's page as a caller knows it: its entry, and whether it is published (the planner:
live and owning its URL; the invocation an upload reaches, which sees no claim: live)."""


def asset_place(
    asset: str, config: SiteConfig, bundle_page: Callable[[str], BundlePage | None]
) -> tuple[str | None, str | None]:
    """Where the asset at source key `asset` is published now: (its output key, None), or (None,
    why not) for a key it may not take (`reserved_asset_reason`, an HTML file of `content/`), or
    (None, None) when its bundle's page is not published or does not publish it.

    A file of `static/`, or an image of `assets/`, is published at its key in the site; any other
    belongs to the nearest folder whose page (`bundle_page` of a source key: None where there is
    none) makes it a bundle, and is published under that page's URL if the page publishes it
    (`publishes_resource`). The planner (`core.planning.late_claims`) and the invocation that
    makes an image's variants ahead (`engine.ahead`) both place assets here, so the variants
    made ahead sit beside the key the image is published at.

    >>> page = Entry("content/posts/trip/index.md", "posts/2024/trip", "posts", "Trip")
    >>> config = SiteConfig(contentDir="content", staticDirs=("static",))
    >>> found = {"content/posts/trip/index.md": (page, True)}.get
    >>> [asset_place(key, config, found) for key in ("content/posts/trip/a.jpg", "static/img/b.png")]
    [('posts/2024/trip/a.jpg', None), ('img/b.png', None)]
    """
    bundle: BundlePage | None = None
    if not config.is_static(asset):
        language = config.contentLanguage
        pages = (bundle_page(k) for f in bundle_folders(asset) for k in bundle_page_keys(f, language) if k != asset)
        bundle = next((found for found in pages if found is not None), None)
    entry: Entry | None = None
    if bundle is not None:
        entry, published = bundle
        if not published or not publishes_resource(entry, asset[len(entry.source_key.rsplit("/", 1)[0]) + 1 :]):
            return None, None  # a draft, future, expired or displaced page's files stay unpublished
    key = asset_output(asset, entry, config.site_key(asset))
    reason = reserved_asset_reason(key, config.reserved_roots)
    if reason is None and config.is_authored(asset):
        reason = refused_reason(asset)
    return (None, reason) if reason is not None else (key, None)


def claim_error(key: str, claim: Claim, winner: Claim, path_of: Callable[[str], str]) -> ContentError:
    """What the author of a losing claim hears, in the words of the file it came from."""
    if claim.kind is ClaimKind.PAGE:
        path = path_of(claim.source)
        if winner.kind is ClaimKind.SECTION:
            return ContentError(claim.source, f"claims /{path}/, the list of section {path!r}")
        return ContentError(claim.source, f"claims /{path}/, already published by {winner.source}")
    if claim.kind is ClaimKind.ALIAS:
        alias = key[: -len("index.html")].rstrip("/")
        return ContentError(claim.source, f"alias /{alias}/ is already taken; it is not published")
    taken_by = f"section {winner.source!r}" if winner.kind is ClaimKind.SECTION else winner.source
    return ContentError(claim.source, f"not published: /{key} is published by {taken_by}")
