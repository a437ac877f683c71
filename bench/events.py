"""The event path's cost: requests, sequential rounds, bytes read from the index, pressroom's CPU.

A large site is set up without a first publish through moto: the whole-site rebuild
(`engine/rebuild.py`) runs against the in-memory fakes of `adapters/memory.py` (the engine's own
code makes every index item), then the table's items are loaded straight into moto's DynamoDB
backend, and the source's `site.yaml` plus the published `sitemap*.xml`, `index.json` and
`search/part-*.json` (the files the event path reads back and patches) into moto's S3 backend
(no API calls, so no request is billed to the setup). Each event then runs as the Lambda
handler runs it (`Publisher.accept` + `run`, with the handler's deadline) on moto in-process,
through boto3 clients whose calls are counted by botocore hooks:

- requests: `before-call` events (a paginator's pages are calls; retries are not);
- rounds: sequential request rounds on the critical path, i.e. the number of maximal spans of
  time in which at least one request is in flight (requests issued together in threads overlap
  and make one round). In-process moto answers in about a millisecond while holding the GIL,
  so threads sent together would often run one after the other: each request therefore waits
  LATENCY_SECONDS inside its span (a sleep, which frees the GIL as a socket would), so that
  requests sent together overlap as they do on AWS; wall times include those waits;
- index bytes: the bytes of every DynamoDB response body (`after-call`'s `http_response`);
- pressroom CPU: the process's CPU time during the invocation minus the CPU spent between
  `before-call` and `after-call` of each request in its own thread (moto's work and botocore's
  sending and parsing), i.e. pressroom and botocore's request building.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from generate import DATE_END, DATE_START, make_post, post_key
from pressroom.shells.embedded import moto_without_store_wide_costs

NOW = datetime(2026, 11, 29, tzinfo=UTC)
EVENT_WORDS = (150, 400)
"""Bodies of the event benchmarks' sites: short, so that 50,000 posts set up in minutes (a
body's length changes no index item but the summary's, which is cut at 70 words anyway)."""
FUNCTION_SECONDS = 60
"""The function's timeout in infra/template.yaml: every invocation hands on before it."""
REBUILT_POSTS = 5_000
"""The largest site whose whole-site rebuild the bench runs (issue 11 asks for 5,000; moto
in-process serves about a hundred requests a second, so 50,000 would take a quarter of an hour)."""
ROOT_CASCADE = b"---\ntitle: Home\ncascade:\n  params:\n    banner: bench\n---\nThe home page's intro.\n"
"""A home `_index.md` whose cascade every page is re-decided under (it hides none of them)."""
LATENCY_SECONDS = 0.005
"""A stand-in for the network's round trip, inside every counted request's span (see above)."""
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
CLEARED_ENV = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "SOURCE_BUCKET", "SITE_BUCKET", "INDEX_TABLE", "QUEUE_URL",
               "DLQ_URL", "DISTRIBUTION_ID")  # fmt: skip


def reset_aws_env() -> None:
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    os.environ.update(DUMMY_AWS_ENV)


# --- counting -------------------------------------------------------------------------------


@dataclass
class Call:
    operation: str
    start: float
    end: float = 0.0
    cpu: float = 0.0
    response_bytes: int = 0


