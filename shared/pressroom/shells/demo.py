"""`pressroom demo`: the whole event path on an embedded moto server, no account, no Docker."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pressroom.shells.embedded import moto_without_store_wide_costs, start_moto
from pressroom.shells.runtime import Resources, client


def export_bucket(s3: object, bucket: str, out: Path) -> dict[str, bytes]:
    """Download every object of a bucket into a folder; returns key -> bytes."""
    from pressroom.adapters.aws.s3 import S3SiteStore
    from pressroom.adapters.files import write_tree

    store = S3SiteStore(s3, bucket)
    objects = {key: body for key in store.list_keys() if (body := store.read(key)) is not None}
    write_tree(out, objects)
    return objects


def run_demo(content: Path, out: Path, now: datetime, output: Any = None) -> int:
    """Provision on moto, upload `content`, drain the queue through the real handler, export the site."""
    from pressroom.shells.terminal import Output

    output = output or Output()
    server, endpoint = start_moto()
    try:
        with moto_without_store_wide_costs():
            return _demo(content, out, now, output, endpoint)
    finally:
        server.stop()


def _demo(content: Path, out: Path, now: datetime, output: Any, endpoint: str) -> int:
    from pressroom.adapters.files import read_tree
    from pressroom.core.build import build_site
    from pressroom.shells.pools import build_pool
    from pressroom.shells.provision import provision
    from pressroom.shells.sync import s3_target, sync
    from pressroom.shells.worker import run_worker

    started = time.perf_counter()
    print(f"1. started an embedded AWS (moto) at {endpoint}")
    names = provision(Resources.from_env())
    os.environ.update(names)
    print(f"2. provisioned: buckets {names['SOURCE_BUCKET']} -> {names['SITE_BUCKET']}, table {names['INDEX_TABLE']},")
    print(f"   queue + dead-letter queue, distribution {names['DISTRIBUTION_ID']}")
    s3 = client("s3")
    report = sync(
        content,
        s3_target(f"s3://{names['SOURCE_BUCKET']}", s3),
        delete=True,
        bar=(lambda items, size: output.bar("uploading", items, size)) if output.fancy else None,
    )
    print(f"3. uploaded {report.uploaded} files from {content}/ to s3://{names['SOURCE_BUCKET']} (S3 -> SQS events)")
    from pressroom.engine.control import Control
    from pressroom.shells.handler import handler
    from pressroom.shells.runtime import ports

    with output.status("draining the queue through the handler") as update:
        stats = run_worker(
            client("sqs"),
            names["QUEUE_URL"],
            handler,
            until_empty=True,
            after_batch=lambda stats: update(f"draining the queue: {stats.messages} messages handled"),
        )
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
    expected = build_site(read_tree(content), now, build_pool()).outputs
    same = site == expected
    print(f"5. exported {len(site)} objects of s3://{names['SITE_BUCKET']} to {out}/")
    print(f"   equal to `pressroom build {content} --out ...`: {'yes' if same else 'NO'}")
    seconds = time.perf_counter() - started
    if output.fancy:
        rows = [
            ("uploaded", f"{report.uploaded} files"),
            ("handled", f"{stats.messages} messages in {stats.batches} batches"),
            ("invalidated", f"{paths} paths"),
            ("exported", f"{len(site)} objects to {out}/"),
            ("failed files", len(errors)),
            ("equal to a full build", "yes" if same else "NO"),
            ("time", f"{seconds:.1f} s"),
        ]
        output.summary("", rows, {})
    print(f"done in {seconds:.1f} s. Open {out}/index.html, or serve it:")
    print(f"   python3 -m http.server -d {out} 8000   # then http://127.0.0.1:8000/")
    return 0 if same and not errors else 1
