"""`make bench`: what a full build and a single event cost, in numbers a human can paste into a note.

1. Full build of generated blogs (`bench/generate.py`) with `build_site` on one and two processes,
   against a bare loop over the same posts in the same run (YAML front matter, markdown-it, one
   Jinja2 render a post): the floor any Python publisher pays. Targets: one core within 1.3x of
   the bare loop, two cores faster than it.
2. Event cost on moto (in-process): first publish of a whole site, then three single events on
   fresh publishers (an edited post, a new oldest post with two new tags, a new newest post): wall
   seconds (split into pressroom's own time and time inside moto), AWS requests by operation,
   pages written and deleted, paths invalidated. Requests are counted by botocore `before-call`
   hooks, so every API call is counted once, retries not. moto's DynamoDB has per-request costs
   that grow with the whole table (AWS has none); they are taken out unless `--plain-moto`.

Prints a report and writes `bench/out/results.json`. Run `python bench/run.py --help` for options.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from generate import DATE_END, DATE_START, TAGS, generate, make_post, post_key
from pressroom.shells.embedded import moto_without_table_wide_costs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
NOW = datetime(2026, 11, 29, tzinfo=UTC)
BUILD_TARGET_ONE_CORE = 1.3  # build on one core may cost at most this many bare loops
DEFAULT_BUILD_SIZES = (1000, 5000)
QUICK_BUILD_SIZES = (200,)
EVENT_SIZES = (100, 1000, 5000)
BARE_TEMPLATE = (
    "<!doctype html><html><head><title>{{ title }}</title></head>"
    "<body><article><h1>{{ title }}</h1><time>{{ date }}</time>{{ body | safe }}</article></body></html>"
)
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # The upload empties the queue every UPLOAD_PURGE_EVERY puts, faster than AWS's one purge a minute.
    "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
}
UPLOAD_PURGE_EVERY = 200
# Variables that would send boto3 elsewhere than moto, or name resources of an earlier site.
CLEARED_ENV = (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "SOURCE_BUCKET",
    "SITE_BUCKET",
    "INDEX_TABLE",
    "QUEUE_URL",
    "DLQ_URL",
    "DISTRIBUTION_ID",
)

T = TypeVar("T")


# --- timing ------------------------------------------------------------------------------


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds of one call, after a garbage collection so an earlier run's garbage is not billed."""
    gc.collect()
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


# --- 1. full build -----------------------------------------------------------------------


def bare_loop(posts: Sequence[bytes], to_html: Callable[[str], str]) -> int:
    """Front matter, Markdown and one template render per post: the least a publisher must do.

    The front matter is split and loaded as python-frontmatter does it (libyaml's safe loader),
    without depending on that package.
    """
    import yaml
    from jinja2 import Environment

    template = Environment(autoescape=True).from_string(BARE_TEMPLATE)
    size = 0
    for data in posts:
        _, front, content = data.decode("utf-8").split("---\n", 2)
        meta = yaml.load(front, Loader=yaml.CSafeLoader) or {}
        size += len(template.render(title=meta.get("title"), date=meta.get("date"), body=to_html(content)))
    return size


def markdown_renderers() -> dict[str, Callable[[str], str]]:
    """The bare loop's Markdown step: pressroom's configuration, and plain commonmark + tables."""
    from markdown_it import MarkdownIt

    from pressroom.core.markdown import render_markdown

    plain = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return {"pressroom_md": lambda text: render_markdown(text).html, "plain_md": plain.render}


@dataclass(frozen=True)
class BuildFigures:
    posts: int
    outputs: int
    errors: int
    same_outputs: bool
    """Whether the one- and two-process builds made the same bytes (they must)."""
    bare_pressroom_md: float
    bare_plain_md: float
    build_1: float
    build_2: float

    @property
    def ratios(self) -> dict[str, float]:
        return {
            "1 core / bare (pressroom md)": self.build_1 / self.bare_pressroom_md,
            "2 cores / bare (pressroom md)": self.build_2 / self.bare_pressroom_md,
            "1 core / bare (plain md)": self.build_1 / self.bare_plain_md,
            "2 cores / bare (plain md)": self.build_2 / self.bare_plain_md,
        }


