"""Edits under injected faults: how long an edit waits to be published when AWS answers badly.

Three `pressroom worker` processes poll the queue of a moto server (the embedded one, with its
patches, in a process of its own) through the fault proxy of `tests/support/faults.py`: 5% of the
requests to S3, DynamoDB and CloudFront are refused before they act, 3% answered with a 500 after
they took effect (the issue 19 mix). A 30-post site is published first; then 120 edits (a new
body, now and then new tags) are uploaded straight to moto, four a second. An edit counts as
published when the proxy sees moto accept a write of its post's page carrying its text, or a
later edit's (an edit overtaken before it was published is published by the later one). Per
seed: the worst and median upload-to-published seconds, and whether the site then equals
`pressroom build` of the source bucket.

    .venv/bin/python bench/faults.py [--seeds 1,2,3,4,5] [--edits 120]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from burst import MOTO_PROCESS  # noqa: E402
from events import CLEARED_ENV, DUMMY_AWS_ENV  # noqa: E402
from support.faults import Fault, FaultPlan, FaultProxy  # noqa: E402

POSTS = 30
WORKERS = 3
EDITS_PER_SECOND = 4
REFUSE = 0.05
FAIL_AFTER = 0.03
SITE_YAML = b"title: Faults\nbaseURL: https://faults.example/\npagerSize: 5\nfeedLimit: 5\n"
TAGS = ("python", "aws", "serverless", "notes", "hugo")
PUBLISHED_WITHIN_SECONDS = 600.0
"""An edit not published by then counts as never published (the run stops waiting)."""
SLOW_SECONDS = 10.0
"""Edits published later than this are listed one by one."""
VERSION = re.compile(rb"Version (\d+) of post")


def post(number: int, version: int, tags: list[str]) -> bytes:
    front = {"title": f"Post {number:02d}", "date": f"2024-01-{number % 28 + 1:02d}", "tags": tags}
    return f"---\n{json.dumps(front)}\n---\n\nVersion {version} of post {number:02d}.\n".encode()


def page_of(number: int) -> str:
    return f"posts/post-{number:02d}/index.html"


class TimedProxy(FaultProxy):
    """The fault proxy, noting when moto accepted each write of a page (monotonic seconds)."""

    def __init__(self, upstream: str, plan: FaultPlan, bucket: str) -> None:
        super().__init__(upstream, plan)
        self.prefix = f"/{bucket}/"
        self.page_writes: list[tuple[float, str, int]] = []
        """(when, page key, version of the post it carries)"""
        self._lock = threading.Lock()

    def forward(
        self, service: str, method: str, target: str, headers: Message, body: bytes, fault: Fault
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        status, answer_headers, answer = super().forward(service, method, target, headers, body, fault)
        path = target.split("?", 1)[0]
        if service == "s3" and method == "PUT" and 200 <= status < 300 and path.startswith(self.prefix):
            found = VERSION.search(body)
            if found is not None:
                with self._lock:
                    self.page_writes.append((time.monotonic(), path[len(self.prefix) :], int(found.group(1))))
        return status, answer_headers, answer


@dataclass(frozen=True)
class Edit:
    number: int
    version: int
    uploaded: float


def latencies(edits: list[Edit], writes: list[tuple[float, str, int]]) -> list[float | None]:
    """Upload to the first accepted write of the edit's page carrying it or a later edit; None: never."""
    found: list[float | None] = []
    for edit in edits:
        page = page_of(edit.number)
        times = [when for when, key, version in writes if key == page and version >= edit.version]
        found.append(min(times) - edit.uploaded if times else None)
    return found


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env.update(DUMMY_AWS_ENV, POWERTOOLS_METRICS_DISABLED="true", LOG_LEVEL="WARNING")
    return env


def _converged(s3: Any, names: dict[str, str]) -> bool:
    from pressroom.core.build import build_site

    def objects(bucket: str) -> dict[str, bytes]:
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found

    expected = build_site(objects(names["SOURCE_BUCKET"]), datetime.now(UTC)).outputs
    return objects(names["SITE_BUCKET"]) == expected


