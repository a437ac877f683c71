"""Cold start: importing the Lambda handler against importing its own libraries, and the first event.

Each figure is the best of several fresh `python` processes (`time.perf_counter` around the
import inside the child, so interpreter start-up is out):
- handler: `import app` in functions/publisher (the Lambda handler path `app.handler`);
- libraries: every third-party top-level package the handler import leaves in `sys.modules`
  (boto3, jinja2, pyromark, markdown_it, Powertools...), imported together in one statement;
- first event: in a fresh process, the handler imported, then one SQS event (an edited post of
  the sample blog, already published on a moto server in the parent) handled; then a second
  edit in the same process (warm).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from events import NOW, quiet_logs, reset_aws_env

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HANDLER_DIR = ROOT / "functions" / "publisher"

_TIME_IMPORT = """
import sys, time
start = time.perf_counter()
{statement}
seconds = time.perf_counter() - start
import json
modules = sorted({{name.split('.')[0] for name in sys.modules}})
print(json.dumps({{"seconds": seconds, "modules": modules}}))
"""

_FIRST_EVENT = """
import json, sys, time
start = time.perf_counter()
import app
imported = time.perf_counter()
from pressroom.shells import handler as handler_module
from datetime import datetime
handler_module.content_now = lambda: datetime.fromisoformat({now!r})
events = json.loads(sys.stdin.read())
from pressroom.shells.worker import LambdaContext
times = []
for event in events:
    before = time.perf_counter()
    app.handler(event, LambdaContext(120))
    times.append(time.perf_counter() - before)
print(json.dumps({{"import": imported - start, "events": times}}))
"""


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS"))}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                "POWERTOOLS_METRICS_NAMESPACE": "pressroom", "POWERTOOLS_SERVICE_NAME": "pressroom",
                "PYTHONPATH": str(ROOT / "shared"), "PYTHONDONTWRITEBYTECODE": "0"})  # fmt: skip
    env.update(extra or {})
    return env


def time_import(statement: str, repeats: int) -> tuple[float, list[str]]:
    best, modules = float("inf"), []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _TIME_IMPORT.format(statement=statement)],
            cwd=HANDLER_DIR,
            env=_child_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        best, modules = min(best, answer["seconds"]), answer["modules"]
    return best, modules


RUNTIME_LIBRARIES = ("boto3", "pyromark", "markdown_it", "mdit_py_plugins", "jinja2", "pygments", "yaml",
                     "aws_lambda_powertools")  # fmt: skip
"""The project's runtime dependencies (pyproject.toml), as modules."""


def third_party(modules: list[str]) -> list[str]:
    """Top-level importable modules that are neither the standard library nor pressroom nor the handler."""
    import importlib.util

    stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
    own = {"pressroom", "app", "__main__"}

    def importable(name: str) -> bool:
        try:
            return importlib.util.find_spec(name) is not None
        except ValueError:  # in sys.modules without a spec (cython_runtime)
            return False

    return [name for name in modules if name not in stdlib and name not in own and not name.startswith("_")
            and importable(name)]  # fmt: skip


def bench_imports(repeats: int = 5) -> dict[str, Any]:
    """The handler's import against its dependencies' (all of them, and those it loads at import)."""
    handler_s, modules = time_import("import app", repeats)
    loaded = third_party(modules)
    loaded_s, _ = time_import("import " + ", ".join(loaded), repeats)
    libraries_s, _ = time_import("import " + ", ".join(RUNTIME_LIBRARIES), repeats)
    return {
        "handler_ms": 1000 * handler_s,
        "libraries_ms": 1000 * libraries_s,
        "ratio": handler_s / libraries_s,
        "loaded_ms": 1000 * loaded_s,
        "loaded": loaded,
    }


def _sqs_event(bucket: str, key: str) -> dict[str, Any]:
    notification = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                                 "s3": {"bucket": {"name": bucket}, "object": {"key": key}}}]}  # fmt: skip
    return {"Records": [{"messageId": f"m-{key}-{time.time()}", "receiptHandle": "r", "body": json.dumps(notification),
                         "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:pressroom-queue",
                         "awsRegion": "us-east-1"}]}  # fmt: skip


def bench_first_event(repeats: int = 3) -> dict[str, Any]:
    """A fresh process: import the handler, handle one edit, then another (warm)."""
    from moto.server import ThreadedMotoServer

    from pressroom.adapters.files import read_tree
    from pressroom.engine.publisher import Publisher
    from pressroom.shells.provision import provision
    from pressroom.shells.runtime import Resources, ports

    files = read_tree(ROOT / "content")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    runs = []
    try:
        with quiet_logs():
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
            reset_aws_env()
            os.environ["AWS_ENDPOINT_URL"] = endpoint
            names = provision(Resources.from_env())
            os.environ.update(names)
            import boto3

            s3 = boto3.client("s3")
            for key, body in files.items():
                s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=key, Body=body)
            publisher = Publisher(ports(Resources.from_env()), NOW)
            publisher.request_rebuild()
            while publisher.run().handed_off:
                pass
            post = sorted(key for key in files if key.startswith("posts/") and key.endswith(".md"))[0]
            for attempt in range(repeats):
                events = []
                for n in range(2):
                    s3.put_object(Bucket=names["SOURCE_BUCKET"], Key=post,
                                  Body=files[post] + f"\nEdit {attempt}.{n}.\n".encode())  # fmt: skip
                    events.append(_sqs_event(names["SOURCE_BUCKET"], post))
                # The child handles both events; their bodies differ by the time they are read,
                # which is after both puts: each is a real read, index update and render.
                done = subprocess.run(
                    [sys.executable, "-c", _FIRST_EVENT.format(now=NOW.isoformat())],
                    cwd=HANDLER_DIR,
                    env=_child_env({"AWS_ENDPOINT_URL": endpoint, **names}),
                    input=json.dumps(events),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    raise SystemExit(f"the cold handler failed:\n{done.stderr[-3000:]}")
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        server.stop()
        os.environ.pop("AWS_ENDPOINT_URL", None)
    best = min(runs, key=lambda run: run["import"] + run["events"][0])
    return {
        "import_ms": 1000 * best["import"],
        "first_event_ms": 1000 * best["events"][0],
        "warm_event_ms": 1000 * best["events"][1],
        "site": "the sample blog (content/) on a moto server",
    }


if __name__ == "__main__":
    figures = {**bench_imports(), "first": bench_first_event()}
    print(json.dumps(figures, indent=2))
    (HERE / "out" / "imports.json").write_text(json.dumps(figures, indent=2) + "\n")
