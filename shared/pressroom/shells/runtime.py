"""Wiring: resource names from flags and the environment (SPEC 4.2), boto3 clients, the ports."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pressroom.core.reading.config import BuildMode
from pressroom.engine.engine_settings import LEASE_SECONDS, MAX_HOPS, REQUEST_SECONDS, EngineSettings
from pressroom.exceptions import PressroomError, UsageError

DEFAULT_NAMES = {
    "SOURCE_BUCKET": "pressroom-source",
    "SITE_BUCKET": "pressroom-site",
    "INDEX_TABLE": "pressroom-index",
    "QUEUE_URL": "",
    "DLQ_URL": "",
    "DISTRIBUTION_ID": "",
}


LONGEST_POLL_SECONDS = 20
"""SQS's longest ReceiveMessage long poll (WaitTimeSeconds): an SQS client waits that much longer for an answer."""


@dataclass(frozen=True)
class Resources:
    source_bucket: str
    site_bucket: str
    index_table: str
    queue_url: str
    dlq_url: str
    distribution_id: str

    @classmethod
    def from_env(cls, flags: dict[str, str | None] | None = None) -> Resources:
        """A flag that was given first, then the environment, then the names `provision` creates.

        An empty environment value counts as set (`DISTRIBUTION_ID=` means: no invalidation).
        """
        flags = flags or {}

        def value(name: str) -> str:
            given = flags.get(name)
            if given is not None:
                return given
            return os.environ.get(name, DEFAULT_NAMES[name])

        return cls(
            source_bucket=value("SOURCE_BUCKET"),
            site_bucket=value("SITE_BUCKET"),
            index_table=value("INDEX_TABLE"),
            queue_url=value("QUEUE_URL"),
            dlq_url=value("DLQ_URL"),
            distribution_id=value("DISTRIBUTION_ID"),
        )


def engine_settings() -> EngineSettings:
    """The event path's settings (`engine.engine_settings`), from the environment where it sets them."""
    return EngineSettings(
        lease_seconds=float(os.environ.get("PRESSROOM_LEASE_SECONDS", str(LEASE_SECONDS))),
        request_seconds=float(os.environ.get("PRESSROOM_REQUEST_SECONDS", str(REQUEST_SECONDS))),
        max_hops=int(os.environ.get("PRESSROOM_MAX_HOPS", str(MAX_HOPS))),
        build_mode=build_mode(os.environ),
    )


BUILD_MODE_VARIABLES = {
    "HUGO_ENVIRONMENT": "environment",
    "HUGO_BUILDDRAFTS": "drafts",
    "HUGO_BUILDFUTURE": "future",
    "HUGO_BUILDEXPIRED": "expired",
}
"""Hugo's own variables for `hugo server -e ENV -D -F -E`: `pressroom dev` sets them for the
handler it runs, and a function's environment may set them as a Hugo user's CI does."""


def build_mode(environ: Mapping[str, str]) -> BuildMode:
    """What the environment adds to the site's settings (`core.reading.config.BuildMode`)."""
    found: dict[str, Any] = {}
    for variable, field_name in BUILD_MODE_VARIABLES.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if field_name == "environment":
            found[field_name] = value.lower()
        elif value.lower() in {"true", "1", "yes", "false", "0", "no"}:
            found[field_name] = value.lower() in {"true", "1", "yes"}
        else:
            raise UsageError(f"{variable}={value!r}: say true or false")
    return BuildMode(**found)


def build_mode_environment(mode: BuildMode) -> dict[str, str]:
    """The variables that make `build_mode` read `mode` back (for a handler run in-process)."""
    return {variable: str(getattr(mode, field_name)).lower() for variable, field_name in BUILD_MODE_VARIABLES.items()}


def client(service: str) -> Any:
    """A boto3 client; boto3 itself honours AWS_ENDPOINT_URL (moto, LocalStack).

    Standard retries, not adaptive: adaptive mode's client-side rate limiter shrinks on every
    throttling answer and can starve a worker for minutes; the engine retries whole steps itself.
    Short timeouts and few attempts bound every S3, DynamoDB and CloudFront request (42 s, retries
    included) within the engine's REQUEST_SECONDS: a site write starts only while the lease has
    that long left, which is what makes taking over a dead holder's lease, once it has run out, safe.
    """
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        # SQS answers a long poll with nothing to hand out once its wait is up: that is not a timeout.
        read_timeout=10 + (LONGEST_POLL_SECONDS if service == "sqs" else 0),
        max_pool_connections=32,
    )
    return boto3.client(service, config=config)  # type: ignore[call-overload]


def queue_url_of(queue_arn: str, sqs: Any) -> str:
    """The URL of the queue an SQS event came from (`arn:aws:sqs:REGION:ACCOUNT:NAME`)."""
    account, name = queue_arn.split(":")[4:6]
    url: str = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
    return url


def ports(resources: Resources, clients: dict[str, Any] | None = None, queue_url: str = "") -> Any:
    """The publisher's ports on S3, DynamoDB, CloudFront (when a distribution is named) and SQS."""
    from pressroom.adapters.aws.cloudfront import CloudFrontCdn
    from pressroom.adapters.aws.dynamodb import DynamoTable
    from pressroom.adapters.aws.s3 import S3SiteStore, S3Source
    from pressroom.adapters.aws.sqs import SqsQueue
    from pressroom.engine.invocation import Ports

    clients = clients if clients is not None else {}
    if resources.source_bucket == resources.site_bucket:
        raise PressroomError("SOURCE_BUCKET and SITE_BUCKET must differ: the publisher would trigger itself")
    for service in ("s3", "dynamodb"):
        if service not in clients:
            clients[service] = client(service)
    cdn = None
    if resources.distribution_id:
        if "cloudfront" not in clients:
            clients["cloudfront"] = client("cloudfront")
        cdn = CloudFrontCdn(clients["cloudfront"], resources.distribution_id)
    queue = None
    if queue_url:
        if "sqs" not in clients:
            clients["sqs"] = client("sqs")
        queue = SqsQueue(clients["sqs"], queue_url)
    return Ports(
        source=S3Source(clients["s3"], resources.source_bucket),
        site=S3SiteStore(clients["s3"], resources.site_bucket),
        table=DynamoTable(clients["dynamodb"], resources.index_table),
        cdn=cdn,
        queue=queue,
        clock=time.time,
    )
