"""The event path under concurrency, AWS faults and crashes: the guarantees of SPEC 3.3, end to end.

Real `pressroom worker --until-empty` processes race on a stream of uploads, edits and deletes
against a moto server, through the fault proxy of `faults.py` (which also records what they did).
After the queue drains the site bucket must equal the full build of the source bucket, and every
object written or deleted must be followed by a CloudFront invalidation covering its paths.

Everything random is drawn from fixed seeds, printed in every failure message; setting
PRESSROOM_FAULTS_SEED shifts them all, to explore other interleavings. The seeds fix the content
and the faults, not the timing of processes: the last test replays one interleaving exactly.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from pressroom.core.build import build_site
from pressroom.core.render import content_type
from pressroom.core.urls import key_to_paths

# pytest runs with --import-mode=importlib, which leaves sys.path alone: reach the harness beside this file.
sys.path.insert(0, str(Path(__file__).parent))
from faults import (
    Exchange,
    Fault,
    FaultPlan,
    FaultProxy,
    bucket_changes,
    covers,
    invalidations_sent,
)

SITE_YAML = b"title: Faults\nbaseURL: https://faults.example/\npagerSize: 3\nfeedLimit: 4\n"
TAGS = ("Python", "python", "AWS", "Serverless", "notes", "Hugo tips")
TITLES = ("Alpha", "Beta", "Same title")
# Few dates, so many posts share the same second and order by title, then source key.
DATES = ("2020-02-29T12:00:00Z", "2021-07-01T08:30:00Z", "2023-05-04T10:00:00Z", "2024-01-15T00:00:00Z")
WORKER_TIMEOUT = 240
SEED_SHIFT = int(os.environ.get("PRESSROOM_FAULTS_SEED", "0"))


@dataclass(frozen=True)
class Change:
    """One upload (or, with no body, one delete) of a source key."""

    key: str
    body: bytes | None


def post(rng: random.Random, number: int) -> bytes:
    """A post with seeded front matter: a shared title and date, overlapping tags, now and then a draft or a slug."""
    front: dict[str, Any] = {
        "title": rng.choice(TITLES),
        "date": rng.choice(DATES),
        "tags": rng.sample(TAGS, rng.randint(1, 3)),
    }
    if rng.random() < 0.1:
        front["draft"] = True
    if rng.random() < 0.1:
        front["slug"] = f"moved-{number}"
    return f"---\n{json.dumps(front)}\n---\n\nPost {number}, version {rng.randrange(1000)}.\n".encode()


def change_stream(rng: random.Random, posts: int, length: int) -> list[Change]:
    """Creations, edits, deletes and duplicate uploads (the same bytes again) of `posts` posts."""
    current: dict[str, bytes] = {}
    changes: list[Change] = []
    for _ in range(length):
        number = rng.randrange(posts)
        key = f"posts/post-{number:02d}.md"
        roll = rng.random()
        if key in current and roll < 0.2:
            del current[key]
            changes.append(Change(key, None))
        elif key in current and roll < 0.3:
            changes.append(Change(key, current[key]))
        else:
            current[key] = post(rng, number)
            changes.append(Change(key, current[key]))
    return changes


def bucket_objects(s3: Any, bucket: str) -> dict[str, tuple[bytes, str]]:
    """Every object of a bucket: key -> (bytes, Content-Type)."""
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            answer = s3.get_object(Bucket=bucket, Key=item["Key"])
            found[item["Key"]] = (answer["Body"].read(), answer["ContentType"])
    return found


@dataclass
class Account:
    """A moto server provisioned by `pressroom provision`, seen directly (not through the proxy)."""

    endpoint: str
    names: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def worker_env(self, endpoint: str, **overrides: str) -> dict[str, str]:
        base = {"AWS_ENDPOINT_URL": endpoint, "LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
        return {**os.environ, **base, **self.names, **overrides}

    def apply(self, changes: list[Change]) -> None:
        s3, bucket = self.client("s3"), self.names["SOURCE_BUCKET"]
        for change in changes:
            if change.body is None:
                s3.delete_object(Bucket=bucket, Key=change.key)
            else:
                s3.put_object(Bucket=bucket, Key=change.key, Body=change.body)

    def objects(self, bucket: str) -> dict[str, tuple[bytes, str]]:
        return bucket_objects(self.client("s3"), bucket)

    def full_build(self, now: datetime) -> dict[str, tuple[bytes, str]]:
        """What `pressroom build` makes of the source bucket as it is now (SPEC 3.3.1)."""
        files = {key: body for key, (body, _) in self.objects(self.names["SOURCE_BUCKET"]).items()}
        return {key: (body, content_type(key)) for key, body in build_site(files, now, workers=1).outputs.items()}


@pytest.fixture
def account() -> Iterator[Account]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    provisioned = subprocess.run(
        [sys.executable, "-m", "pressroom", "provision"], env=env, capture_output=True, text=True, check=False
    )
    assert provisioned.returncode == 0, provisioned.stderr
    yield Account(endpoint, json.loads(provisioned.stdout))
    server.stop()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "pressroom", "worker", "--until-empty"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def finish(worker: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for a worker to drain the queue and exit; its log explains a failure."""
    returncode = worker.wait(timeout=WORKER_TIMEOUT)
    assert returncode == 0, log.read_text(errors="replace")[-3000:]


