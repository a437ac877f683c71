"""`pressroom aws` and `pressroom invoke`, as a developer runs them from two shells (issue 23.4, 23.5).

`pressroom aws` runs in another process; the test reads its `export` lines as a shell would `eval`
them, then syncs the sample blog, drains the queue with `pressroom worker` and invokes the
handler on events shaped as SAM CLI's `sam local generate-event` prints them.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"


def pressroom(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressroom", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def aws(tmp_path: Path) -> Iterator[tuple[dict[str, str], Path, subprocess.Popen[str]]]:
    """A running `pressroom aws --port 0 --env-json FILE`, and the environment its export lines set."""
    env_json = tmp_path / "env.json"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "aws", "--port", "0", "--env-json", str(env_json)],
        env={**clean, "AWS_DEFAULT_REGION": "us-east-1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    exported: dict[str, str] = {}
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").rstrip("\n").partition("=")
            exported[name] = shlex.split(value)[0] if value else ""
        if exported and not line.startswith("export "):
            break
    env = {**clean, **exported, "LOG_LEVEL": "ERROR", "POWERTOOLS_METRICS_DISABLED": "true"}
    try:
        yield env, env_json, server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def test_aws_serves_a_provisioned_stack_that_publishes_a_push(
    aws: tuple[dict[str, str], Path, subprocess.Popen[str]],
) -> None:
    env, env_json, server = aws
    for name in ("AWS_ENDPOINT_URL", "SOURCE_BUCKET", "SITE_BUCKET", "INDEX_TABLE", "QUEUE_URL", "DISTRIBUTION_ID"):
        assert env.get(name), (name, env)
    sam = json.loads(env_json.read_text())
    assert sam["PublisherFunction"]["SITE_BUCKET"] == env["SITE_BUCKET"]
    assert "AWS_ENDPOINT_URL" not in sam["PublisherFunction"]  # SAM sets only what the template declares

    synced = pressroom("sync", str(CONTENT), f"s3://{env['SOURCE_BUCKET']}", env=env)
    assert synced.returncode == 0, synced.stderr
    drained = pressroom("worker", "--until-empty", env=env)
    assert drained.returncode == 0, drained.stderr
    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    home = s3.get_object(Bucket=env["SITE_BUCKET"], Key="index.html")["Body"].read()
    assert b"<html" in home

    server.send_signal(signal.SIGINT)
    assert server.wait(timeout=30) == 0  # Ctrl-C stops it cleanly


def sam_s3_put(bucket: str, key: str) -> str:
    """An S3 put notification as `sam local generate-event s3 put --bucket B --key K` prints it (SAM CLI 1.170)."""
    record = {
        "eventVersion": "2.0",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "1970-01-01T00:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/abcdefghijklmn"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "testConfigRule",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {
                "key": key,
                "size": 1024,
                "eTag": "0123456789abcdef0123456789abcdef",
                "sequencer": "0A1B2C3D4E5F678901",
            },
        },
    }
    return json.dumps({"Records": [record]})


def test_invoke_publishes_an_uploaded_post_from_a_sam_event_on_stdin(
    aws: tuple[dict[str, str], Path, subprocess.Popen[str]],
) -> None:
    env, _, _ = aws
    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    post = "---\ntitle: Invoked by hand\ndate: 2024-05-01\n---\nFrom an event file.\n"
    s3.put_object(Bucket=env["SOURCE_BUCKET"], Key="posts/invoked.md", Body=post.encode())

    result = pressroom("invoke", "-", env=env, stdin=sam_s3_put(env["SOURCE_BUCKET"], "posts/invoked.md"))

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {}, answer  # a direct S3 event: no batch item failed
    page = s3.get_object(Bucket=env["SITE_BUCKET"], Key="posts/invoked/index.html")["Body"].read().decode()
    assert "Invoked by hand" in page


def test_invoke_takes_the_scheduled_tick_and_refuses_what_lambda_would_not_deliver(
    aws: tuple[dict[str, str], Path, subprocess.Popen[str]],
    tmp_path: Path,
) -> None:
    env, _, _ = aws
    tick = tmp_path / "tick.json"
    tick.write_text('{"pressroom": "tick"}')
    assert pressroom("invoke", str(tick), env=env).returncode == 0

    not_an_event = pressroom("invoke", "-", env=env, stdin='{"hello": "world"}')
    assert not_an_event.returncode == 2
    assert not_an_event.stderr.strip().splitlines() == [
        "error: -: neither an S3 notification, an SQS batch nor a scheduled event (no Records)"
    ]
    missing = pressroom("invoke", str(tmp_path / "nowhere.json"), env=env)
    assert missing.returncode == 2 and "nowhere.json" in missing.stderr
