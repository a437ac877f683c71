"""The site as lists of entries: which lists an entry is on, and the index that answers queries.

`SiteIndex` is the read port that rendering uses. `MemoryIndex` answers from values in memory
(the full build); the event path's index view answers the same questions from DynamoDB, so
both paths render with the same code.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from pressroom.core.images.facts import ImageFacts
from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.model import HOME_LIST, Entry, Intro, Term


def lists_of(entry: Entry, config: SiteConfig) -> tuple[str, ...]:
    """The ids of every list an entry appears on: home, its section, its term pages.

    As Hugo's `build` options say (measured with its binary): `list: never` is on none,
    `list: local` on its section's and its terms' but not the home page's; `render: never` is on
    the home page's and its section's, in no term (`counted_spellings`).
    """
    if entry.listing == "never":
        return ()
    terms = entry.term_lists(config.taxonomies) if entry.render != "never" else ()
    if not entry.section:
        return terms
    main = config.main_sections
    on_home = entry.listing == "always" and (main is None or entry.section in main)
    return ((HOME_LIST,) if on_home else ()) + (entry.section, *terms)


def counted_spellings(entry: Entry, taxonomy: str) -> dict[str, str]:
    """The terms an entry gives a term page, slug -> its spelling: a page on no list still gives
    its terms one (Hugo makes an empty term page), a page never rendered none."""
    return {} if entry.render == "never" else entry.term_spellings(taxonomy)


def in_sitemap(entry: Entry) -> bool:
    """Whether the sitemap lists a page: it has a URL (`render` always or link) and is on every
    list (`list: always`), as Hugo's sitemap. The search index holds the same pages: a result
    needs a URL, and a page kept off the site's lists is kept out of its search too."""
    return entry.render != "never" and entry.listing == "always"


def neighbour_list(entry: Entry, config: SiteConfig) -> str | None:
    """The list whose neighbours a page shows (older, newer): its section's, if it is on it
    (Hugo's `PrevInSection`; a page on no list has none)."""
    return entry.section if entry.section and entry.section in lists_of(entry, config) else None


def list_title(list_id: str, config: SiteConfig, intro: Intro | None, term: Term | None) -> str:
    """The heading of a list page: its `_index.md` title, else the term or section name."""
    if intro is not None and intro.title:
        return intro.title
    if list_id == HOME_LIST:
        return config.title
    if term is not None:
        return term.name
    return list_id.replace("-", " ").replace("_", " ").title()


def is_term_list(list_id: str) -> bool:
    return "/" in list_id


