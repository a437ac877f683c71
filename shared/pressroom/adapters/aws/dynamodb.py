"""The index of published pages in one DynamoDB table (`pk`, `sk`).

Item shapes, each answering one question with a single-partition query, never a scan:

| pk | sk | what it holds |
| --- | --- | --- |
| `entry#KEY` | `entry` | a page's Entry (JSON) |
| `list#LIST` | order key of the entry | the Entry on that list: a pager page is one query |
| `order#LIST` | order key of the entry | nothing: a compact copy of the list for counting positions |
| `lists` | `#LIST` | how many entries the list holds |
| `terms#TAXONOMY` | `SLUG\\0SPELLING` | how many entries spell the term this way |
| `sitemap` | site path and source key | last modification, for the sitemap |
| `intro#LIST` | `intro` | an `_index.md` (JSON) |
| `out#KEY` | `out` | hash of the published bytes of an output key |
| `error#KEY` | `error` | why a source file could not be published, and when |
| `claims#PATH` | source key | every live page that wants the path; the smallest key publishes it |

Entries, errors and outputs also carry `gsi1pk`/`gsi1sk` so `status` and `rebuild` can list them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pressroom.core.codec import entry_from_json, entry_to_json, intro_from_json, intro_to_json
from pressroom.core.config import SiteConfig
from pressroom.core.model import Entry, Intro, Term
from pressroom.core.site import lists_of, term_from_spellings
from pressroom.core.urls import TAXONOMIES, urlize

_SEPARATOR = "\x00"


@dataclass(frozen=True)
class PendingInvalidation:
    """An output key written (or about to be) whose CloudFront invalidation is not yet sent."""

    key: str
    owner: str
    at: datetime


@dataclass(frozen=True)
class PageRow:
    """A published page as the sitemap rows record it: enough to name its outputs."""

    source_key: str
    path: str
    aliases: tuple[str, ...]


class ConflictError(Exception):
    """Another worker changed the same page first: re-read and retry (not a content problem)."""


_DATE_SPAN = 10**19
_TRANSACTION_LIMIT = 100


def order_sort_key(entry: Entry) -> str:
    """Entry.order_key as a string whose byte order is the list order (DynamoDB sorts by bytes)."""
    weight = "1" + "0" * 10 if entry.weight is None else f"0{entry.weight + 2**31:010d}"
    micros = int(entry.date.timestamp() * 1_000_000) if entry.date else 0
    return f"{weight}{_DATE_SPAN - micros:020d}{entry.title}{_SEPARATOR}{entry.source_key}"


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


class DynamoIndex:
    """SiteIndex over the DynamoDB table, plus the writes that keep it current.

    Reads are cached for the life of the object (one invocation); `apply` drops the cache.
    """

    def __init__(self, client: Any, table: str, config: SiteConfig) -> None:
        self.client = client
        self.table = table
        self.config = config
        self.forget()

    def forget(self) -> None:
        self._known: dict[str, dict[int, Entry]] = {}
        self._loaded: dict[str, int] = {}
        self._anchors: dict[str, dict[int, str]] = {}
        self._list_cursor: dict[str, dict[str, Any] | None] = {}
        self._sizes: dict[str, int] | None = None
        self._terms: dict[str, dict[str, dict[str, int]]] = {}
        self._entries: dict[str, Entry | None] = {}
        self._revisions: dict[str, int] = {}
        self._placed: dict[str, tuple[str, ...] | None] = {}
        self._wanted_aliases: dict[str, tuple[str, ...]] = {}
        self._sitemap: list[tuple[str, datetime | None]] | None = None
        self._intros: dict[str, Intro | None] = {}

    def _call(self, operation: str, **kwargs: Any) -> Any:
        return getattr(self.client, operation)(TableName=self.table, **kwargs)

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        cursor: dict[str, Any] | None = None
        while True:
            page = self._call("query", **kwargs, **({"ExclusiveStartKey": cursor} if cursor else {}))
            yield from page.get("Items", [])
            cursor = page.get("LastEvaluatedKey")
            if not cursor:
                return

    # -- reads (the SiteIndex port) ------------------------------------------------------
    def entry(self, source_key: str) -> Entry | None:
        if source_key not in self._entries:
            item = self._call(
                "get_item", Key={"pk": _s(f"entry#{source_key}"), "sk": _s("entry")}, ConsistentRead=True
            ).get("Item")
            self._entries[source_key] = entry_from_json(item["data"]["S"]) if item else None
            self._revisions[source_key] = int(item.get("rev", {"N": "1"})["N"]) if item else 0
            placed = item.get("lists") if item else None
            self._placed[source_key] = tuple(json.loads(placed["S"])) if placed else None
            entry = self._entries[source_key]
            wanted = item.get("wanted") if item else None
            self._wanted_aliases[source_key] = (
                tuple(json.loads(wanted["S"])) if wanted else entry.aliases if entry else ()
            )
        return self._entries[source_key]

    def wanted_aliases(self, source_key: str) -> tuple[str, ...]:
        """Every alias the page asked for when last applied, including those another page holds."""
        self.entry(source_key)
        return self._wanted_aliases[source_key]

    def placed_on(self, source_key: str) -> tuple[str, ...] | None:
        """The lists `apply` last placed a page on (they depend on `mainSections` as well as on the page)."""
        self.entry(source_key)
        return self._placed[source_key]

    def marker(self, source_key: str) -> tuple[bool, Entry | None]:
        """The entry as last rendered, when a change to it was applied but not yet fully published.

        `apply` records it in the same transaction as the change, and `clear_markers` removes it
        once every page the change affects is written: a crash in between is replanned from it.
        """
        item = self._call("get_item", Key={"pk": _s("dirty"), "sk": _s(source_key)}, ConsistentRead=True).get("Item")
        if item is None:
            return False, None
        old = item["old"]["S"]
        return True, (entry_from_json(old) if old else None)

    def clear_markers(self, source_keys: Iterable[str]) -> None:
        keys = sorted(set(source_keys))
        self._batch_write([{"DeleteRequest": {"Key": {"pk": _s("dirty"), "sk": _s(key)}}} for key in keys])

    def version(self) -> int:
        """A counter every change to the index increments: renders compare it before and after."""
        item = self._call("get_item", Key={"pk": _s("version"), "sk": _s("site")}, ConsistentRead=True).get("Item")
        return int(item["n"]["N"]) if item else 0

    def around(self, list_id: str, sort_key: str, exclude: str) -> list[Entry]:
        """The entries just before and just after a sort key on a list, leaving out `exclude`."""
        found: list[Entry] = []
        values = {":pk": _s(f"list#{list_id}"), ":key": _s(sort_key)}
        for condition, forward in (("sk < :key", False), ("sk > :key", True)):
            page = self._call(
                "query",
                KeyConditionExpression=f"pk = :pk AND {condition}",
                ExpressionAttributeValues=values,
                ConsistentRead=True,
                ScanIndexForward=forward,
                Limit=2,
            )
            entries = [entry_from_json(item["data"]["S"]) for item in page.get("Items", [])]
            found += [e for e in entries if e.source_key != exclude][:1]
        return found

    def term_spellings(self, list_id: str) -> dict[str, int]:
        taxonomy, _, slug = list_id.partition("/")
        return dict(self._spellings(taxonomy).get(slug, {}))

    def _all_sizes(self) -> dict[str, int]:
        if self._sizes is None:
            self._sizes = {
                item["sk"]["S"][1:]: int(item["count"]["N"])
                for item in self._query(
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": _s("lists")},
                    ConsistentRead=True,
                )
            }
        return self._sizes

    def list_size(self, list_id: str) -> int:
        return self._all_sizes().get(list_id, 0)

    def list_slice(self, list_id: str, start: int, stop: int) -> Sequence[Entry]:
        """Entries `start` to `stop` of a list, in order.

        Near a position that `position` has just located, two short queries around that
        entry's sort key answer (a page's neighbours, the pager page it is on), so the work
        does not grow with the list. Otherwise the list is read from its start, in query pages
        that double in size, and kept for the rest of the invocation.
        """
        stop = min(stop, self.list_size(list_id))
        start = max(start, 0)
        known = self._known.setdefault(list_id, {})
        if all(i in known for i in range(start, stop)):
            return [known[i] for i in range(start, stop)]
        anchor = next((a for a in self._anchors.get(list_id, {}) if start <= a < stop), None)
        if anchor is not None:
            self._fetch_around(list_id, anchor, start, stop)
        else:
            self._fetch_from_start(list_id, stop)
        return [known[i] for i in range(start, stop) if i in known]

    def _fetch_from_start(self, list_id: str, stop: int) -> None:
        known = self._known[list_id]
        loaded = self._loaded.get(list_id, 0)
        while loaded < stop and self._list_cursor.get(list_id, {}) is not None:
            cursor = self._list_cursor.get(list_id)
            page = self._call(
                "query",
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(f"list#{list_id}")},
                ConsistentRead=True,
                Limit=max(stop - loaded, loaded, 2 * self.config.pagerSize),
                **({"ExclusiveStartKey": cursor} if cursor else {}),
            )
            for item in page.get("Items", []):
                known[loaded] = entry_from_json(item["data"]["S"])
                loaded += 1
            self._loaded[list_id] = loaded
            self._list_cursor[list_id] = page.get("LastEvaluatedKey")

    def _fetch_around(self, list_id: str, anchor: int, start: int, stop: int) -> None:
        known = self._known[list_id]
        key = self._anchors[list_id][anchor]
        values = {":pk": _s(f"list#{list_id}"), ":key": _s(key)}
        after = self._call(
            "query",
            KeyConditionExpression="pk = :pk AND sk >= :key",
            ExpressionAttributeValues=values,
            ConsistentRead=True,
            Limit=stop - anchor,
        )
        for offset, item in enumerate(after.get("Items", [])):
            known[anchor + offset] = entry_from_json(item["data"]["S"])
        if start < anchor:
            before = self._call(
                "query",
                KeyConditionExpression="pk = :pk AND sk < :key",
                ExpressionAttributeValues=values,
                ConsistentRead=True,
                ScanIndexForward=False,
                Limit=anchor - start,
            )
            for offset, item in enumerate(before.get("Items", [])):
                known[anchor - 1 - offset] = entry_from_json(item["data"]["S"])

    def position(self, list_id: str, entry: Entry) -> int:
        """How many entries order before `entry`, counted from whichever end of the list is nearer.

        The counts run on `order#LIST`, a copy of the list's keys without their data, so one
        query page covers thousands of entries; the two directions advance in turn and the
        first to finish answers.
        """
        key = order_sort_key(entry)
        size = self.list_size(list_id)
        before = self._counts(list_id, "sk < :key", key, forward=True)
        at_or_after = self._counts(list_id, "sk >= :key", key, forward=False)
        below = above = 0
        while True:
            step = next(before, None)
            if step is None:
                break
            below += step
            step = next(at_or_after, None)
            if step is None:
                below = size - above
                break
            above += step
        self._anchors.setdefault(list_id, {})[below] = key
        return below

    def _counts(self, list_id: str, condition: str, key: str, forward: bool) -> Iterator[int]:
        """Counts of one query page after another; exhausted when the end of the list is reached."""
        cursor: dict[str, Any] | None = None
        while True:
            page = self._call(
                "query",
                KeyConditionExpression=f"pk = :pk AND {condition}",
                ExpressionAttributeValues={":pk": _s(f"order#{list_id}"), ":key": _s(key)},
                Select="COUNT",
                ConsistentRead=True,
                ScanIndexForward=forward,
                **({"ExclusiveStartKey": cursor} if cursor else {}),
            )
            cursor = page.get("LastEvaluatedKey")
            if not cursor:
                yield int(page.get("Count", 0))
                return
            yield int(page.get("Count", 0))

    def _spellings(self, taxonomy: str) -> dict[str, dict[str, int]]:
        if taxonomy not in self._terms:
            by_slug: dict[str, dict[str, int]] = {}
            for item in self._query(
                KeyConditionExpression="pk = :pk",
                ConsistentRead=True,
                ExpressionAttributeValues={":pk": _s(f"terms#{taxonomy}")},
            ):
                slug, _, name = item["sk"]["S"].partition(_SEPARATOR)
                by_slug.setdefault(slug, {})[name] = int(item["count"]["N"])
            self._terms[taxonomy] = by_slug
        return self._terms[taxonomy]

    def terms(self, taxonomy: str) -> Sequence[Term]:
        found = (term_from_spellings(taxonomy, slug, names) for slug, names in self._spellings(taxonomy).items())
        return sorted((term for term in found if term is not None), key=lambda term: term.slug)

    def term(self, list_id: str) -> Term | None:
        taxonomy, _, slug = list_id.partition("/")
        return term_from_spellings(taxonomy, slug, self._spellings(taxonomy).get(slug, {}))

    def intro(self, list_id: str) -> Intro | None:
        if list_id not in self._intros:
            item = self._call("get_item", Key={"pk": _s(f"intro#{list_id}"), "sk": _s("intro")}).get("Item")
            self._intros[list_id] = intro_from_json(item["data"]["S"]) if item else None
        return self._intros[list_id]

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        if self._sitemap is None:
            self._sitemap = []
            for item in self._query(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _s("sitemap")}, ConsistentRead=True
            ):
                lastmod = item.get("lastmod", {}).get("S")
                path = item["sk"]["S"].partition(_SEPARATOR)[0]
                self._sitemap.append((path, datetime.fromisoformat(lastmod) if lastmod else None))
        return self._sitemap

    def pages(self) -> list[PageRow]:
        """Every published page, with what naming its outputs takes (a rebuild plans from these)."""
        rows = []
        for item in self._query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _s("sitemap")}, ConsistentRead=True
        ):
            path, _, source_key = item["sk"]["S"].partition(_SEPARATOR)
            aliases = tuple(json.loads(item["aliases"]["S"])) if "aliases" in item else ()
            rows.append(PageRow(source_key, path, aliases))
        return rows

    def sections(self) -> Sequence[str]:
        return sorted(
            list_id for list_id, size in self._all_sizes().items() if list_id and "/" not in list_id and size > 0
        )

    # -- writes ----------------------------------------------------------------------------
    def apply(self, source_key: str, old: Entry | None, new: Entry | None, wanted_aliases: Sequence[str] = ()) -> None:
        """Replace one page's entry (None: unpublished) everywhere the index records it.

        `new.aliases` are the aliases it publishes; `wanted_aliases` all it asked for (see `claim`).

        `old` must be what `entry` just read: the write is conditional on its revision, so two
        workers changing one page cannot interleave (ConflictError: read again and retry). The
        same transaction records the marker (see `marker`) and increments the site version.
        """
        revision = self._revisions.get(source_key, 0)
        entry_key = {"pk": _s(f"entry#{source_key}"), "sk": _s("entry")}
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if revision == 0
            else {"ConditionExpression": "rev = :rev", "ExpressionAttributeValues": {":rev": _n(revision)}}
        )
        # The lists `old` is on are the ones it was placed on, whatever the configuration is now.
        placed = self._placed.get(source_key) if old is not None else None
        old_lists = set(placed if placed is not None else lists_of(old, self.config) if old else ())
        new_lists = set(lists_of(new, self.config)) if new else set()
        operations: list[dict[str, Any]] = []
        if new is not None:
            item = {**entry_key, "data": _s(entry_to_json(new)), "rev": _n(revision + 1),
                    "lists": _s(json.dumps(sorted(new_lists))),
                    "wanted": _s(json.dumps(sorted(set(wanted_aliases) | set(new.aliases)))),
                    "gsi1pk": _s("entries"), "gsi1sk": _s(source_key)}  # fmt: skip
            operations.append({"Put": {"TableName": self.table, "Item": item, **condition}})
        elif old is not None:
            operations.append({"Delete": {"TableName": self.table, "Key": entry_key, **condition}})
        else:
            operations.append({"ConditionCheck": {"TableName": self.table, "Key": entry_key, **condition}})
        operations.append(
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": _s("dirty"), "sk": _s(source_key)},
                    "UpdateExpression": "SET #old = if_not_exists(#old, :old)",
                    "ExpressionAttributeNames": {"#old": "old"},
                    "ExpressionAttributeValues": {":old": _s(entry_to_json(old) if old else "")},
                }
            }
        )
        operations.append(self._add("version", "site", 1, attribute="n"))
        for list_id in sorted(old_lists | new_lists):
            old_sk = order_sort_key(old) if old and list_id in old_lists else None
            new_sk = order_sort_key(new) if new and list_id in new_lists else None
            if old_sk is not None and old_sk != new_sk:
                operations.append(
                    {"Delete": {"TableName": self.table, "Key": {"pk": _s(f"order#{list_id}"), "sk": _s(old_sk)}}}
                )
                operations.append(
                    {"Delete": {"TableName": self.table, "Key": {"pk": _s(f"list#{list_id}"), "sk": _s(old_sk)}}}
                )
            if new_sk is not None and new is not None:
                item = {"pk": _s(f"list#{list_id}"), "sk": _s(new_sk), "data": _s(entry_to_json(new))}
                operations.append({"Put": {"TableName": self.table, "Item": item}})
                if new_sk != old_sk:
                    order = {"pk": _s(f"order#{list_id}"), "sk": _s(new_sk)}
                    operations.append({"Put": {"TableName": self.table, "Item": order}})
            delta = (list_id in new_lists) - (list_id in old_lists)
            if delta:
                # `#` first: the home list's id is "", and a key may not be empty.
                operations.append(self._add("lists", f"#{list_id}", delta))
        for taxonomy in TAXONOMIES:
            before = {name: 1 for name in (old.term_spellings(taxonomy).values() if old else ())}
            after = {name: 1 for name in (new.term_spellings(taxonomy).values() if new else ())}
            for name in sorted(set(before) | set(after)):
                delta = after.get(name, 0) - before.get(name, 0)
                if delta:
                    operations.append(self._add(f"terms#{taxonomy}", f"{urlize(name)}{_SEPARATOR}{name}", delta))
        if old is not None and (new is None or old.path != new.path):
            row = _s(f"{old.path}{_SEPARATOR}{source_key}")
            operations.append({"Delete": {"TableName": self.table, "Key": {"pk": _s("sitemap"), "sk": row}}})
        if new is not None:
            item = {"pk": _s("sitemap"), "sk": _s(f"{new.path}{_SEPARATOR}{source_key}")}
            if new.aliases:
                item["aliases"] = _s(json.dumps(list(new.aliases)))
            if new.last_modified:
                item["lastmod"] = _s(new.last_modified.isoformat())
            operations.append({"Put": {"TableName": self.table, "Item": item}})
        for start in range(0, len(operations), _TRANSACTION_LIMIT):
            self._call_transact(operations[start : start + _TRANSACTION_LIMIT])
        self.forget()

    def _add(self, pk: str, sk: str, delta: int, attribute: str = "count") -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": _s(pk), "sk": _s(sk)},
                "UpdateExpression": "ADD #count :delta",
                "ExpressionAttributeNames": {"#count": attribute},
                "ExpressionAttributeValues": {":delta": _n(delta)},
            }
        }

    def _call_transact(self, operations: list[dict[str, Any]]) -> None:
        try:
            self.client.transact_write_items(TransactItems=operations)
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                raise ConflictError("the page changed under this worker; read it again") from None
            raise

    def put_intro(self, list_id: str, intro: Intro | None) -> None:
        key = {"pk": _s(f"intro#{list_id}"), "sk": _s("intro")}
        if intro is None:
            self._call("delete_item", Key=key)
        else:
            self._call("put_item", Item={**key, "data": _s(intro_to_json(intro))})

    # -- published output hashes -------------------------------------------------------------
    def output_hashes(self, keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [{"pk": _s(f"out#{k}"), "sk": _s("out")} for k in wanted[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    found[item["pk"]["S"][len("out#") :]] = item["hash"]["S"]
                request = answer.get("UnprocessedKeys") or {}
        return found

    def record_outputs(self, written: Mapping[str, str], deleted: Iterable[str]) -> None:
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": _s(f"out#{k}"),
                        "sk": _s("out"),
                        "hash": _s(h),
                        "gsi1pk": _s("outputs"),
                        "gsi1sk": _s(k),
                    }
                }
            }
            for k, h in sorted(written.items())
        ] + [{"DeleteRequest": {"Key": {"pk": _s(f"out#{k}"), "sk": _s("out")}}} for k in sorted(set(deleted))]
        self._batch_write(requests)

    # -- invalidations not yet sent (a crash between a write and its invalidation) ------------
    def add_pending_invalidations(self, keys: Iterable[str], owner: str, now: datetime) -> None:
        at = _s(now.astimezone(UTC).isoformat())
        self._batch_write(
            [{"PutRequest": {"Item": {"pk": _s("pending"), "sk": _s(f"{key}{_SEPARATOR}{owner}"), "at": at}}}
             for key in sorted(set(keys))]
        )  # fmt: skip

    def pending_invalidations(self) -> list[PendingInvalidation]:
        items = self._query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _s("pending")}, ConsistentRead=True
        )
        found = []
        for item in items:
            key, _, owner = item["sk"]["S"].partition(_SEPARATOR)
            found.append(PendingInvalidation(key, owner, datetime.fromisoformat(item["at"]["S"])))
        return found

    def clear_pending_invalidations(self, pending: Iterable[PendingInvalidation]) -> None:
        keys = sorted({f"{p.key}{_SEPARATOR}{p.owner}" for p in pending})
        self._batch_write([{"DeleteRequest": {"Key": {"pk": _s("pending"), "sk": _s(k)}}} for k in keys])

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), 25):
            batch: dict[str, Any] = {self.table: requests[start : start + 25]}
            while batch:
                batch = self.client.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}

    # -- the schedule: pages whose state changes with the clock (SPEC 3.4) ----------------------
    def schedule(self, source_key: str, moment: datetime) -> None:
        instant = moment.astimezone(UTC).isoformat()
        self._call("put_item", Item={"pk": _s("schedule"), "sk": _s(f"{instant}{_SEPARATOR}{source_key}")})

    def due(self, now: datetime) -> list[str]:
        """Source keys scheduled at or before `now`; their schedule items are consumed."""
        limit = now.astimezone(UTC).isoformat() + _SEPARATOR + "\U0010ffff"
        items = list(
            self._query(
                KeyConditionExpression="pk = :pk AND sk <= :now",
                ConsistentRead=True,
                ExpressionAttributeValues={":pk": _s("schedule"), ":now": _s(limit)},
            )
        )
        self._batch_write([{"DeleteRequest": {"Key": {"pk": item["pk"], "sk": item["sk"]}}} for item in items])
        return sorted({item["sk"]["S"].partition(_SEPARATOR)[2] for item in items})

    # -- URL claims: every live page that wants a path, so the smallest key can win ---------
    # `claims#PATH` holds the pages whose own path it is, `aliases#PATH` those naming it as an
    # alias: a page beats every alias, as in the full build.
    def claim(self, path: str, source_key: str, kind: str = "claims") -> None:
        self._call("put_item", Item={"pk": _s(f"{kind}#{path}"), "sk": _s(source_key)})

    def unclaim(self, path: str, source_key: str, kind: str = "claims") -> None:
        self._call("delete_item", Key={"pk": _s(f"{kind}#{path}"), "sk": _s(source_key)})

    def claimants(self, path: str, kind: str = "claims") -> list[str]:
        """Source keys claiming a path (`kind`: as their page, or as an alias), smallest first."""
        items = self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _s(f"{kind}#{path}")},
            ConsistentRead=True,
        )
        return [item["sk"]["S"] for item in items]

    # -- a whole-site rebuild in chunks: which run is current, and how many index chunks are left ----
    def start_rebuild(self, run: str, chunks: int) -> None:
        """Make `run` the current rebuild; chunks of an earlier one find it replaced and stop."""
        item = {"pk": _s("rebuild"), "sk": _s("run"), "run": _s(run), "remaining": _n(chunks)}
        self._call("put_item", Item=item)

    def rebuild_run(self) -> str | None:
        item = self._call("get_item", Key={"pk": _s("rebuild"), "sk": _s("run")}, ConsistentRead=True).get("Item")
        return item["run"]["S"] if item else None

    def finish_rebuild_chunk(self, run: str, chunk: int) -> int | None:
        """Count one index chunk of `run` as done, once however often it is delivered.

        Returns how many chunks remain, or None when another run has replaced this one.
        """
        key = {"pk": _s("rebuild"), "sk": _s("run")}
        try:
            answer = self._call(
                "update_item",
                Key=key,
                UpdateExpression="ADD done :chunk SET remaining = remaining - :one",
                ConditionExpression="run = :run AND NOT contains(done, :number)",
                ExpressionAttributeValues={
                    ":chunk": {"NS": [str(chunk)]},
                    ":number": _n(chunk),
                    ":one": _n(1),
                    ":run": _s(run),
                },
                ReturnValues="UPDATED_NEW",
            )
            return int(answer["Attributes"]["remaining"]["N"])
        except self.client.exceptions.ConditionalCheckFailedException:
            # Delivered again, perhaps after a crash that kept the next step from being sent.
            item = self._call("get_item", Key=key, ConsistentRead=True).get("Item")
            if item is None or item["run"]["S"] != run:
                return None
            return int(item["remaining"]["N"])

    # -- failures, for `pressroom status` ------------------------------------------------------
    def record_error(self, source_key: str, problem: str, when: datetime) -> None:
        item = {
            "pk": _s(f"error#{source_key}"),
            "sk": _s("error"),
            "problem": _s(problem),
            "when": _s(when.astimezone(UTC).isoformat()),
            "gsi1pk": _s("errors"),
            "gsi1sk": _s(source_key),
        }
        self._call("put_item", Item=item)

    def clear_error(self, source_key: str) -> None:
        self._call("delete_item", Key={"pk": _s(f"error#{source_key}"), "sk": _s("error")})

    def errors(self) -> list[tuple[str, str, str]]:
        return [
            (item["gsi1sk"]["S"], item["problem"]["S"], item["when"]["S"])
            for item in self._query(
                IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk", ExpressionAttributeValues={":pk": _s("errors")}
            )
        ]

    def published_keys(self, kind: str = "entries") -> list[str]:
        """Source keys of every published page (`entries`) or every published output (`outputs`)."""
        return [
            item["gsi1sk"]["S"]
            for item in self._query(
                IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk", ExpressionAttributeValues={":pk": _s(kind)}
            )
        ]
