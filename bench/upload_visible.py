"""A photo visible on its page, with every variant, on the embedded AWS: seconds from its upload.

Target (issue 22): a 12-megapixel photo within 5 s of its upload, a 24-megapixel one within 10 s.

As `pressroom demo` and `pressroom dev` run it: a moto server in this process (with
`embedded.moto_without_store_wide_costs`), the stack provisioned, the real handler fed by
`worker.run_worker` (long polls of 1 s, as `pressroom dev`'s worker) in a thread of its own. A
blog of 50 generated posts is published first. Then, for each photo: its post is uploaded
(`posts/photo-N/index.md`, a bundle whose `feature.jpg` is not there yet) and published; the
worker starts, the photo (a camera JPEG of `photo_blog`, EXIF orientation 6 and GPS, new pixels
each time) is put into the source bucket, and the site bucket is polled every 50 ms until the
page shows the photo's `<picture>` (its fallback variant's name is in the HTML) and every variant
the image gets (`ImageFacts.variant_keys`) is there.

Figures per photo: upload -> page and variants all there; upload -> the handler's invocation
starts (S3 notification, SQS, the worker's receive); the invocation's wall time and the CPU of
its thread (pressroom's own work and its botocore calls; moto serves in other threads).

    python bench/upload_visible.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGETS = {"jpeg-12mp": 5.0, "jpeg-24mp": 10.0}
POLL_SECONDS = 0.05
SITE_POSTS = 50
BURST = 20
"""Posts with a 24-MP photo each put at once: more than one render chunk of outputs (the event
path makes a chunk's variants between two looks at its deadline: `engine/writing.py`)."""


class TimedHandler:
    """The real handler, each invocation's start, end, thread CPU and added peak memory recorded."""

    def __init__(self) -> None:
        from pressroom.shells.handler import handler

        self.handler = handler
        self.calls: list[dict[str, float]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        from events import _peak_kib, _reset_peak, _rss_kib

        _reset_peak()
        before = _rss_kib()
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return self.handler(event, context)
        finally:
            end, used = time.perf_counter(), time.thread_time() - cpu
            self.calls.append({"start": start, "end": end, "cpu": used, "peak_mib": (_peak_kib() - before) / 1024})


def _post(number: int) -> bytes:
    return (
        f"---\ntitle: Photo {number}\ndate: 2026-06-{number + 1:02d}T08:00:00Z\ntags: [Photos]\n---\n\n"
        "A photo from the trip, shown above as this post's feature image.\n"
    ).encode()


def _until(condition: Callable[[], bool], timeout: float) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"not within {timeout} s")
        time.sleep(POLL_SECONDS)
    return time.perf_counter()


def _drain(sqs: Any, queue_url: str, handler: Any) -> None:
    from pressroom.shells.worker import run_worker

    run_worker(sqs, queue_url, handler, until_empty=True)


def _one_photo(s3: Any, names: dict[str, str], handler: TimedHandler, number: int, kind: str) -> dict[str, Any]:
    """Upload post `number`, publish it, then its photo: the photo's figures."""
    from photo_blog import Photo, image_bytes
    from pressroom.core.images.processing import image_facts
    from pressroom.shells.runtime import client
    from pressroom.shells.worker import run_worker

    sqs, source, site = client("sqs"), names["SOURCE_BUCKET"], names["SITE_BUCKET"]
    folder = f"posts/photo-{number}"
    s3.put_object(Bucket=source, Key=f"{folder}/index.md", Body=_post(number))
    _drain(sqs, names["QUEUE_URL"], handler)
    key = f"{folder}/feature.jpg"
    data = image_bytes(Photo(key, kind, 9000 + number, 6))
    facts = image_facts(data, key)
    variants = set(facts.variant_keys(key))
    fallback = facts.fallback(key).rsplit("/", 1)[1]

    def page_shows_it() -> bool:
        page = s3.get_object(Bucket=site, Key=f"{folder}/index.html")["Body"].read()
        return fallback.encode() in page

    def all_there() -> bool:
        listed = s3.list_objects_v2(Bucket=site, Prefix=f"{folder}/").get("Contents", [])
        return variants <= {item["Key"] for item in listed} and page_shows_it()

    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(sqs, names["QUEUE_URL"], handler, False), kwargs={"stop": stop, "wait_seconds": 1}
    )
    worker.start()
    try:
        time.sleep(1.5)  # the worker is in its long poll, as a running one would be
        calls_before = len(handler.calls)
        uploaded = time.perf_counter()
        s3.put_object(Bucket=source, Key=key, Body=data)
        visible = _until(all_there, 120) - uploaded
    finally:
        stop.set()
        worker.join()
    _drain(sqs, names["QUEUE_URL"], handler)
    calls = [call for call in handler.calls[calls_before:] if call["start"] >= uploaded]
    first = calls[0] if calls else {"start": float("nan"), "end": float("nan"), "cpu": float("nan")}
    return {
        "kind": kind,
        "file_mb": len(data) / 1e6,
        "variants": len(variants),
        "visible_s": visible,
        "to_invocation_s": first["start"] - uploaded,
        "invocation_s": first["end"] - first["start"],
        "invocation_cpu_s": first["cpu"],
        "invocations": len(calls),
    }


