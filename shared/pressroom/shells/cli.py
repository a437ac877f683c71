"""The `pressroom` command line: it only parses arguments and wires adapters to the core."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pressroom.core.config import SiteConfig
from pressroom.exceptions import PressroomError


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PressroomError(f"--now {text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_build(args: argparse.Namespace) -> int:
    from pressroom.adapters.files import read_tree, write_tree
    from pressroom.core.build import build_site

    started = time.perf_counter()
    files = read_tree(Path(args.src))
    site = build_site(files, _now(args.now), workers=args.jobs)
    for warning in site.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in site.errors:
        print(f"error: {error}", file=sys.stderr)
    if site.outputs:
        write_tree(Path(args.out), site.outputs)
    seconds = time.perf_counter() - started
    print(
        f"built {site.published} pages into {len(site.outputs)} files in {args.out} "
        f"({seconds:.2f} s, {len(site.errors)} errors, {len(site.warnings)} warnings)"
    )
    return 1 if site.errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    from pressroom.adapters.files import read_tree
    from pressroom.core.check import check_site

    src = Path(args.src)
    report = check_site(read_tree(src), _now(args.now))
    for finding in report.findings:
        print(finding)
    if args.fix:
        for key, data in sorted(report.repairs.items()):
            (src / key).write_bytes(data)
            print(f"fixed: {key}")
    remaining = [
        f for f in report.errors if not (args.fix and f.source_key in report.repairs and "encoding" in f.message)
    ]
    warnings = len(report.findings) - len(report.errors)
    print(f"{len(remaining)} errors, {warnings} warnings")
    return 1 if remaining else 0


def cmd_sync(args: argparse.Namespace) -> int:
    import boto3

    from pressroom.shells.sync import format_summary, stderr_if_terminal, sync

    report = sync(
        Path(args.src),
        args.url,
        s3_client=boto3.client("s3"),
        delete=args.delete,
        dry_run=args.dry_run,
        progress=stderr_if_terminal(),
        log=sys.stdout,
    )
    print(format_summary(report, dry_run=args.dry_run))
    return 0


_FLAG_NAMES = ("SOURCE_BUCKET", "SITE_BUCKET", "INDEX_TABLE", "QUEUE_URL", "DISTRIBUTION_ID")


def _resources(args: argparse.Namespace) -> Any:
    """Resource names: a flag that was given, else the environment, else provision's defaults."""
    import os

    from pressroom.shells.runtime import Resources

    resources = Resources.from_env({name: getattr(args, name.lower(), None) for name in _FLAG_NAMES})
    # The handler (which `worker` runs) reads the environment: the flags must reach it too.
    os.environ.update(
        {
            "SOURCE_BUCKET": resources.source_bucket,
            "SITE_BUCKET": resources.site_bucket,
            "INDEX_TABLE": resources.index_table,
            "QUEUE_URL": resources.queue_url,
            "DISTRIBUTION_ID": resources.distribution_id,
        }
    )
    return resources


def cmd_provision(args: argparse.Namespace) -> int:
    from pressroom.shells.provision import provision

    print(json.dumps(provision(_resources(args)), indent=2))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from pressroom.shells.handler import handler
    from pressroom.shells.runtime import client
    from pressroom.shells.worker import run_worker

    resources = _resources(args)
    if not resources.queue_url:
        raise PressroomError("no queue: set QUEUE_URL or pass --queue-url (pressroom provision prints it)")
    stats = run_worker(client("sqs"), resources.queue_url, handler, until_empty=args.until_empty)
    print(f"worker: {stats.batches} batches, {stats.messages} messages, {stats.failures} failed and returned")
    return 1 if stats.failed_last else 0


def publisher_here(resources: Any, now: Any) -> Any:
    """A publisher on the AWS resources, run in this process (no queue: it does all the work here)."""
    from pressroom.engine.publisher import Publisher
    from pressroom.shells.runtime import ports

    return Publisher(ports(resources), now)


