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

from pressroom.core.build import build_site
from pressroom.core.site.urls import key_to_paths
from support.faults import (
    Exchange,
    Fault,
    FaultPlan,
    FaultProxy,
    bucket_changes,
    covers,
    invalidations_sent,
)
from support.moto_server import moto_server

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


def bucket_objects(s3: Any, bucket: str) -> dict[str, tuple[bytes, str, str]]:
    """Every object of a bucket: key -> (bytes, Content-Type, Content-Disposition)."""
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            answer = s3.get_object(Bucket=bucket, Key=item["Key"])
            found[item["Key"]] = (answer["Body"].read(), answer["ContentType"], answer.get("ContentDisposition", ""))
    return found


@dataclass
class Account:
    """A moto server provisioned by `pressroom provision`, seen directly (not through the proxy)."""

    endpoint: str
    names: dict[str, str]

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint)  # type: ignore[call-overload]

    def worker_env(self, endpoint: str, **overrides: str) -> dict[str, str]:
        base = {
            "AWS_ENDPOINT_URL": endpoint,
            "LOG_LEVEL": "WARNING",
            "POWERTOOLS_METRICS_DISABLED": "true",
            # A killed holder's lease runs out in seconds here, not a minute: moto on this machine
            # answers well within 4 s, retries included, so a site write needs no more left.
            "PRESSROOM_LEASE_SECONDS": "10",
            "PRESSROOM_REQUEST_SECONDS": "4",
        }
        return {**os.environ, **base, **self.names, **overrides}

    def apply(self, changes: list[Change]) -> None:
        s3, bucket = self.client("s3"), self.names["SOURCE_BUCKET"]
        for change in changes:
            if change.body is None:
                s3.delete_object(Bucket=bucket, Key=change.key)
            else:
                s3.put_object(Bucket=bucket, Key=change.key, Body=change.body)

    def objects(self, bucket: str) -> dict[str, tuple[bytes, str, str]]:
        return bucket_objects(self.client("s3"), bucket)

    def full_build(self, now: datetime) -> dict[str, tuple[bytes, str, str]]:
        """What `pressroom build` makes of the source bucket as it is now (SPEC 3.3.1)."""
        files = {key: body for key, (body, _, _) in self.objects(self.names["SOURCE_BUCKET"]).items()}
        built = build_site(files, now)
        stored = {key: built.headers(key) for key in built.outputs}
        return {key: (body, stored[key].content_type, stored[key].disposition) for key, body in built.outputs.items()}


@pytest.fixture
def account() -> Iterator[Account]:
    with moto_server() as endpoint:
        env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
        provisioned = subprocess.run(
            [sys.executable, "-m", "pressroom", "provision"], env=env, capture_output=True, text=True, check=False
        )
        assert provisioned.returncode == 0, provisioned.stderr
        yield Account(endpoint, json.loads(provisioned.stdout))


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
                proxy.hold(wanted)  # the write's answer waits for the kill
            else:  # anywhere: while reading, indexing, rendering or writing
                wanted, count = (lambda exchange: True), len(proxy.exchanges) + rng.randint(20, 400)
            while victim.poll() is None and not proxy.wait_for(wanted, count, timeout=0.5):
                pass
            victim.kill()
            victim.wait()
            proxy.release()
            crashed_between_write_and_invalidation |= _written_since_last_invalidation(proxy.exchanges, site)
            finish(start_worker(env, tmp_path / f"fresh-{round_}.log"), tmp_path / f"fresh-{round_}.log")
        assert crashed_between_write_and_invalidation, "no kill landed between a write and its invalidation"
        assert_guarantees(account, proxy, f"SIGKILL mid-batch, seed {seed}")


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(account: Account, tmp_path: Path) -> None:
    account.apply([Change("posts/stuck.md", b"---\ntitle: Stuck\ndate: 2023-01-01\n---\nbody\n")])
    env = account.worker_env(account.endpoint, SITE_BUCKET="pressroom-bucket-that-does-not-exist")
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    assert worker.wait(timeout=WORKER_TIMEOUT) == 1, "a worker whose last messages failed exits 1"
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