class RequestLog:
    """Every AWS call made through the watched clients, with its span, CPU inside it, answer size.

    `latency`: seconds each request waits inside its span (a network's round trip, for moto in-process).
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def watch(self, clients: Mapping[str, Any]) -> None:
        seen: set[int] = set()
        for service, client in clients.items():
            if id(client) in seen:
                continue
            seen.add(id(client))
            client.meta.events.register("before-call.*.*", self._before)
            client.meta.events.register("after-call.*.*", self._after(service))

    def _before(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        call = Call(f"{model.service_model.service_name}.{model.name}", time.perf_counter())
        call.cpu = -time.thread_time()
        context["bench_call"] = call
        with self._lock:
            self.calls.append(call)
        if self.latency:
            time.sleep(self.latency)

    def _after(self, service: str) -> Callable[..., None]:
        def after(context: dict[str, Any], http_response: Any = None, **_: Any) -> None:
            call = context.pop("bench_call", None)
            if call is None:
                return
            call.cpu += time.thread_time()
            call.end = time.perf_counter()
            if service == "dynamodb" and http_response is not None:  # S3's bodies are streams: left unread
                call.response_bytes = len(http_response.content or b"")

        return after

    def take(self) -> list[Call]:
        with self._lock:
            calls, self.calls = self.calls, []
        return calls


def rounds_of(calls: list[Call]) -> int:
    """Maximal spans of time with a request in flight: the sequential rounds of the critical path."""
    spans = sorted((call.start, call.end or call.start) for call in calls)
    rounds, reach = 0, float("-inf")
    for start, end in spans:
        if start > reach:
            rounds += 1
        reach = max(reach, end)
    return rounds


@dataclass(frozen=True)
class Invocation:
    seconds: float
    cpu: float
    """Process CPU seconds during the invocation (threads included)."""
    calls: list[Call]
    peak_mib: float
    """Peak RSS during the invocation above the RSS before it (the moto backends live in this process)."""
    written: int
    handed_off: bool

    @property
    def own_cpu(self) -> float:
        return self.cpu - sum(call.cpu for call in self.calls)


@dataclass
class EventFigures:
    site: str
    event: str
    invocations: list[Invocation] = field(default_factory=list)

    @property
    def calls(self) -> list[Call]:
        return [call for invocation in self.invocations for call in invocation.calls]

    def summary(self) -> dict[str, Any]:
        calls = self.calls
        by_operation = Counter(call.operation for call in calls)
        index = [call for call in calls if call.operation.startswith("dynamodb.")]
        return {
            "site": self.site,
            "event": self.event,
            "invocations": len(self.invocations),
            "requests": len(calls),
            "rounds": sum(rounds_of(invocation.calls) for invocation in self.invocations),
            "index_requests": len(index),
            "index_kib": sum(call.response_bytes for call in index) / 1024,
            "own_cpu_ms": 1000 * sum(invocation.own_cpu for invocation in self.invocations),
            "wall_ms": 1000 * sum(invocation.seconds for invocation in self.invocations),
            "max_invocation_s": max(invocation.seconds for invocation in self.invocations),
            "max_peak_mib": max(invocation.peak_mib for invocation in self.invocations),
            "written": sum(invocation.written for invocation in self.invocations),
            "by_operation": dict(by_operation.most_common()),
        }


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset the process's peak RSS (VmHWM), so each invocation's own peak can be read."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- the site -------------------------------------------------------------------------------


def site_files(posts: int, tags: int) -> dict[str, bytes]:
    from generate import generate

    return generate(posts, tag_count=tags, words=EVENT_WORDS)


@dataclass
class IndexedSite:
    """A site as a finished rebuild leaves it: the table's items and the published files the
    event path reads back (the sitemap's and the search index)."""

    files: dict[str, bytes]
    items: list[dict[str, Any]]
    sitemaps: dict[str, bytes]
    setup_seconds: float


def index_site(files: dict[str, bytes]) -> IndexedSite:
    """Run the engine's whole-site rebuild on the in-memory fakes; keep what moto needs."""
    from pressroom.adapters.memory import MemoryBucket, MemoryCdn, MemoryQueue, MemorySite, MemoryTable
    from pressroom.engine.publisher import Ports, Publisher

    start = time.perf_counter()
    source = MemoryBucket(name="source")
    for key, body in files.items():
        source.upload(key, body)
    site, table = MemorySite(name="site"), MemoryTable()
    ports = Ports(source=source, site=site, table=table, cdn=MemoryCdn(), queue=MemoryQueue(), clock=time.time)
    publisher = Publisher(ports, NOW)
    publisher.request_rebuild()
    while True:
        result = Publisher(ports, NOW).run()
        if not result.held or (not result.handed_off and publisher.control.journal() is None):
            break
    if result.errors:
        raise SystemExit(f"the bench site does not build: {result.errors[:3]}")
    # The published files the event path reads back and patches: the sitemap and the search index
    # (its table and its parts).
    sitemaps = {
        key: site.read_object(key) or b""
        for key in [*site.list_keys("sitemap"), *site.list_keys("index.json"), *site.list_keys("search/part-")]
    }
    return IndexedSite(files, table.items(), sitemaps, time.perf_counter() - start)


def _to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {name: serializer.serialize(value) for name, value in item.items()}


def load_into_moto(site: IndexedSite, names: Mapping[str, str]) -> None:
    """The items, the sources and the published sitemaps and search index, put straight into
    moto's backends (no API call)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    from pressroom.adapters.aws.dynamodb import encode_item
    from pressroom.core.planning.codec import pack, unpack

    s3 = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    # Every source, as a publish leaves them: an event re-renders a neighbour from its source, at
    # the version its record names (moto's, written into the record: the fakes number their own).
    # No event notification: they are published already (and moto's queue slows as it fills).
    versions = {
        key: s3.put_object(names["SOURCE_BUCKET"], key, body, disable_notification=True).version_id
        for key, body in site.files.items()
    }
    dynamo = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    for item in site.items:
        if item["pk"].endswith(":src") and item["sk"] in versions:
            data = unpack(item["data"])
            item = {**item, "data": pack({**data, "v": versions[item["sk"]]})}
        dynamo.put_item(names["INDEX_TABLE"], encode_item(item))
    for key, body in site.sitemaps.items():
        s3.put_object(names["SITE_BUCKET"], key, body, disable_notification=True)


# --- one event ------------------------------------------------------------------------------


class Account:
    """moto in-process, provisioned, with counted clients and the handler's way of invoking."""

    def __init__(self) -> None:
        from pressroom.shells.provision import provision
        from pressroom.shells.runtime import Resources, client

        self.names = provision(Resources.from_env())
        os.environ.update(self.names)
        self.clients = {service: client(service) for service in ("s3", "dynamodb", "cloudfront", "sqs")}
        self.log = RequestLog(LATENCY_SECONDS)
        self.log.watch(self.clients)
        self.resources = Resources.from_env()

    def put_source(self, key: str, body: bytes) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        # The bench invokes the function itself, with the event: no notification into the queue.
        s3_backends[DEFAULT_ACCOUNT_ID]["aws"].put_object(
            self.names["SOURCE_BUCKET"], key, body, disable_notification=True
        )

    def purge_queue(self) -> None:
        """Take away the messages an invocation sent on (the bench invokes the next one itself).

        Received and deleted, not purged: SQS allows one purge a minute, and invocations that
        hand on at the deadline come faster than that."""
        sqs = self.clients["sqs"]
        while messages := sqs.receive_message(QueueUrl=self.names["QUEUE_URL"], MaxNumberOfMessages=10).get("Messages"):
            entries = [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)]
            sqs.delete_message_batch(QueueUrl=self.names["QUEUE_URL"], Entries=entries)
        self.log.take()

    def invoke(self, changes: list[tuple[str, str]]) -> Invocation:
        """One invocation as the handler makes it: a fresh Publisher, accept, run with the deadline."""
        from pressroom.engine.publisher import Publisher
        from pressroom.shells.runtime import ports

        gc.collect()
        self.log.take()
        tracked = _reset_peak()
        before = _rss_kib()
        cpu = time.process_time()
        start = time.perf_counter()
        publisher = Publisher(ports(self.resources, self.clients, self.names["QUEUE_URL"]), NOW)
        publisher.accept(changes)
        result = publisher.run(time.time() + FUNCTION_SECONDS)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        peak = (_peak_kib() - before) / 1024 if tracked else float("nan")
        return Invocation(seconds, cpu, self.log.take(), peak, len(result.written), result.handed_off)

    def continuations(self) -> int:
        """Messages waiting in the queue (a holder handing its work on sends one)."""
        sqs = self.clients["sqs"]
        answer = sqs.get_queue_attributes(QueueUrl=self.names["QUEUE_URL"], AttributeNames=["All"])
        self.log.take()
        attributes = answer["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesDelayed"])

    def event(self, site: str, name: str, key: str) -> EventFigures:
        """A key changed: invoke, then go on invoking while the holder handed work on."""
        figures = EventFigures(site, name)
        figures.invocations.append(self.invoke([(f"bench-{name}", key)]))
        while figures.invocations[-1].handed_off:
            self.purge_queue()
            figures.invocations.append(self.invoke([]))
        return figures


