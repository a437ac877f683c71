"""The `pressroom` command line: it only parses arguments and wires adapters to the core."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pressroom.core.reading.config import SiteConfig
from pressroom.exceptions import ContentError, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
"""SPEC 4.1: done; content errors (reported, nothing lost); usage or environment."""
EXIT_INTERRUPTED = 130  # Ctrl-C during a command other than `dev` (128 + SIGINT, as shells report it)
EXIT_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE)


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r} is not an ISO 8601 date or time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _source(args: argparse.Namespace) -> Path:
    """SRC as given, else the site in the current folder (as Hugo); a missing one is a usage error."""
    from pressroom.shells.archetype import default_source

    src = Path(args.src) if args.src else default_source(Path.cwd())
    if not src.is_dir():
        raise UsageError(f"{src}: no such folder; pass the content folder (or a Hugo site root) as SRC")
    return src


def _output(args: argparse.Namespace) -> Any:
    from pressroom.shells.terminal import Output

    return Output(as_json=getattr(args, "json", False), quiet=getattr(args, "quiet", False))


def _problem(error: Any) -> dict[str, Any]:
    return {"file": error.source_key, "line": error.line, "problem": error.problem}


def cmd_build(args: argparse.Namespace) -> int:
    from pressroom.adapters.files import FolderCache, TreeWriter, link_warning, read_tree, scan_folder, source_tree
    from pressroom.core.build import build_site
    from pressroom.core.images.facts import is_raster_name
    from pressroom.shells.image_memo import ImageMemo
    from pressroom.shells.pools import build_pool

    output = _output(args)
    started = time.perf_counter()
    src = _source(args)
    with output.status(f"building {src}") as update:
        folder = scan_folder(src)
        # Each output is written as it is rendered, by the process that rendered it.
        writer = TreeWriter(Path(args.out))
        if args.cache_dir:
            # An image known unchanged is not read: its facts come from the memo, its copy without
            # metadata and its variants are linked from the cache into the output folder.
            files: Any = source_tree(src, folder, lazy=is_raster_name)
            cache, memo = FolderCache(Path(args.cache_dir), writer), ImageMemo(Path(args.cache_dir), src)
        else:
            files, cache, memo = read_tree(src, folder), None, None
        update(f"building {len(files)} files from {src}")
        pool = build_pool(args.jobs)
        site = build_site(files, _now(args.now), pool, sink=writer, cache=cache, known=memo.known() if memo else None)
        if memo is not None:
            memo.save(files, site.images)
    site.warnings[:0] = [link_warning(key) for key in folder.links]
    if not output.quiet:
        for warning in site.warnings:
            output.problem(f"warning: {warning}")
    for error in site.errors:
        output.problem(f"error: {error}")
    seconds = time.perf_counter() - started
    output.summary(
        f"built {site.published} pages into {len(site.keys)} files in {args.out} "
        f"({seconds:.2f} s, {len(site.errors)} errors, {len(site.warnings)} warnings)",
        [
            ("pages", site.published),
            ("files", f"{len(site.keys)} in {args.out}"),
            ("errors", len(site.errors)),
            ("warnings", len(site.warnings)),
            ("time", f"{seconds:.2f} s"),
        ],
        {
            "pages": site.published,
            "files": len(site.keys),
            "out": str(args.out),
            "seconds": round(seconds, 3),
            "errors": [_problem(error) for error in site.errors],
            "warnings": site.warnings,
        },
    )
    return 1 if site.errors else 0


def cmd_check(args: argparse.Namespace) -> int:
    from pressroom.adapters.files import link_warning, read_tree, scan_folder
    from pressroom.core.reading.lint import check_site

    output = _output(args)
    src = _source(args)
    folder = scan_folder(src)
    files = read_tree(src, folder)
    links = [link_warning(key) for key in folder.links]
    report = check_site(files, _now(args.now), unread=set(folder.keys) - set(files), warnings=links)
    fixed: list[str] = []
    if args.fix:
        for key, data in sorted(report.repairs.items()):
            (src / key).write_bytes(data)
            fixed.append(key)
    remaining = [
        f for f in report.errors if not (args.fix and f.source_key in report.repairs and "encoding" in f.message)
    ]
    warnings = [f for f in report.findings if not f.error]
    if not output.as_json:
        for finding in report.findings:
            if finding.error or not output.quiet:
                print(finding, flush=False)
        for key in fixed:
            output.line(f"fixed: {key}")

    def findings(items: Any) -> list[dict[str, Any]]:
        return [{"file": f.source_key, "line": f.line, "problem": f.message} for f in items]

    output.summary(
        f"{len(remaining)} errors, {len(warnings)} warnings",
        [("errors", len(remaining)), ("warnings", len(warnings)), ("fixed", len(fixed))],
        {"errors": findings(remaining), "warnings": findings(warnings), "fixed": fixed},
    )
    return 1 if remaining else 0


def cmd_sync(args: argparse.Namespace) -> int:
    from pressroom.adapters.files import link_warning
    from pressroom.shells.runtime import client
    from pressroom.shells.sync import format_summary, s3_target, sync

    output = _output(args)
    src = Path(args.src)
    if not src.is_dir():
        raise UsageError(f"{src}: no such folder to sync; pass the content folder (or a Hugo site root)")
    started = time.perf_counter()
    report = sync(
        src,
        s3_target(args.url, client("s3")),
        delete=args.delete,
        dry_run=args.dry_run,
        log=None if output.quiet or output.as_json else sys.stdout,
        bar=(lambda items, size: output.bar("syncing", items, size)) if output.fancy else None,
        max_deletes=args.max_deletes,
    )
    seconds = time.perf_counter() - started
    warnings = [link_warning(key) for key in report.links]
    if not output.quiet:
        for warning in warnings:
            output.problem(f"warning: {warning}")
    output.summary(
        format_summary(report, dry_run=args.dry_run),
        [
            ("uploaded", f"{report.uploaded} ({report.bytes_uploaded} bytes)"),
            ("deleted", report.deleted),
            ("unchanged", report.unchanged),
            ("time", f"{seconds:.2f} s" + (" (dry run: nothing changed)" if args.dry_run else "")),
        ],
        {
            "uploaded": report.uploaded,
            "deleted": report.deleted,
            "unchanged": report.unchanged,
            "bytes_uploaded": report.bytes_uploaded,
            "dry_run": args.dry_run,
            "warnings": warnings,
        },
    )
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
    import os

    from pressroom.shells.provision import provision

    if not os.environ.get("AWS_ENDPOINT_URL") and not args.aws:
        raise UsageError(
            "AWS_ENDPOINT_URL is not set, so this would create resources on real AWS: "
            "set it to a moto server (e.g. export AWS_ENDPOINT_URL=http://127.0.0.1:5000), or pass --aws if you mean it"
        )
    print(json.dumps(provision(_resources(args)), indent=2))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import warnings

    from pressroom.shells.handler import handler
    from pressroom.shells.runtime import client
    from pressroom.shells.worker import run_worker

    # Powertools warns on every batch that published no metric: noise on a terminal.
    warnings.filterwarnings("ignore", message=".*consider using 'raise_on_empty_metrics'")
    resources = _resources(args)
    if not resources.queue_url:
        raise UsageError("no queue: set QUEUE_URL or pass --queue-url (pressroom provision prints it)")
    stats = run_worker(client("sqs"), resources.queue_url, handler, until_empty=args.until_empty)
    print(f"worker: {stats.batches} batches, {stats.messages} messages, {stats.failures} failed and returned")
    every_one_failed = stats.messages > 0 and stats.succeeded == 0
    if every_one_failed:
        print("error: every message failed; the handler's log above says why", file=sys.stderr)
    elif stats.failed_last:
        print(
            f"error: {stats.failed_last} messages of the last batch failed; they return to the queue "
            "(after 5 receives, to the dead-letter queue); the handler's log above says why",
            file=sys.stderr,
        )
    return 1 if stats.failed_last or every_one_failed else 0


def publisher_here(resources: Any, now: Any) -> Any:
    """A publisher on the AWS resources, run in this process (no queue: it does all the work here)."""
    from pressroom.engine.publisher import Publisher
    from pressroom.shells.runtime import engine_settings, ports

    return Publisher(ports(resources), now, engine_settings=engine_settings())


def cmd_rebuild(args: argparse.Namespace) -> int:
    output = _output(args)
    resources = _resources(args)
    publisher = publisher_here(resources, _now(args.now))
    publisher.request_rebuild(repair=True)
    written = deleted = invalidated = pages = 0
    errors: list[Any] = []
    with output.status("rebuilding the site") as update:
        while True:
            result = publisher.run()
            pages += len(result.published)
            written += len(result.written)
            deleted += len(result.deleted)
            invalidated += len(result.invalidated)
            errors += result.errors
            update(f"rebuilding: {pages} pages, {written} written, {deleted} deleted so far")
            if not result.held or (not result.handed_off and publisher.control.journal() is None):
                break
    for error in errors:
        output.problem(f"error: {error}")
    output.summary(
        f"rebuilt {pages} pages: {written} written, {deleted} deleted, {invalidated} paths invalidated",
        [("pages", pages), ("written", written), ("deleted", deleted), ("invalidated", invalidated)],
        {
            "pages": pages,
            "written": written,
            "deleted": deleted,
            "invalidated": invalidated,
            "errors": [_problem(error) for error in errors],
        },
    )
    return 1 if errors else 0


def cmd_status(args: argparse.Namespace) -> int:
    from pressroom.core.planning.codec import record_from_data, unpack
    from pressroom.core.planning.plan import PageRecord
    from pressroom.engine.control import Control
    from pressroom.engine.generation import GenerationReader
    from pressroom.shells.runtime import ports

    output = _output(args)
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
    files = len(control.all_outputs())
    if output.as_json:
        failed = {key: {"problems": list(f.problems), "when": f.when} for key, f in sorted(errors.items())}
        output.summary("", [], {"published": published, "files": files, "failed": failed})
        return 1 if errors else 0
    if not output.quiet:
        print(f"{len(published)} pages published, {files} files in the site bucket")
        for key in published:
            print(f"  published  {key}")
        print(f"{len(errors)} files failed")
    for key, failure in sorted(errors.items()):
        for problem in failure.problems:
            line = f"  failed     {key}: {problem} (at {failure.when})"
            print(line) if not output.quiet else output.problem(line.strip())
    return 1 if errors else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pressroom.shells.demo import run_demo

    content = Path(args.content)
    if not content.is_dir():
        raise UsageError(f"{content}: no such content folder; pass --content DIR")
    return run_demo(content, Path(args.out), now=_now(args.now), output=_output(args))


def cmd_dev(args: argparse.Namespace) -> int:
    import os

    from pressroom.core.reading.config import BuildMode
    from pressroom.shells.dev import run_dev

    mode = BuildMode(args.buildDrafts, args.buildFuture, args.buildExpired, args.environment)
    code = run_dev(_source(args), port=args.port, output=_output(args), mode=mode)
    # Everything it started is stopped by now; what the interpreter would still do is free the
    # embedded AWS's heap, which takes seconds on a large site. Ctrl-C should give the prompt back now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def cmd_new(args: argparse.Namespace) -> int:
    from pressroom.shells.archetype import new_content, site_folders

    root, content = site_folders(_source(args))
    target, archetype = new_content(root, content, args.path, _now(args.now))
    print(f"created {target} from {archetype}")
    return 0


def _add_resource_flags(parser: argparse.ArgumentParser) -> None:
    for name in ("source-bucket", "site-bucket", "index-table", "queue-url", "distribution-id"):
        parser.add_argument(f"--{name}", help=f"default: ${name.upper().replace('-', '_')} or provision's name")


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", nargs="?", help="the content folder or Hugo site root (default: this folder's site)")


def _add_output_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout (for scripts)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    _add_source(parser)
    parser.add_argument("--out", default="public", help="where to write the site (default: public)")
    parser.add_argument("--now", help="the clock for drafts, scheduled and expired posts (ISO 8601)")
    parser.add_argument("--jobs", type=int, default=None, help="processes to use (default: all cores)")
    parser.add_argument(
        "--cache-dir",
        default=str(default_cache_dir()),
        help="where image variants are kept between builds, hard-linked into --out on the same filesystem "
        "('' for none; default: %(default)s)",
    )
    _add_output_flags(parser)


def default_cache_dir() -> Path:
    """The user's cache directory (`XDG_CACHE_HOME`, else `~/.cache`), `pressroom/variants` in it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pressroom" / "variants"


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    _add_source(parser)
    parser.add_argument("--fix", action="store_true", help="repair text damaged by a wrong encoding")
    parser.add_argument("--now", help="the clock for scheduled posts (ISO 8601)")
    _add_output_flags(parser)


