"""Lambda entry point: S3 notifications (through SQS, or direct) in, published pages out.

Thin on purpose: it turns the event into source keys, hands them to the Publisher, and lets
real failures propagate so SQS retries them (partial batch responses).
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pressroom.engine.publisher import PublishResult, is_rebuild_message
from pressroom.shells.runtime import Resources, client, publisher, queue_url_of

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "pressroom"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "pressroom"))
_clients: dict[str, Any] = {}
_queue_urls: dict[str, str] = {}
REBUILD_STEP_MILLIS = 30_000
"""Time kept in hand to run one rebuild chunk (it takes a few seconds)."""


def keys_of(notification: dict[str, Any]) -> list[str]:
    """Source keys of an S3 notification, URL-decoded; an `s3:TestEvent` has none."""
    if notification.get("Event") == "s3:TestEvent":
        return []
    records = notification.get("Records") or []
    return [unquote_plus(record.s3.get_object.key) for record in S3Event({"Records": records}).records]


def _report(result: Any) -> None:
    for error in result.errors:
        logger.warning("content error", extra={"key": error.source_key, "problem": error.problem})
    metrics.add_metric(name="PagesWritten", unit=MetricUnit.Count, value=len(result.written))
    metrics.add_metric(name="PagesDeleted", unit=MetricUnit.Count, value=len(result.deleted))
    metrics.add_metric(name="PathsInvalidated", unit=MetricUnit.Count, value=len(result.invalidated))
    metrics.add_metric(name="ContentErrors", unit=MetricUnit.Count, value=len(result.errors))
    logger.info(
        "published",
        extra={
            "keys": result.published,
            "written": len(result.written),
            "deleted": len(result.deleted),
            "invalidated": result.invalidated,
            "errors": [str(error) for error in result.errors],
        },
    )


def _fan_out_queue(resources: Resources, records: list[dict[str, Any]]) -> str:
    """Where a rebuild sends its chunks: QUEUE_URL, else the queue this batch came from, else nowhere."""
    if resources.queue_url:
        return resources.queue_url
    arn = records[0].get("eventSourceARN", "") if records else ""
    if arn.startswith("arn:aws:sqs:"):
        if arn not in _queue_urls:
            if "sqs" not in _clients:
                _clients["sqs"] = client("sqs")
            _queue_urls[arn] = queue_url_of(arn, _clients["sqs"])
        return _queue_urls[arn]
    return ""


def _bucket_named_in(records: list[dict[str, Any]]) -> str | None:
    """The source bucket an S3 notification names, directly or inside an SQS message body."""
    for record in records:
        if record.get("eventSource") == "aws:s3":
            name: str = record["s3"]["bucket"]["name"]
            return name
        try:
            inner = json.loads(record.get("body") or "{}").get("Records") or []
        except (ValueError, AttributeError):
            continue
        if found := _bucket_named_in(inner):
            return found
    return None


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    resources = Resources.from_env()
    if not os.environ.get("SOURCE_BUCKET") and (named := _bucket_named_in(records)):
        resources = replace(resources, source_bucket=named)  # SPEC 4.2: else from the event
    runner = publisher(resources, datetime.now(UTC), _clients, fan_out_to=_fan_out_queue(resources, records))
    response: Any = {}
    if event.get("pressroom") == "tick" or event.get("source") in {"aws.events", "aws.scheduler"}:
        result = runner.publish(runner.due_keys())
    elif records and records[0].get("eventSource") == "aws:s3":
        result = runner.publish(keys_of(event))
    else:
        result = PublishResult()

        def record_handler(record: SQSRecord) -> None:
            body = json.loads(record.body)
            if is_rebuild_message(body):
                # A batch may hold many chunks: those this invocation has no time left for go
                # back to the queue as new messages (not failures, which would count to the DLQ).
                if context is not None and context.get_remaining_time_in_millis() < REBUILD_STEP_MILLIS:
                    runner.defer(body)
                else:
                    result.merge(runner.rebuild_step(body))
            elif keys := keys_of(body):
                result.merge(runner.publish(keys))

        processor = BatchProcessor(event_type=EventType.SQS)
        response = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    # One invalidation per invocation, covering every write above and any a crash left pending.
    runner.send_invalidations(result)
    _report(result)
    return response
