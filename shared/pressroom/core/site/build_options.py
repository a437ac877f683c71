"""Hugo's content rules that decide whether a page is published at all, as the `hugo` binary applies them.

Measured with Hugo 0.168 (tests/functional/test_hugo_rules.py builds the same fixture with it):

- a leaf bundle (a folder with `index.md`) makes one page; any other Markdown file below it is
  a resource of that page, never published (`in_bundle`);
- `cascade` (in an `_index.md`, or in the configuration) passes any front matter key down: the
  page's own value beats the nearest ancestor's, which beats a farther one's, which beats the
  configuration's; within one list of cascade entries the first that matches sets a key. An
  entry's `target` (or the older `_target`) narrows it by path glob, kind and environment;
- a page is hidden (no page, in no list, feed, sitemap or taxonomy) when it is, with what is
  cascaded to it, a draft, future or expired page the build does not build, `headless`, or
  `build` (or the older `_build`) says both `render: never` and `list: never`;
- the other `build` options are kept on the page's entry (`Entry.render`, `listing`,
  `publish_resources`) and applied where lists, the sitemap and page files are decided:
  `render: never` writes no page file and no alias, and the page, listed without a link, is in
  no term, the sitemap or search; `render: link` writes no page file and no alias, and the page
  is listed with its URL; `list: never` leaves a rendered page off every list, the sitemap and
  search (its terms still have a page); `list: local` off the home page's list, the sitemap and
  search; `publishResources: false` publishes only the bundle file the theme links (its feature
  image). `core.site.lists` and `core.site.resolve` apply them.

Pure functions over front matter values: the planner (`core.planning.plan`) calls them for the
full build and the event path alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.urls import strip_markdown_suffix

PUBLICATION_KEYS = ("draft", "publishDate", "expiryDate", "headless", "build")
"""The front matter keys that decide whether a page is published (`_build` is `build`)."""


@dataclass(frozen=True)
class CascadeEntry:
    """One entry of a `cascade`: the values it passes on, to the pages its target matches."""

    values: Mapping[str, Any]
    path: str | None = None
    kind: str | None = None
    environment: str | None = None

    def reaches(self, path: str, kind: str, environment: str) -> bool:
        return (
            (self.path is None or _glob(self.path).fullmatch(path) is not None)
            and (self.kind is None or _glob(self.kind.lower()).fullmatch(kind) is not None)
            and (self.environment is None or _glob(self.environment.lower()).fullmatch(environment) is not None)
        )


def _lower_keys(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Front matter keys are case-insensitive in Hugo; `_build` and `_target` are older spellings."""
    lowered: dict[str, Any] = {}
    for key, value in meta.items():
        name = str(key).lower().lstrip("_") if str(key).lower() in ("_build", "_target") else str(key).lower()
        lowered.setdefault(name, value)
    return lowered


def cascade_entries(value: Any) -> tuple[CascadeEntry, ...]:
    """A `cascade` value (one mapping or a list of them) as its entries, in order."""
    items = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
    entries: list[CascadeEntry] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        values = _lower_keys(item)
        target = values.pop("target", None)
        target = _lower_keys(target) if isinstance(target, Mapping) else {}
        # Hugo 0.125+: the values may sit under `params` beside the target.
        entries.append(
            CascadeEntry(
                values={k: v for k, v in values.items() if k != "cascade"},
                path=_text_or_none(target.get("path")),
                kind=_text_or_none(target.get("kind")),
                environment=_text_or_none(target.get("environment")),
            )
        )
    return tuple(entries)


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """Hugo's path globs: `**` crosses `/`, `*` and `?` do not, `{a,b}` is either."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "{":
            end = pattern.find("}", index)
            if end > index:
                out.append("(?:" + "|".join(re.escape(p) for p in pattern[index + 1 : end].split(",")) + ")")
                index = end + 1
                continue
            out.append(re.escape(char))
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def logical_path(site_key: str) -> str:
    """A page's path as a cascade target sees it: `posts/x/index.md` -> `/posts/x`, `posts/_index.md` -> `/posts`."""
    stem = strip_markdown_suffix(site_key)
    for name in ("/index", "/_index"):
        if stem.endswith(name):
            stem = stem[: -len(name)]
    if stem in ("index", "_index"):
        stem = ""
    return "/" + stem.lower()


def cascaded(
    own: Mapping[str, Any],
    ancestors: Sequence[Sequence[CascadeEntry]],
    path: str,
    kind: str,
    environment: str,
) -> dict[str, Any]:
    """A page's front matter (lower-cased keys) with what its ancestors' cascades pass to it.

    `ancestors`: the cascades of its ancestors' `_index.md`, nearest first, then the configuration's.
    """
    values = _lower_keys(own)
    for entries in ancestors:
        for entry in entries:
            if entry.reaches(path, kind, environment):
                for key, value in entry.values.items():
                    values.setdefault(key, value)
    return values


@dataclass(frozen=True)
class BuildOptions:
    """Front matter `build`: whether the page renders, is listed, and publishes its resources."""

    render: str = "always"
    list: str = "always"
    publish_resources: bool = True

    @property
    def hidden(self) -> bool:
        """Neither rendered nor listed: the page exists for nobody."""
        return self.render == "never" and self.list == "never"


def build_options(values: Mapping[str, Any]) -> BuildOptions:
    """`build` (or `_build`) and `headless` of front matter with lower-cased keys.

    Hugo's older booleans (`render: false`, `list: false`) mean `never`; `headless: true` is
    `render: never` and `list: never`.
    """
    if values.get("headless") is True:
        return BuildOptions("never", "never", False)
    options = values.get("build")
    if not isinstance(options, Mapping):
        return BuildOptions()
    options = _lower_keys(options)

    def choice(name: str, allowed: tuple[str, ...]) -> str:
        value = options.get(name, "always")
        if isinstance(value, bool):
            return "always" if value else "never"
        text = str(value).lower()
        return text if text in allowed else "always"

    publish = options.get("publishresources", True)
    return BuildOptions(
        choice("render", ("always", "never", "link")),
        choice("list", ("always", "never", "local")),
        publish is not False,
    )


