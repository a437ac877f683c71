"""A first push: N posts uploaded at once, published through the queue by one `pressroom worker`.

On a moto server (`ThreadedMotoServer`, in this process so that embedded.moto_without_store_wide_costs
applies to it too): provision, upload every file with put_object (each notifies the queue), then
run the worker (`shells.worker.run_worker` with the real handler, as `pressroom worker` runs it)
until the queue is empty; the time is from the worker's start to the drained queue, and the site
must then equal `pressroom build`. Then the same site again on a fresh account, its notifications
purged, published by `pressroom rebuild` instead (the CLI's loop). Requests are those of the
handler's (or the rebuild's) boto3 clients, counted by botocore hooks; the worker's own polling
(ReceiveMessage, DeleteMessageBatch, visibility heartbeats: on Lambda, the event source mapping's
work) is counted apart.

`bench_burst_cli` runs it as a user would, with the commands of the README's "against a local AWS
of your own": `pressroom aws` (the embedded AWS of `demo` and `dev` as a server of its own,
provisioned), `pressroom sync` of the blog's folder, then `pressroom worker --until-empty`,
timed from its start to its exit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from events import (
    CLEARED_ENV,
    NOW,
    RequestLog,
    moto_without_store_wide_costs,
    quiet_logs,
    reset_aws_env,
    site_files,
)


def _account(endpoint: str) -> tuple[dict[str, str], dict[str, Any], RequestLog]:
    from pressroom.shells.provision import provision
    from pressroom.shells.runtime import Resources, client

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()
    reset_aws_env()
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    names = provision(Resources.from_env())
    os.environ.update(names)
    clients = {service: client(service) for service in ("s3", "dynamodb", "cloudfront", "sqs")}
    log = RequestLog()
    log.watch(clients)
    return names, clients, log


def _upload(s3: Any, bucket: str, files: dict[str, bytes]) -> float:
    start = time.perf_counter()
    for key, body in sorted(files.items()):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return time.perf_counter() - start


def _converged(s3: Any, bucket: str, files: dict[str, bytes], now: datetime = NOW) -> bool:
    from pressroom.core.build import build_site

    expected = build_site(files, now).outputs
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found == expected


def bench_burst(posts: int) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    from pressroom.shells import handler as handler_module
    from pressroom.shells.runtime import client
    from pressroom.shells.worker import run_worker

    files = site_files(posts, max(60, posts // 10))
    report: dict[str, Any] = {"posts": posts}
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        with moto_without_store_wide_costs(), quiet_logs():
            # 1. through the queue, one worker
            names, clients, log = _account(endpoint)
            report["upload_s"] = _upload(clients["s3"], names["SOURCE_BUCKET"], files)
            log.take()
            handler_module._clients.clear()
            handler_module._clients.update({k: v for k, v in clients.items() if k != "sqs"})
            handler_module._clients["sqs"] = clients["sqs"]
            handler_module.content_now = lambda: NOW  # type: ignore[assignment]
            polling = client("sqs")
            polling_log = RequestLog()
            polling_log.watch({"sqs": polling})
            start = time.perf_counter()
            stats = run_worker(polling, names["QUEUE_URL"], handler_module.handler, until_empty=True)
            report["worker_s"] = time.perf_counter() - start
            calls = log.take()
            report["worker_requests"] = len(calls)
            report["worker_by_operation"] = dict(Counter(call.operation for call in calls).most_common())
            report["worker_polling_requests"] = len(polling_log.take())
            report["worker_batches"] = stats.batches
            report["worker_converged"] = _converged(clients["s3"], names["SITE_BUCKET"], files)
            handler_module._clients.clear()

            # 2. the same site by `pressroom rebuild`
            names, clients, log = _account(endpoint)
            _upload(clients["s3"], names["SOURCE_BUCKET"], files)
            clients["sqs"].purge_queue(QueueUrl=names["QUEUE_URL"])
            log.take()
            start = time.perf_counter()
            _rebuild(clients)
            report["rebuild_s"] = time.perf_counter() - start
            calls = log.take()
            report["rebuild_requests"] = len(calls)
            report["rebuild_by_operation"] = dict(Counter(call.operation for call in calls).most_common())
            report["rebuild_converged"] = _converged(clients["s3"], names["SITE_BUCKET"], files)
    finally:
        server.stop()
    report["requests_ratio"] = report["worker_requests"] / report["rebuild_requests"]
    return report


def _serve_aws(env: dict[str, str], sam_env: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`pressroom aws --port 0` started, and the environment its `export` lines set (the line
    naming SAM's env-vars file follows them)."""
    import shlex

    server = subprocess.Popen(
        [str(PRESSROOM), "aws", "--port", "0", "--env-json", str(sam_env)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    exported: dict[str, str] = {}
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").rstrip("\n").partition("=")
            exported[name] = shlex.split(value)[0] if value else ""
        elif exported:
            break
    return server, exported


PRESSROOM = Path(sys.executable).parent / "pressroom"


def bench_burst_cli(posts: int, folder: Path) -> dict[str, Any]:
    """The same first push as a user types it: `pressroom aws`, `pressroom sync` of the blog's
    folder (every file a notification), then `pressroom worker --until-empty`, timed from its
    start to its exit."""
    import boto3

    files = site_files(posts, max(60, posts // 10))
    for key, body in files.items():
        (folder / key).parent.mkdir(parents=True, exist_ok=True)
        (folder / key).write_bytes(body)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV and not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_METRICS_DISABLED="true", LOG_LEVEL="WARNING")
    server, exported = _serve_aws(env, folder.with_name(folder.name + "-sam-env.json"))
    env.update(exported)
    try:
        start = time.perf_counter()
        synced = subprocess.run([PRESSROOM, "sync", str(folder), f"s3://{env['SOURCE_BUCKET']}"], env=env,
                                capture_output=True, text=True, check=True)  # fmt: skip
        report: dict[str, Any] = {"posts": posts, "upload_s": time.perf_counter() - start, "server": "pressroom aws"}
        report["sync_said"] = synced.stdout.strip().splitlines()[-1:] or synced.stderr.strip().splitlines()[-1:]
        start = time.perf_counter()
        worker = subprocess.run([PRESSROOM, "worker", "--until-empty"], env=env, capture_output=True, text=True)
        report["worker_s"] = time.perf_counter() - start
        report["worker_exit"] = worker.returncode
        s3 = boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name="us-east-1",
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        # The worker's clock is the machine's: the site is compared with a build at its time.
        report["worker_converged"] = _converged(s3, env["SITE_BUCKET"], files, datetime.now(UTC))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    return report


def _rebuild(clients: dict[str, Any]) -> None:
    """What `pressroom rebuild` does (shells/cli.py cmd_rebuild), on the counted clients."""
    from pressroom.engine.publisher import Publisher
    from pressroom.shells.runtime import Resources, ports

    resources = Resources.from_env()
    publisher = Publisher(ports(resources, {k: v for k, v in clients.items() if k != "sqs"}), NOW)
    publisher.request_rebuild(repair=True)
    while True:
        result = publisher.run()
        if not result.held or (not result.handed_off and publisher.control.journal() is None):
            break


if __name__ == "__main__":
    posts = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    figures = {**bench_burst(posts), "cli": bench_burst_cli(posts)}
    path = Path(__file__).resolve().parent / "out" / "burst.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
