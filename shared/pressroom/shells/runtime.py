"""Wiring: resource names from the environment (SPEC 4.2) and boto3 clients for the adapters."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pressroom.exceptions import PressroomError

DEFAULT_NAMES = {
    "SOURCE_BUCKET": "pressroom-source",
    "SITE_BUCKET": "pressroom-site",
    "INDEX_TABLE": "pressroom-index",
    "QUEUE_URL": "",
    "DLQ_URL": "",
    "DISTRIBUTION_ID": "",
}


@dataclass(frozen=True)
class Resources:
    source_bucket: str
    site_bucket: str
    index_table: str
    queue_url: str
    dlq_url: str
    distribution_id: str

    @classmethod
    def from_env(cls, overrides: dict[str, str | None] | None = None) -> Resources:
        """Flags first, then the environment, then the names `provision` creates by default."""
        overrides = overrides or {}

        def value(name: str) -> str:
            return overrides.get(name) or os.environ.get(name) or DEFAULT_NAMES[name]

        return cls(
            source_bucket=value("SOURCE_BUCKET"),
            site_bucket=value("SITE_BUCKET"),
            index_table=value("INDEX_TABLE"),
            queue_url=value("QUEUE_URL"),
            dlq_url=value("DLQ_URL"),
            distribution_id=os.environ.get("DISTRIBUTION_ID", "")
            if "DISTRIBUTION_ID" not in overrides
            else overrides["DISTRIBUTION_ID"] or "",
        )


def client(service: str) -> Any:
    """A boto3 client; boto3 itself honours AWS_ENDPOINT_URL (moto, LocalStack)."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=30)
    return boto3.client(service, config=config)  # type: ignore[call-overload]


def queue_url_of(queue_arn: str, sqs: Any) -> str:
    """The URL of the queue an SQS event came from (`arn:aws:sqs:REGION:ACCOUNT:NAME`)."""
    account, name = queue_arn.split(":")[4:6]
    url: str = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return url


def publisher(resources: Resources, now: datetime, clients: dict[str, Any] | None = None, fan_out_to: str = "") -> Any:
    """A Publisher wired to S3, DynamoDB and (when a distribution is named) CloudFront.

    A rebuild fans out through the queue at `fan_out_to`; without one it runs in this process.
    """
    from pressroom.adapters.aws.dynamodb import DynamoIndex
    from pressroom.adapters.aws.s3 import CloudFrontCdn, S3SiteStore, S3Source, SqsQueue
    from pressroom.core.config import SiteConfig
    from pressroom.engine.publisher import Publisher

    clients = clients if clients is not None else {}
    for service in ("s3", "dynamodb", "cloudfront"):
        if service not in clients:
            clients[service] = client(service)
    s3, dynamodb = clients["s3"], clients["dynamodb"]
    if resources.source_bucket == resources.site_bucket:
        raise PressroomError("SOURCE_BUCKET and SITE_BUCKET must differ: the publisher would trigger itself")
    cdn = None
    if resources.distribution_id:
        cdn = CloudFrontCdn(clients["cloudfront"], resources.distribution_id)
    fan_out = {}
    if fan_out_to:
        if "sqs" not in clients:  # kept between warm invocations, like the others
            clients["sqs"] = client("sqs")
        fan_out["queue"] = SqsQueue(clients["sqs"], fan_out_to)
    return Publisher(
        source=S3Source(s3, resources.source_bucket),
        site=S3SiteStore(s3, resources.site_bucket),
        index=DynamoIndex(dynamodb, resources.index_table, SiteConfig()),
        cdn=cdn,
        now=now,
        **fan_out,
    )
