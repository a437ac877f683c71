"""The items that coordinate publishing, outside any generation: lease, inbox, journal, outputs, errors.

| pk | sk | holds |
| --- | --- | --- |
| `lease` | `site` | who may write (token, until when), and the current generation and configuration |
| `inbox` | source key `\\0` event id | a change not yet published (written by every invocation) |
| `journal` | `head`, `part:N` | the round or rebuild in progress: what it applies, renders and deletes |
| `pending` | `paths` | CloudFront paths written or deleted but not yet invalidated |
| `out` | output key | a hash of what is published there |
| `error` | source key | why a source is not (fully) published, and since when |

Only the lease holder writes anything but the inbox. It takes the lease with a write conditional
on the token it read, so it never loses a generation switch made meanwhile, and every index
write it makes is a transaction that checks it still holds the lease.

Every tenure has a token of its own, and every request on the lease (take, renew, free) is a
write conditional on it: sent again, it does the same, and its answer says whether the lease is
this tenure's, as reading the lease back would, in the same request. So an error on one (refused,
or taken effect with its answer lost) is met by sending it again (`_resent`), and a lease taken,
kept or freed by a request whose answer never came is known as such: no tenure is left to run
out while its holder is alive. A refused condition once an earlier try was sent means that the
lease is not this tenure's now, whether or not that try took effect. Writes to the site bucket
are not fenced by the lease: `engine.publisher` says why they need not be.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from pressroom.core.planning.codec import pack, unpack
from pressroom.core.planning.plan import Reading
from pressroom.ports import Condition, ConditionFailed, Item, Table, Write

LEASE_KEY = ("lease", "site")
INBOX = "inbox"
JOURNAL = "journal"
PENDING_KEY = ("pending", "paths")
OUT = "out"
ERROR = "error"
LEASE_TRIES = 3
"""Times a request on the lease is sent (each with the SDK's own retries) before its error is raised."""
TRANSACTION_ITEMS = 100
TRANSACTION_BYTES = 3_500_000
PART_BYTES = 300_000
UNKNOWN: Any = object()
"""A coordination item this invocation has not read (or may have changed without knowing how)."""
T = TypeVar("T")


def inbox_item(event: str, key: str, at: float) -> Item:
    """The inbox's record of a changed source key (one per event id: a redelivery is idempotent)."""
    return {"pk": INBOX, "sk": f"{key}\x00{event}", "at": at}


class LeaseLost(Exception):
    """Another invocation holds the lease now (this one outlived its own): stop writing."""


class LeaseEnding(Exception):
    """The lease has too little time left to start a site write (the renewal took that long)."""


@dataclass(frozen=True)
class Lease:
    """The lease item: the holder, and the site's pointers that only a holder changes."""

    token: str = ""
    expires: float = 0.0
    generation: int = 0
    """0: nothing built yet."""
    config_hash: str = ""
    next_due: str = ""
    """ISO instant of the earliest scheduled change ("" when none)."""
    holder: str = ""

    def item(self) -> Item:
        return {
            "pk": LEASE_KEY[0],
            "sk": LEASE_KEY[1],
            "token": self.token,
            "expires": self.expires,
            "gen": self.generation,
            "config": self.config_hash,
            "due": self.next_due,
            "holder": self.holder,
        }

    @classmethod
    def from_item(cls, item: Item | None) -> Lease:
        if item is None:
            return cls()
        return cls(
            token=item.get("token", ""),
            expires=float(item.get("expires", 0)),
            generation=int(item.get("gen", 0)),
            config_hash=item.get("config", ""),
            next_due=item.get("due", ""),
            holder=item.get("holder", ""),
        )


@dataclass(frozen=True)
class Acquired:
    lease: Lease | None
    """The lease now held, or None (another invocation holds it)."""
    previous: Lease
    """The lease item as it was found."""


class Control:
    """The coordination items of one table, as the lease holder (or a hopeful one) sees them."""

    def __init__(self, table: Table, holder: str = "") -> None:
        self.table = table
        self.holder = holder or uuid.uuid4().hex[:12]
        self.lease: Lease | None = None
        """The lease while this invocation holds it."""
        self._journal_parts = 0
        # While it holds the lease, only this invocation writes the journal and the pending paths:
        # what it read or wrote of them stays true, and is not read again.
        self._journal_known: Any = UNKNOWN
        self._pending_known: Any = UNKNOWN
        self._errors_known: dict[str, ErrorRecord | None] = {}
        self._closing: tuple[list[Item], list[tuple[str, str]]] | None = None
        """A finished journal's last writes, not made yet: they go with the lease's release."""

    def forget(self) -> None:
        """The lease is gone (or changed hands): nothing known of the coordination items holds."""
        self._journal_known = UNKNOWN
        self._pending_known = UNKNOWN
        self._errors_known = {}
        self._closing = None

    # -- the inbox
    def accept(self, changes: Iterable[tuple[str, str]], at: float) -> None:
        """Record changed source keys (event id, key); idempotent for a redelivered event."""
        puts = [inbox_item(event, key, at) for event, key in changes]
        if puts:
            self.table.write_many(puts)

    def inbox(self, limit: int) -> list[tuple[str, str]]:
        """(inbox sort key, source key) of waiting changes, oldest keys first by name."""
        page = self.table.query(INBOX, limit=limit)
        return [(item["sk"], item["sk"].partition("\x00")[0]) for item in page.items]

    def inbox_size(self, limit: int) -> int:
        return self.table.query(INBOX, limit=limit, count_only=True).count

    # -- the lease
    def try_acquire(self, now: float, seconds: float) -> Acquired:
        """Take the lease if nobody holds it (or its holder's time ran out).

        `Acquired.lease` is None when another invocation holds it. After an error the take is
        sent again: if the first one took effect, the lease carries this tenure's token, which
        the take's condition lets through (or the take-over's read finds).
        """
        token = uuid.uuid4().hex  # a new tenure: no request of an earlier one can pass as this one's
        return _resent(lambda: self._acquire(token, now, seconds))

    def _acquire(self, token: str, now: float, seconds: float) -> Acquired:
        taking: dict[str, Any] = {"token": token, "expires": now + seconds, "holder": self.holder}
        # One request in the common case: a lease freed (or never taken), or this tenure's own
        # (an earlier attempt took it, and its answer was lost). No holder's requests are in flight.
        free = Condition(*LEASE_KEY, (("missing",), ("eq", "expires", 0), ("eq", "token", token)))
        try:
            before = self.table.update(*LEASE_KEY, taking, free)
        except ConditionFailed as refused:
            current = Lease.from_item(refused.item)
            if current.expires > now:
                return Acquired(None, current)
            return self._take_over(refused.item, token, now, seconds)
        previous = Lease.from_item(before)
        self.forget()
        self.lease = replace(previous, token=token, expires=taking["expires"], holder=self.holder)
        return Acquired(self.lease, previous)

    def _take_over(self, found: Item | None, token: str, now: float, seconds: float) -> Acquired:
        """Take a lease whose holder's time ran out without freeing it, unless another invocation
        takes it first (a write conditional on the token found)."""
        current = Lease.from_item(found)
        taken = replace(current, token=token, expires=now + seconds, holder=self.holder)
        clause: tuple[Any, ...] = ("eq", "token", current.token) if found is not None else ("missing",)
        try:
            self.table.transact(Write(puts=[taken.item()], conditions=[Condition(*LEASE_KEY, (clause,))]))
        except ConditionFailed:
            # The SDK may have sent the request again after a lost answer: then the first one took it.
            now_found = Lease.from_item(self.table.get(*LEASE_KEY))
            if now_found.token != token:
                return Acquired(None, now_found)
        self.forget()
        self.lease = taken
        return Acquired(taken, current)

    def held(self) -> Condition:
        """The condition every write of the holder carries: it still holds the lease."""
        if self.lease is None:
            raise LeaseLost("the lease is not held")
        return Condition(*LEASE_KEY, (("eq", "token", self.lease.token),))

    def extend(self, now: float, seconds: float) -> None:
        assert self.lease is not None
        extended = replace(self.lease, expires=now + seconds)
        self._write_lease(extended)

    def update(self, **changes: Any) -> None:
        """Change the site's pointers (generation, configuration, schedule) under the lease."""
        assert self.lease is not None
        self._write_lease(replace(self.lease, **changes))

    def _write_lease(self, lease: Lease) -> None:
        if not self._on_lease(Write(puts=[lease.item()], conditions=[self.held()])):
            self.lease = None
            self.forget()
            raise LeaseLost("another invocation took the lease")
        self.lease = lease

    def _on_lease(self, write: Write) -> bool:
        """A transaction with this tenure's lease item, sent until answered: False when the lease
        is not this tenure's now (see the module's docstring)."""
        try:
            _resent(lambda: self.table.transact(write))
        except ConditionFailed:
            return False
        return True

    def release(self, deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Free the lease (its pointers kept), with `deletes` and a closed journal's last writes:
        one transaction when they fit. LeaseLost when another invocation holds the lease now: what
        this release did not write (a journal's end, pending paths), that holder finishes."""
        assert self.lease is not None
        freed = replace(self.lease, expires=0.0).item()
        puts, closing_deletes = self._closing_writes()
        puts = [item for item in puts if (item["pk"], item["sk"]) != LEASE_KEY]  # `freed` has its pointers
        if len(puts) + len(closing_deletes) + len(deletes) + 2 >= TRANSACTION_ITEMS:
            self.flush()
            puts, closing_deletes = [], []
        self._closing = None
        write = Write(puts=[*puts, freed], deletes=[*closing_deletes, *deletes], conditions=[self.held()])
        try:
            if not self._on_lease(write):
                raise LeaseLost("another invocation took the lease")
        finally:
            self.forget()

    def free(self) -> None:
        """Free the lease alone, when the release with its closing writes could not be made: a
        journal and pending paths stay for the next holder, as after a crash."""
        assert self.lease is not None
        self._closing = None
        self._on_lease(Write(puts=[replace(self.lease, expires=0.0).item()], conditions=[self.held()]))

    def close_journal(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Remove the journal with these writes (a finished round's last outputs' records): they are
        held back to go with the lease's release, unless `flush` sends them first.

        Holding them back is safe because nothing reads them before: the holder flushes before
        any other work, and a crash leaves the journal to be finished again (the same writes,
        the same invalidations, once more).
        """
        self.flush()
        self._closing = (list(puts), list(deletes))
        self._journal_known = None

    def flush(self) -> None:
        """Make the writes `close_journal` held back (before the holder does anything else)."""
        if self._closing is not None:
            puts, deletes = self._closing
            self._closing = None
            self.save_journal(None, puts, deletes)

    def _closing_writes(self) -> tuple[list[Item], list[tuple[str, str]]]:
        if self._closing is None:
            return [], []
        puts, deletes = self._closing
        journal_puts, journal_deletes = self.journal_writes(None)
        return [*puts, *journal_puts], [*deletes, *journal_deletes]

    def transact(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """One transaction of the holder's, checked against the lease (at most 99 items)."""
        try:
            self.table.transact(Write(puts=puts, deletes=deletes, conditions=[self.held()]))
        except ConditionFailed:
            self.lease = None
            self.forget()
            raise LeaseLost("another invocation took the lease") from None
        except BaseException:
            self.forget()  # it may or may not have taken effect
            raise

    def transact_many(self, puts: Sequence[Item], deletes: Sequence[tuple[str, str]]) -> None:
        """Items in as few lease-checked transactions as fit (idempotent writes, in any split)."""
        batch_puts: list[Item] = []
        batch_deletes: list[tuple[str, str]] = []
        size = 0
        for kind, value in [("put", item) for item in puts] + [("delete", key) for key in deletes]:
            value_size = _item_size(value) if kind == "put" else 100
            if len(batch_puts) + len(batch_deletes) >= TRANSACTION_ITEMS - 1 or size + value_size > TRANSACTION_BYTES:
                self.transact(batch_puts, batch_deletes)
                batch_puts, batch_deletes, size = [], [], 0
            if kind == "put":
                batch_puts.append(value)  # type: ignore[arg-type]
            else:
                batch_deletes.append(value)  # type: ignore[arg-type]
            size += value_size
        if batch_puts or batch_deletes:
            self.transact(batch_puts, batch_deletes)

    # -- the journal
    def load(self, extra: Sequence[tuple[str, str]] = ()) -> dict[tuple[str, str], Item]:
        """Read the journal's head and the pending paths (as the holder), with `extra` items, in one request."""
        found = self.table.get_many([(JOURNAL, "head"), PENDING_KEY, *extra])
        head = found.get((JOURNAL, "head"))
        if head is None:
            self._journal_parts = 0
            self._journal_known = None
        else:
            self._journal_known = UNKNOWN  # read whole when asked (its parts too)
        pending = found.get(PENDING_KEY)
        self._pending_known = list(unpack(pending["data"])) if pending else []
        return found

    def journal_absent(self) -> bool:
        """Known (as the holder) that no journal is left (or one is closed: `close_journal`)."""
        return self.lease is not None and self._journal_known is None

    def journal(self) -> Journal | None:
        if self.journal_absent():
            return None
        head = self.table.get(JOURNAL, "head")
        if head is None:
            self._journal_parts = 0
            return None
        data = head["data"]
        self._journal_parts = int(head.get("parts", 0))
        if self._journal_parts:
            page = self.table.query(JOURNAL, prefix="part:")
            data = b"".join(item["data"] for item in sorted(page.items, key=lambda item: item["sk"]))
        return Journal(unpack(data))

    def journal_writes(self, journal: Journal | None) -> tuple[list[Item], list[tuple[str, str]]]:
        """The puts and deletes that store `journal` (None: remove it), parts included."""
        old_parts = getattr(self, "_journal_parts", 0)
        if journal is None:
            self._journal_parts = 0
            return [], [(JOURNAL, "head")] + [(JOURNAL, f"part:{n:05d}") for n in range(old_parts)]
        data = pack(journal.data)
        if len(data) <= PART_BYTES:
            self._journal_parts = 0
            return [{"pk": JOURNAL, "sk": "head", "data": data}], [(JOURNAL, f"part:{n:05d}") for n in range(old_parts)]
        parts = [data[start : start + PART_BYTES] for start in range(0, len(data), PART_BYTES)]
        self._journal_parts = len(parts)
        items: list[Item] = [{"pk": JOURNAL, "sk": "head", "data": b"", "parts": len(parts)}]
        items += [{"pk": JOURNAL, "sk": f"part:{n:05d}", "data": part} for n, part in enumerate(parts)]
        return items, [(JOURNAL, f"part:{n:05d}") for n in range(len(parts), old_parts)]

    def save_journal(
        self, journal: Journal | None, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Store (or remove) the journal together with other writes, atomically when they fit."""
        journal_puts, journal_deletes = self.journal_writes(journal)
        all_puts, all_deletes = [*puts, *journal_puts], [*deletes, *journal_deletes]
        self._journal_known = UNKNOWN
        if len(all_puts) + len(all_deletes) < TRANSACTION_ITEMS:
            self.transact(all_puts, all_deletes)
        else:
            # Too many for one transaction: the other writes first, the journal last.
            self.transact_many(list(puts), list(deletes))
            self.transact_many(journal_puts, journal_deletes)
        if journal is None:
            self._journal_known = None

    # -- pending invalidations
    def pending(self) -> list[str]:
        if self.lease is not None and self._pending_known is not UNKNOWN:
            return list(self._pending_known)
        item = self.table.get(*PENDING_KEY)
        paths = list(unpack(item["data"])) if item else []
        if self.lease is not None:
            self._pending_known = paths
        return list(paths)

    def pending_item(self, paths: Sequence[str]) -> Item:
        return {"pk": PENDING_KEY[0], "sk": PENDING_KEY[1], "data": pack(sorted(paths))}

    def save_pending(self, paths: Sequence[str]) -> None:
        """Record the paths to invalidate (write-ahead: before any object changes)."""
        self.transact([self.pending_item(paths)])
        self._pending_known = sorted(paths)

    # -- published outputs
    @staticmethod
    def output_item_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
        """The table keys of these outputs' records (to read them in one request with other items)."""
        return [(OUT, key) for key in dict.fromkeys(keys)]

    def output_hashes(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item] | None = None) -> dict[str, str]:
        """The published hash of each output that has one; `found`: its records, read already."""
        wanted = self.output_item_keys(keys)
        items = found if found is not None else self.table.get_many(wanted)
        return {sk: items[(pk, sk)]["hash"] for pk, sk in wanted if (pk, sk) in items}

    def all_outputs(self) -> list[str]:
        keys: list[str] = []
        after: str | None = None
        while True:
            page = self.table.query(OUT, after=after, attributes=())
            keys += [item["sk"] for item in page.items]
            if page.cursor is None:
                return keys
            after = page.cursor

    # -- errors
    def error_writes(
        self, readings: Sequence[Reading], problems: Mapping[str, Mapping[str, str | None]], now: datetime
    ) -> tuple[list[Item], list[tuple[str, str]]]:
        """Error records of the round's keys: a file that cannot be read, and claims lost or won back."""
        by_key = {reading.key: reading for reading in readings if not reading.recheck}
        keys = sorted(set(by_key) | set(problems))
        if not keys:
            return [], []
        existing = self.errors(keys)
        self._errors_known = {}  # the round writes them: not known past it
        puts: list[Item] = []
        deletes: list[tuple[str, str]] = []
        for key in keys:
            old = existing.get(key, ErrorRecord())
            reading = by_key.get(key)
            parse = old.parse
            claims = dict(old.claims)
            if reading is not None:
                parse = reading.error.problem if reading.error is not None else None
                if reading.version is None:
                    claims = {}
            for claim_key, problem in problems.get(key, {}).items():
                if problem is None:
                    claims.pop(claim_key, None)
                else:
                    claims[claim_key] = problem
            if not parse and not claims:
                if key in existing:
                    deletes.append(("error", key))
            elif (parse, claims) != (old.parse, dict(old.claims)):
                puts.append(ErrorRecord(parse, claims, iso(now)).item(key))
        return puts, deletes

    def errors(self, keys: Iterable[str]) -> dict[str, ErrorRecord]:
        wanted = list(dict.fromkeys(keys))
        known = self._errors_known
        missing = [key for key in wanted if key not in known]
        found = self.table.get_many([(ERROR, key) for key in missing]) if missing else {}
        records = {sk: ErrorRecord.from_item(item) for (_, sk), item in found.items()}
        records.update({key: record for key in wanted if (record := known.get(key)) is not None})
        return records

    def error_keys(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """The items of these keys' error records (to read with other items: see `read_errors`)."""
        return [(ERROR, key) for key in keys]

    def read_errors(self, keys: Iterable[str], found: Mapping[tuple[str, str], Item]) -> None:
        """These keys' error records, as read with other items: `errors` will not read them again
        (for the round under way; the holder is the only writer of error records)."""
        self._errors_known = {
            key: ErrorRecord.from_item(item) if (item := found.get((ERROR, key))) is not None else None for key in keys
        }

    def all_errors(self) -> dict[str, ErrorRecord]:
        found: dict[str, ErrorRecord] = {}
        after: str | None = None
        while True:
            page = self.table.query(ERROR, after=after)
            found.update({item["sk"]: ErrorRecord.from_item(item) for item in page.items})
            if page.cursor is None:
                return found
            after = page.cursor


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


@dataclass(frozen=True)
class ErrorRecord:
    """Why a source is not (fully) published: a file that cannot be read, or claims it lost."""

    parse: str | None = None
    claims: Mapping[str, str] = field(default_factory=dict)
    when: str = ""

    @property
    def problems(self) -> list[str]:
        return ([self.parse] if self.parse else []) + [self.claims[key] for key in sorted(self.claims)]

    def item(self, key: str) -> Item:
        return {
            "pk": ERROR,
            "sk": key,
            "parse": self.parse or "",
            "claims": pack(dict(self.claims)),
            "when": self.when,
        }

    @classmethod
    def from_item(cls, item: Item) -> ErrorRecord:
        return cls(
            item.get("parse") or None, unpack(item["claims"]) if item.get("claims") else {}, item.get("when", "")
        )


def _resent(request: Callable[[], T]) -> T:
    """A request on the lease, sent again after an error other than a refused condition (each time
    with the SDK's own retries), LEASE_TRIES times in all."""
    for _ in range(LEASE_TRIES - 1):
        try:
            return request()
        except ConditionFailed:
            raise
        except Exception:
            continue
    return request()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _item_size(item: Any) -> int:
    return sum(len(v) if isinstance(v, bytes | str) else 8 for v in item.values())