@dataclass(frozen=True)
class BuildSummary:
    """What the bench keeps of one build: enough to compare two builds."""

    outputs: int
    errors: int
    digest: str

    @classmethod
    def of(cls, site: Any) -> BuildSummary:
        digest = hashlib.sha256()
        for key in sorted(site.outputs):
            digest.update(key.encode() + b"\0" + site.outputs[key] + b"\0")
        return cls(len(site.outputs), len(site.errors), digest.hexdigest())


def bench_build(size: int, repeats: int) -> BuildFigures:
    from pressroom.core.build import build_site

    files = generate(size)
    posts = [data for key, data in sorted(files.items()) if key.startswith("posts/")]
    renderers = markdown_renderers()
    # Warm up: parser construction, template compilation, Pygments lexers, lazy imports.
    for to_html in renderers.values():
        bare_loop(posts[:20], to_html)
    build_site(generate(20, seed=99), NOW, workers=1)

    # Interleaved rounds, best of each kept: a slow spell of the machine hits every figure alike.
    actions: dict[str, Callable[[], Any]] = {
        **{name: partial(bare_loop, posts, to_html) for name, to_html in renderers.items()},
        "build_1": partial(build_site, files, NOW, workers=1),
        "build_2": partial(build_site, files, NOW, workers=2),
    }
    best: dict[str, float] = {}
    builds: dict[str, BuildSummary] = {}
    for _ in range(repeats):
        for name, action in actions.items():
            seconds, value = timed(action)
            best[name] = min(seconds, best.get(name, seconds))
            if name.startswith("build"):
                # Keep a digest, not the build: a big live heap would slow the next run's GC.
                builds[name] = BuildSummary.of(value)
            del value
    return BuildFigures(
        posts=size,
        outputs=builds["build_1"].outputs,
        errors=builds["build_1"].errors,
        same_outputs=builds["build_1"] == builds["build_2"],
        bare_pressroom_md=best["pressroom_md"],
        bare_plain_md=best["plain_md"],
        build_1=best["build_1"],
        build_2=best["build_2"],
    )


# --- 2. event cost on moto ---------------------------------------------------------------


class RequestCounter:
    """AWS API calls by operation name, and the wall time spent inside them, via botocore hooks.

    `before-call` and `after-call` fire once per API call (a paginator's pages are calls of
    their own; retries are not), error responses included.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0

    def before(self, **kwargs: Any) -> None:
        self.counts[kwargs["model"].name] += 1
        kwargs["context"]["bench_started"] = time.perf_counter()

    def after(self, **kwargs: Any) -> None:
        started = kwargs["context"].pop("bench_started", None)
        if started is not None:
            self.seconds += time.perf_counter() - started

    def watch(self, clients: Iterable[Any]) -> None:
        """Hook every distinct client once (source and site share one S3 client)."""
        seen: set[int] = set()
        for client in clients:
            if client is not None and id(client) not in seen:
                seen.add(id(client))
                client.meta.events.register("before-call.*.*", self.before)
                client.meta.events.register("after-call.*.*", self.after)

    def take(self) -> tuple[dict[str, int], float]:
        """The counts and seconds in calls since the last take; then start again from zero."""
        counts, seconds = dict(sorted(self.counts.items())), self.seconds
        self.counts.clear()
        self.seconds = 0.0
        return counts, seconds


@dataclass(frozen=True)
class EventFigures:
    name: str
    seconds: float
    aws_seconds: float
    """Of `seconds`, the time spent inside AWS calls, i.e. in moto here."""
    requests: dict[str, int]
    setup_requests: int
    """Of `requests`, those made while constructing the publisher (site.yaml, layouts/)."""
    written: int
    deleted: int
    invalidated: int
    errors: list[str]

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def own_seconds(self) -> float:
        """pressroom (and botocore) outside the AWS calls: what does not depend on moto's speed."""
        return self.seconds - self.aws_seconds


@dataclass
class SiteFigures:
    label: str
    posts: int
    upload_seconds: float = 0.0
    events: list[EventFigures] = field(default_factory=list)


def reset_aws_env() -> None:
    """Dummy credentials and no leftover resource names: moto, never a real account."""
    for name in CLEARED_ENV:
        os.environ.pop(name, None)
    os.environ.update(DUMMY_AWS_ENV)


