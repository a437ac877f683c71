"""`pressroom dev`: the local loop on the real pipeline, like `hugo server`.

One process, several threads:
- an HTTP server on 127.0.0.1:PORT that serves the site bucket as CloudFront does (`/dir/` is
  `dir/index.html`, `/dir` redirects to `/dir/`, a missing key is `404.html` with status 404),
  adding to each HTML page, in the response only, a live-reload script and a banner of problems;
- an embedded moto server (`embedded.start_moto`), provisioned as `pressroom provision` does;
- a worker thread running the real Lambda handler on the queue (`worker.run_worker`);
- a watcher (watchfiles) that uploads each saved file to the source bucket (`sync.sync_keys`),
  and then runs `pressroom check SRC --json` in a child process for the problems.

The worker is a thread, not a process: moto lives in this process (its state is in memory), a
second interpreter would cost its start-up (about a second) and one more thing Ctrl-C must stop.
Rendering and moto share the GIL then, which costs little: a saved post renders a handful of pages.

Until the pipeline has published the whole source once (minutes for 1,000 posts on moto, whose
DynamoDB and S3 are slow), the server shows a full build of SRC made in memory at start: the
same renderer and planner, so the same bytes the pipeline converges to (SPEC 3.3). A save in
that time builds the preview again (in the background, one build at a time), so it shows within
seconds rather than after the whole first publish. Then it switches to the site bucket, and the
page reloads.
"""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pressroom.core.reading.config import DEVELOPMENT, BuildMode
from pressroom.core.rendering.mime import Headers, content_type, headers
from pressroom.exceptions import UsageError

LIVE_PATH = "/__pressroom/"
WAIT_SECONDS = 25.0
"""A live-reload request is answered when the site changes, or after this (the page asks again)."""
BANNER_LIMIT = 30

LIVE_RELOAD = """<script id="pressroom-live-reload">
(function () {
  var version = %d;
  function wait() {
    fetch("/__pressroom/wait?since=" + version, {cache: "no-store"})
      .then(function (answer) { return answer.json(); })
      .then(function (state) { if (state.version !== version) { location.reload(); } else { wait(); } })
      .catch(function () { setTimeout(wait, 1000); });
  }
  wait();
})();
</script>
"""


def resolve(path: str) -> tuple[str | None, str | None]:
    """(object key, redirect location) for a request path, as infra/cloudfront/directory-index.js.

    A last segment with a suffix of the Content-Type table is a file (the function's
    FILE_EXTENSIONS, which a test keeps equal to that table); any other is a page's directory.
    (None, None): a path whose key could leave the site (`/../x`, `%2e%2e`, ...), never served.
    """
    from pressroom.core.rendering.mime import _BY_SUFFIX
    from pressroom.core.site.urls import unsafe_key_reason

    wanted = unquote(path[1:])
    if wanted and unsafe_key_reason(wanted.removesuffix("/")) is not None:
        return None, None
    if path.endswith("/"):
        return wanted + "index.html", None
    last = path.rsplit("/", 1)[-1]
    dot = last.rfind(".")
    if dot >= 0 and last[dot:].lower() in _BY_SUFFIX:
        return wanted, None
    return None, path + "/"


def banner(problems: Iterable[str]) -> str:
    """The problems `check` reports, as a fixed box at the bottom of the page (empty: none)."""
    problems = list(problems)
    if not problems:
        return ""
    errors = sum(problem.startswith("error:") for problem in problems)
    title = f"pressroom check: {errors} errors, {len(problems) - errors} warnings"
    items = "".join(f"<li>{html.escape(problem)}</li>" for problem in problems[:BANNER_LIMIT])
    if len(problems) > BANNER_LIMIT:
        items += f"<li>… and {len(problems) - BANNER_LIMIT} more (see the terminal)</li>"
    style = (
        "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;max-height:40vh;overflow:auto;margin:0;"
        "padding:.75rem 1rem;background:#fff4ce;color:#1b1b1b;border-top:3px solid #9a5b00;"
        "font:14px/1.45 system-ui,sans-serif;text-align:left"
    )
    return (
        f'<aside id="pressroom-dev-problems" role="alert" aria-label="pressroom check" style="{style}">'
        f"<strong>{html.escape(title)}</strong>"
        f'<ul style="margin:.25rem 0 0;padding-left:1.25rem">{items}</ul></aside>\n'
    )


