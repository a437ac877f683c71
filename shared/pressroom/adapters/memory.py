"""In-memory fakes of every port, with the semantics of the AWS services they stand for.

The deterministic simulation (tests/simulation) runs the real engine against these and decides,
at every request, which worker goes next and whether the request crashes its worker or loses
its answer: each fake calls `gate(operation)` before acting and `after(operation)` once it has.
Outside the simulation the gate does nothing, and the fakes make quick tests of the engine.
"""

from __future__ import annotations

import bisect
import builtins
import contextlib
import copy
import hashlib
import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pressroom.core.rendering.mime import Headers
from pressroom.core.site.urls import refuse_unsafe_key
from pressroom.ports import Condition, ConditionFailed, Item, Listed, Page, RemoteObject, SourceObject, Write

QUERY_PAGE_BYTES = 1_000_000
"""DynamoDB stops a query page after about 1 MB of items."""


def _no_gate(operation: str) -> None:
    return None


class Resent(Exception):
    """Raised by a gate's `after`: the answer was lost and the SDK sent the same request again
    (botocore's retries): the request acts twice, and the caller sees the second answer."""


@dataclass
class Gate:
    """Where the simulation steps in: before a request acts, and after it acted."""

    before: Callable[[str], None] = _no_gate
    after: Callable[[str], None] = _no_gate


class _Gated:
    """A fake whose every request passes the gate, one at a time."""

    def __init__(self, gate: Gate | None) -> None:
        self.gate = gate or Gate()
        self._lock = threading.Lock()
        self.requests = 0

    def _act(self, operation: str, action: Callable[[], Any]) -> Any:
        self.gate.before(operation)
        with self._lock:
            self.requests += 1
            result = action()
        try:
            self.gate.after(operation)
        except Resent:
            with self._lock:
                self.requests += 1
                result = action()
        return result