def run_event(name: str, clients: dict[str, Any], counter: RequestCounter, work: Callable[[Any], Any]) -> EventFigures:
    """Time one invocation's worth of work on a fresh publisher.

    The boto3 clients are kept from one event to the next, as the Lambda handler keeps them
    between warm invocations; the publisher (which reads site.yaml and layouts/) is new.
    """
    from pressroom.shells.runtime import Resources, publisher

    counter.take()
    gc.collect()
    start = time.perf_counter()
    runner = publisher(Resources.from_env(), NOW, clients)
    setup = sum(counter.counts.values())
    result = work(runner)
    seconds = time.perf_counter() - start
    requests, aws_seconds = counter.take()
    return EventFigures(
        name=name,
        seconds=seconds,
        aws_seconds=aws_seconds,
        requests=requests,
        setup_requests=setup,
        written=len(result.written),
        deleted=len(result.deleted),
        invalidated=len(result.invalidated),
        errors=[str(error) for error in result.errors],
    )


def single_event(key: str) -> Callable[[Any], Any]:
    """What the handler does for one changed key: publish it, then one invalidation."""

    def work(runner: Any) -> Any:
        result = runner.publish([key])
        runner.send_invalidations(result)
        return result

    return work


def upload_all(s3: Any, sqs: Any, bucket: str, queue_url: str, files: Mapping[str, bytes]) -> None:
    """Put every file in the source bucket, emptying the queue now and then.

    Each put notifies the queue; nothing consumes it here, and moto's SendMessage walks every
    message in the queue, so without the purges the upload is quadratic (1,000 posts: 26 s).
    """
    for number, (key, data) in enumerate(sorted(files.items()), 1):
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        if number % UPLOAD_PURGE_EVERY == 0:
            sqs.purge_queue(QueueUrl=queue_url)


