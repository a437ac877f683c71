"""The index table on DynamoDB: the `Table` port over a boto3 client (passed in).

Every read is strongly consistent (the lease holder must see its own writes and its
predecessor's). Transactions a concurrent transaction cancelled, and batch items DynamoDB left
unprocessed, are retried with jittered backoff; a failed condition is `ConditionFailed`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from pressroom.exceptions import TransientError
from pressroom.ports import Condition, ConditionFailed, Item, Page, Write

RETRIES = 8


def _encode(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, int | float):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"cannot store {type(value).__name__} in the index")


def _decode(value: dict[str, Any]) -> Any:
    kind, data = next(iter(value.items()))
    if kind == "S":
        return data
    if kind == "BOOL":
        return bool(data)
    if kind == "B":
        return bytes(data)
    if kind == "N":
        return float(data) if any(mark in data for mark in ".eE") else int(data)
    if kind == "NULL":
        return None
    raise TypeError(f"unexpected attribute type {kind}")


def encode_item(item: Item) -> dict[str, Any]:
    return {name: _encode(value) for name, value in item.items()}


def decode_item(item: dict[str, Any]) -> Item:
    return {name: _decode(value) for name, value in item.items()}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _condition(condition: Condition) -> dict[str, Any]:
    """A Condition as a ConditionExpression with its names and values."""
    parts: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for index, clause in enumerate(condition.clauses):
        if clause[0] == "missing":
            parts.append("attribute_not_exists(pk)")
            continue
        names[f"#a{index}"] = clause[1]
        values[f":v{index}"] = _encode(clause[2])
        operator = "=" if clause[0] == "eq" else "<"
        parts.append(f"#a{index} {operator} :v{index}")
    expression: dict[str, Any] = {"ConditionExpression": " OR ".join(parts)}
    if names:
        expression["ExpressionAttributeNames"] = names
    if values:
        expression["ExpressionAttributeValues"] = values
    return expression


def _pause(attempt: int) -> None:
    time.sleep(min(2.0, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))


class DynamoTable:
    """The Table port on one DynamoDB table (keys `pk` and `sk`, both strings)."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name

    def get(self, pk: str, sk: str) -> Item | None:
        answer = self.client.get_item(TableName=self.name, Key=_key(pk, sk), ConsistentRead=True)
        item = answer.get("Item")
        return decode_item(item) if item else None

    def get_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Item]:
        unique = list(dict.fromkeys(keys))
        found: dict[tuple[str, str], Item] = {}
        for start in range(0, len(unique), 100):
            request: dict[str, Any] = {
                self.name: {"Keys": [_key(pk, sk) for pk, sk in unique[start : start + 100]], "ConsistentRead": True}
            }
            for attempt in range(RETRIES + 1):
                answer = self.client.batch_get_item(RequestItems=request)
                for raw in answer.get("Responses", {}).get(self.name, []):
                    item = decode_item(raw)
                    found[(item["pk"], item["sk"])] = item
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                if attempt == RETRIES:
                    raise TransientError(f"{self.name}: DynamoDB left reads unprocessed; try again")
                _pause(attempt)
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
        values: dict[str, Any] = {":pk": {"S": pk}}
        condition = "pk = :pk"
        if prefix is not None:
            condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = {"S": prefix}
        elif low is not None and high is not None:
            condition += " AND sk BETWEEN :low AND :high"
            values[":low"], values[":high"] = {"S": low}, {"S": high}
        elif low is not None:
            condition += " AND sk >= :low"
            values[":low"] = {"S": low}
        elif high is not None:
            condition += " AND sk <= :high"
            values[":high"] = {"S": high}
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
            "ScanIndexForward": not reverse,
        }
        if limit is not None:
            request["Limit"] = limit
        if count_only:
            request["Select"] = "COUNT"
        elif attributes is not None:
            names = {f"#p{n}": name for n, name in enumerate(["pk", "sk", *attributes])}
            request["ProjectionExpression"] = ", ".join(names)
            request["ExpressionAttributeNames"] = names
        if after is not None:
            request["ExclusiveStartKey"] = _key(pk, after)
        answer = self.client.query(**request)
        items = [decode_item(item) for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return Page(items, int(answer.get("Count", len(items))), last["sk"]["S"] if last else None)

    def transact(self, write: Write) -> None:
        conditions = {(c.pk, c.sk): c for c in write.conditions}
        operations: list[dict[str, Any]] = []
        for item in write.puts:
            operation: dict[str, Any] = {"TableName": self.name, "Item": encode_item(item)}
            if (found := conditions.pop((item["pk"], item["sk"]), None)) is not None:
                operation.update(_condition(found))
            operations.append({"Put": operation})
        for pk, sk in write.deletes:
            operation = {"TableName": self.name, "Key": _key(pk, sk)}
            if (found := conditions.pop((pk, sk), None)) is not None:
                operation.update(_condition(found))
            operations.append({"Delete": operation})
        for condition in conditions.values():
            check = {"TableName": self.name, "Key": _key(condition.pk, condition.sk), **_condition(condition)}
            operations.append({"ConditionCheck": check})
        for attempt in range(RETRIES + 1):
            try:
                # The SDK resends a request whose answer was lost with this same token: DynamoDB
                # then answers success without applying it twice (a condition would fail instead).
                self.client.transact_write_items(TransactItems=operations, ClientRequestToken=uuid.uuid4().hex)
                return
            except self.client.exceptions.TransactionCanceledException as error:
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons:
                    raise ConditionFailed(f"{self.name}: a condition failed ({reasons})") from None
                if attempt == RETRIES:
                    raise TransientError(f"{self.name}: a transaction kept being cancelled ({reasons})") from None
                _pause(attempt)
            except self.client.exceptions.ConditionalCheckFailedException:
                raise ConditionFailed(f"{self.name}: a condition failed") from None

    def update(self, pk: str, sk: str, values: Mapping[str, Any], condition: Condition) -> Item | None:
        expression = _condition(condition)
        names = {f"#u{index}": name for index, name in enumerate(values)}
        encoded = {f":u{index}": _encode(value) for index, value in enumerate(values.values())}
        try:
            answer = self.client.update_item(
                TableName=self.name,
                Key=_key(pk, sk),
                UpdateExpression="SET " + ", ".join(f"#u{index} = :u{index}" for index in range(len(values))),
                ExpressionAttributeNames={**expression.get("ExpressionAttributeNames", {}), **names},
                ExpressionAttributeValues={**expression.get("ExpressionAttributeValues", {}), **encoded},
                ConditionExpression=expression["ConditionExpression"],
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            found = error.response.get("Item")
            raise ConditionFailed(f"{self.name}: a condition failed", decode_item(found) if found else None) from None
        old = answer.get("Attributes")
        return decode_item(old) if old else None

    def write_many(self, puts: Sequence[Item] = (), deletes: Sequence[tuple[str, str]] = ()) -> None:
        requests: list[dict[str, Any]] = [{"PutRequest": {"Item": encode_item(item)}} for item in puts]
        requests += [{"DeleteRequest": {"Key": _key(pk, sk)}} for pk, sk in deletes]
        for start in range(0, len(requests), 25):
            batch: dict[str, Any] = {self.name: requests[start : start + 25]}
            for attempt in range(RETRIES + 1):
                batch = self.client.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}
                if not batch:
                    break
                if attempt == RETRIES:
                    raise TransientError(f"{self.name}: DynamoDB left writes unprocessed; try again")
                _pause(attempt)