@dataclass(frozen=True)
class Publication:
    """What decides whether a page exists, with its cascade applied."""

    draft: bool
    publish_at: datetime | None
    expiry: datetime | None
    options: BuildOptions


def publication(
    values: Mapping[str, Any], draft: bool | None, publish_at: datetime | None, expiry: datetime | None, zone: ZoneInfo
) -> Publication:
    """The page's own (parsed) values where it gives them, else the cascaded front matter's."""
    if draft is None:
        draft = values.get("draft") is True or str(values.get("draft")).lower() == "true"
    if publish_at is None:
        publish_at = _instant(values.get("publishdate"), zone)
    if expiry is None:
        expiry = _instant(values.get("expirydate"), zone)
    return Publication(bool(draft), publish_at, expiry, build_options(values))


def _instant(value: Any, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return None


def shown_at(item: Publication, now: datetime, drafts: bool, future: bool, expired: bool) -> bool:
    """Whether the page exists at `now` under the build's `buildDrafts`, `buildFuture`, `buildExpired`."""
    if item.options.hidden or (item.draft and not drafts):
        return False
    if item.publish_at is not None and item.publish_at > now and not future:
        return False
    return expired or item.expiry is None or item.expiry > now


def changes_at(item: Publication, now: datetime, drafts: bool, future: bool, expired: bool) -> datetime | None:
    """When the clock alone changes whether the page exists: a future publish date, or an expiry."""
    if item.options.hidden or (item.draft and not drafts):
        return None
    if item.publish_at is not None and item.publish_at > now and not future:
        return item.publish_at
    if item.expiry is not None and item.expiry > now and not expired:
        return item.expiry
    return None


# -- a page among the files around it (the planner's view) ------------------------------------


def context_keys(source_key: str, content_dir: str, language: str = "") -> tuple[str, ...]:
    """The source keys whose records decide whether a page or an `_index.md` is shown: the
    `_index.md` (cascade) and `index.md` (leaf bundle) of every folder above it, nearest first."""
    parts = source_key.split("/")[:-1]
    folders = ["/".join(parts[:depth]) for depth in range(len(parts), 0, -1)]
    if not content_dir:
        folders.append("")
    keys: list[str] = []
    for folder in folders:
        prefix = folder + "/" if folder else ""
        names = ["_index.md", "_index.markdown", "index.md", "index.markdown"]
        if language:
            names += [f"_index.{language}.md", f"index.{language}.md"]
        keys.extend(prefix + name for name in names if prefix + name != source_key)
    return tuple(keys)


def _stem(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    return strip_markdown_suffix(name).split(".", 1)[0]


def ancestor_cascades(
    source_key: str, content_dir: str, language: str, intro_params: Mapping[str, Mapping[str, Any]]
) -> list[tuple[CascadeEntry, ...]]:
    """The cascades of the `_index.md` above a source key, nearest first (`intro_params`: the
    params of the intros that exist, by source key)."""
    found: list[tuple[CascadeEntry, ...]] = []
    for key in context_keys(source_key, content_dir, language):
        if _stem(key) == "_index" and key in intro_params:
            found.append(cascade_entries(_lower_keys(intro_params[key]).get("cascade")))
    return found


def in_bundle(source_key: str, content_dir: str, language: str, pages: Iterable[str]) -> bool:
    """A Markdown file below a leaf bundle's `index.md` (`pages`: page source keys that exist)."""
    existing = set(pages)
    own_folder = source_key.rsplit("/", 1)[0] if "/" in source_key else ""
    for key in context_keys(source_key, content_dir, language):
        folder = key.rsplit("/", 1)[0] if "/" in key else ""
        if _stem(key) == "index" and key in existing and not (folder == own_folder and _stem(source_key) == "index"):
            return True
    return False


@dataclass(frozen=True)
class Decision:
    """What the content rules decide of a page at a moment."""

    shown: bool
    """It exists: a page, or an entry on lists."""
    changes_at: datetime | None
    """When the clock alone changes `shown`."""
    options: BuildOptions
    """Its `build` options, with what is cascaded to it."""


def decide(
    source_key: str,
    kind: str,
    own: Mapping[str, Any],
    dates: tuple[bool | None, datetime | None, datetime | None],
    config: SiteConfig,
    now: datetime,
    intro_params: Mapping[str, Mapping[str, Any]],
    pages: Iterable[str] = (),
) -> Decision:
    """Whether a page (or an `_index.md`, `kind` `section` or `home`) exists at `now`, when the
    clock alone changes that, and its build options.

    `own`: its front matter beyond pressroom's known keys (`build`, `headless`, `cascade`, ...);
    `dates`: its own draft (None: not given), publish date and expiry; `intro_params` and
    `pages`: the intros (by source key, their params) and pages that exist among its
    `context_keys`.
    """
    language = config.contentLanguage
    if kind == "page" and in_bundle(source_key, config.contentDir, language, pages):
        return Decision(False, None, BuildOptions())
    ancestors = ancestor_cascades(source_key, config.contentDir, language, intro_params)
    ancestors.append(cascade_entries(list(config.cascade)))
    path = logical_path(config.site_key(source_key))
    values = cascaded(own, ancestors, path, kind, config.environment)
    item = publication(values, *dates, config.zone)
    flags = (config.buildDrafts, config.buildFuture, config.buildExpired)
    return Decision(shown_at(item, now, *flags), changes_at(item, now, *flags), item.options)
