"""Term names: which spelling of a term the round's entries show, and how a round changes the counts.

A term's name is the smallest spelling in use across the site (SPEC 2); the index keeps, per term
list, how many entries use each spelling (`ListState.spellings`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from pressroom.core.planning.ledger import Ledger
from pressroom.core.planning.records import PageRecord
from pressroom.core.site.lists import counted_spellings, lists_of, term_from_spellings
from pressroom.core.site.model import Entry


def stamp_term_names(ledger: Ledger) -> dict[str, dict[str, int]]:
    """Stamp every published entry of the round with its terms' names after the round.

    A term's name is the smallest spelling in use across the site (SPEC 2), the same on every
    page that shows it, so an entry carries the names as of when it was last planned. A round
    that renames a term (a new smallest spelling, or the last page of one gone) reports it in
    `renamed`: the pages of the other entries with that term then follow in a rebuild.
    Returns the round's spelling changes by term list.
    """
    config = ledger.config
    pairs: list[tuple[str, PageRecord, Entry | None, Entry]] = []
    deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    placed: set[str] = set()
    for key in sorted(ledger.new):
        old_record, new_record = ledger.old_page(key), ledger.new_page(key)
        old = old_record.published_entry() if old_record is not None else None
        new = new_record.published_entry() if new_record is not None else None
        if old != new:
            placed.update(lists_of(old, config) if old is not None else ())
            placed.update(lists_of(new, config) if new is not None else ())
        for taxonomy in config.taxonomies:
            for entry, sign in ((old, -1), (new, 1)):
                if entry is not None:
                    for slug, name in counted_spellings(entry, taxonomy).items():
                        deltas[f"{taxonomy}/{slug}"][name] += sign
        if new_record is not None and new is not None:
            pairs.append((key, new_record, old, new))
    changed = {list_id for list_id, names in deltas.items() if any(names.values())}
    # An entry keeps the names it was stamped with for terms the round leaves alone.
    needed = set(changed)
    for _, _, old, new in pairs:
        needed.update(
            list_id for list_id in new.term_lists(config.taxonomies) if old is None or list_id not in old.term_display
        )
    ledger.load_lists(needed | placed)  # with the lists the entries change on: one read for the round
    names: dict[str, str] = {}
    for list_id in needed:
        taxonomy, _, slug = list_id.partition("/")
        term = term_from_spellings(taxonomy, slug, spelled(ledger.lists_after[list_id].spellings, deltas[list_id]))
        if term is not None:
            names[list_id] = term.name
    for key, record, old, new in pairs:
        kept = old.term_display if old is not None else {}
        display = {
            list_id: names[list_id] if list_id in names else kept[list_id]
            for list_id in new.term_lists(config.taxonomies)
            if list_id in names or list_id in kept
        }
        if display != record.entry.term_display:
            ledger.new[key] = replace(record, entry=replace(record.entry, term_display=MappingProxyType(display)))
    return deltas


def spelled(spellings: Mapping[str, int], delta: Mapping[str, int]) -> dict[str, int]:
    """A term list's spellings with a round's changes applied (a count at zero is dropped)."""
    after = dict(spellings)
    for name, count in delta.items():
        after[name] = after.get(name, 0) + count
        if after[name] <= 0:
            del after[name]
    return after
