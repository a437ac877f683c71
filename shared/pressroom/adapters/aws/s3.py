"""S3 and CloudFront adapters of the ports; each takes its boto3 client as a parameter."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pressroom.exceptions import TransientError

MAX_SOURCE_READ = 5 * 1024 * 1024 + 1


class _Bucket:
    """What both buckets answer: a key's current bytes, and the keys under a prefix."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def read(self, key: str) -> bytes | None:
        return self._get(key, {})

    def _get(self, key: str, options: dict[str, str]) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, **options)
        except self.client.exceptions.NoSuchKey:
            return None
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "InvalidRange"}:
                return None if error.response["Error"]["Code"] != "InvalidRange" else b""  # an empty object
            raise
        body: bytes = answer["Body"].read()
        return body

    def list_keys(self, prefix: str = "") -> list[str]:
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return found


class S3Source(_Bucket):
    """The source bucket: the current state of each key (an event is a hint, not the truth)."""

    def read(self, key: str) -> bytes | None:
        # One byte over the limit is enough to refuse the file, without loading a huge one.
        return self._get(key, {"Range": f"bytes=0-{MAX_SOURCE_READ - 1}"})


class S3SiteStore(_Bucket):
    """The site bucket."""

    def put(self, key: str, body: bytes, content_type: str, cache_control: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, CacheControl=cache_control
        )

    def delete(self, keys: Iterable[str]) -> None:
        ordered = sorted(set(keys))
        for start in range(0, len(ordered), 1000):
            chunk = [{"Key": key} for key in ordered[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})


class CloudFrontCdn:
    def __init__(self, client: Any, distribution_id: str) -> None:
        self.client = client
        self.distribution_id = distribution_id

    def invalidate(self, paths: Sequence[str], reference: str) -> None:
        if not paths:
            return
        self.client.create_invalidation(
            DistributionId=self.distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": reference},
        )


class SqsQueue:
    """The queue the publisher consumes: a rebuild fans out through it, one chunk per message."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(messages), 10):
            entries = [
                {"Id": str(n), "MessageBody": json.dumps(message, separators=(",", ":"))}
                for n, message in enumerate(messages[start : start + 10])
            ]
            answer = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            if answer.get("Failed"):
                raise TransientError(f"the queue refused {len(answer['Failed'])} rebuild messages")
