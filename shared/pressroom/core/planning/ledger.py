"""The ledger of one round: what it has read of the index, and what it changes so far.

Every phase of `plan_round` reads the ledger and writes to it, in the order `plan.py` calls them.
Reads of the index go in batches and are remembered: a key, claimed key or list is read once a
round, its state before the round kept beside its state after (`old` and `new`, `claims_before`
and `claims_after`, `lists_before` and `lists_after`), so a phase compares the two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pressroom.core.planning.records import ListState, PageRecord, Record
from pressroom.core.planning.round_plan import IndexState, RoundPlan
from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.outputs import SearchOutput
from pressroom.core.site.resolve import Claim, ClaimKind, claim_error


@dataclass
class Ledger:
    """One round's state: the records, claims and lists it read and changed, and its plan so far."""

    state: IndexState
    """The index before the round (reads only)."""
    now: datetime
    old: dict[str, Record | None] = field(default_factory=dict)
    """Source key -> its record before the round (None: it had none), for every key read."""
    new: dict[str, Record | None] = field(default_factory=dict)
    """Source key -> its record after the round, as decided so far."""
    reread: set[str] = field(default_factory=set)
    """Sources the round read or rechecked: their claims and schedule are decided again."""
    added: defaultdict[str, set[Claim]] = field(default_factory=lambda: defaultdict(set))
    """Claimed key -> claims the round adds to it."""
    removed: defaultdict[str, set[Claim]] = field(default_factory=lambda: defaultdict(set))
    """Claimed key -> claims the round takes from it."""
    claims_before: dict[str, list[Claim]] = field(default_factory=dict)
    """Claimed key -> its claims before the round, sorted, for every claimed key read."""
    lists_before: dict[str, ListState] = field(default_factory=dict)
    lists_after: dict[str, ListState] = field(default_factory=dict)
    restyled: set[str] = field(default_factory=set)
    """Published pages whose entries are unchanged but that lists show differently: their feature
    image's record changed (`core.planning.images`), so their list pages render again."""
    result: RoundPlan = field(default_factory=RoundPlan)
    """What the phases decided so far; `settle` completes it."""

    @property
    def config(self) -> SiteConfig:
        return self.state.config

    # -- reads, batched and remembered
    def load(self, keys: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.old]
        if wanted:
            found = self.state.records(wanted)
            for key in wanted:
                self.old[key] = found.get(key)
                self.new.setdefault(key, self.old[key])

    def load_claims(self, keys: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.claims_before]
        if wanted:
            found = self.state.claims(wanted)
            for key in wanted:
                self.claims_before[key] = sorted(found.get(key, ()))

    def load_lists(self, list_ids: Iterable[str], counting: Iterable[str] = ()) -> None:
        wanted = [list_id for list_id in dict.fromkeys(list_ids) if list_id not in self.lists_before]
        if wanted:
            found = self.state.lists(wanted, counting)
            for list_id in wanted:
                self.lists_before[list_id] = found.get(list_id, ListState())
                self.lists_after[list_id] = self.lists_before[list_id]

    def load_claimants(self, keys: Sequence[str]) -> None:
        """The claims on these keys, and the records of the sources that claim them (sections have none)."""
        self.load_claims(keys)
        sources = {
            claim.source
            for key in keys
            for claim in self.claims_before[key] + self.claims_after(key)
            if claim.kind is not ClaimKind.SECTION
        }
        self.load(sources)

    def old_page(self, key: str) -> PageRecord | None:
        record = self.old.get(key)
        return record if isinstance(record, PageRecord) else None

    def new_page(self, key: str) -> PageRecord | None:
        record = self.new.get(key)
        return record if isinstance(record, PageRecord) else None

    # -- claims
    def claim(self, key: str, claim: Claim) -> None:
        if claim in self.removed[key]:
            self.removed[key].discard(claim)
        else:
            self.added[key].add(claim)

    def unclaim(self, key: str, claim: Claim) -> None:
        if claim in self.added[key]:
            self.added[key].discard(claim)
        else:
            self.removed[key].add(claim)

    def changed_keys(self) -> list[str]:
        return sorted(key for key in set(self.added) | set(self.removed) if self.added[key] or self.removed[key])

    def claims_after(self, key: str) -> list[Claim]:
        kept = {c for c in self.claims_before[key] if c not in self.removed[key]}
        return sorted(kept | self.added[key])

    def problem(self, source: str, key: str, claim: Claim, winner: Claim | None) -> None:
        """Record why `source` lost its claim on `key` to `winner` (None: it has no problem there)."""
        problems = self.result.problems.setdefault(source, {})
        if winner is None or winner == claim:
            problems[key] = None
        else:
            problems[key] = claim_error(key, claim, winner, self.path_of).problem

    def path_of(self, source: str) -> str:
        record = self.new_page(source) or self.old_page(source)
        return record.entry.path if record is not None else source

    # -- the end of the round
    def settle(self) -> RoundPlan:
        """The plan: the records and claims that changed, the sitemap and search index net of both."""
        result = self.result
        for key, record in self.new.items():
            if record != self.old.get(key):
                result.records[key] = record
        result.claims_added = {(k, c) for k, claims in self.added.items() for c in claims}
        result.claims_removed = {(k, c) for k, claims in self.removed.items() for c in claims}
        # A URL set again is not dropped, unless it passes between a page and a list (the sitemap's
        # parts keep them apart: it leaves one family's part for the other's).
        lists, dropped = result.sitemap_lists, result.sitemap_lists_dropped
        result.sitemap_drop -= {url for url in result.sitemap_set if (url in lists) == (url in dropped)}
        result.search_drop -= set(result.search_set)
        if result.search_set or result.search_drop:
            result.render.outputs.add(SearchOutput())
        return result
