"""`pressroom worker`: Lambda's SQS event source mapping, on this machine.

Receives a batch, calls the real handler, deletes the messages that succeeded and leaves the
failures to come back (SQS redelivers them, and moves them to the DLQ after maxReceiveCount).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

BATCH_SIZE = 10
RETRY_DELAY_SECONDS = 1  # locally, a failed message returns after this instead of the full visibility timeout


@dataclass
class WorkerStats:
    batches: int = 0
    messages: int = 0
    failures: int = 0


def _as_lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
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
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


class _Context:
    """The few attributes of a Lambda context that Powertools reads."""

    function_name = "pressroom-worker"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:pressroom-worker"
    aws_request_id = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


def run_worker(
    sqs: Any, queue_url: str, handler: Callable[[dict[str, Any], Any], Any], until_empty: bool
) -> WorkerStats:
    """Poll until SIGTERM, or with `until_empty` until nothing is visible or in flight."""
    stats = WorkerStats()
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stop) if in_main_thread else None
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        while not stopping:
            answer = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=BATCH_SIZE,
                WaitTimeSeconds=1 if until_empty else 10,
                AttributeNames=["All"],
            )
            messages = answer.get("Messages", [])
            if not messages:
                if until_empty and _drained(sqs, queue_url):
                    break
                continue
            stats.batches += 1
            stats.messages += len(messages)
            try:
                response = handler(_as_lambda_event(messages, queue_arn), _Context()) or {}
                failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
            except Exception:
                failed = {m["MessageId"] for m in messages}
            stats.failures += len(failed)
            done = [m for m in messages if m["MessageId"] not in failed]
            if done:
                sqs.delete_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
            for message in messages:
                if message["MessageId"] in failed:
                    sqs.change_message_visibility(
                        QueueUrl=queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=RETRY_DELAY_SECONDS,
                    )
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    return stats


def _drained(sqs: Any, queue_url: str) -> bool:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return all(int(attributes.get(name, "0")) == 0 for name in names)
