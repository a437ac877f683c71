"""The lease: who may write, and the site's pointers only a holder changes.

Every tenure has a token of its own, and every request on the lease (take, renew, free) is a
write conditional on it: sent again, it does the same, and its answer says whether the lease is
this tenure's, as reading the lease back would, in the same request. So an error on one (refused,
or taken effect with its answer lost) is met by sending it again (`resent`), and a lease taken,
kept or freed by a request whose answer never came is known as such: no tenure is left to run
out while its holder is alive. A refused condition once an earlier try was sent means that the
lease is not this tenure's now, whether or not that try took effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pressroom.engine.table_layout import LEASE_KEY
from pressroom.ports import Condition, ConditionFailed, Item, Table, Write

LEASE_TRIES = 3
"""Times a request on the lease is sent (each with the SDK's own retries) before its error is raised."""
TRANSACTION_ITEMS = 100
TRANSACTION_BYTES = 3_500_000
T = TypeVar("T")


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


class Tenure:
    """This invocation's hold on the lease, and the writes checked against it.

    `forget` is called whenever what the holder knew of the coordination items may no longer hold:
    the lease was taken (anew), lost, or a write of unknown outcome was made.
    """

    def __init__(self, table: Table, holder: str, forget: Callable[[], None]) -> None:
        self.table = table
        self.holder = holder or uuid.uuid4().hex[:12]
        self.lease: Lease | None = None
        """The lease while this invocation holds it."""
        self._forget = forget

    def try_acquire(self, now: float, seconds: float) -> Acquired:
        """Take the lease if nobody holds it (or its holder's time ran out).

        `Acquired.lease` is None when another invocation holds it. After an error the take is
        sent again: if the first one took effect, the lease carries this tenure's token, which
        the take's condition lets through (or the take-over's read finds).
        """
        token = uuid.uuid4().hex  # a new tenure: no request of an earlier one can pass as this one's
        return resent(lambda: self._acquire(token, now, seconds))

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
        self._forget()
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
        self._forget()
        self.lease = taken
        return Acquired(taken, current)

    def held(self) -> Condition:
        """The condition every write of the holder carries: it still holds the lease."""
        if self.lease is None:
            raise LeaseLost("the lease is not held")
        return Condition(*LEASE_KEY, (("eq", "token", self.lease.token),))

    def write_lease(self, lease: Lease) -> None:
        """Write the lease item as `lease` (renewed, or with other pointers), as its holder."""
        if not self.on_lease(Write(puts=[lease.item()], conditions=[self.held()])):
            self.lease = None
            self._forget()
            raise LeaseLost("another invocation took the lease")
        self.lease = lease

    def on_lease(self, write: Write) -> bool:
        """A transaction with this tenure's lease item, sent until answered: False when the lease
        is not this tenure's now (see the module's docstring)."""
        try:
            resent(lambda: self.table.transact(write))
        except ConditionFailed:
            return False
        return True

    def transact(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """One transaction of the holder's, checked against the lease (at most 99 items)."""
        try:
            self.table.transact(Write(puts=puts, deletes=deletes, conditions=[self.held()]))
        except ConditionFailed:
            self.lease = None
            self._forget()
            raise LeaseLost("another invocation took the lease") from None
        except BaseException:
            self._forget()  # it may or may not have taken effect
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


def resent(request: Callable[[], T]) -> T:
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


def _item_size(item: Any) -> int:
    return sum(len(v) if isinstance(v, bytes | str) else 8 for v in item.values())
