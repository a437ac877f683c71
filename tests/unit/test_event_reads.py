"""What the event path reads: what one invocation read or wrote is not read again, and what it
answers from memory is what a fresh read of the index answers."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import build_site
from pressroom.core.planning.plan import plan_round
from pressroom.core.site.model import HOME_LIST
from pressroom.engine import plan_writes, table_layout
from pressroom.engine.generation import GenerationReader
from pressroom.engine.plan_writes import compile_plan
from pressroom.engine.publisher import Publisher
from pressroom.engine.reading import read_sources
from support.sources import published_on_fakes

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _post(n: int, tags: list[str], words: str = "Words.") -> bytes:
    front = {"title": f"Post {n}", "date": f"2024-01-01T00:{n:02d}:00Z", "tags": tags}
    return ("---\n" + json.dumps(front) + "\n---\n" + words + "\n").encode()


def _published_site(posts: int) -> Publisher:
    source = MemoryBucket(name="source")
    source.upload("site.yaml", b"title: Reads\npagerSize: 2\n")
    source.upload("tags/t/_index.md", b"---\ntitle: The T tag\n---\nAbout t.\n")
    for n in range(posts):
        source.upload(f"posts/p{n:02d}.md", _post(n, ["t", f"only-{n % 3}"]))
    return _publish(source)


def _publish(source: MemoryBucket) -> Publisher:
    return published_on_fakes(source, NOW)


def _files(source: MemoryBucket) -> dict[str, bytes]:
    found = {item.key: source.read(item.key) for item in source.list("")}
    return {key: value.body for key, value in found.items() if value is not None}


def _generation(publisher: Publisher) -> int:
    lease = publisher.ports.table.get("lease", "site")
    assert lease is not None
    return int(lease["gen"])


def _source(publisher: Publisher) -> MemoryBucket:
    source = publisher.ports.source
    assert isinstance(source, MemoryBucket)
    return source


def test_the_index_after_a_round_as_remembered_is_the_index_as_stored() -> None:
    """The renderer's view of a round starts from what the planner read, changed by the round's
    writes: every list state, record, intro and block count it holds is what a fresh read finds."""
    publisher = _published_site(12)
    generation = _generation(publisher)
    config = publisher.settings(generation)[0].config
    source = _source(publisher)
    source.upload("posts/p03.md", _post(3, ["t", "new-tag"], "A longer body now."))
    source.upload("posts/p99.md", _post(59, ["t"]))
    source.upload("tags/t/_index.md", b"---\ntitle: The T tag, renamed\n---\nAbout t, again.\n")
    keys = ["posts/p03.md", "posts/p99.md", "tags/t/_index.md"]
    reader = publisher.reader(generation)
    readings, _ = read_sources(source, keys, reader, config, set())
    plan = plan_round(readings, reader, NOW)
    ops = compile_plan(plan, reader)
    table = publisher.ports.table
    assert isinstance(table, MemoryTable)
    table.write_many(list(ops.puts.values()), sorted(ops.deletes))

    remembered = reader.after(ops)
    fresh = GenerationReader(table, generation, config)
    lists = sorted({*plan.list_states, *plan.lists, "posts", HOME_LIST, "tags/t"})
    before = table.requests
    states = {list_id: remembered.list_state(list_id) for list_id in lists}
    records = {key: remembered.record(key) for key in keys}
    intro = remembered.intro("tags/t")
    blocks = {list_id: remembered.blocks(list_id) for list_id in plan.lists}
    assert table.requests == before, "all of it known: nothing read"
    assert states == {list_id: fresh.list_state(list_id) for list_id in lists}
    assert records == {key: fresh.record(key) for key in keys}
    assert blocks == {list_id: fresh.blocks(list_id) for list_id in plan.lists}
    assert intro == fresh.intro("tags/t") and intro is not None and intro.title == "The T tag, renamed"


def test_neighbours_known_from_a_list_page_are_the_neighbours_queried() -> None:
    publisher = _published_site(9)
    generation = _generation(publisher)
    config = publisher.settings(generation)[0].config
    table = publisher.ports.table
    assert isinstance(table, MemoryTable)
    whole = GenerationReader(table, generation, config).list_slice("posts", 0, 9)
    for rank, entry in enumerate(whole):
        queried = GenerationReader(table, generation, config).neighbours("posts", entry)
        known = GenerationReader(table, generation, config)
        known.list_slice("posts", max(rank - 1, 0), rank + 2)
        before = table.requests
        assert known.neighbours("posts", entry) == queried
        assert table.requests == before, f"rank {rank}: its neighbours were read with its page"
        assert queried == (whole[rank - 1] if rank else None, whole[rank + 1] if rank + 1 < len(whole) else None)


def test_a_page_just_before_a_known_rank_reads_back_from_it() -> None:
    """A new oldest post makes a new last pager page: the page before it reads back from the new
    post's known rank (one query) and holds what reading it alone holds."""
    publisher = _published_site(10)
    generation = _generation(publisher)
    config = publisher.settings(generation)[0].config
    table = publisher.ports.table
    assert isinstance(table, MemoryTable)
    whole = GenerationReader(table, generation, config).list_slice(HOME_LIST, 0, 10)
    anchored = GenerationReader(table, generation, config)
    anchored.add_anchors({HOME_LIST: {8: whole[8].order_key}})
    anchored.list_size(HOME_LIST)
    before = table.requests
    assert list(anchored.list_slice(HOME_LIST, 6, 8)) == list(whole[6:8])
    assert table.requests - before == 1