def site_difference(published: dict[str, tuple[bytes, str]], expected: dict[str, tuple[bytes, str]]) -> str:
    """Empty when equal; otherwise the missing, extra and different keys, with a short diff of each."""
    lines: list[str] = []
    for key in sorted(set(published) | set(expected)):
        if key not in published:
            lines.append(f"missing: {key}")
        elif key not in expected:
            lines.append(f"extra: {key}")
        elif published[key] != expected[key]:
            (got, got_type), (want, want_type) = published[key], expected[key]
            lines.append(f"differs: {key}" + (f" (Content-Type {got_type}, want {want_type})" if got == want else ""))
            diff = difflib.unified_diff(
                want.decode("utf-8", "replace").splitlines(),
                got.decode("utf-8", "replace").splitlines(),
                "full build",
                "site bucket",
                lineterm="",
                n=0,
            )
            lines.extend("    " + line for line in list(diff)[2:14])
    return "\n".join(lines)


def uncovered_changes(exchanges: list[Exchange], bucket: str) -> list[str]:
    """Writes and deletes in the site bucket not followed by an invalidation of all their paths (SPEC 3.3.2)."""
    sent = invalidations_sent(exchanges)
    missing: list[str] = []
    for answered, key in bucket_changes(exchanges, bucket):
        later = {path for at, paths in sent if at > answered for path in paths}
        missing += [
            f"{key} ({path})" for path in key_to_paths(key) if not any(covers(pattern, path) for pattern in later)
        ]
    return sorted(set(missing))


def assert_guarantees(account: Account, proxy: FaultProxy, scenario: str) -> None:
    now = datetime.now(UTC)  # the workers published with the real clock; the content is years from it
    difference = site_difference(account.objects(account.names["SITE_BUCKET"]), account.full_build(now))
    assert difference == "", f"{scenario}: the site bucket is not the full build\n{difference}"
    uncovered = uncovered_changes(proxy.exchanges, account.names["SITE_BUCKET"])
    assert uncovered == [], f"{scenario}: written or deleted without a later invalidation: {uncovered[:20]}"


def race(account: Account, proxy: FaultProxy, changes: list[Change], tmp_path: Path, workers: int = 3) -> None:
    """Half the stream before the workers start, the rest while they run, then one last drain."""
    half = len(changes) // 2
    account.apply([Change("site.yaml", SITE_YAML), *changes[:half]])
    env = account.worker_env(proxy.url)
    running = [(start_worker(env, tmp_path / f"worker-{n}.log"), tmp_path / f"worker-{n}.log") for n in range(workers)]
    for start in range(half, len(changes), 4):
        account.apply(changes[start : start + 4])
    for worker, log in running:
        finish(worker, log)
    finish(start_worker(env, tmp_path / "last.log"), tmp_path / "last.log")


def test_racing_workers_converge_and_invalidate_every_write(account: Account, tmp_path: Path) -> None:
    seed = 3 + SEED_SHIFT
    changes = change_stream(random.Random(seed), posts=20, length=40)
    with FaultProxy(account.endpoint) as proxy:
        race(account, proxy, changes, tmp_path)
        assert_guarantees(account, proxy, f"3 racing workers, stream seed {seed}")


def test_throttling_errors_and_lost_answers_retry_to_the_same_site(account: Account, tmp_path: Path) -> None:
    seed = 11 + SEED_SHIFT
    changes = change_stream(random.Random(seed), posts=15, length=20)
    plan = FaultPlan.mixed(0.10, seed=seed)
    with FaultProxy(account.endpoint, plan) as proxy:
        race(account, proxy, changes, tmp_path)
        assert all(proxy.faults[fault] > 0 for fault in (Fault.REFUSE, Fault.FAIL_AFTER, Fault.DROP_AFTER))
        assert_guarantees(account, proxy, f"10% faults on S3, DynamoDB and CloudFront, seed {seed}")


def _site_write(bucket: str) -> Callable[[Exchange], bool]:
    return lambda exchange: (
        exchange.service == "s3" and exchange.method == "PUT" and exchange.path.startswith(f"/{bucket}/")
    )


def _written_since_last_invalidation(exchanges: list[Exchange], bucket: str) -> bool:
    last_sent = max((at for at, _ in invalidations_sent(exchanges)), default=0)
    return any(answered > last_sent for answered, _ in bucket_changes(exchanges, bucket))