def _sync_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", help="the content folder")
    parser.add_argument("url", help="s3://BUCKET[/PREFIX]")
    parser.add_argument("--delete", action="store_true", help="delete remote files removed locally")
    parser.add_argument("--dry-run", action="store_true", help="say what would change, change nothing")
    parser.add_argument(
        "--max-deletes",
        type=int,
        metavar="N",
        help="allow up to N deletions (-1: no limit); without it, never every object under the prefix, "
        "nor more than half of them, nor more than 256 (hugo deploy's default)",
    )
    _add_output_flags(parser)


def _provision_arguments(parser: argparse.ArgumentParser) -> None:
    _add_resource_flags(parser)
    parser.add_argument("--aws", action="store_true", help="allow provisioning on real AWS (no AWS_ENDPOINT_URL)")


def cmd_aws(args: argparse.Namespace) -> int:
    from pressroom.shells.local_aws import serve_aws

    return serve_aws(args.port, Path(args.env_json) if args.env_json else None)


def cmd_invoke(args: argparse.Namespace) -> int:
    from pressroom.shells.invoke import invoke, read_event
    from pressroom.shells.worker import FUNCTION_SECONDS

    if args.event == "-":
        text, name = sys.stdin.read(), "-"
    else:
        path = Path(args.event)
        if not path.is_file():
            raise UsageError(f"{path}: no such event file (sam local generate-event s3 put ... > event.json makes one)")
        text, name = path.read_text(encoding="utf-8"), str(path)
    _resources(args)
    answer = invoke(read_event(text, name), FUNCTION_SECONDS)
    print(json.dumps(answer if answer is not None else {}))
    return 1 if answer and answer.get("batchItemFailures") else 0


