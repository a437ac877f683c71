"""What an unlimited feed (Hugo's default `services.rss.limit = -1`) costs one event.

Publishes a generated Hugo site root on in-process moto, then edits the newest post and counts
the AWS requests and DynamoDB items read by that one event, with feeds of 20 items and with
unlimited feeds. Run: `.venv/bin/python bench/feed_cost.py [POSTS ...]` (default 200 1000).
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }
)


def post(number: int) -> bytes:
    return (
        (
            f"---\ntitle: Post {number}\ndate: 2020-01-01T00:00:00Z\nlastmod: 2020-01-01T00:00:00Z\n"
            f"tags: [t{number % 7}]\n---\n\n" + "Words of a post. " * 60 + "\n"
        )
        .replace("2020-01-01", f"{2000 + number // 365:04d}-{number % 12 + 1:02d}-{number % 28 + 1:02d}")
        .encode()
    )


def measure(posts: int, limit: int) -> tuple[Counter[str], int]:
    import boto3
    from moto import mock_aws

    from support.accounts import Site

    with mock_aws():
        site = Site()
        site.put("hugo.toml", f'baseURL = "https://a.example/"\n[services.rss]\nlimit = {limit}\n'.encode())
        for number in range(posts):
            site.put(f"content/posts/p{number:05d}.md", post(number))
        site.drain()
        requests: Counter[str] = Counter()
        items = [0]

        def count(**kwargs: Any) -> None:
            requests[kwargs["model"].name] += 1

        def read(parsed: Any = None, **kwargs: Any) -> None:
            if isinstance(parsed, dict):
                items[0] += len(parsed.get("Items", ())) + int("Item" in parsed)
                items[0] += sum(len(v) for v in parsed.get("Responses", {}).values())

        events = boto3._get_default_session().events  # the handler's clients are made from it
        events.register("before-call.*.*", count)
        events.register("after-call.dynamodb.*", read)
        newest = f"content/posts/p{posts - 1:05d}.md"
        site.put(newest, post(posts - 1) + b"\nOne more line.\n")
        requests.clear()
        items[0] = 0
        site.drain()
        events.unregister("before-call.*.*", count)
        events.unregister("after-call.dynamodb.*", read)
        return requests, items[0]


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [200, 1000]
    print("| posts | feed limit | AWS requests | DynamoDB Query | DynamoDB items read |")
    print("| --- | --- | --- | --- | --- |")
    for posts in sizes:
        for limit in (20, -1):
            requests, items = measure(posts, limit)
            print(f"| {posts} | {limit} | {sum(requests.values())} | {requests['Query']} | {items} |")


if __name__ == "__main__":
    main(sys.argv[1:])