def _burst(s3: Any, names: dict[str, str], handler: TimedHandler, count: int, kind: str) -> dict[str, Any]:
    """`count` posts, each with its photo, put at once (a push of a trip's photos): until every page
    shows its photo and every variant is there; the invocations that took them."""
    from photo_blog import Photo, image_bytes
    from pressroom.core.images.processing import image_facts
    from pressroom.shells.runtime import client

    files, expected = {}, {}
    for number in range(count):
        folder = f"posts/burst-{number}"
        key = f"{folder}/feature.jpg"
        files[f"{folder}/index.md"] = _post(number)
        files[key] = image_bytes(Photo(key, kind, 7000 + number, 6))
        facts = image_facts(files[key], key)
        expected[folder] = (set(facts.variant_keys(key)), facts.fallback(key).rsplit("/", 1)[1].encode())
    site = names["SITE_BUCKET"]

    def all_there() -> bool:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=site, Prefix="posts/burst-")
        listed = {item["Key"] for page in pages for item in page.get("Contents", [])}
        return all(
            variants <= listed and f"{folder}/index.html" in listed
            and fallback in s3.get_object(Bucket=site, Key=f"{folder}/index.html")["Body"].read()
            for folder, (variants, fallback) in expected.items()
        )  # fmt: skip

    calls_before = len(handler.calls)
    uploaded = time.perf_counter()
    for key, data in files.items():
        s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=key, Body=data)
    _drain(client("sqs"), names["QUEUE_URL"], handler)
    converged = _until(all_there, 60) - uploaded
    calls = handler.calls[calls_before:]
    return {
        "kind": kind,
        "photos": count,
        "mb": sum(len(data) for data in files.values()) / 1e6,
        "converged_s": converged,
        "invocations": len(calls),
        "max_invocation_s": max(call["end"] - call["start"] for call in calls),
        "max_invocation_cpu_s": max(call["cpu"] for call in calls),
        "max_peak_mib": max(call["peak_mib"] for call in calls),
    }


def bench_upload(repeats: int = 3, burst: int = BURST) -> dict[str, Any]:
    """Each kind `repeats` times on one embedded stack; every photo's figures."""
    from generate import generate
    from pressroom.shells.embedded import moto_without_store_wide_costs, start_moto
    from pressroom.shells.provision import provision
    from pressroom.shells.runtime import Resources, client

    server, _ = start_moto()
    try:
        with moto_without_store_wide_costs():
            names = provision(Resources.from_env())
            os.environ.update(names)
            s3 = client("s3")
            handler = TimedHandler()
            for key, data in generate(SITE_POSTS).items():
                s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=key, Body=data)
            _drain(client("sqs"), names["QUEUE_URL"], handler)
            photos = []
            for round_number in range(repeats):
                for kind in TARGETS:
                    photos.append(_one_photo(s3, names, handler, len(photos), kind))
                    row = photos[-1]
                    print(f"    {kind} (round {round_number + 1}): visible {row['visible_s']:.2f} s after upload "
                          f"(invocation {row['invocation_s']:.2f} s, {row['invocation_cpu_s']:.2f} CPU s)",
                          flush=True)  # fmt: skip
            bursts = [_burst(s3, names, handler, burst, "jpeg-24mp")] if burst else []
            for row in bursts:
                print(
                    f"    {row['photos']} {row['kind']} at once: all visible {row['converged_s']:.1f} s after the "
                    f"upload; {row['invocations']} invocations, the longest {row['max_invocation_s']:.1f} s "
                    f"({row['max_invocation_cpu_s']:.1f} CPU s, {row['max_peak_mib']:.0f} MiB added)",
                    flush=True,
                )
    finally:
        server.stop()
    return {"site_posts": SITE_POSTS, "photos": photos, "bursts": bursts}