def _aws_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=5000, help="the port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--env-json", metavar="FILE", help="also write SAM CLI's --env-vars JSON to FILE")


def _invoke_arguments(parser: argparse.ArgumentParser) -> None:
    _add_resource_flags(parser)
    parser.add_argument("event", metavar="EVENT.json", help="the event file, or - for standard input")


def _worker_arguments(parser: argparse.ArgumentParser) -> None:
    _add_resource_flags(parser)
    parser.add_argument("--until-empty", action="store_true", help="stop when the queue is drained")


def _rebuild_arguments(parser: argparse.ArgumentParser) -> None:
    _add_resource_flags(parser)
    parser.add_argument("--now", help="the clock (ISO 8601)")
    _add_output_flags(parser)


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    _add_resource_flags(parser)
    _add_output_flags(parser)


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", help="the content folder (default: content)")
    parser.add_argument("--out", default="public", help="where to export the site (default: public)")
    parser.add_argument("--now", help="the clock (ISO 8601)")


def _dev_arguments(parser: argparse.ArgumentParser) -> None:
    _add_source(parser)
    parser.add_argument("--port", type=int, default=1313, help="the port to serve on (default: 1313)")
    parser.add_argument("-D", "--buildDrafts", action="store_true", help="include draft pages, as hugo server -D")
    parser.add_argument(
        "-F", "--buildFuture", action="store_true", help="include pages whose date is in the future, as hugo server -F"
    )
    parser.add_argument("-E", "--buildExpired", action="store_true", help="include expired pages, as hugo server -E")
    parser.add_argument(
        "-e",
        "--environment",
        default="development",
        help="Hugo's environment, as cascade targets match it (default: development, as hugo server)",
    )


