"""The index of published pages in one DynamoDB table (`pk`, `sk`).

Item shapes, each answering one question with a single-partition query, never a scan:

| pk | sk | what it holds |
| --- | --- | --- |
| `entry#KEY` | `entry` | a page's Entry (JSON) |
| `list#LIST` | order key of the entry | the Entry on that list: a pager page is one query |
| `lists` | `#LIST` | how many entries the list holds |
| `terms#TAXONOMY` | `SLUG\\0SPELLING` | how many entries spell the term this way |
| `sitemap` | site path | last modification, for the sitemap |
| `intro#LIST` | `intro` | an `_index.md` (JSON) |
| `out#KEY` | `out` | hash of the published bytes of an output key |
| `error#KEY` | `error` | why a source file could not be published, and when |

Entries, errors and outputs also carry `gsi1pk`/`gsi1sk` so `status` and `rebuild` can list them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pressroom.codec import entry_from_json, entry_to_json, intro_from_json, intro_to_json
from pressroom.config import SiteConfig
from pressroom.model import Entry, Intro, Term
from pressroom.site import lists_of, term_from_spellings
from pressroom.urls import TAXONOMIES, urlize

_SEPARATOR = "\x00"
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
        self.requests: dict[str, int] = {}
        self._forget()

    def _forget(self) -> None:
        self._lists: dict[str, list[Entry]] = {}
        self._list_cursor: dict[str, dict[str, Any] | None] = {}
        self._sizes: dict[str, int] | None = None
        self._terms: dict[str, dict[str, dict[str, int]]] = {}
        self._entries: dict[str, Entry | None] = {}

    def _call(self, operation: str, **kwargs: Any) -> Any:
        self.requests[operation] = self.requests.get(operation, 0) + 1
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
        return self._entries[source_key]

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
        loaded = self._lists.setdefault(list_id, [])
        while len(loaded) < stop and self._list_cursor.get(list_id, {}) is not None:
            cursor = self._list_cursor.get(list_id)
            page = self._call(
                "query",
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": _s(f"list#{list_id}")},
                ConsistentRead=True,
                Limit=max(stop - len(loaded), self.config.pagerSize),
                **({"ExclusiveStartKey": cursor} if cursor else {}),
            )
            loaded.extend(entry_from_json(item["data"]["S"]) for item in page.get("Items", []))
            self._list_cursor[list_id] = page.get("LastEvaluatedKey")
        return loaded[max(start, 0) : max(stop, 0)]

    def position(self, list_id: str, entry: Entry) -> int:
        count = 0
        for page in self._count_pages(list_id, order_sort_key(entry)):
            count += page
        return count

    def _count_pages(self, list_id: str, below: str) -> Iterator[int]:
        cursor: dict[str, Any] | None = None
        while True:
            page = self._call(
                "query",
                KeyConditionExpression="pk = :pk AND sk < :below",
                ExpressionAttributeValues={":pk": _s(f"list#{list_id}"), ":below": _s(below)},
                Select="COUNT",
                ConsistentRead=True,
                **({"ExclusiveStartKey": cursor} if cursor else {}),
            )
            yield int(page.get("Count", 0))
            cursor = page.get("LastEvaluatedKey")
            if not cursor:
                return

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
        item = self._call("get_item", Key={"pk": _s(f"intro#{list_id}"), "sk": _s("intro")}).get("Item")
        return intro_from_json(item["data"]["S"]) if item else None

    def sitemap_pages(self) -> Sequence[tuple[str, datetime | None]]:
        pages = []
        for item in self._query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _s("sitemap")}, ConsistentRead=True
        ):
            lastmod = item.get("lastmod", {}).get("S")
            pages.append((item["sk"]["S"], datetime.fromisoformat(lastmod) if lastmod else None))
        return pages

    def sections(self) -> Sequence[str]:
        return sorted(
            list_id for list_id, size in self._all_sizes().items() if list_id and "/" not in list_id and size > 0
        )

    # -- writes ----------------------------------------------------------------------------
    def apply(self, old: Entry | None, new: Entry | None) -> None:
        """Replace one page's entry (None: unpublished) everywhere the index records it."""
        if old is None and new is None:
            return
        operations: list[dict[str, Any]] = []
        source_key = new.source_key if new is not None else old.source_key  # type: ignore[union-attr]
        entry_key = {"pk": _s(f"entry#{source_key}"), "sk": _s("entry")}
        if new is not None:
            item = {**entry_key, "data": _s(entry_to_json(new)), "gsi1pk": _s("entries"), "gsi1sk": _s(new.source_key)}
            operations.append({"Put": {"TableName": self.table, "Item": item}})
        elif old is not None:
            operations.append({"Delete": {"TableName": self.table, "Key": entry_key}})
        old_lists = set(lists_of(old, self.config)) if old else set()
        new_lists = set(lists_of(new, self.config)) if new else set()
        for list_id in sorted(old_lists | new_lists):
            old_sk = order_sort_key(old) if old and list_id in old_lists else None
            new_sk = order_sort_key(new) if new and list_id in new_lists else None
            if old_sk is not None and old_sk != new_sk:
                operations.append(
                    {"Delete": {"TableName": self.table, "Key": {"pk": _s(f"list#{list_id}"), "sk": _s(old_sk)}}}
                )
            if new_sk is not None and new is not None:
                item = {"pk": _s(f"list#{list_id}"), "sk": _s(new_sk), "data": _s(entry_to_json(new))}
                operations.append({"Put": {"TableName": self.table, "Item": item}})
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
            operations.append({"Delete": {"TableName": self.table, "Key": {"pk": _s("sitemap"), "sk": _s(old.path)}}})
        if new is not None:
            item = {"pk": _s("sitemap"), "sk": _s(new.path)}
            if new.last_modified:
                item["lastmod"] = _s(new.last_modified.isoformat())
            operations.append({"Put": {"TableName": self.table, "Item": item}})
        for start in range(0, len(operations), _TRANSACTION_LIMIT):
            self._call_transact(operations[start : start + _TRANSACTION_LIMIT])
        self._forget()

    def _add(self, pk: str, sk: str, delta: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": {"pk": _s(pk), "sk": _s(sk)},
                "UpdateExpression": "ADD #count :delta",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":delta": _n(delta)},
            }
        }

    def _call_transact(self, operations: list[dict[str, Any]]) -> None:
        self.requests["transact_write_items"] = self.requests.get("transact_write_items", 0) + 1
        self.client.transact_write_items(TransactItems=operations)

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
                self.requests["batch_get_item"] = self.requests.get("batch_get_item", 0) + 1
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
    def add_pending_invalidations(self, keys: Iterable[str]) -> None:
        self._batch_write([{"PutRequest": {"Item": {"pk": _s("pending"), "sk": _s(key)}}} for key in sorted(set(keys))])

    def pending_invalidations(self) -> list[str]:
        items = self._query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": _s("pending")}, ConsistentRead=True
        )
        return [item["sk"]["S"] for item in items]

    def clear_pending_invalidations(self, keys: Iterable[str]) -> None:
        self._batch_write(
            [{"DeleteRequest": {"Key": {"pk": _s("pending"), "sk": _s(key)}}} for key in sorted(set(keys))]
        )

    def _batch_write(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), 25):
            batch: dict[str, Any] = {self.table: requests[start : start + 25]}
            while batch:
                self.requests["batch_write_item"] = self.requests.get("batch_write_item", 0) + 1
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