def _rng(salt: int) -> random.Random:
    return random.Random(f"bench-extra-{salt}")


def bench_events(posts: int, tags: int) -> tuple[list[EventFigures], dict[str, Any]]:
    """The single events on a site of `posts` posts and `tags` tags, on moto in-process."""
    from moto import mock_aws

    label = f"{posts:,} posts / {tags:,} tags"
    files = site_files(posts, tags)
    indexed = index_site(files)
    setup = {"site": label, "index_items": len(indexed.items), "setup_seconds": indexed.setup_seconds,
             "distinct_tags": _distinct_tags(files)}  # fmt: skip
    print(f"    {label}: {len(indexed.items):,} index items, set up in {indexed.setup_seconds:.0f} s", flush=True)
    del indexed.items[:0]
    reset_aws_env()
    results = []
    with mock_aws(), moto_without_store_wide_costs():
        account = Account()
        load_into_moto(indexed, account.names)
        indexed.items.clear()
        gc.collect()
        keys = sorted(key for key in files if key.startswith("posts/"))
        middle = keys[len(keys) // 2]
        account.put_source(middle, files[middle] + b"\nOne more paragraph, to measure what an edit costs.\n")
        results.append(account.event(label, "edit of a post's body", middle))

        oldest = post_key(posts)
        old_date = DATE_START - timedelta(days=1)
        account.put_source(oldest, make_post(_rng(1), posts, old_date, ("Bench Fresh One", "Bench Fresh Two"),
                                             words=EVENT_WORDS))  # fmt: skip
        results.append(account.event(label, "new post older than all, 2 new tags", oldest))

        newest = post_key(posts + 1)
        first_tags = ("Python", "AWS")
        account.put_source(newest, make_post(_rng(2), posts + 1, DATE_END + timedelta(days=1), first_tags,
                                             words=EVENT_WORDS))  # fmt: skip
        results.append(account.event(label, "new newest post", newest))

        if posts <= REBUILT_POSTS:
            # Issue 21.1: a cascade on the home page's _index.md reaches every page below it.
            account.put_source("_index.md", ROOT_CASCADE)
            results.append(account.event(label, "a root _index.md with a cascade (reaches every page)", "_index.md"))
            # Issue 11, goal 4: the whole site rebuilt through the queue, chunked into invocations.
            settings = files.get("site.yaml", b"")
            account.put_source("site.yaml", settings + b"\ndescription: Rebuilt by the bench.\n")
            results.append(account.event(label, "a site.yaml change (whole-site rebuild)", "site.yaml"))
    for figures in results:
        summary = figures.summary()
        print(
            f"    {figures.event}: {summary['requests']} requests, {summary['rounds']} rounds, "
            f"{summary['index_kib']:.0f} KiB from the index, {summary['own_cpu_ms']:.0f} ms pressroom CPU, "
            f"{summary['invocations']} invocation(s), max {summary['max_invocation_s']:.1f} s",
            flush=True,
        )
    return results, setup


def _distinct_tags(files: Mapping[str, bytes]) -> int:
    found: set[str] = set()
    for key, body in files.items():
        if key.startswith("posts/"):
            for line in body.split(b"\n", 8):
                if line.startswith(b"tags: "):
                    found.update(part.strip().strip(b'"') for part in line[7:-1].split(b","))
    return len(found)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextmanager
def quiet_logs() -> Iterator[None]:
    """Powertools and the engine log a line per invocation: not in the bench's output."""
    import logging

    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def run(sites: list[tuple[int, int]], save: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The events on each (posts, tags) site; figures as JSON-ready values, saved after each site."""
    report: dict[str, Any] = {"sites": [], "events": []}
    with quiet_logs():
        for posts, tags in sites:
            results, setup = bench_events(posts, tags)
            report["sites"].append(setup)
            report["events"].extend(figures.summary() for figures in results)
            save(report)
    return report


if __name__ == "__main__":
    import json
    import sys
    from pathlib import Path

    pairs = [tuple(int(n) for n in arg.split("/")) for arg in sys.argv[1:]] or [(1000, 500), (5000, 500)]
    path = Path(__file__).resolve().parent / "out" / "events.json"
    path.parent.mkdir(exist_ok=True)
    run(pairs, lambda report: path.write_text(json.dumps(report, indent=2) + "\n"))
    print(f"written {path}")