def mixed_stream(rng: random.Random, length: int) -> list[Change]:
    """Every kind of source change: quick successive body edits, retags, deletes, bundle files and
    plain assets, intros, aliases (shared ones too), drafts and slugs."""
    current: dict[str, bytes] = {}
    changes: list[Change] = []

    def put(key: str, body: bytes) -> None:
        current[key] = body
        changes.append(Change(key, body))

    while len(changes) < length:
        number = rng.randrange(12)
        key = f"posts/post-{number:02d}.md" if number % 4 else f"posts/bundle-{number:02d}/index.md"
        roll = rng.random()
        if roll < 0.25 and key in current:
            for version in range(rng.randint(2, 3)):  # two or three quick saves of a body-only edit
                put(key, current[key].split(b"\n\n")[0] + f"\n\nEdited {version} {rng.random()}.\n".encode())
        elif roll < 0.35 and key in current:
            del current[key]
            changes.append(Change(key, None))
        elif roll < 0.45:
            folder = key.rsplit("/", 1)[0] if key.endswith("index.md") else "img"
            name = rng.choice(["feature.png", "photo.jpg", "diagram.svg"])
            asset = f"{folder}/{name}"
            if asset in current and rng.random() < 0.4:
                del current[asset]
                changes.append(Change(asset, None))
            else:
                put(asset, f"asset {rng.random()}".encode())
        elif roll < 0.52:
            section = rng.choice(["posts/_index.md", "_index.md", "tags/python/_index.md"])
            put(section, f"---\ntitle: Intro {rng.randrange(100)}\n---\nHello {rng.random()}.\n".encode())
        else:
            body = post(rng, number)
            if rng.random() < 0.2:
                front, rest = body.split(b"\n---\n", 1)
                extra = json.loads(front[4:])
                extra["aliases"] = [f"/old/{rng.randrange(3)}/"]
                body = b"---\n" + json.dumps(extra).encode() + b"\n---\n" + rest
            put(key, body)
    return changes[:length]


def test_three_workers_under_faults_and_kills_drain_to_the_full_build(account: Account, tmp_path: Path) -> None:
    """Issue 9's stress run: 3 workers, 100+ mixed changes, 5% of requests failing before and 3% after
    taking effect, a worker SIGKILLed every 25 changes, the visibility timeout of the template's ratio."""
    seed = 21 + SEED_SHIFT
    rng = random.Random(seed)
    changes = mixed_stream(rng, 110)
    function_seconds = 10
    sqs = account.client("sqs")
    # The template sets the visibility timeout to six times the function's timeout (AWS's advice).
    sqs.set_queue_attributes(
        QueueUrl=account.names["QUEUE_URL"], Attributes={"VisibilityTimeout": str(6 * function_seconds)}
    )
    account.apply([Change("site.yaml", SITE_YAML)])
    plan = FaultPlan(seed=seed, refuse=0.05, fail_after=0.03)
    with FaultProxy(account.endpoint, plan) as proxy:
        env = account.worker_env(proxy.url, PRESSROOM_FUNCTION_SECONDS=str(function_seconds))
        logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
        workers = [start_worker(env, log) for log in logs]
        for start in range(0, len(changes), 5):
            account.apply(changes[start : start + 5])
            if start and start % 25 == 0:
                victim = rng.randrange(len(workers))
                workers[victim].kill()
                workers[victim].wait()
                workers[victim] = start_worker(env, logs[victim])
        for worker in workers:
            worker.wait(timeout=WORKER_TIMEOUT * 2)
        last = tmp_path / "last.log"
        finish(start_worker(env, last), last)
        assert proxy.faults[Fault.REFUSE] > 0 and proxy.faults[Fault.FAIL_AFTER] > 0
        assert_guarantees(account, proxy, f"3 workers, faults and kills, seed {seed}")
    dead = sqs.receive_message(QueueUrl=account.names["DLQ_URL"], MaxNumberOfMessages=10)
    failures = [
        line
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if "Traceback" in line or "Error" in line
    ]
    assert dead.get("Messages", []) == [], "\n".join(failures[-40:])