def bench_site(label: str, files: Mapping[str, bytes], with_events: bool, plain_moto: bool) -> SiteFigures:
    """Provision, upload, first publish and (for generated sites) the three single events."""
    from moto import mock_aws

    figures = SiteFigures(label=label, posts=sum(key.endswith((".md", ".markdown")) for key in files))
    reset_aws_env()
    with ExitStack() as stack:
        stack.enter_context(mock_aws())
        if not plain_moto:
            stack.enter_context(moto_without_table_wide_costs())
        from pressroom.shells.provision import provision
        from pressroom.shells.runtime import Resources, client

        provisioned = provision(Resources.from_env())
        os.environ.update(provisioned)
        resources = Resources.from_env()
        clients = {service: client(service) for service in ("s3", "dynamodb", "cloudfront")}
        counter = RequestCounter()
        counter.watch(clients.values())
        s3 = clients["s3"]

        start = time.perf_counter()
        upload_all(s3, client("sqs"), resources.source_bucket, provisioned["QUEUE_URL"], files)
        figures.upload_seconds = time.perf_counter() - start

        def put(key: str, data: bytes) -> None:
            s3.put_object(Bucket=resources.source_bucket, Key=key, Body=data)

        figures.events.append(run_event("first publish", clients, counter, lambda runner: runner.rebuild()))
        if not with_events:
            return figures

        posts = sorted(key for key in files if key.startswith("posts/"))
        middle = posts[len(posts) // 2]
        put(middle, files[middle] + b"\nOne more paragraph, appended to measure what an edit costs.\n")
        figures.events.append(run_event(f"edit {middle}", clients, counter, single_event(middle)))

        oldest = post_key(len(posts))
        old_date = DATE_START - timedelta(days=1)
        put(oldest, make_post(_rng(1), len(posts), old_date, ("Bench Fresh One", "Bench Fresh Two")))
        figures.events.append(run_event(f"new oldest {oldest}", clients, counter, single_event(oldest)))

        newest = post_key(len(posts) + 1)
        put(newest, make_post(_rng(2), len(posts) + 1, DATE_END + timedelta(days=1), (TAGS[0], TAGS[5])))
        figures.events.append(run_event(f"new newest {newest}", clients, counter, single_event(newest)))

        # Every page shows the site title: all of them are rendered again, in chunks (here run in turn).
        put("site.yaml", files.get("site.yaml", b"") + b"\ntitle: Bench, renamed\n")
        figures.events.append(run_event("site.yaml title changed", clients, counter, lambda runner: runner.rebuild()))
    return figures


def _rng(salt: int) -> random.Random:
    """A generator for the posts the events add, apart from the site's own."""
    return random.Random(f"bench-extra-{salt}")


# --- report ------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table, columns padded so it also reads well in a terminal."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)])


def build_report(results: Sequence[BuildFigures]) -> str:
    rows = [
        [
            f"{r.posts:,}",
            f"{r.outputs:,}",
            f"{r.bare_plain_md:.2f}",
            f"{r.bare_pressroom_md:.2f}",
            f"{r.build_1:.2f}",
            f"{r.build_2:.2f}",
            f"{r.build_1 / r.bare_pressroom_md:.2f}x",
            f"{r.build_2 / r.bare_pressroom_md:.2f}x",
            f"{r.build_1 / r.bare_plain_md:.2f}x",
            f"{r.build_2 / r.bare_plain_md:.2f}x",
        ]
        for r in results
    ]
    header = [
        "posts",
        "outputs",
        "bare plain s",
        "bare pr-md s",
        "build 1p s",
        "build 2p s",
        "1p/bare pr",
        "2p/bare pr",
        "1p/bare plain",
        "2p/bare plain",
    ]
    verdicts = []
    for r in results:
        one = r.build_1 / r.bare_pressroom_md
        two = r.build_2 / r.bare_pressroom_md
        verdicts.append(
            f"N={r.posts:,}: 1 core {one:.2f}x bare ({'meets' if one <= BUILD_TARGET_ONE_CORE else 'MISSES'} "
            f"<= {BUILD_TARGET_ONE_CORE}x), 2 cores {two:.2f}x ({'meets' if two < 1 else 'MISSES'} < 1x)"
            + (f"; {r.errors} build errors" if r.errors else "")
            + ("" if r.same_outputs else "; THE 1- AND 2-PROCESS BUILDS DIFFER")
        )
    legend = (
        "bare = YAML front matter + Markdown + one Jinja2 render per post; 'pr' uses pressroom.markdown."
        "render_markdown, 'plain' MarkdownIt('commonmark').enable(['table','strikethrough']).render.\n"
        "build = pressroom.build.build_site(files, now, workers=1 or 2); every figure is the best of the runs."
    )
    return "\n".join([table(header, rows), "", legend, *verdicts])


def events_report(sites: Sequence[SiteFigures], plain_moto: bool) -> str:
    rows = []
    for site in sites:
        for event in site.events:
            by_operation = ", ".join(f"{op} {n}" for op, n in sorted(event.requests.items(), key=lambda kv: -kv[1]))
            rows.append(
                [
                    site.label,
                    event.name.split(" posts/")[0],
                    f"{event.seconds:.2f}",
                    f"{event.own_seconds:.2f}",
                    f"{event.aws_seconds:.2f}",
                    str(event.total_requests),
                    str(event.written),
                    str(event.deleted),
                    str(event.invalidated),
                    by_operation,
                ]
            )
    header = [
        "site",
        "event",
        "total s",
        "pressroom s",
        "in moto s",
        "requests",
        "written",
        "deleted",
        "invalidated",
        "requests by operation",
    ]
    uploads = ", ".join(f"{s.label} {s.upload_seconds:.1f} s" for s in sites)
    errors = [f"{s.label} / {e.name}: {error}" for s in sites for e in s.events for error in e.errors]
    notes = [
        "Each event: a fresh publisher (reads site.yaml and layouts/) + publish([key]) + send_invalidations;"
        " boto3 clients are kept between events, as the handler keeps them between warm invocations.",
        "'pressroom s' is the wall time outside AWS calls (pressroom and botocore); 'in moto s' is inside them"
        ": moto's per-request overhead, and a read of the whole partition for every Query page where AWS reads"
        " only the page (so pager-heavy events are slow here, and not because of pressroom).",
        "edit = a paragraph appended to a middle post; new oldest = dated before every other post, two new tags;"
        " new newest = dated after every other post (it moves every pager page of its lists by one).",
        "moto: "
        + (
            "unpatched."
            if plain_moto
            else "its DynamoDB costs that grow with the whole table (a table deep-copy per transaction item,"
            " a table-wide sort and scan per query) taken out; see moto_without_table_wide_costs in shells/embedded.py."
        ),
        f"Upload of the source files with put_object (not in the table): {uploads}.",
    ]
    if errors:
        notes.append("Content errors: " + "; ".join(errors[:10]))
    return "\n".join([table(header, rows), "", *notes])


def event_json(event: EventFigures) -> dict[str, Any]:
    return {**asdict(event), "total_requests": event.total_requests, "own_seconds": event.own_seconds}


def environment() -> dict[str, str]:
    packages = ["markdown-it-py", "mdit-py-plugins", "pyyaml", "jinja2", "pygments", "moto", "boto3"]
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        **{name: version(name) for name in packages},
    }


