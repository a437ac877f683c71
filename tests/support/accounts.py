"""A provisioned moto account, with helpers to change the source and drain the queue through the handler.

Tests get one from the `site` fixture (tests/functional/conftest.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest

from pressroom.core.build import build_site
from pressroom.core.site.urls import key_to_paths

NOW = datetime(2026, 11, 29, tzinfo=UTC)


class Site:
    """An account as `pressroom provision` leaves it; the source changed as an author would change it."""

    def __init__(self, now: datetime = NOW) -> None:
        from pressroom.shells.provision import provision
        from pressroom.shells.runtime import Resources, client

        self.names = provision(Resources.from_env())
        os.environ.update(self.names)
        self.s3 = client("s3")
        self.sqs = client("sqs")
        self.cloudfront = client("cloudfront")
        self.files: dict[str, bytes] = {}
        self.now = now

    def put(self, key: str, body: bytes) -> None:
        self.files[key] = body
        self.s3.put_object(Bucket=self.names["SOURCE_BUCKET"], Key=key, Body=body)

    def delete(self, key: str) -> None:
        self.files.pop(key, None)
        self.s3.delete_object(Bucket=self.names["SOURCE_BUCKET"], Key=key)

    def drain(self, monkeypatch: pytest.MonkeyPatch | None = None) -> Any:
        """Run the queue through the real handler, as the worker does, with the content clock at `now`."""
        from pressroom.shells import handler as handler_module
        from pressroom.shells.worker import run_worker

        handler_module._clients.clear()
        original = handler_module.content_now
        handler_module.content_now = lambda: self.now  # type: ignore[assignment]
        try:
            return run_worker(self.sqs, self.names["QUEUE_URL"], handler_module.handler, until_empty=True)
        finally:
            handler_module.content_now = original  # type: ignore[assignment]

    def invoke(self, event: dict[str, Any], request_id: str = "local") -> Any:
        """Send one event straight to the handler (a tick, or an S3 event as `sam local invoke` does),
        as the invocation `request_id` (Lambda retries an event under the same one)."""
        from pressroom.shells import handler as handler_module
        from pressroom.shells.worker import FUNCTION_SECONDS, LambdaContext

        handler_module._clients.clear()
        original = handler_module.content_now
        handler_module.content_now = lambda: self.now  # type: ignore[assignment]
        try:
            return handler_module.handler(event, LambdaContext(FUNCTION_SECONDS, request_id))
        finally:
            handler_module.content_now = original  # type: ignore[assignment]

    def published(self) -> dict[str, tuple[bytes, str, str, str]]:
        """key -> (bytes, Content-Type, Cache-Control, Content-Disposition) of every object in the site bucket."""
        bucket = self.names["SITE_BUCKET"]
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                answer = self.s3.get_object(Bucket=bucket, Key=item["Key"])
                found[item["Key"]] = (
                    answer["Body"].read(),
                    answer["ContentType"],
                    answer.get("CacheControl", ""),
                    answer.get("ContentDisposition", ""),
                )
        return found

    def expected(self, files: dict[str, bytes] | None = None) -> dict[str, tuple[bytes, str, str, str]]:
        """What the full build makes, with the headers each key is stored with."""
        built = build_site(files if files is not None else self.files, self.now)
        stored = {key: built.headers(key) for key in built.outputs}
        return {
            key: (body, stored[key].content_type, stored[key].cache_control, stored[key].disposition)
            for key, body in built.outputs.items()
        }

    def invalidated_paths(self) -> set[str]:
        distribution = self.names["DISTRIBUTION_ID"]
        listing = self.cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
        paths: set[str] = set()
        for item in listing.get("Items", []):
            batch = self.cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])
            paths.update(batch["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", []))
        return paths

    def errors(self) -> dict[str, list[str]]:
        """What `pressroom status` reports as failed: source key -> problems."""
        from pressroom.engine.control import Control
        from pressroom.shells.runtime import Resources, ports

        return {key: record.problems for key, record in Control(ports(Resources.from_env()).table).all_errors().items()}

    def dead_letters(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.names["DLQ_URL"], AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])


def assert_converged(site: Site, files: dict[str, bytes] | None = None) -> None:
    """The site bucket equals the full build of the source (SPEC 3.3.1): keys, bytes, Content-Type, Cache-Control."""
    published, expected = site.published(), site.expected(files)
    assert sorted(published) == sorted(expected), sorted(set(published) ^ set(expected))
    different = [key for key in expected if published[key] != expected[key]]
    assert different == [], different


def assert_changes_invalidated(site: Site, before: dict[str, tuple[bytes, str, str, str]]) -> None:
    """Every object written or deleted since `before` is covered by an invalidation sent (SPEC 3.3.2)."""
    after = site.published()
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    paths = site.invalidated_paths()
    for key in changed:
        for path in key_to_paths(key):
            assert path in paths or any(p.endswith("*") and path.startswith(p[:-1]) for p in paths), path


def hand_on_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small chunks and a short time budget: a rebuild runs across several invocations."""
    from pressroom.engine import publisher, rebuild, writing

    monkeypatch.setattr(rebuild, "PARSE_CHUNK", 5)
    monkeypatch.setattr(writing, "RENDER_CHUNK", 7)
    monkeypatch.setattr(rebuild, "WRITE_CHUNK", 50)
    steps = [0]
    out_of_time = publisher.Publisher.out_of_time

    def budget(self: publisher.Publisher) -> bool:
        steps[0] += 1
        return steps[0] % 4 == 0 or out_of_time(self)

    monkeypatch.setattr(publisher.Publisher, "out_of_time", budget)
