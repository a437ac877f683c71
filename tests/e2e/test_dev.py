"""`pressroom dev` as a user runs it: start it, browse, save a post, see it change, Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO = Path(__file__).resolve().parents[2]
PATIENCE = 120.0  # seconds: generous, the machine is shared; speed is measured in bench/dev.py


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Dev:
    process: subprocess.Popen[str]
    port: int
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def line_matching(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + PATIENCE
        for line in self.seen:
            if found := re.search(pattern, line):
                return found
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"pressroom dev exited: {self.seen}"
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no line matching {pattern!r} in {self.seen}")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(self.url + path, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def status(self) -> dict[str, Any]:
        return dict(json.loads(self.get("/__pressroom/status")[2]))


def processes_naming(path: Path) -> list[str]:
    """Command lines of the running processes that name `path`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        if str(path) in line:
            found.append(line)
    return found


def eventually(condition: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"never: {what}")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "site")
    return tmp_path / "site"


@pytest.fixture
def dev(site: Path) -> Iterator[Dev]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    process = subprocess.Popen(
        [sys.executable, "-m", "pressroom", "dev", str(site), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    running = Dev(process, port)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_dev_serves_the_site_reloads_on_save_and_stops_on_ctrl_c(dev: Dev, site: Path) -> None:
    dev.line_matching(r"^ready in [\d.]+ s: http://127\.0\.0\.1:\d+/")
    status, headers, body = dev.get("/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'id="pressroom-live-reload"' in body and body.rstrip().endswith(b"</html>")
    # Directory URLs resolve as the CloudFront Function does.
    status, headers, _ = dev.get("/posts?page=1")
    assert status == 301 and headers["Location"] == "/posts/?page=1"
    assert dev.get("/posts/")[0] == 200
    status, headers, body = dev.get("/index.xml")
    assert status == 200 and headers["Content-Type"] == "application/rss+xml" and b"pressroom" not in body[-200:]
    status, _, body = dev.get("/no/such/page/")
    assert status == 404 and b"pressroom-live-reload" in body

    eventually(lambda: dev.status()["serving"] == "bucket", "the pipeline published the site")
    endpoint = dev.line_matching(r"embedded AWS \(moto\) at (http://\S+)").group(1)
    published = boto3.client("s3", endpoint_url=endpoint).get_object(Bucket="pressroom-site", Key="index.html")
    assert b"pressroom-live-reload" not in published["Body"].read(), "the script is added when served, never stored"

    # A page waiting for a change hears of the save; then the page shows it.
    version = dev.status()["version"]
    answered: list[dict[str, Any]] = []
    waiter = threading.Thread(
        target=lambda: answered.append(json.loads(dev.get(f"/__pressroom/wait?since={version}")[2]))
    )
    waiter.start()
    post = site / "posts" / "Notes on Caching.md"
    post.write_text(post.read_text().replace("\n---\n", "\n---\n\nA sentence saved just now.\n", 1))
    waiter.join(timeout=PATIENCE)
    assert answered and answered[0]["version"] != version
    eventually(lambda: b"A sentence saved just now." in dev.get("/posts/notes-on-caching/")[2], "the edit shows")
    dev.line_matching(r"^published posts/Notes on Caching\.md in [\d.]+ s")

    # A problem `check` reports: in the terminal and as a banner on every page.
    (site / "posts" / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n")
    eventually(lambda: any("posts/broken.md" in p for p in dev.status()["problems"]), "check reports it")
    page = dev.get("/")[2].decode()
    assert 'id="pressroom-dev-problems"' in page and "posts/broken.md" in page and "invalid YAML" in page
    dev.line_matching(r"error: posts/broken\.md:\d+: invalid YAML")
    (site / "posts" / "broken.md").unlink()
    eventually(lambda: dev.status()["problems"] == [], "the problem is gone once the file is")
    assert b"pressroom-dev-problems" not in dev.get("/")[2]

    # A deleted post is unpublished.
    (site / "about.md").unlink()
    eventually(lambda: dev.get("/about/")[0] == 404, "the deleted page is gone")

    dev.process.send_signal(signal.SIGINT)
    started = time.monotonic()
    assert dev.process.wait(timeout=PATIENCE) == 0
    print(f"pressroom dev stopped {time.monotonic() - started:.1f} s after SIGINT")
    assert dev.process.stderr is not None
    assert "Traceback" not in dev.process.stderr.read()
    with socket.socket() as again:  # the port is free (as a server binds it: closed connections may linger)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", dev.port))
        again.listen()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), timeout=5).close()
    assert processes_naming(site) == [], "no process it started is left"


def test_dev_on_a_port_in_use_says_which_flag_to_use(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "pressroom", "dev", str(site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert f"--port {port + 1}" in result.stderr and "Traceback" not in result.stderr


def _signal_thread(pid: int, tid: int, number: int) -> None:
    """Send `number` to one thread of process `pid` (tgkill), as the kernel may when a process is signalled."""
    import ctypes

    if ctypes.CDLL(None, use_errno=True).tgkill(pid, tid, number) != 0:
        raise OSError(ctypes.get_errno(), f"tgkill {pid} {tid}")


def test_dev_stops_on_ctrl_c_whichever_of_its_threads_the_signal_reaches(dev: Dev) -> None:
    # The kernel hands a signal sent to a process to any of its threads that does not block it;
    # Python runs the handler in the main thread only, when that thread next runs.
    dev.line_matching(r"^ready in ")
    eventually(lambda: dev.status()["serving"] == "bucket", "the pipeline published the site")
    pid = dev.process.pid
    others = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    assert others, "dev runs its server, moto and the worker in threads"
    _signal_thread(pid, others[-1], signal.SIGINT)
    assert dev.process.wait(timeout=PATIENCE) == 0
    dev.line_matching(r"^stopping$")
