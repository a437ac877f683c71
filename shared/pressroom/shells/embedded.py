"""The embedded AWS of `pressroom demo` and `pressroom dev`: a moto server in this process, on 127.0.0.1.

moto's DynamoDB and SQS have per-request costs that grow with the whole table or queue (AWS has
none), which make a local publish of a 1,000-post blog take minutes; `moto_without_store_wide_costs`
takes them out (the benchmarks use it too). It changes no result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from typing import Any


def start_moto(port: int = 0) -> tuple[Any, str]:
    """A started ThreadedMotoServer on 127.0.0.1 and its endpoint URL; the environment points boto3 at it."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the story

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    endpoint = f"http://{host}:{bound}"
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "embedded",
            "AWS_SECRET_ACCESS_KEY": "embedded",
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    return server, endpoint


@contextmanager
def moto_without_store_wide_costs() -> Iterator[None]:
    """Take out the per-request costs of moto that grow with the whole table or queue (AWS has none).

    Three patches, each a function below: transactions that back up only their own items
    (`_transactions_back_up_their_items`), queries that read one partition
    (`_queries_read_their_partition`), and a queue that checks a message's age alone
    (`_receive_checks_retention_alone`).

    Results and request counts are unchanged; what stays in moto's time is per-request overhead
    and work proportional to the partition read, as on AWS.
    """
    with ExitStack() as patches:
        patches.enter_context(_transactions_back_up_their_items())
        patches.enter_context(_queries_read_their_partition())
        patches.enter_context(_receive_checks_retention_alone())
        yield


@contextmanager
def _replaced(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    """`owner.name` is `replacement` inside the block, and what it was again after it."""
    real = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, real)


@contextmanager
def _transactions_back_up_their_items() -> Iterator[None]:
    """TransactWriteItems deep-copies the whole table once per *item* of the transaction, as a
    rollback backup: O(items x table) a transaction. Unpatched, the first publish of 100 posts
    took 85 s (80 s in deepcopy) and of 1,000 posts ran out of memory (>10 GB). Here the "copy"
    of a table is the table, and a transaction saves only the items it names, putting them back
    if it fails (a lease check that fails must leave no write).
    """
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.table import Table

    real_copy = dynamodb_models.copy
    backend_class = dynamodb_models.DynamoDBBackend
    real_transact = backend_class.transact_write_items

    class TableKeepingCopy:
        """Stands in for the `copy` module inside moto.dynamodb.models."""

        copy = staticmethod(real_copy.copy)

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else real_copy.deepcopy(value, memo)

    def transact_restoring_its_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
        for entry in transact_items:
            _, operation = next(iter(entry.items()))
            name = operation.get("TableName")
            if name not in backend.tables:
                continue
            table = backend.tables[name]
            source = operation.get("Item") or operation.get("Key") or {}
            key = {a: source[a] for a in (table.hash_key_attr, table.range_key_attr) if a and a in source}
            current = backend.get_item(name, key)
            saved.append((name, key, None if current is None else current.to_json()["Attributes"]))
        try:
            real_transact(backend, transact_items)
        except Exception:
            for name, key, attributes in saved:
                if attributes is None:
                    backend.delete_item(name, key)
                else:
                    backend.put_item(name, attributes)
            raise

    with (
        _replaced(dynamodb_models, "copy", TableKeepingCopy),
        _replaced(backend_class, "transact_write_items", transact_restoring_its_items),
    ):
        yield


_QUERY_PARTITION: ContextVar[Any] = ContextVar("bench_query_partition", default=None)
"""The hash key of the base-table Query moto is running, if any (see _queries_read_their_partition)."""


@contextmanager
def _queries_read_their_partition() -> Iterator[None]:
    """Query sorts every item of the table (all partitions), then keeps one partition: 28 queries
    took 34 s on a 1,000-post site. Here a base-table Query looks at its partition only, and the
    table-wide sort is dropped (Query sorts its results itself; Scan order, which AWS leaves
    undefined, changes).
    """
    from moto.dynamodb.models.table import Table

    real_query = Table.query

    def items_unsorted(table: Any) -> list[Any]:
        if not table.range_key_attr:
            return list(table.items.values())
        partition = _QUERY_PARTITION.get()
        if partition is not None:
            return list(table.items.get(partition, {}).values())
        return [item for items in table.items.values() for item in items.values()]

    def query_one_partition(table: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # Table.query(hash_key, range_comparison, range_objs, limit, exclusive_start_key,
        #             scan_index_forward, projection_expressions, index_name, ...)
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        token = _QUERY_PARTITION.set(hash_key if index_name is None else None)
        try:
            return real_query(table, hash_key, *args, **kwargs)
        finally:
            _QUERY_PARTITION.reset(token)

    with _replaced(Table, "all_items", items_unsorted), _replaced(Table, "query", query_one_partition):
        yield


@contextmanager
def _receive_checks_retention_alone() -> Iterator[None]:
    """SQS's ReceiveMessage checks each message it hands out against the retention period by
    computing *every* attribute of the queue, three of which count all its messages: O(queue) per
    message received. A first push of 1,000 files spent 29 s of a 69 s publish in ReceiveMessage
    (~290 ms a call). Here the check reads the retention period alone.
    """
    import moto.sqs.models as sqs_models
    from moto.core.utils import unix_time

    def retention_checked_alone(backend: Any, queue_name: str, message: Any) -> bool:
        retention = int(backend.get_queue(queue_name).message_retention_period)
        return retention + message.sent_timestamp / 1000 > unix_time()

    with _replaced(sqs_models.SQSBackend, "is_message_valid_based_on_retention_period", retention_checked_alone):
        yield
