"""`pressroom demo`: the whole event path on an embedded moto server, no account, no Docker."""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from pathlib import Path

from pressroom.shells.runtime import Resources, client


def _start_moto() -> tuple[object, str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request drowns the story

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def export_bucket(s3: object, bucket: str, out: Path) -> dict[str, bytes]:
    """Download every object of a bucket into a folder; returns key -> bytes."""
    from pressroom.adapters.aws.s3 import S3SiteStore
    from pressroom.adapters.files import write_tree

    store = S3SiteStore(s3, bucket)
    objects = {key: body for key in store.list_keys() if (body := store.read(key)) is not None}
    write_tree(out, objects)
    return objects


def run_demo(content: Path, out: Path, now: datetime) -> int:
    """Provision on moto, upload `content`, drain the queue through the real handler, export the site."""
    from pressroom.adapters.files import read_tree
    from pressroom.core.build import build_site
    from pressroom.shells.provision import provision
    from pressroom.shells.sync import sync
    from pressroom.shells.worker import run_worker

    started = time.perf_counter()
    server, endpoint = _start_moto()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        }
    )
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    print(f"1. started an embedded AWS (moto) at {endpoint}")
    names = provision(Resources.from_env())
    os.environ.update(names)
    print(f"2. provisioned: buckets {names['SOURCE_BUCKET']} -> {names['SITE_BUCKET']}, table {names['INDEX_TABLE']},")
    print(f"   queue + dead-letter queue, distribution {names['DISTRIBUTION_ID']}")
    s3 = client("s3")
    report = sync(content, f"s3://{names['SOURCE_BUCKET']}", s3_client=s3, delete=True)
    print(f"3. uploaded {report.uploaded} files from {content}/ to s3://{names['SOURCE_BUCKET']} (S3 -> SQS events)")
    from pressroom.engine.control import Control
    from pressroom.shells.handler import handler
    from pressroom.shells.runtime import ports

    stats = run_worker(client("sqs"), names["QUEUE_URL"], handler, until_empty=True)
    cloudfront = client("cloudfront")
    invalidations = cloudfront.list_invalidations(DistributionId=names["DISTRIBUTION_ID"])["InvalidationList"]
    paths = sum(
        len(
            cloudfront.get_invalidation(DistributionId=names["DISTRIBUTION_ID"], Id=item["Id"])["Invalidation"][
                "InvalidationBatch"
            ]["Paths"].get("Items", [])
        )
        for item in invalidations.get("Items", [])
    )
    print(
        f"4. drained the queue through functions/publisher/app.py:handler: {stats.messages} messages (S3 events,\n"
        f"   and the chunks a site.yaml upload fans out) in {stats.batches} batches,"
        f" {invalidations.get('Quantity', 0)} invalidations covering {paths} paths"
    )
    errors = Control(ports(Resources.from_env()).table).all_errors()
    for key, record in sorted(errors.items()):
        for problem in record.problems:
            print(f"   failed: {key}: {problem}")
    site = export_bucket(s3, names["SITE_BUCKET"], out)
    expected = build_site(read_tree(content), now).outputs
    same = site == expected
    print(f"5. exported {len(site)} objects of s3://{names['SITE_BUCKET']} to {out}/")
    print(f"   equal to `pressroom build {content} --out ...`: {'yes' if same else 'NO'}")
    print(f"done in {time.perf_counter() - started:.1f} s. Open {out}/index.html, or serve it:")
    print(f"   python3 -m http.server -d {out} 8000   # then http://127.0.0.1:8000/")
    server.stop()  # type: ignore[attr-defined]
    return 0 if same and not errors else 1
