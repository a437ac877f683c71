"""The SQS adapter of the Queue port; it takes its boto3 client as a parameter."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pressroom.exceptions import TransientError


class SqsQueue:
    """The queue the publisher consumes: it hands work on through it, to itself."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[Mapping[str, Any]], delay_seconds: int = 0) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {
                    "Id": str(n),
                    "MessageBody": json.dumps(message, separators=(",", ":")),
                    **({"DelaySeconds": delay_seconds} if delay_seconds else {}),
                }
                for n, message in enumerate(messages[start : start + 10])
            ]
            answer = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if answer.get("Failed"):
                raise TransientError(f"the queue refused {len(answer['Failed'])} messages")