def _summary(data: dict[str, Any], kind: str, field: str) -> tuple[float, float]:
    values = [photo[field] for photo in data["photos"] if photo["kind"] == kind]
    return statistics.median(values), max(values)


def target_rows(data: dict[str, Any], verdict: Callable[[bool], str]) -> list[list[str]]:
    rows = []
    for kind, target in TARGETS.items():
        median, worst = _summary(data, kind, "visible_s")
        label = kind.replace("jpeg-", "").upper().replace("MP", " MP")
        name = f"a {label} photo on its page with its variants <= {target:.0f} s after its upload (embedded AWS)"
        rows.append([name, f"{worst:.2f} s (worst; median {median:.2f})", verdict(worst <= target)])
    return rows


def upload_markdown(data: dict[str, Any], table: Callable[..., str], memory_mb: int) -> list[str]:
    from images import lambda_seconds

    rows = []
    for kind, target in TARGETS.items():
        count = sum(photo["kind"] == kind for photo in data["photos"])
        visible = _summary(data, kind, "visible_s")
        start = _summary(data, kind, "to_invocation_s")
        invocation = _summary(data, kind, "invocation_s")
        cpu = _summary(data, kind, "invocation_cpu_s")
        rows.append([kind, count, f"{visible[0]:.2f} / {visible[1]:.2f}", f"{target:.0f}",
                     f"{start[0]:.2f}", f"{invocation[0]:.2f}", f"{cpu[0]:.2f}",
                     f"{lambda_seconds(cpu[1], memory_mb):.1f}"])  # fmt: skip
    header = ["photo", "uploads", "upload -> visible s (median / worst)", "target s", "upload -> invocation s",
              "invocation s", "its CPU s", f"worst CPU on Lambda at {memory_mb:,} MB, est. s"]  # fmt: skip
    return [
        "## Images: a photo's upload to its page, on the embedded AWS",
        "",
        table(header, rows),
        "",
        f"`python bench/upload_visible.py` (`make bench` section `upload`): a {data['site_posts']}-post blog on the "
        "embedded moto server of `pressroom demo`/`dev`, the real handler fed by `run_worker` in a thread (long "
        "polls of 1 s). Each photo's post is published first, without its `feature.jpg`; then the photo (a camera "
        "JPEG, EXIF orientation 6, GPS) is put into the source bucket and the site bucket polled every 50 ms until "
        "the page's `<img>` names the photo's fallback variant and all its variants are there. *upload -> "
        "invocation*: the S3 notification, SQS and the worker's receive; *its CPU*: the invocation thread's (moto "
        "serves in other threads). On AWS the SQS trigger gathers messages for up to `MaximumBatchingWindowInSeconds` "
        "(10 in infra/template.yaml) before it invokes the function, which comes on top of these figures; the Lambda "
        "estimate scales the invocation's CPU by the function's share of a vCPU.",
        *_burst_markdown(data, table, memory_mb),
    ]


def _burst_markdown(data: dict[str, Any], table: Callable[..., str], memory_mb: int) -> list[str]:
    from images import lambda_seconds

    rows = [
        [f"{row['photos']} posts with a {row['kind']} each, put at once ({row['mb']:.0f} MB)",
         f"{row['converged_s']:.1f}", row["invocations"], f"{row['max_invocation_s']:.1f}",
         f"{row['max_invocation_cpu_s']:.1f}", f"{lambda_seconds(row['max_invocation_cpu_s'], memory_mb):.0f}",
         f"{row['max_peak_mib']:.0f}"]
        for row in data.get("bursts", [])
    ]  # fmt: skip
    if not rows:
        return []
    header = ["push", "upload -> all visible s", "invocations", "longest invocation s", "its CPU s",
              f"its CPU on Lambda at {memory_mb:,} MB, est. s", "peak MiB added"]  # fmt: skip
    return [
        "",
        table(header, rows),
        "",
        "A push of many photos (same stack, after the uploads above; `_drain` runs the worker until the queue is "
        "empty): the event path makes an image's variants where it renders the image's outputs, 250 outputs (about "
        "13 photos' variants) between two looks at the invocation's deadline (`engine/writing.py` RENDER_CHUNK). "
        "*Peak MiB added*: the rise of this process's peak RSS during the invocation (VmHWM reset before it), moto's "
        "copies of the objects written included, so an upper bound of the function's own.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    data = bench_upload(args.repeats)
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "upload.json").write_text(json.dumps(data, indent=2) + "\n")
    for row in target_rows(data, lambda ok: "met" if ok else "NOT met"):
        print("   ", " | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
