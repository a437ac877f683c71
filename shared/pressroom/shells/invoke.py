"""`pressroom invoke`: run the handler once on an event file, as Lambda would, against the configured endpoint.

The events are what Lambda delivers and what `sam local generate-event` prints: an S3
notification, an SQS batch (of S3 notifications, or of a holder's hand-on message), or the
scheduled tick. No container is needed: the handler runs in this process, with a Lambda-like
context whose request id is new on every invocation (the inbox keys a direct S3 event by it).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pressroom.exceptions import UsageError


class EventError(UsageError):
    """The event file is not an event the handler takes."""


def read_event(text: str, name: str) -> dict[str, Any]:
    """The event in `text` (from the file `name`), checked to be one Lambda would deliver to pressroom."""
    try:
        event = json.loads(text)
    except json.JSONDecodeError as error:
        raise EventError(f"{name}: not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(event, dict):
        raise EventError(f"{name}: an event is a JSON object, not {type(event).__name__}")
    records = event.get("Records")
    if records is None:
        if (
            event.get("pressroom") == "tick" or event.get("source") == "aws.events"
        ):  # the template's tick, or EventBridge's
            return event
        raise EventError(f"{name}: neither an S3 notification, an SQS batch nor a scheduled event (no Records)")
    sources = {record.get("eventSource") for record in records if isinstance(record, dict)}
    if not records or len(sources) != 1 or not sources <= {"aws:s3", "aws:sqs"}:
        raise EventError(
            f"{name}: Records must all come from aws:s3 or all from aws:sqs, found {sorted(map(str, sources))}"
        )
    return event


def invoke(event: dict[str, Any], seconds: float) -> Any:
    """The handler's answer to `event`, given `seconds` as Lambda would (the template's timeout)."""
    from pressroom.shells.handler import handler
    from pressroom.shells.worker import LambdaContext

    return handler(event, LambdaContext(seconds, request_id=str(uuid.uuid4())))
