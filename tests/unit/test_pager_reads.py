"""Rendering every pager page of a list in turn (a new newest post shifts them all) reads the list
in a few queries, and the pages hold what reading each page alone holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pressroom.adapters.memory import MemoryBucket, MemoryTable
from pressroom.core.site.model import HOME_LIST
from pressroom.engine.publisher import Publisher
from support.sources import published_on_fakes

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _published_site(posts: int) -> Publisher:
    source = MemoryBucket(name="source")
    source.upload("site.yaml", b"title: Pager\npagerSize: 2\n")
    for n in range(posts):
        front = {"title": f"Post {n}", "date": f"2024-01-01T00:{n:02d}:00Z", "tags": ["t"]}
        source.upload(f"posts/p{n:02d}.md", ("---\n" + json.dumps(front) + "\n---\nWords.\n").encode())
    return published_on_fakes(source, NOW)


def test_a_walk_over_every_pager_page_reads_the_list_in_few_queries() -> None:
    publisher = _published_site(40)
    generation = publisher.control.table.get("lease", "site")["gen"]  # type: ignore[index]
    table = publisher.ports.table
    assert isinstance(table, MemoryTable)
    walk = publisher.reader(int(generation))
    pages = walk.list_size(HOME_LIST) // 2
    before = table.requests
    walked = [[entry.source_key for entry in walk.list_slice(HOME_LIST, 2 * n, 2 * n + 2)] for n in range(pages)]
    assert table.requests - before <= 6, "20 pages in turn, read ahead: a few queries, not one per page"
    alone = [
        [entry.source_key for entry in publisher.reader(int(generation)).list_slice(HOME_LIST, 2 * n, 2 * n + 2)]
        for n in range(pages)
    ]
    assert walked == alone
    assert walked[0] == ["posts/p39.md", "posts/p38.md"] and walked[-1] == ["posts/p01.md", "posts/p00.md"]
