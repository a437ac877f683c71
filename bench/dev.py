"""`pressroom dev` on a generated blog, driven as a user would: how soon it serves, how soon a save shows.

Targets (issue 12): ready in at most 5 s on a 1,000-post blog; a saved post visible within 1 s.
Measured from outside, over HTTP, on `python -m pressroom dev` in another process:
- ready: from the start of the process to the first 200 on `/` (and, from its own output, how much of
  that is the preview build after start-up: the rest is the interpreter and imports);
- published: until the site bucket (the pipeline's output) is what is served;
- save -> visible: a post is edited on disk, its page is polled every 20 ms until the edit shows;
- stop: from SIGINT to the process's exit.

    python bench/dev.py [--posts 1000] [--edits 5]

Prints the figures and writes bench/out/dev.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
READY_TARGET = 5.0
VISIBLE_TARGET = 1.0


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return bytes(answer.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _until(condition: object, timeout: float, poll: float = 0.02) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():  # type: ignore[operator]
            return time.perf_counter() - started
        time.sleep(poll)
    raise TimeoutError(f"not within {timeout} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--publish-timeout", type=float, default=1800.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, socket.socket() as probe:
        site = Path(folder) / "site"
        for key, data in generate(args.posts).items():
            (site / key).parent.mkdir(parents=True, exist_ok=True)
            (site / key).write_bytes(data)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
        said = Path(folder) / "dev.out"
        dev = subprocess.Popen(
            [sys.executable, "-m", "pressroom", "dev", str(site), "--port", str(port)],
            env=env,
            stdout=said.open("wb"),
            stderr=subprocess.DEVNULL,
        )
        try:
            ready = _until(lambda: (_get(base + "/") or b"").rstrip().endswith(b"</html>"), 120)
            print(f"ready (first page served) {ready:.2f} s after start (target {READY_TARGET} s)", flush=True)
            preview = None
            with contextlib.suppress(TimeoutError):  # it says so just after the first page can be served
                _until(lambda: re.search(rb"ready in ([0-9.]+) s", said.read_bytes()), 5)
                own = re.search(rb"ready in ([0-9.]+) s", said.read_bytes())
                preview = float(own.group(1)) if own else None
            if preview is not None:
                print(f"  of which the preview build and serving: {preview:.1f} s (its own count)", flush=True)

            def serving_bucket() -> bool:
                state = _get(base + "/__pressroom/status")
                return state is not None and json.loads(state)["serving"] == "bucket"

            published = _until(serving_bucket, args.publish_timeout, poll=0.5) + ready
            print(f"published through the pipeline {published:.1f} s after start", flush=True)

            posts = sorted((site / "posts").glob("*.md"))
            visible: list[float] = []
            for number in range(args.edits):
                post = posts[(number * 7919) % len(posts)]
                marker = f"edit-marker-{number}-{time.time_ns()}"
                page = f"{base}/posts/{post.stem}/"
                post.write_text(post.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
                visible.append(_until(lambda page=page, marker=marker: marker.encode() in (_get(page) or b""), 60))
                print(f"  save -> visible {visible[-1]:.2f} s ({post.name})", flush=True)
                time.sleep(1.0)
            dev.send_signal(signal.SIGINT)
            stop_started = time.perf_counter()
            code = dev.wait(timeout=120)
            stopped = time.perf_counter() - stop_started
        finally:
            if dev.poll() is None:
                dev.kill()
                dev.wait()
    figures = {
        "posts": args.posts,
        "ready_seconds": round(ready, 2),
        "ready_in_process_seconds": preview,
        "published_seconds": round(published, 1),
        "visible_seconds": [round(v, 3) for v in visible],
        "visible_median_seconds": round(statistics.median(visible), 3),
        "visible_max_seconds": round(max(visible), 3),
        "stop_seconds": round(stopped, 2),
        "exit_code": code,
    }
    print(
        f"pressroom dev, {args.posts} posts: ready {ready:.2f} s (target {READY_TARGET}), save -> visible median "
        f"{figures['visible_median_seconds']} s, max {figures['visible_max_seconds']} s (target {VISIBLE_TARGET}), "
        f"stopped {stopped:.1f} s after SIGINT, exit {code}"
    )
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "dev.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ready <= READY_TARGET and max(visible) <= VISIBLE_TARGET and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