# --- command line ------------------------------------------------------------------------


def parse_sizes(text: str) -> tuple[int, ...]:
    """`"1000,5000"` or `"1000 5000"` -> (1000, 5000)."""
    return tuple(int(part) for part in text.replace(",", " ").split())


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", ""),
        help="full-build sizes, space-separated (default 1000 5000, env BENCH_SIZES)",
    )
    parser.add_argument("--quick", action="store_true", help="full build at N=200 only; events at 100 and 1,000")
    parser.add_argument("--no-5000", action="store_true", help="no event run on the 5,000-post site")
    parser.add_argument(
        "--event-sizes", default="", help="sizes of the generated sites for the event runs (default 100 1000 5000)"
    )
    parser.add_argument("--repeats", type=int, default=2, help="runs per build figure, best kept (default 2)")
    parser.add_argument(
        "--plain-moto",
        action="store_true",
        help="leave moto's table-wide DynamoDB costs in (slow; over 10 GB of memory at 1,000 posts)",
    )
    parser.add_argument("--skip-build", action="store_true", help="only the event runs")
    parser.add_argument("--skip-events", action="store_true", help="only the full builds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    build_sizes = parse_sizes(args.sizes) or (QUICK_BUILD_SIZES if args.quick else DEFAULT_BUILD_SIZES)
    event_sizes = parse_sizes(args.event_sizes) or tuple(
        n for n in EVENT_SIZES if n < 5000 or not (args.quick or args.no_5000)
    )
    started = time.perf_counter()
    env = environment()
    print("pressroom bench, " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)
    report: dict[str, Any] = {"environment": env, "now": NOW.isoformat(), "build": [], "events": []}
    OUT.mkdir(parents=True, exist_ok=True)

    builds: list[BuildFigures] = []
    if not args.skip_build:
        print(f"\n## Full build ({args.repeats} runs each, best kept)\n", flush=True)
        for size in build_sizes:
            print(f"  building N={size:,} ...", flush=True)
            builds.append(bench_build(size, args.repeats))
        print("\n" + build_report(builds), flush=True)
        report["build"] = [{**asdict(b), "ratios": b.ratios} for b in builds]

    sites: list[SiteFigures] = []
    if not args.skip_events:
        print("\n## Event cost on moto (in-process)\n", flush=True)
        print("  sample site (content/) ...", flush=True)
        from pressroom.adapters.files import read_tree

        sites.append(
            bench_site("sample content/", read_tree(ROOT / "content"), with_events=False, plain_moto=args.plain_moto)
        )
        for size in event_sizes:
            print(f"  generated site N={size:,} ...", flush=True)
            site = bench_site(f"{size:,} posts", generate(size), with_events=True, plain_moto=args.plain_moto)
            print(f"    upload {site.upload_seconds:.1f} s, first publish {site.events[0].seconds:.1f} s", flush=True)
            sites.append(site)
        print("\n" + events_report(sites, args.plain_moto), flush=True)
        report["moto_patched"] = not args.plain_moto
        report["events"] = [{**asdict(site), "events": [event_json(e) for e in site.events]} for site in sites]

    report["total_seconds"] = time.perf_counter() - started
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nTotal {report['total_seconds']:.0f} s; results in {(OUT / 'results.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
