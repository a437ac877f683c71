"""The site model (lists, terms) and the planner: which pages exist, and which ones a change touches.

The planner tests compare `plan_change` with two full builds, before and after the change: what
the plan renders must cover every output whose bytes changed, and what it deletes must be exactly
what disappeared. That is SPEC 3.3's convergence, one change at a time.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from pressroom.adapters.memory import MemoryBucket, MemorySite, MemoryTable
from pressroom.core.build import SiteBuild, build_site
from pressroom.core.planning.plan import RoundPlan, plan_round
from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.core.rendering.sitemap import SitemapPatch
from pressroom.core.rendering.theme import library_files, stylesheet_key
from pressroom.core.site.lists import MemoryIndex, list_title, lists_of, term_from_spellings
from pressroom.core.site.model import HOME_LIST, Entry, Intro
from pressroom.core.site.outputs import site_outputs
from pressroom.core.site.paging import Paging
from pressroom.engine.plan_writes import compile_plan
from pressroom.engine.publisher import Ports, Publisher
from pressroom.engine.reading import read_sources

NOW = datetime(2026, 11, 29, tzinfo=UTC)
CONFIG = SiteConfig()


def entry(
    key: str,
    title: str = "",
    day: int | None = None,
    tags: tuple[str, ...] = (),
    weight: int | None = None,
    categories: tuple[str, ...] = (),
) -> Entry:
    section = key.split("/", 1)[0] if "/" in key else ""
    return Entry(
        source_key=key,
        path=key.removesuffix(".md"),
        section=section,
        title=title or key,
        date=datetime(2025, 1, day, tzinfo=UTC) if day else None,
        tags=tags,
        categories=categories,
        weight=weight,
    )


# --- lists and terms --------------------------------------------------------------------------


def test_a_post_is_on_home_its_section_and_its_term_lists() -> None:
    post = entry("posts/a.md", tags=("Python",), categories=("Columns",))
    assert lists_of(post, CONFIG) == (HOME_LIST, "posts", "tags/python", "categories/columns")


def test_a_root_page_is_only_on_its_term_lists() -> None:
    assert lists_of(entry("about.md"), CONFIG) == ()
    assert lists_of(entry("about.md", tags=("Me",)), CONFIG) == ("tags/me",)


def test_main_sections_limit_the_home_list() -> None:
    config = parse_config("params:\n  mainSections: [posts]\n")[0]
    assert lists_of(entry("notes/a.md"), config) == ("notes",)
    assert lists_of(entry("posts/a.md"), config) == (HOME_LIST, "posts")


def test_lists_are_in_hugo_order_and_positions_match() -> None:
    entries = [
        entry("posts/old.md", "Old", 1),
        entry("posts/new.md", "New", 9),
        entry("posts/pinned.md", "Pinned", 2, weight=1),
        entry("posts/undated.md", "Undated"),
    ]
    index = MemoryIndex(CONFIG, entries)
    ordered = [e.title for e in index.list_slice("posts", 0, 10)]
    assert ordered == ["Pinned", "New", "Old", "Undated"]
    assert [e.title for e in index.list_slice(HOME_LIST, 1, 3)] == ["New", "Old"]
    for position, member in enumerate(index.list_slice("posts", 0, 10)):
        assert index.position("posts", member) == position
    assert index.list_size("posts") == 4
    assert index.list_size("nothing") == 0


def test_term_display_name_is_the_smallest_spelling_in_use() -> None:
    index = MemoryIndex(
        CONFIG,
        [
            entry("posts/a.md", tags=("python",)),
            entry("posts/b.md", tags=("Python",)),
            entry("posts/c.md", tags=("PYTHON",)),
        ],
    )
    term = index.term("tags/python")
    assert term is not None
    assert term.name == "PYTHON"  # SPEC 2: the lexicographically smallest spelling in use
    assert term.url == "/tags/python/"
    assert index.list_size("tags/python") == 3


def test_a_term_with_no_pages_is_gone() -> None:
    assert term_from_spellings("tags", "go", {"Go": 0, "go": 0}) is None
    term = term_from_spellings("tags", "go", {"go": 2, "Go": 1, "GO": 0})
    assert term is not None
    assert (term.name, term.count) == ("Go", 3)  # "GO" is no longer in use


def test_terms_are_listed_by_slug_and_sections_are_known() -> None:
    index = MemoryIndex(
        CONFIG,
        [entry("posts/a.md", tags=("Zebra", "apple")), entry("notes/b.md", tags=("Mango",))],
    )
    assert [t.slug for t in index.terms("tags")] == ["apple", "mango", "zebra"]
    assert index.terms("categories") == []
    assert list(index.sections()) == ["notes", "posts"]


def test_list_title_prefers_the_intro_then_the_term_then_the_section_name() -> None:
    intro = Intro("posts/_index.md", "posts", "All the posts")
    assert list_title("posts", CONFIG, intro, None) == "All the posts"
    assert list_title("my-notes", CONFIG, None, None) == "My Notes"
    assert list_title(HOME_LIST, parse_config("title: Field Notes\n")[0], None, None) == "Field Notes"


# --- which outputs exist ------------------------------------------------------------------------


def test_a_list_that_exists_has_at_least_its_first_page() -> None:
    assert Paging(10, 10).pages(0) == 1  # the home page, or a section with only an intro
    assert Paging(10, 10).pages(10) == 1
    assert Paging(10, 10).pages(11) == 2


def test_site_outputs_name_every_page_of_the_site() -> None:
    config = parse_config("pagerSize: 2\n")[0]
    entries = [entry(f"posts/p{n}.md", day=n, tags=("Go",)) for n in range(1, 4)]
    entries.append(Entry("posts/old.md", "posts/old", "posts", "Old", aliases=("2019/old",)))
    index = MemoryIndex(config, entries)
    keys = {output.key for output in site_outputs(index, entries, {"img/a.png": "img/a.png"})}
    assert keys == {
        "robots.txt",
        "404.html",
        stylesheet_key(),
        "favicon.ico",
        "js/theme.js",
        "js/main.js",
        "js/diagrams.js",
        "js/maths.js",
        *library_files(),
        "search/index.html",
        "index.json",
        "search/part-0-of-1.json",
        "sitemap.xml",
        "index.html",
        "page/2/index.html",
        "index.xml",
        "posts/index.html",
        "posts/page/2/index.html",
        "posts/index.xml",
        "tags/index.html",
        "categories/index.html",
        "tags/go/index.html",
        "tags/go/page/2/index.html",
        "tags/go/index.xml",
        "posts/p1/index.html",
        "posts/p2/index.html",
        "posts/p3/index.html",
        "posts/old/index.html",
        "2019/old/index.html",
        "img/a.png",
        "page/1/index.html",
        "posts/page/1/index.html",
        "tags/go/page/1/index.html",
        "tags/index.xml",
        "categories/index.xml",
    }


# --- planning one change against two full builds ---------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    plan: RoundPlan
    rendered: frozenset[str]
    """Every output key the round renders (after expanding list ranges and neighbours)."""
    deleted: frozenset[str]
    before: SiteBuild
    after: SiteBuild

    @property
    def changed(self) -> set[str]:
        """Keys present after the change whose bytes differ from before (or that are new)."""
        return {key for key, body in self.after.outputs.items() if self.before.outputs.get(key) != body}

    @property
    def gone(self) -> set[str]:
        return set(self.before.outputs) - set(self.after.outputs)


def compare(before_files: dict[str, bytes], after_files: dict[str, bytes], key: str) -> Comparison:
    """Plan the change of `key` as the event path does, against the index of `before_files`."""
    source, site, table = MemoryBucket(), MemorySite(), MemoryTable()
    ports = Ports(source, site, table, clock=time.time)
    for name, data in before_files.items():
        source.upload(name, data)
    publisher = Publisher(ports, NOW)
    publisher.accept([(f"e{n}", name) for n, name in enumerate(sorted(before_files))])
    publisher.run()
    if key in after_files:
        source.upload(key, after_files[key])
    else:
        source.remove(key)
    publisher = Publisher(ports, NOW)
    assert publisher.control.try_acquire(0, 60).lease is not None
    generation = publisher.control.lease.generation  # type: ignore[union-attr]
    settings, renderer = publisher.settings(generation)
    reader = publisher.reader(generation)
    readings, _ = read_sources(publisher.ports.source, [key], reader, settings.config, set())
    plan = plan_round(readings, reader, NOW)
    ops = compile_plan(plan, reader)
    publisher.control.transact_many(list(ops.puts.values()), sorted(ops.deletes))
    view = publisher.reader(generation)
    view.add_anchors(plan.render.anchors)
    patch = SitemapPatch(plan.sitemap_set, plan.sitemap_drop)
    jobs, deletes = publisher.writer.expand(plan.render, view, renderer, patch)
    before, after = build_site(before_files, NOW), build_site(after_files, NOW)
    return Comparison(plan, frozenset(o.key for o in jobs), frozenset(deletes), before, after)


def post(title: str, day: int, tags: tuple[str, ...] = (), body: str = "Body one", month: int = 1) -> bytes:
    front = f"title: {title}\ndate: 2025-{month:02d}-{day:02d}\nsummary: About {title}\n"
    if tags:
        front += f"tags: [{', '.join(tags)}]\n"
    return f"---\n{front}---\n{body}\n".encode()


def seven_posts() -> dict[str, bytes]:
    """Seven posts, two per list page (4 home pages), three per feed; odd days tagged Python."""
    files = {"site.yaml": b"pagerSize: 2\nfeedLimit: 3\n"}
    for day in range(1, 8):
        files[f"posts/p{day}.md"] = post(f"P{day}", day, ("Python",) if day % 2 else ("Go",))
    return files


def assert_converges(comparison: Comparison) -> None:
    assert comparison.changed <= comparison.rendered, "pages whose bytes change must be rendered"
    assert comparison.deleted == comparison.gone, "exactly the pages that disappear are deleted"


def test_editing_a_body_that_lists_do_not_show_renders_only_that_page_and_its_search_record() -> None:
    before = seven_posts()
    after = {**before, "posts/p4.md": post("P4", 4, ("Go",), body="Text two")}
    comparison = compare(before, after, "posts/p4.md")
    assert comparison.rendered == {"posts/p4/index.html", "index.json", "search/part-0-of-1.json"}  # its text
    assert comparison.deleted == frozenset()
    assert_converges(comparison)


def test_retitling_renders_its_lists_feeds_and_neighbours() -> None:
    before = seven_posts()
    after = {**before, "posts/p4.md": post("P4 renamed", 4, ("Go",))}
    comparison = compare(before, after, "posts/p4.md")
    assert comparison.rendered == {
        "posts/p4/index.html",
        "posts/p3/index.html",  # its neighbours show its title
        "posts/p5/index.html",
        "page/2/index.html",  # newest first: P7 P6 | P5 P4 | P3 P2 | P1
        "posts/page/2/index.html",
        "tags/go/index.html",  # Go: P6 P4 | P2
        "tags/go/index.xml",  # fourth on home and posts: past feedLimit 3, so those feeds keep their bytes
        "index.json",  # the search index shows its title (the table, and the part that holds it)
        "search/part-0-of-1.json",
    }
    assert_converges(comparison)


def test_a_new_oldest_post_renders_the_last_list_pages_and_its_neighbour() -> None:
    before = seven_posts()
    after = {**before, "posts/p0.md": post("P0", 1, ("Go",), month=1).replace(b"2025-01-01", b"2024-12-01")}
    comparison = compare(before, after, "posts/p0.md")
    assert {"page/4/index.html", "posts/page/4/index.html", "posts/p0/index.html", "posts/p1/index.html"} <= (
        comparison.rendered
    )
    assert not comparison.rendered & {"index.html", "page/2/index.html", "page/3/index.html", "index.xml"}
    assert "sitemap.xml" in comparison.rendered
    assert_converges(comparison)


def test_deleting_a_post_deletes_its_page_and_the_list_pages_beyond_the_end() -> None:
    before = seven_posts()
    after = {key: data for key, data in before.items() if key != "posts/p6.md"}
    comparison = compare(before, after, "posts/p6.md")
    assert comparison.deleted == {
        "posts/p6/index.html",
        "page/4/index.html",
        "posts/page/4/index.html",
        "tags/go/page/2/index.html",
    }
    assert {"posts/p5/index.html", "posts/p7/index.html", "index.html", "index.xml", "sitemap.xml"} <= (
        comparison.rendered
    )
    assert_converges(comparison)


def test_a_term_that_loses_its_last_page_is_deleted_with_its_feed() -> None:
    before = {**seven_posts(), "posts/p3.md": post("P3", 3, ("Solo",))}
    after = {**before, "posts/p3.md": post("P3", 3, ("Python",))}
    comparison = compare(before, after, "posts/p3.md")
    assert {"tags/solo/index.html", "tags/solo/index.xml"} <= comparison.deleted
    assert "tags/index.html" in comparison.rendered
    assert_converges(comparison)


def test_a_new_term_renders_its_pages_and_the_taxonomy_index() -> None:
    before = seven_posts()
    after = {**before, "posts/p2.md": post("P2", 2, ("Go", "Rust"))}
    comparison = compare(before, after, "posts/p2.md")
    assert {"tags/rust/index.html", "tags/rust/index.xml", "tags/index.html"} <= comparison.rendered
    assert_converges(comparison)


def test_a_post_turning_draft_is_unpublished_everywhere() -> None:
    before = seven_posts()
    after = {**before, "posts/p7.md": post("P7", 7, ("Python",)).replace(b"---\ntitle", b"---\ndraft: true\ntitle")}
    comparison = compare(before, after, "posts/p7.md")
    assert "posts/p7/index.html" in comparison.deleted
    assert {"index.html", "index.xml", "posts/index.html", "tags/python/index.html"} <= comparison.rendered
    assert "posts/p6/index.html" in comparison.rendered
    assert_converges(comparison)


def test_a_new_slug_moves_the_page() -> None:
    before = seven_posts()
    after = {**before, "posts/p5.md": post("P5", 5, ("Python",)).replace(b"---\ntitle", b"---\nslug: five\ntitle")}
    comparison = compare(before, after, "posts/p5.md")
    assert "posts/p5/index.html" in comparison.deleted
    assert "posts/five/index.html" in comparison.rendered
    assert_converges(comparison)


def test_adding_and_dropping_an_alias() -> None:
    before = seven_posts()
    with_alias = {
        **before,
        "posts/p2.md": post("P2", 2, ("Go",)).replace(b"---\ntitle", b"---\naliases: [/old/two/]\ntitle"),
    }
    added = compare(before, with_alias, "posts/p2.md")
    assert "old/two/index.html" in added.rendered
    assert_converges(added)
    dropped = compare(with_alias, before, "posts/p2.md")
    assert dropped.deleted == {"old/two/index.html"}
    assert_converges(dropped)


def test_moving_a_post_to_the_top_renders_every_page_it_passes() -> None:
    before = seven_posts()
    after = {**before, "posts/p1.md": post("P1", 28, ("Python",))}
    comparison = compare(before, after, "posts/p1.md")
    assert {"index.html", "page/2/index.html", "page/3/index.html", "page/4/index.html", "index.xml"} <= (
        comparison.rendered
    )
    assert_converges(comparison)


def two_posts() -> dict[str, bytes]:
    return {"site.yaml": b"pagerSize: 2\n", "posts/b.md": post("B", 2), "posts/c.md": post("C", 3)}


def test_a_list_growing_a_page_re_renders_the_old_last_page() -> None:
    before = two_posts()
    after = {**before, "posts/a.md": post("A", 1)}
    comparison = compare(before, after, "posts/a.md")
    assert b'rel="next"' in comparison.after.outputs["index.html"]  # page 1 now links to page 2
    assert {"index.html", "page/2/index.html", "posts/index.html", "posts/page/2/index.html"} <= comparison.rendered
    assert_converges(comparison)


def test_a_list_shrinking_a_page_re_renders_the_new_last_page() -> None:
    after = two_posts()
    before = {**after, "posts/a.md": post("A", 1)}
    comparison = compare(before, after, "posts/a.md")
    assert {"page/2/index.html", "posts/page/2/index.html"} <= comparison.deleted
    assert {"index.html", "posts/index.html"} <= comparison.rendered  # they lose their link to page 2
    assert_converges(comparison)


_TAGS = ("Go", "go", "Rust", "Py")


def random_post(rng: random.Random, number: int) -> bytes:
    """A post with a random title, date, weight, tags, draft flag and (its own) alias."""
    front = [f"title: T{rng.randint(0, 3)}"]
    if rng.random() < 0.8:
        front.append(f"date: 2025-01-{rng.randint(1, 5):02d}")
    if rng.random() < 0.3:
        front.append(f"weight: {rng.randint(1, 3)}")
    if rng.random() < 0.6:
        front.append(f"tags: [{', '.join(rng.sample(_TAGS, rng.randint(1, 2)))}]")
    if rng.random() < 0.1:
        front.append("draft: true")
    if rng.random() < 0.2:
        front.append(f"aliases: [/old/{number}/]")
    words = " ".join(["word"] * rng.randint(1, 5))
    return ("---\n" + "\n".join(front) + f"\n---\n{words}\n").encode()


@pytest.mark.parametrize("seed", range(16))
def test_one_random_change_plans_exactly_what_a_full_build_changes(seed: int) -> None:
    rng = random.Random(seed)
    before = {"site.yaml": f"pagerSize: {rng.randint(1, 3)}\nfeedLimit: {rng.randint(1, 3)}\n".encode()}
    for number in range(rng.randint(1, 7)):
        before[f"{rng.choice(['posts', 'posts', 'notes'])}/p{number}.md"] = random_post(rng, number)
    key = rng.choice([*sorted(k for k in before if k.endswith(".md")), "posts/new.md"])
    after = dict(before)
    if key in before and rng.random() < 0.3:
        del after[key]
    else:
        after[key] = random_post(rng, 99)
    assert_converges(compare(before, after, key))
