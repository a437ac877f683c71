"""One line that says what to do, for the mistakes a new user makes (instead of a traceback)."""

from __future__ import annotations

import os

from pressroom.exceptions import PressroomError

_MOTO_HINT = "start one (moto_server -H 127.0.0.1 -p 5000) or fix AWS_ENDPOINT_URL"


def _aws(error: BaseException) -> str | None:
    """What a botocore error means for the user, or None when it is not one we know."""
    try:
        from botocore import exceptions as boto
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if isinstance(error, boto.NoRegionError):
        return "no AWS region is set: export AWS_DEFAULT_REGION=us-east-1 (or the region of your stack)"
    if isinstance(error, boto.NoCredentialsError | boto.PartialCredentialsError):
        return (
            "no AWS credentials: for moto any will do (export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x); "
            "for AWS, run `aws configure` or set AWS_PROFILE"
        )
    if isinstance(error, boto.EndpointConnectionError | boto.ConnectTimeoutError | boto.ReadTimeoutError):
        where = getattr(error, "kwargs", {}).get("endpoint_url") or endpoint or "AWS"
        if isinstance(error, boto.ReadTimeoutError):
            # It answered the connection, then not the request in time: busy, not down.
            return f"a request to {where} timed out (no answer within the read timeout): it is busy or slow; try again"
        if isinstance(error, boto.ConnectTimeoutError):
            return f"connecting to {where} timed out: it is overloaded, or a firewall drops the connection; try again"
        if endpoint:
            return f"cannot reach {where} (AWS_ENDPOINT_URL): is the moto server running? {_MOTO_HINT}"
        return f"cannot reach {where}: check the network, or set AWS_ENDPOINT_URL to a moto server"
    if isinstance(error, boto.ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        operation = getattr(error, "operation_name", "the request")
        if code in ("NoSuchBucket", "404") and operation in ("ListObjectsV2", "HeadBucket", "PutObject", "GetObject"):
            bucket = details.get("BucketName") or "the bucket"
            return f"bucket {bucket} does not exist: run `pressroom provision`, or name the right one"
        if code == "NoSuchBucket":
            return f"bucket {details.get('BucketName', '')} does not exist: run `pressroom provision`"
        if code == "ResourceNotFoundException":
            return (
                f"{details.get('Message', 'the table does not exist')}: run `pressroom provision`, "
                "or set INDEX_TABLE / --index-table"
            )
        if code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
            return "the queue does not exist: run `pressroom provision` and set QUEUE_URL (or --queue-url)"
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken"):
            return f"AWS refused the credentials ({code}): check AWS_PROFILE or AWS_ACCESS_KEY_ID"
        return f"AWS refused {operation}: {code}: {details.get('Message', '')}".rstrip(": ")
    if isinstance(error, boto.BotoCoreError):
        return f"{error}"
    return None


def explain(error: BaseException) -> str | None:
    """The one-line message for `error` (looking through what caused it), or None for a real bug."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        message = _aws(cause)
        if message is not None:
            return message
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, PressroomError):
        return str(error)
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror}"
    return None