def test_an_edit_reads_the_coordination_items_once() -> None:
    """The journal and pending paths are read once as the lease is taken (with the settings) and
    known from then on; an edit's index reads are a few batches, not one request per list."""
    publisher = _published_site(12)
    table = publisher.ports.table
    assert isinstance(table, MemoryTable)
    source = _source(publisher)
    source.upload("posts/p05.md", _post(5, ["t", "only-2"], "Edited words."))
    reads: list[tuple[str, str]] = []
    original_get, original_query = table.get, table.query

    def get(pk: str, sk: str) -> object:
        reads.append((pk, sk))
        return original_get(pk, sk)

    def query(pk: str, **options: object) -> object:
        reads.append((pk, "query"))
        return original_query(pk, **options)  # type: ignore[arg-type]

    table.get = get  # type: ignore[method-assign,assignment]
    table.query = query  # type: ignore[method-assign,assignment]
    before = table.requests
    publisher.accept([("e1", "posts/p05.md")])
    result = publisher.run()
    assert result.published == ["posts/p05.md"] and "posts/p05/index.html" in result.written
    assert ("journal", "head") not in reads and ("pending", "paths") not in reads
    assert reads.count(("inbox", "query")) == 2, "the inbox once with the lease, once after freeing it"
    assert not [pk for pk, sk in reads if sk == "query" and ":intro" in pk]
    assert table.requests - before <= 40
    expected = build_site(_files(source), NOW).outputs
    site = publisher.ports.site
    assert isinstance(site, MemorySite)
    assert {key: body for key, (body, _) in site.contents().items()} == expected


def test_a_bundle_page_rendered_again_from_the_index_keeps_its_bundle_files() -> None:
    """A page rendered from its record (by a rebuild, or because a neighbour changed) is parsed
    with its bundle's files, as the full build parses it: a carousel of them keeps its images."""
    source = MemoryBucket(name="source")
    source.upload("site.yaml", b"title: Bundles\n")
    source.upload(
        "posts/a/index.md",
        b'---\ntitle: A\ndate: 2024-01-01T00:00:00Z\n---\n{{< carousel images="*.jpg" >}}\n',
    )
    source.upload("posts/a/gallery/one.jpg", b"\xff\xd8one")
    source.upload("posts/a/two.jpg", b"\xff\xd8two")
    source.upload("posts/b.md", _post(5, []))
    ports = _publish(source).ports
    site = ports.site
    assert isinstance(site, MemorySite)
    expected = build_site(_files(source), NOW).outputs
    assert b"two.jpg" in expected["posts/a/index.html"]
    assert site.read_object("posts/a/index.html") == expected["posts/a/index.html"]
    source.upload("posts/b.md", _post(5, [], "Renamed neighbour.").replace(b"Post 5", b"Post B"))
    publisher = Publisher(ports, NOW)
    publisher.accept([("e2", "posts/b.md")])
    publisher.run()
    expected = build_site(_files(source), NOW).outputs
    assert {key: body for key, (body, _) in site.contents().items()} == expected


def test_many_events_of_files_the_index_has_read_one_listing_not_each_file() -> None:
    """A push of many files the index already has (events a rebuild outran, or sent again) costs
    one listing of their ETags; the one file that did change is read and published."""
    publisher = _published_site(30)
    source = _source(publisher)
    source.upload("posts/p07.md", _post(7, ["t"], "Changed since."))
    keys = [f"posts/p{n:02d}.md" for n in range(30)]
    before = source.requests
    publisher.accept([(f"again-{key}", key) for key in keys])
    result = publisher.run()
    assert result.published == ["posts/p07.md"]
    assert source.requests - before <= 3, "one listing, one read of the changed file (and its render)"
    site = publisher.ports.site
    assert isinstance(site, MemorySite)
    assert {key: body for key, (body, _) in site.contents().items()} == build_site(_files(source), NOW).outputs