def _new_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="where, inside the content folder: posts/NAME.md")
    parser.add_argument("--src", help="the content folder or Hugo site root (default: this folder's site)")
    parser.add_argument("--now", help="the date to put in the page (ISO 8601; default: now)")


@dataclass(frozen=True)
class Command:
    """One `pressroom COMMAND`: its help line, the examples under its `--help`, its arguments and what runs it."""

    name: str
    help: str
    examples: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS = (
    Command(
        "build",
        "build a content folder into a folder",
        "  pressroom build                      # the site here (or ./content) into public/\n"
        "  pressroom build content --out site --now 2026-01-01\n",
        _build_arguments,
        cmd_build,
    ),
    Command(
        "check",
        "lint content without publishing",
        "  pressroom check content\n  pressroom check --fix            # repair text damaged by a wrong encoding\n"
        "  pressroom check --json | jq '.errors[].file'\n",
        _check_arguments,
        cmd_check,
    ),
    Command(
        "sync",
        "upload what changed to s3://BUCKET[/PREFIX]",
        "  pressroom sync content s3://my-source-bucket --delete\n"
        "  pressroom sync content s3://my-source-bucket --delete --dry-run\n"
        "  pressroom sync content s3://my-source-bucket --delete --max-deletes 1000\n",
        _sync_arguments,
        cmd_sync,
    ),
    Command(
        "provision",
        "create the AWS resources on $AWS_ENDPOINT_URL",
        "  export AWS_ENDPOINT_URL=http://127.0.0.1:5000   # a moto server\n  pressroom provision\n",
        _provision_arguments,
        cmd_provision,
    ),
    Command(
        "worker",
        "poll the queue and run the handler, as Lambda would",
        "  pressroom worker --until-empty\n  pressroom worker --queue-url http://127.0.0.1:5000/123456789012/q\n",
        _worker_arguments,
        cmd_worker,
    ),
    Command(
        "rebuild",
        "re-render the whole published site",
        "  pressroom rebuild\n  pressroom rebuild --json\n",
        _rebuild_arguments,
        cmd_rebuild,
    ),
    Command(
        "status",
        "what is published and which files failed",
        "  pressroom status\n  pressroom status --json | jq '.failed'\n",
        _status_arguments,
        cmd_status,
    ),
    Command(
        "demo",
        "publish content/ end to end on an embedded moto",
        "  pressroom demo\n  pressroom demo --content my-blog --out /tmp/site\n",
        _demo_arguments,
        cmd_demo,
    ),
    Command(
        "dev",
        "serve the site on 127.0.0.1 with live reload, published by the real pipeline on an embedded moto",
        "  pressroom dev                    # this folder's site on http://127.0.0.1:1313/\n"
        "  pressroom dev content --port 8080\n"
        "  pressroom dev -D                 # drafts too, as hugo server -D\n",
        _dev_arguments,
        cmd_dev,
    ),
    Command(
        "new",
        "create a page from an archetype",
        "  pressroom new posts/my-first-post.md\n"
        "  pressroom new posts/trip/index.md     # a page bundle\n"
        "archetypes/SECTION.md, else archetypes/default.md in the site root, else a built-in one.\n",
        _new_arguments,
        cmd_new,
    ),
    Command(
        "aws",
        "the embedded AWS as a server of its own, provisioned, until Ctrl-C",
        "  pressroom aws                          # prints export lines for another shell\n"
        "  pressroom aws --port 0 --env-json env.json   # a free port; SAM CLI's --env-vars file\n",
        _aws_arguments,
        cmd_aws,
    ),
    Command(
        "invoke",
        "run the handler once on an event file, as Lambda would",
        "  pressroom invoke infra/events/s3-put.json\n"
        "  sam local generate-event s3 put --bucket $SOURCE_BUCKET --key posts/a.md | pressroom invoke -\n",
        _invoke_arguments,
        cmd_invoke,
    ),
)
"""The commands, in the order `pressroom --help` lists them."""


EXIT_CODES = """exit codes:
  0  done
  1  content errors (reported, nothing lost)
  2  usage or environment (bad flags, missing folder, region, endpoint, bucket, ...)"""


def build_parser() -> argparse.ArgumentParser:
    from pressroom import __version__

    parser = argparse.ArgumentParser(
        prog="pressroom",
        description="Publish a Markdown blog on AWS.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pressroom {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        subparser = commands.add_parser(
            command.name,
            help=command.help,
            description=command.help[:1].upper() + command.help[1:] + ".",
            epilog="examples:\n" + command.examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.arguments(subparser)
        subparser.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # bad flags: argparse prints usage and exits 2
    try:
        code = int(args.run(args))
        sys.stdout.flush()  # here, where a reader that left (`| head`) is handled, not at exit
        return code
    except BrokenPipeError:
        # `pressroom check | head`: the reader left. Say nothing more, and let exit not flush into the pipe.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ContentError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as error:
        from pressroom.shells.explain import explain

        message = explain(error)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
