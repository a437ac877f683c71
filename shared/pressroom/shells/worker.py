"""`pressroom worker`: Lambda's SQS event source mapping, on this machine.

It gathers a batch (up to `batch_size` messages within a short window, as the mapping's
`MaximumBatchingWindowInSeconds` does), calls the real handler with a Lambda-like context,
deletes the messages that succeeded and lets the failures come back (SQS redelivers them, and
moves them to the DLQ after maxReceiveCount). Like the mapping, it survives:
- a batch that outlives the visibility timeout: a heartbeat extends its messages' visibility;
- receipt handles that expired anyway (ReceiptHandleIsInvalid): the message is simply left;
- SIGTERM mid-batch: the batch finishes, then the worker stops.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import FrameType
from typing import Any

RECEIVE_LIMIT = 10
"""SQS hands out at most 10 messages per ReceiveMessage."""
RETRY_DELAY_SECONDS = 1
"""Locally, a failed message returns after this instead of the full visibility timeout."""
FUNCTION_SECONDS = int(os.environ.get("PRESSROOM_FUNCTION_SECONDS", "60"))
"""What the handler is told it has: the template's function timeout."""


@dataclass
class WorkerStats:
    batches: int = 0
    messages: int = 0
    failures: int = 0
    """Messages that failed at least once."""
    failed_last: int = 0
    """Messages of the last batch that failed (a worker that ends on failures exits non-zero)."""
    succeeded: int = 0
    """Messages handled and deleted."""


def _as_lambda_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class LambdaContext:
    """The few attributes of a Lambda context that Powertools and the handler read."""

    function_name = "pressroom-worker"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:pressroom-worker"

    def __init__(self, seconds: float, request_id: str = "local") -> None:
        self._deadline = time.monotonic() + seconds
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _ignore_stale(action: Callable[[], Any], client: Any) -> None:
    """A receipt handle that expired (the message is visible again, or gone): nothing to do."""
    try:
        action()
    except client.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code not in {"ReceiptHandleIsInvalid", "InvalidParameterValue", "AWS.SimpleQueueService.NonExistentQueue"}:
            raise


class _Heartbeat:
    """Extends a batch's visibility while the handler runs, as the event source mapping does."""

    def __init__(self, sqs: Any, queue_url: str, messages: list[dict[str, Any]], timeout: int) -> None:
        self.sqs, self.queue_url, self.messages, self.timeout = sqs, queue_url, messages, max(timeout, 2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="visibility-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.timeout / 2):
            entries = [
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": self.timeout}
                for n, m in enumerate(self.messages)
            ]
            for start in range(0, len(entries), 10):
                batch = entries[start : start + 10]
                _ignore_stale(
                    partial(self.sqs.change_message_visibility_batch, QueueUrl=self.queue_url, Entries=batch), self.sqs
                )


def run_worker(
    sqs: Any,
    queue_url: str,
    handler: Callable[[dict[str, Any], Any], Any],
    until_empty: bool,
    batch_size: int = 50,
    window_seconds: float = 1.0,
    stop: threading.Event | None = None,
    wait_seconds: int = 10,
    after_batch: Callable[[WorkerStats], None] | None = None,
) -> WorkerStats:
    """Poll until SIGTERM (or `stop` is set), or with `until_empty` until nothing is visible or in flight.

    `wait_seconds` is the long poll of each receive (it bounds how long a stop takes);
    `after_batch` is called after each batch is handled and acknowledged.
    """
    stats = WorkerStats()
    stopping = stop if stop is not None else threading.Event()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main_thread else None
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"])
    queue_arn = attributes["Attributes"]["QueueArn"]
    visibility = int(attributes["Attributes"].get("VisibilityTimeout", 30))
    region = queue_arn.split(":")[3] if queue_arn.count(":") >= 5 else "us-east-1"
    try:
        while not stopping.is_set():
            messages = _gather(sqs, queue_url, batch_size, window_seconds, 1 if until_empty else wait_seconds, stopping)
            if not messages:
                if until_empty and _drained(sqs, queue_url):
                    break
                continue
            stats.batches += 1
            stats.messages += len(messages)
            with _Heartbeat(sqs, queue_url, messages, visibility):
                try:
                    response = (
                        handler(_as_lambda_event(messages, queue_arn, region), LambdaContext(FUNCTION_SECONDS)) or {}
                    )
                    failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
                except Exception:
                    failed = {m["MessageId"] for m in messages}
            stats.failures += len(failed)
            stats.failed_last = len(failed)
            done = [m for m in messages if m["MessageId"] not in failed]
            stats.succeeded += len(done)
            for start in range(0, len(done), 10):
                entries = [
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done[start : start + 10])
                ]
                _ignore_stale(partial(sqs.delete_message_batch, QueueUrl=queue_url, Entries=entries), sqs)
            for message in messages:
                if message["MessageId"] in failed:
                    retry = partial(
                        sqs.change_message_visibility,
                        QueueUrl=queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=RETRY_DELAY_SECONDS,
                    )
                    _ignore_stale(retry, sqs)
            if after_batch is not None:
                after_batch(stats)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return stats


def _gather(
    sqs: Any, queue_url: str, batch_size: int, window: float, wait: int, stopping: threading.Event
) -> list[dict[str, Any]]:
    """Up to `batch_size` messages: the first receive waits for one, then the window fills the batch."""
    messages: list[dict[str, Any]] = []
    started = None
    while len(messages) < batch_size and not stopping.is_set():
        answer = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(RECEIVE_LIMIT, batch_size - len(messages)),
            WaitTimeSeconds=wait if not messages else 0,
            AttributeNames=["All"],
        )
        received = answer.get("Messages", [])
        if not received:
            break
        messages += received
        started = started or time.monotonic()
        if time.monotonic() - started >= window:
            break
    return messages


def _drained(sqs: Any, queue_url: str) -> bool:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return all(int(attributes.get(name, "0")) == 0 for name in names)