def inject(page: bytes, version: int, problems: Iterable[str]) -> bytes:
    """`page` with the banner and the live-reload script before its last `</body>` (dev responses only)."""
    addition = (banner(problems) + LIVE_RELOAD % version).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + addition if at < 0 else page[:at] + addition + page[at:]


class DevSite:
    """What the server shows: a preview build until the pipeline has published, then the site bucket.

    `version` changes whenever what is shown may have changed (a batch of the worker, the switch
    to the bucket, new problems); a page waiting on it reloads.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.version = 1
        self.problems: list[str] = []
        self.preview: dict[str, bytes] | None = None
        self.preview_headers: Callable[[str], Headers] = headers
        self.bucket: tuple[Any, str] | None = None
        self.stopping = False

    def bump(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()

    def wait(self, since: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.version != since or self.stopping, timeout)
            return self.version

    def read(self, key: str) -> tuple[bytes, Headers] | None:
        """The object under `key` and the headers it is stored with, or None."""
        if self.bucket is not None:
            s3, name = self.bucket
            try:
                answer = s3.get_object(Bucket=name, Key=key)
            except s3.exceptions.NoSuchKey:
                return None
            stored = Headers(
                answer.get("ContentType") or content_type(key),
                answer.get("CacheControl", ""),
                answer.get("ContentDisposition", ""),
            )
            return answer["Body"].read(), stored
        if self.preview is not None and key in self.preview:
            return self.preview[key], self.preview_headers(key)
        return None

    def state(self) -> dict[str, Any]:
        serving = "bucket" if self.bucket else "preview" if self.preview is not None else "starting"
        return {"version": self.version, "serving": serving, "problems": self.problems}


def _handler(site: DevSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pressroom-dev"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _send(self, status: int, data: bytes, content_type: str, body: bool, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            # As the stack's response headers policy: no type sniffing (an inert file stays text).
            self.send_header("X-Content-Type-Options", "nosniff")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _serve(self, body: bool) -> None:
            url = urlsplit(self.path)
            try:
                if url.path.startswith(LIVE_PATH):
                    self._live(url.path[len(LIVE_PATH) :], parse_qs(url.query), body)
                    return
                key, location = resolve(url.path)
                if location is not None:
                    query = f"?{url.query}" if url.query else ""
                    self._send(301, b"", "text/plain", body, Location=location + query)
                    return
                found = site.read(key) if key is not None else None
                status = 200
                if found is None:
                    status, found = 404, site.read("404.html")
                if found is None:
                    waiting = site.state()["serving"] == "starting"
                    text = "building the site, this page reloads when it is ready" if waiting else "not found"
                    page = f"<!doctype html><title>{text}</title><body><p>{text}</p></body>".encode()
                    found = page, Headers("text/html; charset=utf-8", "no-store")
                    status = 503 if waiting else 404
                data, stored = found
                if stored.content_type.startswith("text/html"):
                    data = inject(data, site.version, site.problems)
                disposition = {"Content_Disposition": stored.disposition} if stored.disposition else {}
                self._send(status, data, stored.content_type, body, **disposition)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser went away (a reload in the middle of a response)

        def _live(self, what: str, query: dict[str, list[str]], body: bool) -> None:
            if what == "wait":
                try:
                    since = int(query.get("since", ["0"])[0])
                except ValueError:
                    since = 0
                site.wait(since, WAIT_SECONDS)
            elif what != "status":
                self._send(404, b"{}", "application/json", body)
                return
            self._send(200, json.dumps(site.state()).encode(), "application/json", body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def _serve(port: int, site: DevSite) -> _Server:
    try:
        return _Server(("127.0.0.1", port), _handler(site))
    except OSError as error:
        raise UsageError(
            f"cannot serve on 127.0.0.1:{port}: {error.strerror} (another pressroom dev or hugo server?); "
            f"pass --port {port + 1}"
        ) from None


_NICE_CHECK = "import os, sys; os.nice(10); from pressroom.shells.cli import main; sys.exit(main(sys.argv[1:]))"
"""`pressroom check` at a lower priority: a full check of a large blog must not slow the worker publishing a save."""


class _Checker:
    """`pressroom check SRC --json` in a child process, one at a time, again if asked while it runs."""

    def __init__(self, src: Path, done: Callable[[list[str]], None]) -> None:
        self.src, self.done = src, done
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._again = False
        self._stopped = False

    def request(self) -> None:
        with self._lock:
            if self._stopped:
                return
            if self._child is not None:
                self._again = True
                return
            self._child = subprocess.Popen(
                [sys.executable, "-c", _NICE_CHECK, "check", str(self.src), "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,  # Ctrl-C in the terminal is for `dev`, which stops this child itself
            )
        threading.Thread(target=self._collect, args=(self._child,), name="pressroom-dev-check", daemon=True).start()

    def _collect(self, child: subprocess.Popen[str]) -> None:
        out, _ = child.communicate()
        with self._lock:
            self._child = None
            again, self._again = self._again, False
            stopped = self._stopped
        if stopped:
            return
        try:
            report = json.loads(out)
        except ValueError:
            report = None
        if report is not None:
            self.done(
                [f"error: {_where(item)}: {item['problem']}" for item in report["errors"]]
                + [f"warning: {_where(item)}: {item['problem']}" for item in report["warnings"]]
            )
        if again:
            self.request()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


DEV_MODE = BuildMode(environment=DEVELOPMENT)
"""`pressroom dev` with no flags: as `hugo server`, the development environment (cascade targets
match it), drafts, future and expired pages left out unless -D, -F, -E say otherwise."""


def _where(item: dict[str, Any]) -> str:
    return f"{item['file']}:{item['line']}" if item.get("line") else str(item["file"])


class DevLoop:
    """Everything `pressroom dev` starts, and how it stops."""

    def __init__(self, src: Path, port: int, output: Any, mode: BuildMode = DEV_MODE) -> None:
        self.src = src
        self.port = port
        self.output = output
        self.mode = mode
        self.site = DevSite()
        self.stop = threading.Event()
        self.interrupted = False
        """Set by the SIGINT/SIGTERM handler: a plain flag, since the handler runs between two bytecodes
        of the main thread, which may hold `stop`'s lock then (Event.set there would deadlock)."""
        self.threads: list[threading.Thread] = []
        self.started = time.perf_counter()
        self._pending: dict[str, float] = {}
        self._pending_lock = threading.Lock()
        self.names: dict[str, str] = {}
        self.checker = _Checker(src, self._problems)
        self._checked = False
        self._check_after_batch = False
        self._preview_lock = threading.Lock()
        self._previewing = False
        self._preview_again = False

    def say(self, text: str) -> None:
        if self.output.quiet or self.output.as_json:
            return
        if self.output.fancy:
            self.output.console.print(text, markup=False, highlight=False)
        else:
            print(text, flush=True)

    def run(self) -> int:
        with ExitStack() as cleanup:
            httpd = _serve(self.port, self.site)
            cleanup.callback(httpd.server_close)
            self._thread(httpd.serve_forever, "pressroom-dev-http")
            cleanup.callback(httpd.shutdown)
            url = f"http://127.0.0.1:{httpd.server_address[1]}/"
            self.say(f"pressroom dev: {self.src} on {url} (Ctrl-C to stop)")
            self._preview()
            self.say(
                f"ready in {time.perf_counter() - self.started:.1f} s: {url} shows a build of {self.src}; "
                "publishing it through the pipeline in the background"
            )
            if self.stop.is_set() or self.interrupted:
                return 0
            cleanup.callback(self.checker.stop)
            self.checker.request()
            from pressroom.shells.embedded import moto_without_store_wide_costs, start_moto

            moto, endpoint = start_moto()
            cleanup.callback(moto.stop)
            cleanup.enter_context(moto_without_store_wide_costs())
            self.say(f"embedded AWS (moto) at {endpoint}")
            cleanup.callback(self._join)
            cleanup.callback(self.checker.stop)
            cleanup.callback(self.site.stop)
            cleanup.callback(self.stop.set)
            self._thread(self._pipeline, "pressroom-dev-pipeline")
            # Timed: the kernel may hand SIGINT to any thread, and Python runs its handler only once
            # the main thread wakes; an untimed wait never would.
            while not self.interrupted and not self.stop.wait(0.2):
                pass
            self.say("stopping")
        return 0

    def _thread(self, target: Callable[[], Any], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _join(self) -> None:
        for thread in self.threads:
            if thread.name != "pressroom-dev-http":
                thread.join(timeout=15)

    def _preview(self, workers: int | None = None) -> None:
        from pressroom.adapters.files import read_tree
        from pressroom.core.build import build_site
        from pressroom.shells.pools import build_pool

        built = build_site(read_tree(self.src), datetime.now(UTC), build_pool(workers), mode=self.mode)
        if self.site.bucket is None and (built.outputs or self.site.preview is None):  # a broken site.yaml keeps it
            self.site.preview, self.site.preview_headers = built.outputs, built.headers
            self.site.bump()

    def refresh_preview(self) -> None:
        """A save while the preview is shown: build it again in the background; one build at a
        time, and one more if saves came during it. Nothing once the site bucket is shown."""
        with self._preview_lock:
            if self.site.bucket is not None or self.stop.is_set():
                return
            if self._previewing:
                self._preview_again = True
                return
            self._previewing = True
        self._thread(self._rebuild_previews, "pressroom-dev-preview")

    def _rebuild_previews(self) -> None:
        again = True
        while again:
            try:
                if self.site.bucket is None and not self.stop.is_set():
                    # One process: forking beside moto's and the worker's threads is not safe.
                    self._preview(workers=1)
            finally:
                with self._preview_lock:
                    again, self._preview_again = self._preview_again, False
                    self._previewing = again

    def _problems(self, problems: list[str]) -> None:
        if problems == self.site.problems and self._checked:
            return
        self._checked = True
        errors = [problem for problem in problems if problem.startswith("error:")]
        if problems:
            for problem in problems:
                self.say(f"  {problem}")
        self.say(f"check: {len(errors)} errors, {len(problems) - len(errors)} warnings")
        self.site.problems = problems
        self.site.bump()

    def _pipeline(self) -> None:
        """Provision, publish SRC, then watch it and keep the worker running (until stopped)."""
        try:
            self._publish()
        except Exception as error:  # a failure once stopping (moto shut down under a request) is expected
            if not self.stop.is_set():
                from pressroom.shells.explain import explain

                self.output.problem(f"error: the pipeline stopped: {explain(error) or repr(error)}")
                self.stop.set()

    def _publish(self) -> None:
        from pressroom.shells.handler import handler
        from pressroom.shells.provision import provision
        from pressroom.shells.runtime import Resources, build_mode_environment, client
        from pressroom.shells.sync import s3_target, sync
        from pressroom.shells.worker import run_worker

        self.names = provision(Resources.from_env())
        os.environ.update(self.names)
        os.environ.update(build_mode_environment(self.mode))  # the handler below reads them
        s3, sqs = client("s3"), client("sqs")
        source = f"s3://{self.names['SOURCE_BUCKET']}"
        self._thread(lambda: self._watch(s3, source), "pressroom-dev-watch")
        started = time.perf_counter()
        bar = (lambda items, size: self.output.bar("uploading", items, size)) if self.output.fancy else None
        report = sync(self.src, s3_target(source, s3), delete=True, bar=bar)
        stats = run_worker(sqs, self.names["QUEUE_URL"], handler, until_empty=True, stop=self.stop)
        if self.stop.is_set():
            return
        self.site.bucket = (s3, self.names["SITE_BUCKET"])
        self.site.preview = None
        self.site.bump()
        self.say(
            f"published {report.uploaded} files through the pipeline ({stats.messages} messages) in "
            f"{time.perf_counter() - started:.1f} s: now serving s3://{self.names['SITE_BUCKET']}"
        )
        run_worker(
            sqs, self.names["QUEUE_URL"], handler, until_empty=False, stop=self.stop, wait_seconds=1,
            after_batch=self._published,
        )  # fmt: skip

    def _published(self, stats: Any) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, {}
        if self.site.bucket is not None:
            self.site.bump()
        if self._check_after_batch:
            self._check_after_batch = False
            self.checker.request()
        if pending:
            seconds = time.monotonic() - min(pending.values())
            self.say(f"published {', '.join(sorted(pending))} in {seconds:.2f} s")

    def _watch(self, s3: Any, source: str) -> None:
        from watchfiles import watch

        root = self.src.resolve()
        for changes in watch(root, stop_event=self.stop, debounce=400, step=30, raise_interrupt=False):
            paths = {Path(path) for _, path in changes}
            keys = sorted(path.relative_to(root).as_posix() for path in paths if path.is_relative_to(root))
            if not keys:
                continue
            now = time.monotonic()
            try:
                report = upload_changes(root, source, keys, s3)
            except Exception as error:
                if self.stop.is_set():
                    return
                self.output.problem(f"error: cannot upload {', '.join(keys)}: {error}")
                continue
            with self._pending_lock:
                for key in keys:
                    self._pending.setdefault(key, now)
            self.say(f"changed: {', '.join(keys)}")
            self.refresh_preview()
            if self.site.bucket is None or not (report.uploaded or report.deleted):
                self.checker.request()
            else:
                self._check_after_batch = True  # once the worker has published the save: it goes first


def upload_changes(src: Path, url: str, keys: list[str], s3: Any) -> Any:
    """Upload what the watcher saw change under `src` (keys relative to it) to the source bucket.

    Saved files go up one by one (`sync_keys`). A folder added, moved or removed, or a file gone,
    takes a sync of the tree whose deletions stay at or below those keys: it deletes what went,
    never more (a full `--delete` would also take whatever else the bucket holds that SRC lacks).
    """
    from pressroom.shells.sync import s3_target, sync, sync_keys

    if any((src / key).is_dir() or not (src / key).exists() for key in keys):
        return sync(src, s3_target(url, s3), delete=True, delete_within=keys, max_deletes=-1)
    return sync_keys(src, s3_target(url, s3), keys)


def run_dev(src: Path, port: int, output: Any, mode: BuildMode = DEV_MODE) -> int:
    """Run until SIGINT or SIGTERM; 0 when stopped so, 2 when it cannot start."""
    from importlib.util import find_spec

    # Found, not imported: moto (0.15-0.3 s) loads after the first page is served.
    for module, what in (("watchfiles", "watchfiles"), ("moto", "moto's server"), ("flask", "moto's server")):
        if find_spec(module) is None:
            raise UsageError(f"pressroom dev needs {what}: pip install 'pressroom[dev-server]'")
    os.environ.setdefault("LOG_LEVEL", "ERROR")  # content errors reach the terminal through check, once
    loop = DevLoop(src, port, output, mode)

    def stop(signum: int, frame: FrameType | None) -> None:
        loop.interrupted = True

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        return loop.run()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
