"""Series navigation: the box on each part of a series (Blowfish's `series` taxonomy).

A page's series is the first term of its `series` front matter, when the site has a `series`
taxonomy (Blowfish asks for one too). The box names the series, linking to its term page, lists
every part in reading order with the current one marked, and links the parts before and after.

Parts are read in Blowfish's order: `series_order` ascending where it is set, then by date
(oldest first), then title and source key. `part_view` is everything the box shows of one part;
the planner re-renders every part of a series when a part joins, leaves, or changes its view
there, and the renderer orders and shows the parts with the same two functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pressroom.core.site.model import Entry

SERIES = "series"
"""The taxonomy whose terms are series."""
ORDER_PARAM = "series_order"
"""Blowfish's front matter key for a part's number."""


def series_list(entry: Entry, taxonomies: Sequence[str]) -> str | None:
    """The list id of the series whose box the page shows (its first series), or None."""
    if SERIES not in taxonomies:
        return None
    lists = entry.term_lists((SERIES,))
    return lists[0] if lists else None


def _order_param(entry: Entry) -> int | None:
    value = entry.params.get(ORDER_PARAM)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def part_view(entry: Entry) -> tuple[int | None, datetime | None, str, str, str]:
    """What a series box shows of a part, and what orders it: (series_order, date, title, path, key)."""
    return (_order_param(entry), entry.date, entry.title, entry.path, entry.source_key)


def part_order(entry: Entry) -> tuple[object, ...]:
    """A part's place in its series: `series_order` (set first), date (oldest first), title, key."""
    order, date, title, _, key = part_view(entry)
    return (order is None, order or 0, date is None, date.timestamp() if date else 0.0, title, key)


@dataclass(frozen=True)
class SeriesBox:
    """A series box as the page template shows it."""

    name: str
    url: str
    parts: tuple[Entry, ...]
    current: int
    """The index of this page in `parts`."""

    @property
    def number(self) -> int:
        return self.current + 1

    @property
    def previous(self) -> Entry | None:
        return self.parts[self.current - 1] if self.current > 0 else None

    @property
    def next(self) -> Entry | None:
        return self.parts[self.current + 1] if self.current + 1 < len(self.parts) else None


def series_box(entry: Entry, members: Sequence[Entry], name: str, url: str) -> SeriesBox | None:
    """The box of `entry` among the published `members` of its series; None when it is not one of them."""
    parts = tuple(sorted(members, key=part_order))
    current = next((i for i, part in enumerate(parts) if part.source_key == entry.source_key), None)
    if current is None:
        return None
    return SeriesBox(name, url, parts, current)
