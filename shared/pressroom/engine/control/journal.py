"""The journal: the round or rebuild in progress (what it applies, renders and deletes), as plain data.

Its head holds it whole when it fits an item, else the number of parts it is cut into.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pressroom.core.planning.codec import pack, unpack
from pressroom.engine.control.lease import TRANSACTION_ITEMS, Tenure
from pressroom.engine.control.pending import UNKNOWN
from pressroom.engine.table_layout import JOURNAL, JOURNAL_HEAD, JOURNAL_PART_PREFIX, journal_part
from pressroom.ports import Item

PART_BYTES = 300_000


@dataclass
class Journal:
    """A round or rebuild in progress, as plain data (see `engine.publisher`)."""

    data: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def phase(self) -> str:
        return str(self.data["phase"])


class JournalStore:
    """The journal, as its only writer (the lease holder) knows it: what it read or wrote of it
    stays true while it holds the lease, and is not read again."""

    def __init__(self, tenure: Tenure) -> None:
        self.tenure = tenure
        self._parts = 0
        self._known: Any = UNKNOWN
        self.closing: tuple[list[Item], list[tuple[str, str]]] | None = None
        """A finished journal's last writes, not made yet: they go with the lease's release."""

    def forget(self) -> None:
        self._known = UNKNOWN
        self.closing = None

    def learn_head(self, found: Mapping[tuple[str, str], Item]) -> None:
        """The journal's head as read with other items (`found`: those that exist)."""
        if found.get(JOURNAL_HEAD) is None:
            self._parts = 0
            self._known = None
        else:
            self._known = UNKNOWN  # read whole when asked (its parts too)

    def absent(self) -> bool:
        """Known (as the holder) that no journal is left (or one is closed: `close`)."""
        return self.tenure.lease is not None and self._known is None

    def read(self) -> Journal | None:
        if self.absent():
            return None
        head = self.tenure.table.get(*JOURNAL_HEAD)
        if head is None:
            self._parts = 0
            return None
        data = head["data"]
        self._parts = int(head.get("parts", 0))
        if self._parts:
            page = self.tenure.table.query(JOURNAL, prefix=JOURNAL_PART_PREFIX)
            data = b"".join(item["data"] for item in sorted(page.items, key=lambda item: item["sk"]))
        return Journal(unpack(data))

    def writes(self, journal: Journal | None) -> tuple[list[Item], list[tuple[str, str]]]:
        """The puts and deletes that store `journal` (None: remove it), parts included."""
        old_parts = self._parts
        if journal is None:
            self._parts = 0
            return [], [JOURNAL_HEAD] + [journal_part(n) for n in range(old_parts)]
        data = pack(journal.data)
        if len(data) <= PART_BYTES:
            self._parts = 0
            return [{"pk": JOURNAL, "sk": JOURNAL_HEAD[1], "data": data}], [journal_part(n) for n in range(old_parts)]
        parts = [data[start : start + PART_BYTES] for start in range(0, len(data), PART_BYTES)]
        self._parts = len(parts)
        items: list[Item] = [{"pk": JOURNAL, "sk": JOURNAL_HEAD[1], "data": b"", "parts": len(parts)}]
        items += [{"pk": JOURNAL, "sk": journal_part(n)[1], "data": part} for n, part in enumerate(parts)]
        return items, [journal_part(n) for n in range(len(parts), old_parts)]

    def save(self, journal: Journal | None, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Store (or remove) the journal together with other writes, atomically when they fit."""
        journal_puts, journal_deletes = self.writes(journal)
        all_puts, all_deletes = [*puts, *journal_puts], [*deletes, *journal_deletes]
        self._known = UNKNOWN
        if len(all_puts) + len(all_deletes) < TRANSACTION_ITEMS:
            self.tenure.transact(all_puts, all_deletes)
        else:
            # Too many for one transaction: the other writes first, the journal last.
            self.tenure.transact_many(list(puts), list(deletes))
            self.tenure.transact_many(journal_puts, journal_deletes)
        if journal is None:
            self._known = None

    def close(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Remove the journal with these writes (a finished round's last outputs' records): they are
        held back to go with the lease's release, unless `flush` sends them first.

        Holding them back is safe because nothing reads them before: the holder flushes before
        any other work, and a crash leaves the journal to be finished again (the same writes,
        the same invalidations, once more).
        """
        self.flush()
        self.closing = (list(puts), list(deletes))
        self._known = None

    def flush(self) -> None:
        """Make the writes `close` held back (before the holder does anything else)."""
        if self.closing is not None:
            puts, deletes = self.closing
            self.closing = None
            self.save(None, puts, deletes)

    def closing_writes(self) -> tuple[list[Item], list[tuple[str, str]]]:
        """The writes `close` held back, with the journal's removal (none when none are held)."""
        if self.closing is None:
            return [], []
        puts, deletes = self.closing
        journal_puts, journal_deletes = self.writes(None)
        return [*puts, *journal_puts], [*deletes, *journal_deletes]
