"""The small interfaces the publisher (and `pressroom sync`) needs from the world, so the core never touches boto3.

Each port has an AWS adapter (`adapters/aws`), a local one (`adapters/files`) where it makes
sense, and an in-memory fake with the same semantics (`adapters/memory`) that the deterministic
simulation drives request by request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pressroom.core.rendering.mime import Headers

# -- content and the published site ----------------------------------------------------------


@dataclass(frozen=True)
class SourceObject:
    """A source key's bytes as read now, with the version that names exactly these bytes."""

    body: bytes
    version: str
    """The S3 VersionId on a versioned bucket, else the ETag (a local folder: a content hash)."""
    pinned: bool = False
    """True when `version` can be read again later (`read(key, version)`), as on a versioned bucket."""
    etag: str = ""
    """What a listing shows of these bytes (to tell an unchanged key without reading it)."""


@dataclass(frozen=True)
class Listed:
    """A key as a listing shows it: its ETag tells whether it changed without reading it."""

    key: str
    etag: str


class Source(Protocol):
    """Where content lives: the source bucket, or a folder."""

    def read(self, key: str, version: str | None = None, max_bytes: int | None = None) -> SourceObject | None:
        """The bytes of a key now (or at `version`; at most `max_bytes` of them), or None when absent."""
        ...

    def stat(self, key: str) -> str | None:
        """The version of a key now without its bytes (an asset's), or None when it does not exist."""
        ...

    def list(self, prefix: str = "", start_after: str = "", limit: int | None = None) -> list[Listed]:
        """Keys under `prefix` in key order, after `start_after`, at most `limit` of them."""
        ...


class SiteStore(Protocol):
    """Where the site is published: the site bucket, or a folder."""

    def put(self, key: str, body: bytes, headers: Headers) -> None: ...

    def delete(self, keys: Iterable[str]) -> None: ...

    def read(self, key: str) -> bytes | None: ...

    def list_keys(self, prefix: str = "") -> list[str]: ...


class Cdn(Protocol):
    def invalidate(self, paths: Sequence[str], reference: str) -> None: ...


class Queue(Protocol):
    """The publisher's own queue: continuation and rebuild messages go back through it."""

    def send(self, messages: Sequence[Mapping[str, Any]], delay_seconds: int = 0) -> None: ...


class Clock(Protocol):
    """Wall-clock seconds, for leases and deadlines only; content uses the `now` it is given."""

    def __call__(self) -> float: ...


# -- the target of `pressroom sync` ----------------------------------------------------------


@dataclass(frozen=True)
class RemoteObject:
    """An object of a sync target as its listing shows it; `sha256` only when fetched by `stored_sha256`."""

    size: int
    etag: str  # without quotes, lower case
    sha256: str | None = None


class SyncTarget(Protocol):
    """Where `pressroom sync` mirrors a folder: a prefix of a bucket (or memory). Keys are relative to it.

    The decisions (what changed, what may be deleted) are `shells.sync`'s; a target only lists,
    uploads and deletes.
    """

    def where(self, key: str = "") -> str:
        """The target, or one key in it, as messages name it: `s3://BUCKET/PREFIX` + key."""
        ...

    def list_objects(self) -> dict[str, RemoteObject]:
        """Every object under the target, by key (folder markers left out); SyncError when it cannot be listed."""
        ...

    def stored_sha256(self, key: str) -> str | None:
        """The SHA-256 `put` stored with a key (one more request), or None: none stored, or the key went."""
        ...

    def put(self, key: str, path: Path, content_type: str, sha256: str) -> None:
        """Upload the file at `path` under `key`, with its content type and its SHA-256 stored beside it."""
        ...

    def delete(self, keys: Sequence[str]) -> dict[str, str]:
        """Delete these keys; those the target refused, each with why."""
        ...


# -- the index: a key-value table with DynamoDB's semantics ----------------------------------

Item = dict[str, Any]
"""An item: `pk` and `sk` strings, other attributes str, int, bytes or bool."""


class ConditionFailed(Exception):
    """A conditional write found the item not as required (and nothing was written)."""

    def __init__(self, message: str = "", item: Item | None = None) -> None:
        super().__init__(message)
        self.item = item
        """The item as the write found it, when the request asked for it (`Table.update`)."""


@dataclass(frozen=True)
class Condition:
    """What an item must satisfy for a write to happen: any one clause holds (OR).

    A clause is `("missing",)` (no such item), `("eq", attribute, value)` or
    `("lt", attribute, value)`; a missing attribute fails "eq" and "lt".
    """

    pk: str
    sk: str
    clauses: tuple[tuple[Any, ...], ...]

    def holds(self, item: Item | None) -> bool:
        for clause in self.clauses:
            if clause[0] == "missing":
                if item is None:
                    return True
                continue
            if item is None or clause[1] not in item:
                continue
            value = item[clause[1]]
            if clause[0] == "eq" and value == clause[2]:
                return True
            if clause[0] == "lt" and value < clause[2]:
                return True
        return False


@dataclass(frozen=True)
class Page:
    """One page of a query: items in sort-key order (or reversed), and where to resume."""

    items: list[Item]
    count: int
    cursor: str | None = None
    """The sort key of the last item read when more may follow; None at the end."""


@dataclass(frozen=True)
class Write:
    """Items to put and keys to delete, in one request."""

    puts: Sequence[Item] = ()
    deletes: Sequence[tuple[str, str]] = ()
    conditions: Sequence[Condition] = field(default_factory=tuple)


class Table(Protocol):
    """The index table: items by (`pk`, `sk`), with range queries inside one `pk`.

    Sort keys compare as code points (DynamoDB compares UTF-8 bytes: the same order).
    """

    def get(self, pk: str, sk: str) -> Item | None: ...

    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]: ...

    def query(
        self,
        pk: str,
        *,
        low: str | None = None,
        high: str | None = None,
        prefix: str | None = None,
        reverse: bool = False,
        limit: int | None = None,
        count_only: bool = False,
        attributes: Sequence[str] | None = None,
        after: str | None = None,
    ) -> Page:
        """Items of `pk` with `low <= sk <= high` (either may be None) or `sk` starting with
        `prefix`, ascending (or descending with `reverse`), resuming after the sort key `after`.
        """
        ...

    def transact(self, write: Write) -> None:
        """All of `write` or nothing, if every condition holds (else ConditionFailed).

        At most 100 items and conditions together; one key at most once, except that a
        condition may name an item the write puts or deletes (it then applies to that write).
        """
        ...

    def update(self, pk: str, sk: str, values: Mapping[str, Any], condition: Condition) -> Item | None:
        """Set these attributes of one item (made if missing) if `condition` holds; the item as it
        was before (None: missing). Else ConditionFailed, with the item as found."""
        ...

    def write_many(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        """Puts and deletes in batches, unconditionally and not atomically."""
        ...
