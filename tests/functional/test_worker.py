"""`pressroom worker` survives what Lambda's SQS event source mapping survives (issue 9, point 10):
a batch longer than the visibility timeout, receipt handles that expired anyway, SIGTERM mid-batch.
Its resources come from flags first, then the environment, then provision's names."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pressroom.shells.runtime import DEFAULT_NAMES, Resources, client
from pressroom.shells.worker import run_worker


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def queue(sqs: Any, visibility: int, bodies: list[str]) -> str:
    url: str = sqs.create_queue(QueueName="work", Attributes={"VisibilityTimeout": str(visibility)})["QueueUrl"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    return url


def waiting(sqs: Any, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def test_a_batch_that_outlives_the_visibility_timeout_is_not_delivered_twice(sqs: Any) -> None:
    url = queue(sqs, visibility=2, bodies=["slow"])
    seen_meanwhile: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(5)  # well past the 2 s visibility timeout
        seen_meanwhile.append(len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])))
        return {}

    stats = run_worker(sqs, url, handler, until_empty=True, window_seconds=0)
    assert seen_meanwhile == [0]  # the heartbeat kept the message invisible while it ran
    assert stats.messages == 1 and stats.failures == 0
    assert waiting(sqs, url) == 0


def test_a_receipt_handle_that_expired_anyway_does_not_stop_the_worker(sqs: Any) -> None:
    url = queue(sqs, visibility=30, bodies=["stale", "next"])
    calls: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        record = event["Records"][0]
        calls.append(record["body"])
        if record["body"] == "stale":
            # Its visibility ran out and another consumer finished it meanwhile: the handle is stale.
            sqs.delete_message(QueueUrl=url, ReceiptHandle=record["receiptHandle"])
            return {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        return {}

    stats = run_worker(sqs, url, handler, until_empty=True, batch_size=1, window_seconds=0)
    assert sorted(calls) == ["next", "stale"]  # it went on to the next message
    assert stats.batches == 2
    assert waiting(sqs, url) == 0


def test_sigterm_mid_batch_finishes_the_batch_then_stops(sqs: Any) -> None:
    url = queue(sqs, visibility=30, bodies=["first", "second"])
    handled: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        handled.extend(record["body"] for record in event["Records"])
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # the signal arrives mid-batch
        return {}

    stats = run_worker(sqs, url, handler, until_empty=False, batch_size=1, window_seconds=0)
    assert stats.batches == 1 and len(handled) == 1
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [message["Body"] for message in left] == [b for b in ("first", "second") if b not in handled]


def test_a_worker_whose_last_batch_failed_says_so(sqs: Any) -> None:
    url = queue(sqs, visibility=30, bodies=[json.dumps({"Records": []})])
    attempts: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        attempts.append(1)
        if len(attempts) >= 3:
            sqs.purge_queue(QueueUrl=url)  # stand in for the DLQ taking it
        raise RuntimeError("the site bucket refused")

    stats = run_worker(sqs, url, handler, until_empty=True, window_seconds=0)
    assert stats.failed_last == 1  # `pressroom worker` exits 1 on it


def test_flags_win_over_the_environment_which_wins_over_provision_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_BUCKET", "from-env")
    monkeypatch.setenv("DISTRIBUTION_ID", "E123")
    monkeypatch.delenv("SOURCE_BUCKET", raising=False)
    monkeypatch.delenv("INDEX_TABLE", raising=False)
    resources = Resources.from_env({"SITE_BUCKET": None, "INDEX_TABLE": "from-flag", "DISTRIBUTION_ID": None})
    assert resources.site_bucket == "from-env"
    assert resources.index_table == "from-flag"
    assert resources.distribution_id == "E123"  # an unset flag leaves the environment's value
    assert resources.source_bucket == DEFAULT_NAMES["SOURCE_BUCKET"]


class _SlowLongPoll(BaseHTTPRequestHandler):
    """SQS's JSON protocol, as a queue with nothing to hand out answers it: a ReceiveMessage long
    poll is answered once its WaitTimeSeconds are up (here half a second later, as a busy server does)."""

    polls: list[float]
    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        action = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        answer: dict[str, Any] = {}
        if action == "GetQueueAttributes":
            answer = {"Attributes": {"QueueArn": "arn:aws:sqs:us-east-1:000000000000:work", "VisibilityTimeout": "30"}}
        elif action == "ReceiveMessage":
            time.sleep(int(request.get("WaitTimeSeconds", 0)) + 0.5)
            self.polls.append(time.monotonic())
            self.stop.set()
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_long_poll_answered_when_its_wait_is_up_is_not_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pressroom worker` long-polls for 10 s: its client must wait longer than that for the answer,
    or a busy server's empty answer is a read timeout, retried twice, and the worker exits."""
    stop = threading.Event()
    handler_class = type("Handler", (_SlowLongPoll,), {"polls": [], "stop": stop})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    try:
        stats = run_worker(client("sqs"), f"{endpoint}/000000000000/work", lambda event, context: {},
                           until_empty=False, stop=stop)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert stats.batches == 0 and len(handler_class.polls) == 1