def test_workers_killed_mid_batch_leave_nothing_stale(account: Account, tmp_path: Path) -> None:
    seed = 5 + SEED_SHIFT
    rng = random.Random(seed)
    changes = change_stream(rng, posts=15, length=24)
    waves = [changes[start : start + 8] for start in range(0, len(changes), 8)]
    # A killed worker's messages come back after the visibility timeout, as after a Lambda timeout;
    # provision's 12 minutes would make this test wait that long.
    sqs = account.client("sqs")
    sqs.set_queue_attributes(QueueUrl=account.names["QUEUE_URL"], Attributes={"VisibilityTimeout": "4"})
    site = account.names["SITE_BUCKET"]
    account.apply([Change("site.yaml", SITE_YAML)])
    with FaultProxy(account.endpoint) as proxy:
        env = account.worker_env(proxy.url)
        crashed_between_write_and_invalidation = False
        wanted: Callable[[Exchange], bool]
        for round_, wave in enumerate(waves):
            account.apply(wave)
            log = tmp_path / f"killed-{round_}.log"
            victim = start_worker(env, log)
            if round_ == 0:  # surely in the window between a write and its invalidation
                wanted, count = _site_write(site), 1
            else:  # anywhere: while reading, indexing, rendering or writing
                wanted, count = (lambda exchange: True), len(proxy.exchanges) + rng.randint(20, 400)
            while victim.poll() is None and not proxy.wait_for(wanted, count, timeout=0.5):
                pass
            victim.kill()
            victim.wait()
            crashed_between_write_and_invalidation |= _written_since_last_invalidation(proxy.exchanges, site)
            finish(start_worker(env, tmp_path / f"fresh-{round_}.log"), tmp_path / f"fresh-{round_}.log")
        assert crashed_between_write_and_invalidation, "no kill landed between a write and its invalidation"
        assert_guarantees(account, proxy, f"SIGKILL mid-batch, seed {seed}")


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(account: Account, tmp_path: Path) -> None:
    account.apply([Change("posts/stuck.md", b"---\ntitle: Stuck\ndate: 2023-01-01\n---\nbody\n")])
    env = account.worker_env(account.endpoint, SITE_BUCKET="pressroom-bucket-that-does-not-exist")
    log = tmp_path / "worker.log"
    finish(start_worker(env, log), log)
    sqs = account.client("sqs")
    dead = sqs.receive_message(QueueUrl=account.names["DLQ_URL"], MaxNumberOfMessages=10, AttributeNames=["All"])
    messages = dead.get("Messages", [])
    keys = [
        unquote_plus(record["s3"]["object"]["key"]) for m in messages for record in json.loads(m["Body"])["Records"]
    ]
    assert keys == ["posts/stuck.md"], log.read_text(errors="replace")[-3000:]
    assert int(messages[0]["Attributes"]["ApproximateReceiveCount"]) >= 5
    left = sqs.get_queue_attributes(QueueUrl=account.names["QUEUE_URL"], AttributeNames=["All"])["Attributes"]
    assert left["ApproximateNumberOfMessages"] == left["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_a_publish_that_lands_while_another_worker_renders_is_not_overwritten(monkeypatch: pytest.MonkeyPatch) -> None:
    """The race the racing tests above can meet, made deterministic in one process.

    Worker B publishes a whole change just as worker A starts writing its own (A's first read of
    the site version); A must not then overwrite B's pages with pages rendered from an older index.
    """
    from pressroom.shells.provision import provision
    from pressroom.shells.runtime import Resources, client, publisher

    now = datetime(2026, 1, 1, tzinfo=UTC)
    with mock_aws():
        names = provision(Resources.from_env())
        for name, value in names.items():
            monkeypatch.setenv(name, value)
        s3 = client("s3")
        files = {"site.yaml": SITE_YAML, "posts/one.md": b"---\ntitle: One\ndate: 2024-01-01\ntags: [x]\n---\nOne.\n"}
        for key, body in files.items():
            s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=key, Body=body)
        first = publisher(Resources.from_env(), now)
        first.send_invalidations(first.publish(["posts/one.md"]))
        for name in ("two", "three"):
            files[f"posts/{name}.md"] = f"---\ntitle: {name}\ndate: 2024-02-01\ntags: [x]\n---\n{name}.\n".encode()
            s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=f"posts/{name}.md", Body=files[f"posts/{name}.md"])
        worker_a, worker_b = publisher(Resources.from_env(), now), publisher(Resources.from_env(), now)
        version = worker_a.index.version
        b_done: list[bool] = []

        def b_lands_first() -> int:
            """Before A reads the site version to start writing, B publishes its change from start to end."""
            if not b_done:
                b_done.append(True)
                worker_b.send_invalidations(worker_b.publish(["posts/three.md"]))
            return version()

        monkeypatch.setattr(worker_a.index, "version", b_lands_first)
        worker_a.send_invalidations(worker_a.publish(["posts/two.md"]))
        expected = {key: (body, content_type(key)) for key, body in build_site(files, now, workers=1).outputs.items()}
        difference = site_difference(bucket_objects(s3, names["SITE_BUCKET"]), expected)
        assert difference == "", f"worker B published posts/three.md while A rendered posts/two.md\n{difference}"