class MemoryTable(_Gated):
    """DynamoDB in memory: items by (pk, sk); queries ordered by sort key; atomic transactions."""

    def __init__(self, gate: Gate | None = None) -> None:
        super().__init__(gate)
        self._partitions: dict[str, dict[str, Item]] = {}
        self._order: dict[str, list[str]] = {}

    # -- helpers
    def _item(self, pk: str, sk: str) -> Item | None:
        return self._partitions.get(pk, {}).get(sk)

    def _put(self, item: Item) -> None:
        pk, sk = item["pk"], item["sk"]
        if not isinstance(pk, str) or not isinstance(sk, str) or not pk or not sk:
            raise ValueError(f"key attributes must be non-empty strings: {pk!r}, {sk!r}")
        _check_size(item)
        partition = self._partitions.setdefault(pk, {})
        if sk not in partition:
            bisect.insort(self._order.setdefault(pk, []), sk)
        partition[sk] = copy.deepcopy(item)

    def _delete(self, pk: str, sk: str) -> None:
        partition = self._partitions.get(pk)
        if partition and sk in partition:
            del partition[sk]
            keys = self._order[pk]
            keys.pop(bisect.bisect_left(keys, sk))

    # -- the port
    def get(self, pk: str, sk: str) -> Item | None:
        return self._act("dynamodb.get", lambda: copy.deepcopy(self._item(pk, sk)))

    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        unique = list(dict.fromkeys(keys))
        found: dict[tuple[str, str], Item] = {}
        for start in range(0, len(unique), 100):
            chunk = unique[start : start + 100]
            found.update(self._act("dynamodb.get_many", partial(_read_chunk, self, chunk)))
        return found

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
        def read() -> Page:
            keys = self._order.get(pk, [])
            lo = 0 if low is None else bisect.bisect_left(keys, low)
            hi = len(keys) if high is None else bisect.bisect_right(keys, high)
            if prefix is not None:
                lo = bisect.bisect_left(keys, prefix)
                hi = bisect.bisect_left(keys, prefix + "\U0010ffff")
            selected = keys[lo:hi]
            if reverse:
                selected = selected[::-1]
            if after is not None:
                position = (
                    bisect.bisect_right(selected, after)
                    if not reverse
                    else next((i for i, k in enumerate(selected) if k < after), len(selected))
                )
                selected = selected[position:]
            items: list[Item] = []
            size = 0
            partition = self._partitions.get(pk, {})
            taken = 0
            for sk in selected:
                if limit is not None and taken >= limit:
                    break
                item = partition[sk]
                size += _size(item)
                taken += 1
                if not count_only:
                    kept = item if attributes is None else {a: item[a] for a in ("pk", "sk", *attributes) if a in item}
                    items.append(copy.deepcopy(kept))
                if size >= QUERY_PAGE_BYTES:
                    break
            more = taken < len(selected)
            cursor = selected[taken - 1] if more and taken else None
            return Page(items, taken, cursor)

        page: Page = self._act("dynamodb.query", read)
        return page

    def transact(self, write: Write) -> None:
        keys = [(i["pk"], i["sk"]) for i in write.puts] + list(write.deletes)
        written = set(keys)
        # A condition on an item the transaction writes rides on that write (as in DynamoDB).
        keys += [(c.pk, c.sk) for c in write.conditions if (c.pk, c.sk) not in written]
        if len(keys) > 100:
            raise ValueError(f"a transaction holds at most 100 items, not {len(keys)}")
        if len(set(keys)) != len(keys):
            raise ValueError("a transaction may name each key once")

        def apply() -> None:
            for condition in write.conditions:
                if not condition.holds(self._item(condition.pk, condition.sk)):
                    raise ConditionFailed(f"{condition.pk}/{condition.sk}")
            for item in write.puts:
                _check_size(item)
            for item in write.puts:
                self._put(item)
            for pk, sk in write.deletes:
                self._delete(pk, sk)

        self._act("dynamodb.transact", apply)

    def update(self, pk: str, sk: str, values: Mapping[str, Any], condition: Condition) -> Item | None:
        def apply() -> Item | None:
            found = copy.deepcopy(self._item(pk, sk))
            if not condition.holds(found):
                raise ConditionFailed(f"{pk}/{sk}", found)
            self._put({**(found or {}), **values, "pk": pk, "sk": sk})
            return found

        before: Item | None = self._act("dynamodb.update", apply)
        return before

    def write_many(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        requests: list[tuple[str, Any]] = [("put", item) for item in puts] + [("delete", key) for key in deletes]
        for start in range(0, len(requests), 25):
            chunk = requests[start : start + 25]

            def apply(chunk: list[tuple[str, Any]] = chunk) -> None:
                for kind, value in chunk:
                    if kind == "put":
                        self._put(value)
                    else:
                        self._delete(*value)

            self._act("dynamodb.write_many", apply)

    # -- for tests
    def items(self) -> list[Item]:
        return [copy.deepcopy(item) for pk in sorted(self._partitions) for item in self._partitions[pk].values()]


def _read_chunk(table: MemoryTable, chunk: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
    found = {}
    for pk, sk in chunk:
        item = table._item(pk, sk)
        if item is not None:
            found[(pk, sk)] = copy.deepcopy(item)
    return found


ITEM_LIMIT = 400 * 1024


def _size(item: Item) -> int:
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        if isinstance(value, str):
            total += len(value.encode())
        elif isinstance(value, bytes):
            total += len(value)
        else:
            total += 8
    return total


def _check_size(item: Item) -> None:
    """An item the DynamoDB adapter can store: scalar attributes (as `adapters.aws.dynamodb`
    encodes them), 400 KB at most."""
    for name, value in item.items():
        if value is not None and not isinstance(value, str | bytes | bool | int | float):
            raise TypeError(f"cannot store {type(value).__name__} in the index ({name} of {item['pk']}/{item['sk']})")
    if _size(item) > ITEM_LIMIT:
        raise ValueError(f"item {item['pk']}/{item['sk']} is {_size(item):,} bytes, over DynamoDB's 400 KB")


class MemoryBucket(_Gated):
    """An S3 bucket in memory, versioned: every put keeps its bytes under a new version."""

    def __init__(self, gate: Gate | None = None, name: str = "bucket") -> None:
        super().__init__(gate)
        self.name = name
        self.objects: dict[str, tuple[bytes, str, Headers | None]] = {}
        """key -> (bytes, version, the headers it was published with; None for a source file)."""
        """key -> (body, version, content type, cache control)"""
        self._versions: dict[tuple[str, str], bytes] = {}
        self._counter = itertools.count(1)

    # -- what authors (and tests) do: no gate, they are not the publisher's requests
    def upload(self, key: str, body: bytes) -> None:
        with self._lock:
            version = f"v{next(self._counter)}"
            self._versions[(key, version)] = body
            self.objects[key] = (body, version, None)

    def remove(self, key: str) -> None:
        with self._lock:
            self.objects.pop(key, None)

    # -- Source
    def read(self, key: str, version: str | None = None, max_bytes: int | None = None) -> SourceObject | None:
        def get() -> SourceObject | None:
            if version is not None:
                body = self._versions.get((key, version))
                return None if body is None else SourceObject(body, version, pinned=True, etag=_etag(body))
            found = self.objects.get(key)
            return None if found is None else SourceObject(found[0], found[1], pinned=True, etag=_etag(found[0]))

        found: SourceObject | None = self._act("s3.get", get)
        return found

    def stat(self, key: str) -> str | None:
        def head() -> str | None:
            found = self.objects.get(key)
            return None if found is None else found[1]

        version: str | None = self._act("s3.head", head)
        return version

    def list(self, prefix: str = "", start_after: str = "", limit: int | None = None) -> builtins.list[Listed]:
        def listing() -> builtins.list[Listed]:
            keys = sorted(k for k in self.objects if k.startswith(prefix) and k > start_after)
            if limit is not None:
                keys = keys[:limit]
            return [Listed(k, _etag(self.objects[k][0])) for k in keys]

        found: builtins.list[Listed] = self._act("s3.list", listing)
        return found

    # -- SiteStore
    def put(self, key: str, body: bytes, headers: Headers) -> None:
        refuse_unsafe_key(key, self.name)  # as the S3 site store does

        def store() -> None:
            version = f"v{next(self._counter)}"
            self.objects[key] = (body, version, headers)

        self._act("s3.put", store)

    def delete(self, keys: Iterable[str]) -> None:
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), 1000):
            chunk = ordered[start : start + 1000]
            self._act("s3.delete", partial(self._drop, chunk))

    def _drop(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    def read_object(self, key: str) -> bytes | None:
        found = self._act("s3.get", lambda: self.objects.get(key))
        return None if found is None else found[0]

    def list_keys(self, prefix: str = "") -> builtins.list[str]:
        keys: builtins.list[str] = self._act("s3.list", lambda: sorted(k for k in self.objects if k.startswith(prefix)))
        return keys

    def contents(self) -> dict[str, tuple[bytes, Headers | None]]:
        """Every object as (bytes, headers), for comparing with the full build."""
        return {key: (body, headers) for key, (body, _, headers) in sorted(self.objects.items())}


def _etag(body: bytes) -> str:
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


class MemorySite(MemoryBucket):
    """The site bucket: `read` answers bytes, as a SiteStore does."""

    def read(self, key: str, version: str | None = None, max_bytes: int | None = None) -> bytes | None:  # type: ignore[override]
        return self.read_object(key)


@dataclass
class MemoryCdn:
    gate: Gate = field(default_factory=Gate)
    invalidations: list[tuple[str, ...]] = field(default_factory=list)

    def invalidate(self, paths: Sequence[str], reference: str) -> None:
        self.gate.before("cloudfront.invalidate")
        self.invalidations.append(tuple(paths))
        # CloudFront answers a repeated CallerReference with the invalidation it made.
        with contextlib.suppress(Resent):
            self.gate.after("cloudfront.invalidate")


@dataclass
class MemoryQueue:
    """Messages the engine sends itself; the simulation delivers them as a queue would."""

    gate: Gate = field(default_factory=Gate)
    messages: list[tuple[Mapping[str, Any], int]] = field(default_factory=list)

    def send(self, messages: Sequence[Mapping[str, Any]], delay_seconds: int = 0) -> None:
        self.gate.before("sqs.send")
        self.messages.extend((dict(message), delay_seconds) for message in messages)
        try:
            self.gate.after("sqs.send")
        except Resent:
            self.messages.extend((dict(message), delay_seconds) for message in messages)


class MemorySyncTarget:
    """What `pressroom sync` mirrors a folder into, in memory: sync's decisions tested without boto3.

    Each object keeps its bytes, the ETag a listing shows (the MD5 of the bytes, as a single-part
    upload has), its content type and the SHA-256 stored with it; `requests` records each call,
    as (operation, keys).
    """

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.objects: dict[str, tuple[bytes, str, str, str | None]] = {}
        """key -> (bytes, ETag, content type, stored SHA-256)"""
        self.refused: set[str] = set()
        """Keys whose deletion the target refuses (to test a sync that fails half-way)."""
        self.requests: builtins.list[tuple[str, tuple[str, ...]]] = []
        self._lock = threading.Lock()

    # -- what another tool (or a test) puts there: any ETag, no digest unless given
    def upload(self, key: str, body: bytes, etag: str | None = None, sha256: str | None = None) -> None:
        with self._lock:
            self.objects[key] = (body, etag or _etag(body), "application/octet-stream", sha256)

    # -- SyncTarget
    def where(self, key: str = "") -> str:
        return f"memory://{self.name}/{key}"

    def list_objects(self) -> dict[str, RemoteObject]:
        with self._lock:
            self.requests.append(("list", ()))
            return {key: RemoteObject(size=len(body), etag=etag) for key, (body, etag, _, _) in self.objects.items()}

    def stored_sha256(self, key: str) -> str | None:
        with self._lock:
            self.requests.append(("head", (key,)))
            found = self.objects.get(key)
            return None if found is None else found[3]

    def put(self, key: str, path: Path, content_type: str, sha256: str) -> None:
        body = path.read_bytes()
        with self._lock:
            self.requests.append(("put", (key,)))
            self.objects[key] = (body, _etag(body), content_type, sha256)

    def delete(self, keys: Sequence[str]) -> dict[str, str]:
        with self._lock:
            self.requests.append(("delete", tuple(keys)))
            for key in keys:
                if key not in self.refused:
                    self.objects.pop(key, None)
            return {key: "AccessDenied: refused by the test" for key in keys if key in self.refused}
