"""The items that coordinate publishing, outside any generation: lease, inbox, journal, pending
paths, outputs, errors (their keys: `engine.table_layout`), one module per store.

Only the lease holder writes anything but the inbox. It takes the lease with a write conditional
on the token it read, so it never loses a generation switch made meanwhile, and every index
write it makes is a transaction that checks it still holds the lease (`lease`). Writes to the
site bucket are not fenced by the lease: `engine.publisher` says why they need not be.

`Control` is the holder's (or a hopeful one's) view of them all: the stores, and what spans
them (reading the journal's head with the pending paths, freeing the lease with a finished
journal's last writes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from pressroom.core.planning.plan import Reading
from pressroom.engine.control.errors import ErrorRecord, ErrorRecords, iso
from pressroom.engine.control.inbox import Inbox, inbox_item
from pressroom.engine.control.journal import Journal, JournalStore
from pressroom.engine.control.lease import (
    TRANSACTION_ITEMS,
    Acquired,
    Lease,
    LeaseEnding,
    LeaseLost,
    Tenure,
)
from pressroom.engine.control.outputs import OutputRecords
from pressroom.engine.control.pending import PendingPaths
from pressroom.engine.table_layout import JOURNAL_HEAD, LEASE_KEY, PENDING_KEY
from pressroom.ports import Item, Table, Write

__all__ = [
    "Acquired",
    "Control",
    "ErrorRecord",
    "Journal",
    "Lease",
    "LeaseEnding",
    "LeaseLost",
    "inbox_item",
    "iso",
]


class Control:
    """The coordination items of one table, as the lease holder (or a hopeful one) sees them."""

    def __init__(self, table: Table, holder: str = "") -> None:
        self.table = table
        self.tenure = Tenure(table, holder, self.forget)
        self.holder = self.tenure.holder
        self.inbox_items = Inbox(table)
        self.journals = JournalStore(self.tenure)
        self.pending_paths = PendingPaths(self.tenure)
        self.outputs = OutputRecords(table)
        self.error_records = ErrorRecords(table)

    @property
    def lease(self) -> Lease | None:
        """The lease while this invocation holds it."""
        return self.tenure.lease

    @lease.setter
    def lease(self, lease: Lease | None) -> None:
        self.tenure.lease = lease

    def forget(self) -> None:
        """The lease is gone (or changed hands): nothing known of the coordination items holds."""
        self.journals.forget()
        self.pending_paths.forget()
        self.error_records.forget()

    # -- the inbox
    def accept(self, changes: Iterable[tuple[str, str]], at: float) -> None:
        """Record changed source keys (event id, key); idempotent for a redelivered event."""
        self.inbox_items.accept(changes, at)

    def inbox(self, limit: int) -> list[tuple[str, str]]:
        """(inbox sort key, source key) of waiting changes, oldest keys first by name."""
        return self.inbox_items.waiting(limit)

    def inbox_size(self, limit: int) -> int:
        return self.inbox_items.size(limit)

    # -- the lease
    def site_generation(self) -> int:
        """The generation the site is built as now (0: none yet), read without taking the lease."""
        return Lease.from_item(self.tenure.table.get(*LEASE_KEY)).generation

    def try_acquire(self, now: float, seconds: float) -> Acquired:
        """Take the lease if nobody holds it (or its holder's time ran out): see `Tenure.try_acquire`."""
        return self.tenure.try_acquire(now, seconds)

    def held(self) -> Any:
        """The condition every write of the holder carries: it still holds the lease."""
        return self.tenure.held()

    def extend(self, now: float, seconds: float) -> None:
        assert self.lease is not None
        self.tenure.write_lease(replace(self.lease, expires=now + seconds))

    def update(self, **changes: Any) -> None:
        """Change the site's pointers (generation, configuration, schedule) under the lease."""
        assert self.lease is not None
        self.tenure.write_lease(replace(self.lease, **changes))

    def release(self, deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Free the lease (its pointers kept), with `deletes` and a closed journal's last writes:
        one transaction when they fit. LeaseLost when another invocation holds the lease now: what
        this release did not write (a journal's end, pending paths), that holder finishes."""
        assert self.lease is not None
        freed = replace(self.lease, expires=0.0).item()
        puts, closing_deletes = self.journals.closing_writes()
        puts = [item for item in puts if (item["pk"], item["sk"]) != LEASE_KEY]  # `freed` has its pointers
        if len(puts) + len(closing_deletes) + len(deletes) + 2 >= TRANSACTION_ITEMS:
            self.flush()
            puts, closing_deletes = [], []
        self.journals.closing = None
        write = Write(puts=[*puts, freed], deletes=[*closing_deletes, *deletes], conditions=[self.held()])
        try:
            if not self.tenure.on_lease(write):
                raise LeaseLost("another invocation took the lease")
        finally:
            self.forget()

    def free(self) -> None:
        """Free the lease alone, when the release with its closing writes could not be made: a
        journal and pending paths stay for the next holder, as after a crash."""
        assert self.lease is not None
        self.journals.closing = None
        self.tenure.on_lease(Write(puts=[replace(self.lease, expires=0.0).item()], conditions=[self.held()]))

    def transact(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """One transaction of the holder's, checked against the lease (at most 99 items)."""
        self.tenure.transact(puts, deletes)

    def transact_many(self, puts: Sequence[Item], deletes: Sequence[tuple[str, str]]) -> None:
        """Items in as few lease-checked transactions as fit (idempotent writes, in any split)."""
        self.tenure.transact_many(puts, deletes)

    # -- the journal and the pending paths
    def load(self, extra: Sequence[tuple[str, str]] = ()) -> dict[tuple[str, str], Item]:
        """Read the journal's head and the pending paths (as the holder), with `extra` items, in one request."""
        found = self.table.get_many([JOURNAL_HEAD, PENDING_KEY, *extra])
        self.journals.learn_head(found)
        self.pending_paths.learn(found)
        return found

    def journal_absent(self) -> bool:
        """Known (as the holder) that no journal is left (or one is closed: `close_journal`)."""
        return self.journals.absent()

    def journal(self) -> Journal | None:
        return self.journals.read()

    def save_journal(
        self, journal: Journal | None, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Store (or remove) the journal together with other writes, atomically when they fit."""
        self.journals.save(journal, puts, deletes)

    def close_journal(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Remove the journal with these writes, held back to go with the lease's release
        (`JournalStore.close`)."""
        self.journals.close(puts, deletes)

    def flush(self) -> None:
        """Make the writes `close_journal` held back (before the holder does anything else)."""
        self.journals.flush()

    def pending(self) -> list[str]:
        return self.pending_paths.paths()

    def save_pending(self, paths: Sequence[str]) -> None:
        """Record the paths to invalidate (write-ahead: before any object changes)."""
        self.pending_paths.save(paths)

    # -- published outputs
    @staticmethod
    def output_item_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
        """The table keys of these outputs' records (to read them in one request with other items)."""
        return OutputRecords.item_keys(keys)

    def output_hashes(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item] | None = None) -> dict[str, str]:
        """The published hash of each output that has one; `found`: its records, read already."""
        return self.outputs.hashes(keys, found)

    def all_outputs(self) -> list[str]:
        return self.outputs.all()

    # -- errors
    def error_writes(
        self, readings: Sequence[Reading], problems: Mapping[str, Mapping[str, str | None]], now: datetime
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """Error records of the round's keys: a file that cannot be read, and claims lost or won back."""
        return self.error_records.writes(readings, problems, now)

    def error_keys(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """The items of these keys' error records (to read with other items: see `read_errors`)."""
        return self.error_records.item_keys(keys)

    def read_errors(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item]) -> None:
        """These keys' error records, as read with other items (`ErrorRecords.learn`)."""
        self.error_records.learn(keys, found)

    def all_errors(self) -> dict[str, ErrorRecord]:
        return self.error_records.all()