def cmd_rebuild(args: argparse.Namespace) -> int:
    resources = _resources(args)
    publisher = publisher_here(resources, _now(args.now))
    publisher.request_rebuild(repair=True)
    written = deleted = invalidated = pages = 0
    errors: list[Any] = []
    while True:
        result = publisher.run()
        pages += len(result.published)
        written += len(result.written)
        deleted += len(result.deleted)
        invalidated += len(result.invalidated)
        errors += result.errors
        if not result.held or (not result.handed_off and publisher.control.journal() is None):
            break
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    print(f"rebuilt {pages} pages: {written} written, {deleted} deleted, {invalidated} paths invalidated")
    return 1 if errors else 0


def cmd_status(args: argparse.Namespace) -> int:
    from pressroom.core.codec import record_from_data, unpack
    from pressroom.core.plan import PageRecord
    from pressroom.engine.control import Control
    from pressroom.engine.index import GenerationReader
    from pressroom.shells.runtime import ports

    table = ports(_resources(args)).table
    control = Control(table)
    lease = table.get("lease", "site")
    generation = int(lease.get("gen", 0)) if lease else 0
    published: list[str] = []
    if generation:
        reader = GenerationReader(table, generation, SiteConfig())
        for item in reader.query_all(reader.p + "src"):
            source = record_from_data(unpack(item["data"]))
            if isinstance(source, PageRecord) and source.published:
                published.append(item["sk"])
    errors = control.all_errors()
    print(f"{len(published)} pages published, {len(control.all_outputs())} files in the site bucket")
    for key in published:
        print(f"  published  {key}")
    print(f"{len(errors)} files failed")
    for key, failure in sorted(errors.items()):
        for problem in failure.problems:
            print(f"  failed     {key}: {problem} (at {failure.when})")
    return 1 if errors else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pressroom.shells.demo import run_demo

    return run_demo(Path(args.content), Path(args.out), now=_now(args.now))


def _add_resource_flags(parser: argparse.ArgumentParser) -> None:
    for name in ("source-bucket", "site-bucket", "index-table", "queue-url", "distribution-id"):
        parser.add_argument(f"--{name}", help=f"default: ${name.upper().replace('-', '_')} or provision's name")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pressroom", description="Publish a Markdown blog on AWS.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build a content folder into a folder")
    build.add_argument("src", help="the content folder")
    build.add_argument("--out", required=True, help="where to write the site")
    build.add_argument("--now", help="the clock for drafts, scheduled and expired posts (ISO 8601)")
    build.add_argument("--jobs", type=int, default=None, help="processes to use (default: all cores)")
    build.set_defaults(run=cmd_build)

    check = commands.add_parser("check", help="lint content without publishing")
    check.add_argument("src", help="the content folder")
    check.add_argument("--fix", action="store_true", help="repair text damaged by a wrong encoding")
    check.add_argument("--now", help="the clock for scheduled posts (ISO 8601)")
    check.set_defaults(run=cmd_check)

    sync = commands.add_parser("sync", help="upload what changed to s3://BUCKET[/PREFIX]")
    sync.add_argument("src", help="the content folder")
    sync.add_argument("url", help="s3://BUCKET[/PREFIX]")
    sync.add_argument("--delete", action="store_true", help="delete remote files removed locally")
    sync.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    sync.set_defaults(run=cmd_sync)

    provision = commands.add_parser("provision", help="create the AWS resources on $AWS_ENDPOINT_URL")
    _add_resource_flags(provision)
    provision.set_defaults(run=cmd_provision)

    worker = commands.add_parser("worker", help="poll the queue and run the handler, as Lambda would")
    _add_resource_flags(worker)
    worker.add_argument("--until-empty", action="store_true", help="stop when the queue is drained")
    worker.set_defaults(run=cmd_worker)

    rebuild = commands.add_parser("rebuild", help="re-render the whole published site")
    _add_resource_flags(rebuild)
    rebuild.add_argument("--now", help="the clock (ISO 8601)")
    rebuild.set_defaults(run=cmd_rebuild)

    status = commands.add_parser("status", help="what is published and which files failed")
    _add_resource_flags(status)
    status.set_defaults(run=cmd_status)

    demo = commands.add_parser("demo", help="publish content/ end to end on an embedded moto")
    demo.add_argument("--content", default="content", help="the content folder (default: content)")
    demo.add_argument("--out", default="public", help="where to export the site (default: public)")
    demo.add_argument("--now", help="the clock (ISO 8601)")
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except PressroomError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