def run_seed(seed: int, edits: int, logs: Path) -> dict[str, Any]:
    import boto3

    pressroom = Path(sys.executable).parent / "pressroom"
    env = _env()
    server = subprocess.Popen(
        [sys.executable, "-c", MOTO_PROCESS], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    workers: list[subprocess.Popen[bytes]] = []
    try:
        assert server.stdout is not None
        endpoint = server.stdout.readline().strip()
        provisioned = subprocess.run(
            [pressroom, "provision"], env={**env, "AWS_ENDPOINT_URL": endpoint}, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        names = json.loads(provisioned.stdout)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        rng = random.Random(seed)
        tags = {n: rng.sample(TAGS, rng.randint(1, 2)) for n in range(POSTS)}
        s3.put_object(Bucket=names["SOURCE_BUCKET"], Key="site.yaml", Body=SITE_YAML)
        for number in range(POSTS):
            s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=f"posts/post-{number:02d}.md",
                          Body=post(number, 0, tags[number]))  # fmt: skip
        plan = FaultPlan(seed=seed, refuse=REFUSE, fail_after=FAIL_AFTER)
        with TimedProxy(endpoint, plan, names["SITE_BUCKET"]) as proxy:
            worker_env = {**env, **names, "AWS_ENDPOINT_URL": proxy.url}
            for n in range(WORKERS):
                with (logs / f"seed-{seed}-worker-{n}.log").open("wb") as log:
                    workers.append(subprocess.Popen([pressroom, "worker"], env=worker_env, stdout=log,
                                                    stderr=subprocess.STDOUT))  # fmt: skip
            first = [Edit(number, 0, time.monotonic()) for number in range(POSTS)]
            _wait_published(first, proxy)
            made: list[Edit] = []
            start = time.monotonic()
            for version in range(1, edits + 1):
                time.sleep(max(0.0, start + (version - 1) / EDITS_PER_SECOND - time.monotonic()))
                number = rng.randrange(POSTS)
                if rng.random() < 0.3:
                    tags[number] = rng.sample(TAGS, rng.randint(1, 2))
                s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=f"posts/post-{number:02d}.md",
                              Body=post(number, version, tags[number]))  # fmt: skip
                made.append(Edit(number, version, time.monotonic()))
            _wait_published(made, proxy)
            found = latencies(made, proxy.page_writes)
            time.sleep(5)  # the last invocations finish their rounds (lists, feeds) before the comparison
            converged = _wait_converged(s3, names)
            faults = {fault.value: count for fault, count in proxy.faults.items()}
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=60)
    published = [value for value in found if value is not None]
    slow = [
        {"edit": n, "uploaded_s": round(edit.uploaded - start, 1), "published_after_s": round(value, 1)}
        for n, (edit, value) in enumerate(zip(made, found, strict=True))
        if value is None or value > SLOW_SECONDS
    ]
    return {
        "seed": seed,
        "edits": len(made),
        "unpublished": len(found) - len(published),
        "worst_s": max(published, default=0.0),
        "median_s": statistics.median(published) if published else 0.0,
        "over_60_s": sum(1 for value in published if value > 60),
        "slow": slow,
        "converged": converged,
        "faults": faults,
    }


def _wait_published(edits: list[Edit], proxy: TimedProxy) -> None:
    deadline = time.monotonic() + PUBLISHED_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if all(value is not None for value in latencies(edits, proxy.page_writes)):
            return
        time.sleep(0.5)


def _wait_converged(s3: Any, names: dict[str, str]) -> bool:
    deadline = time.monotonic() + 120
    while True:
        if _converged(s3, names):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(2)


def bench_faults(seeds: list[int], edits: int, logs: Path) -> dict[str, Any]:
    runs = []
    for seed in seeds:
        figures = run_seed(seed, edits, logs)
        print("   ", figures, flush=True)
        runs.append(figures)
    return {
        "workers": WORKERS,
        "posts": POSTS,
        "edits": edits,
        "edits_per_second": EDITS_PER_SECOND,
        "refuse": REFUSE,
        "fail_after": FAIL_AFTER,
        "runs": runs,
        "worst_s": max(run["worst_s"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1,2,3,4,5")
    parser.add_argument("--edits", type=int, default=120)
    args = parser.parse_args()
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    os.environ.update(DUMMY_AWS_ENV)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    figures = bench_faults([int(seed) for seed in args.seeds.split(",")], args.edits, out)
    (out / "faults.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