def test_ranks_stay_right_as_blocks_fill_split_and_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    """With blocks of two entries, posts arriving one by one in shuffled order split blocks again
    and again and deletions empty some: every page a rank places ends as the full build has it,
    and a fresh reader counts every entry's rank as its place in the list."""
    monkeypatch.setattr(plan_writes, "BLOCK_SIZE", 2)
    order = random.Random(7)
    source = MemoryBucket(name="source")
    source.upload("site.yaml", b"title: Ranks\npagerSize: 3\n")
    for n in range(6):
        source.upload(f"posts/p{n:02d}.md", _post(n, ["t"]))
    publisher = _publish(source)
    arriving = list(range(6, 30))
    order.shuffle(arriving)
    leaving = order.sample(range(30), 12)
    for step, n in enumerate([*arriving, *(-1 - n for n in leaving)]):
        key = f"posts/p{abs(n + 1) if n < 0 else n:02d}.md"
        if n < 0:
            source.remove(key)
        else:
            source.upload(key, _post(n, ["t", f"only-{n % 4}"]))
        publisher.accept([(f"step-{step}", key)])
        publisher.run()
        publisher = Publisher(publisher.ports, NOW)
    site = publisher.ports.site
    assert isinstance(site, MemorySite)
    expected = build_site(_files(source), NOW).outputs
    assert {key: site.read(key) for key in site.list_keys()} == expected
    generation = _generation(publisher)
    fresh = GenerationReader(publisher.ports.table, generation, publisher.settings(generation)[0].config)
    for list_id in (HOME_LIST, "posts", "tags/t"):
        entries = fresh.list_slice(list_id, 0, fresh.list_size(list_id))
        assert len(fresh.blocks(list_id)) > 2, "the list spans several blocks"
        assert sum(count for _, count in fresh.blocks(list_id)) == len(entries)
        assert [fresh.rank(list_id, entry.order_key) for entry in entries] == list(range(len(entries)))
        # A block's bound orders after every key before it and at most its first: a short prefix.
        keys = [table_layout.stored(entry.order_key) for entry in entries]
        position = 0
        for bound, count in fresh.blocks(list_id):
            if position and count:
                assert keys[position - 1] < bound <= keys[position]
                assert len(bound) < len(keys[position]) // 2
            position += count


def test_a_list_knows_its_first_and_last_keys_only_while_they_are_true(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts join and leave at both ends of the lists and in between: whenever the index says it
    knows a list's first or last key, that is the key a full read finds there, and a key past
    either end is ranked without a read. A post older than all keeps the last key known."""
    monkeypatch.setattr(plan_writes, "BLOCK_SIZE", 2)
    source = MemoryBucket(name="source")
    source.upload("site.yaml", b"title: Ends\npagerSize: 3\n")
    for n in range(20, 30):
        source.upload(f"posts/p{n:02d}.md", _post(n, ["t"]))
    publisher = _publish(source)
    steps = [("add", 30), ("add", 19), ("drop", 30), ("drop", 19), ("add", 25), ("drop", 29), ("add", 31)]
    steps += [("drop", 20), ("add", 10), ("add", 11), ("drop", 10), ("drop", 25), ("add", 5)]
    known_after_an_end = 0
    for step, (action, n) in enumerate(steps):
        key = f"posts/p{n:02d}.md"
        if action == "drop":
            source.remove(key)
        else:
            source.upload(key, _post(n, ["t"]))
        publisher.accept([(f"step-{step}", key)])
        publisher.run()
        publisher = Publisher(publisher.ports, NOW)
        generation = _generation(publisher)
        fresh = GenerationReader(publisher.ports.table, generation, publisher.settings(generation)[0].config)
        for list_id in (HOME_LIST, "posts", "tags/t"):
            entries = fresh.list_slice(list_id, 0, fresh.list_size(list_id))
            first, last = fresh.edges(list_id)
            assert first in (None, table_layout.stored(entries[0].order_key)), (step, list_id)
            assert last in (None, table_layout.stored(entries[-1].order_key)), (step, list_id)
            table = publisher.ports.table
            assert isinstance(table, MemoryTable)
            before = table.requests
            assert fresh.rank(list_id, "0") == 0  # newer than every post (sort keys start with the year's complement)
            assert fresh.rank(list_id, "\x7f") == len(entries)  # older than every post
            assert table.requests - before == (first is None) + (last is None)
            if action == "add" and n < 20:
                known_after_an_end += last is not None
    assert known_after_an_end == 3, "a post older than all leaves the last key known"
    site = publisher.ports.site
    assert isinstance(site, MemorySite)
    assert {key: site.read(key) for key in site.list_keys()} == build_site(_files(source), NOW).outputs
