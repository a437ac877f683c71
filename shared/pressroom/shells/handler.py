"""Lambda entry point: S3 notifications (through SQS, or direct) and the hourly tick in, pages out.

Thin on purpose: it turns the event into (event id, source key) pairs, records them in the
inbox and runs the publisher until its deadline. Real failures propagate: every record of the
batch is then reported failed, so SQS delivers it again (and, after maxReceiveCount, to the DLQ).
Content problems are not failures: they are recorded for `pressroom status` and logged.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pressroom.engine.control import LeaseLost
from pressroom.engine.publisher import Publisher, RunResult
from pressroom.exceptions import ConfigError
from pressroom.shells.runtime import Resources, client, engine_settings, ports, queue_url_of

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "pressroom"))
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "pressroom"))
_clients: dict[str, Any] = {}
"""boto3 clients, kept between warm invocations."""
_queue_urls: dict[str, str] = {}


def content_now() -> datetime:
    """The clock that decides scheduled and expired posts (tests pin it)."""
    return datetime.now(UTC)


def keys_of(notification: dict[str, Any]) -> list[str]:
    """Source keys of an S3 notification, URL-decoded; an `s3:TestEvent` has none."""
    if notification.get("Event") == "s3:TestEvent":
        return []
    records = notification.get("Records") or []
    return [unquote_plus(record.s3.get_object.key) for record in S3Event({"Records": records}).records]


def _queue_url(resources: Resources, records: list[dict[str, Any]]) -> str:
    """Where the publisher hands work on: QUEUE_URL, else the queue this batch came from, else nowhere."""
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


def _hops_of(record: dict[str, Any]) -> int:
    """How long the chain of self-sent messages that led to an SQS record is (0: any other record)."""
    try:
        body = json.loads(record.get("body") or "{}")
        return int(body.get("hops", 0)) if isinstance(body, dict) and body.get("pressroom") else 0
    except (ValueError, TypeError):
        return 0


def _report(result: RunResult) -> None:
    for error in result.errors:
        kind = "configuration error" if isinstance(error, ConfigError) else "content error"
        logger.warning(kind, extra={"key": error.source_key, "problem": error.problem})
    metrics.add_metric(name="PagesWritten", unit=MetricUnit.Count, value=len(result.written))
    metrics.add_metric(name="PagesDeleted", unit=MetricUnit.Count, value=len(result.deleted))
    metrics.add_metric(name="PathsInvalidated", unit=MetricUnit.Count, value=len(result.invalidated))
    metrics.add_metric(name="ContentErrors", unit=MetricUnit.Count, value=len(result.errors))
    configuration = [error for error in result.errors if isinstance(error, ConfigError)]
    metrics.add_metric(name="ConfigErrors", unit=MetricUnit.Count, value=len(configuration))
    logger.info(
        "published",
        extra={
            "held": result.held,
            "rounds": result.rounds,
            "keys": result.published[:50],
            "written": len(result.written),
            "deleted": len(result.deleted),
            "invalidated": result.invalidated,
            "handed_off": result.handed_off,
        },
    )


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    resources = Resources.from_env()
    if not os.environ.get("SOURCE_BUCKET") and (named := _bucket_named_in(records)):
        resources = replace(resources, source_bucket=named)  # SPEC 4.2: else from the event
    hops = max((_hops_of(record) for record in records), default=0)
    here = ports(resources, _clients, _queue_url(resources, records))
    publisher = Publisher(here, content_now(), hops=hops, engine_settings=engine_settings())
    deadline = None
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        deadline = time.time() + context.get_remaining_time_in_millis() / 1000
    changes: list[tuple[str, str]] = []
    asking: list[str] = []
    response: Any = {}
    if records and records[0].get("eventSource") == "aws:s3":
        event_id = str(getattr(context, "aws_request_id", "") or time.time())
        changes = [(f"{event_id}:{n}", key) for n, key in enumerate(keys_of(event))]
    elif records:

        def record_handler(record: SQSRecord) -> None:
            body = json.loads(record.body)
            if body.get("pressroom"):
                asking.append(record.message_id)  # a holder handing its work on: running is all it asks
                return
            keys = keys_of(body)
            if keys:
                asking.append(record.message_id)
            changes.extend((f"{record.message_id}:{n}", key) for n, key in enumerate(keys))

        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        with processor(records, record_handler):
            processor.process()
        response = processor.response()
    try:
        publisher.accept(changes)
        result = publisher.run(deadline)
    except LeaseLost:
        # What this invocation recorded is in the inbox, and the invocation that took the lease
        # publishes it: delivering the batch again would only bring it nearer the DLQ.
        logger.warning("another invocation took the lease over; it publishes what this one recorded")
        return response
    except Exception:
        logger.exception("publishing failed; the batch will be delivered again")
        if records and records[0].get("eventSource") == "aws:sqs":
            # Every message that asked for work comes back (an s3:TestEvent asked for none).
            return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in asking]}
        raise
    _report(result)
    return response