class SiteIndex(Protocol):
    """What rendering may ask of the published site."""

    config: SiteConfig

    def entry(self, source_key: str) -> Entry | None: ...

    def list_size(self, list_id: str) -> int: ...

    def list_slice(self, list_id: str, start: int, stop: int) -> Sequence[Entry]: ...

    def neighbours(self, list_id: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
        """The entries listed just before (newer) and just after (older) `entry`."""
        ...

    def terms(self, taxonomy: str) -> Sequence[Term]: ...

    def term(self, list_id: str) -> Term | None: ...

    def intro(self, list_id: str) -> Intro | None: ...

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        """Every page the sitemap lists (`in_sitemap`): its site path and last modification, by path."""
        ...

    def sections(self) -> Sequence[str]: ...

    def published_pages(self) -> Sequence[tuple[Entry, str]]:
        """Every page the search index holds (those of the sitemap) with its plain text."""
        ...

    def intro_terms(self, taxonomy: str) -> Sequence[str]:
        """List ids of the taxonomy's terms that exist by their `_index.md` alone (no page has them)."""
        ...

    def images_at(self, keys: Iterable[str]) -> Mapping[str, ImageFacts]:
        """The records of the raster images published at these output keys (those with variants:
        a key with no such image is left out)."""
        ...


def term_from_spellings(taxonomy: str, slug: str, spellings: Mapping[str, int]) -> Term | None:
    """A term with pages, named by its smallest spelling in use (SPEC 2); None once no page uses any."""
    used = {name: count for name, count in spellings.items() if count > 0}
    if not used:
        return None
    return Term(taxonomy, slug, min(used), sum(used.values()))


def intro_winners(intros: Iterable[Intro]) -> dict[str, Intro]:
    """One intro per list: of two `_index.md` files for one list, the smaller source key."""
    chosen: dict[str, Intro] = {}
    for intro in sorted(intros, key=lambda intro: intro.source_key, reverse=True):
        chosen[intro.list_id] = intro
    return chosen


class MemoryIndex:
    """A SiteIndex over entries in memory: the full build's view of the whole site."""

    def __init__(
        self,
        config: SiteConfig,
        entries: Iterable[Entry],
        intros: Iterable[Intro] = (),
        sections: Iterable[str] | None = None,
        texts: Mapping[str, str] | None = None,
        images: Mapping[str, ImageFacts] | None = None,
    ) -> None:
        """`texts`: source key -> each page's plain text (`PublishedSet.texts`), for search;
        `images`: output key -> the facts of the image published there (`PublishedSet.images`)."""
        self.config = config
        self._images = dict(images or {})
        self._texts = dict(texts or {})
        self._lists: dict[str, list[Entry]] = defaultdict(list)
        self._all: list[Entry] = []
        spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for entry in entries:
            self._all.append(entry)
            for list_id in lists_of(entry, config):
                self._lists[list_id].append(entry)
            for taxonomy in config.taxonomies:
                for slug, name in counted_spellings(entry, taxonomy).items():
                    spellings[f"{taxonomy}/{slug}"][name] += 1
        for members in self._lists.values():
            members.sort(key=lambda e: e.order_key)
        self._keys = {list_id: [e.order_key for e in members] for list_id, members in self._lists.items()}
        self._terms: dict[str, Term] = {}
        for list_id, names in spellings.items():
            taxonomy, slug = list_id.split("/", 1)
            if slug and (term := term_from_spellings(taxonomy, slug, names)) is not None:
                self._terms[list_id] = term
        self._all.sort(key=lambda e: e.path)
        self._by_key = {entry.source_key: entry for entry in self._all}
        self._intros = intro_winners(intros)
        if sections is None:
            sections = (list_id for list_id in self._lists if list_id and not is_term_list(list_id))
        self._sections = sorted(set(sections))

    def entry(self, source_key: str) -> Entry | None:
        return self._by_key.get(source_key)

    def images_at(self, keys: Iterable[str]) -> Mapping[str, ImageFacts]:
        return {key: facts for key in keys if (facts := self._images.get(key)) is not None}

    def list_size(self, list_id: str) -> int:
        return len(self._lists.get(list_id, ()))

    def list_slice(self, list_id: str, start: int, stop: int) -> Sequence[Entry]:
        return self._lists.get(list_id, [])[max(start, 0) : max(stop, 0)]

    def position(self, list_id: str, entry: Entry) -> int:
        return bisect.bisect_left(self._keys.get(list_id, []), entry.order_key)

    def neighbours(self, list_id: str, entry: Entry) -> tuple[Entry | None, Entry | None]:
        keys = self._keys.get(list_id, [])
        members = self._lists.get(list_id, [])
        key = entry.order_key
        before = bisect.bisect_left(keys, key)
        after = bisect.bisect_right(keys, key)
        return (members[before - 1] if before > 0 else None, members[after] if after < len(members) else None)

    def terms(self, taxonomy: str) -> Sequence[Term]:
        found = [term for term in self._terms.values() if term.taxonomy == taxonomy]
        return sorted(found, key=lambda term: term.slug)

    def term(self, list_id: str) -> Term | None:
        return self._terms.get(list_id)

    def intro(self, list_id: str) -> Intro | None:
        return self._intros.get(list_id)

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        return [(entry.path, entry.last_modified) for entry in self._all if in_sitemap(entry)]

    def sections(self) -> Sequence[str]:
        return self._sections

    def published_pages(self) -> Sequence[tuple[Entry, str]]:
        return [(entry, self._texts.get(entry.source_key, "")) for entry in self._all if in_sitemap(entry)]

    def intro_terms(self, taxonomy: str) -> Sequence[str]:
        prefix = taxonomy + "/"
        return sorted(
            i for i in self._intros if i.startswith(prefix) and "/" not in i[len(prefix) :] and i not in self._terms
        )

    def list_ids(self) -> list[str]:
        return sorted(self._lists)
