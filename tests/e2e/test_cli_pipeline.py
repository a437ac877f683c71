"""End to end: the CLI as a user runs it, in other processes, against a moto server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from support.moto_server import moto_server

REPO = Path(__file__).resolve().parents[2]
NOW = "2026-11-29T00:00:00+00:00"


@pytest.fixture
def endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


def pressroom(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pressroom", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_provision_sync_worker_status_publish_the_blog(endpoint: str, tmp_path: Path) -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    provisioned = pressroom("provision", env=env)
    assert provisioned.returncode == 0, provisioned.stderr
    names = json.loads(provisioned.stdout)
    assert set(names) == {"SOURCE_BUCKET", "SITE_BUCKET", "INDEX_TABLE", "QUEUE_URL", "DLQ_URL", "DISTRIBUTION_ID"}
    assert json.loads(pressroom("provision", env=env).stdout) == names, "provision must be idempotent"
    env.update(names)

    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "site.yaml").write_text("title: E2E\nbaseURL: https://e2e.example/\n")
    (content / "posts" / "hello world.md").write_text(
        "---\ntitle: Hello\ndate: 2025-01-02\ntags: [Greetings]\n---\nHi.\n"
    )
    (content / "posts" / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n")
    synced = pressroom("sync", str(content), f"s3://{names['SOURCE_BUCKET']}", "--delete", env=env)
    assert synced.returncode == 0, synced.stderr

    worked = pressroom("worker", "--until-empty", env=env)
    assert worked.returncode == 0, worked.stderr

    s3 = boto3.client("s3", endpoint_url=endpoint)
    page = s3.get_object(Bucket=names["SITE_BUCKET"], Key="posts/hello-world/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert b"<h1>Hello</h1>" in page["Body"].read()
    term = s3.get_object(Bucket=names["SITE_BUCKET"], Key="tags/greetings/index.xml")
    assert term["ContentType"] == "application/rss+xml"

    status = pressroom("status", env=env)
    assert status.returncode == 1, "a failed file makes status exit 1"
    assert "posts/hello world.md" in status.stdout
    assert "posts/broken.md" in status.stdout and "YAML" in status.stdout

    cloudfront = boto3.client("cloudfront", endpoint_url=endpoint)
    invalidations = cloudfront.list_invalidations(DistributionId=names["DISTRIBUTION_ID"])["InvalidationList"]
    assert invalidations["Quantity"] >= 1
    assert "(at 20" in status.stdout, "status says when the file failed"

    # An object lost or changed by hand in the site bucket: `rebuild` makes the site whole again.
    site = names["SITE_BUCKET"]
    expected = s3.get_object(Bucket=site, Key="posts/hello-world/index.html")["Body"].read()
    s3.delete_object(Bucket=site, Key="posts/hello-world/index.html")
    s3.put_object(Bucket=site, Key="tags/greetings/index.xml", Body=b"defaced")
    s3.put_object(Bucket=site, Key="posts/stray/index.html", Body=b"not an output")
    rebuilt = pressroom("rebuild", env=env)
    assert rebuilt.returncode == 1, "the broken file is still there: a content error (issue 12's exit codes)"
    assert "posts/broken.md" in rebuilt.stderr
    assert "rebuilt 1 pages" in rebuilt.stdout and "1 deleted" in rebuilt.stdout, rebuilt.stdout
    assert s3.get_object(Bucket=site, Key="posts/hello-world/index.html")["Body"].read() == expected
    assert b"defaced" not in s3.get_object(Bucket=site, Key="tags/greetings/index.xml")["Body"].read()
    assert "Contents" not in s3.list_objects_v2(Bucket=site, Prefix="posts/stray/")
