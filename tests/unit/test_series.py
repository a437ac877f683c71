"""The series box (Blowfish's series navigation) as a page shows it, and the codec keeps its plan."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from pressroom.core.planning.codec import render_plan_from_data, render_plan_to_data
from pressroom.core.planning.plan import RenderPlan
from pressroom.core.reading.config import parse_config
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.site.lists import MemoryIndex
from pressroom.core.site.model import Entry, PageBody
from pressroom.core.site.outputs import PageOutput
from pressroom.exceptions import ConfigError

CONFIG = parse_config(
    "title: Notes\nbaseURL: https://blog.example.com/blog/\ntaxonomies: {tag: tags, series: series}\n"
)[0]


def page(key: str, title: str, day: int, series: tuple[str, ...] = ("Road Trips",), **params: Any) -> Entry:
    return Entry(
        source_key=f"posts/{key}.md",
        path=f"posts/{key}",
        section="posts",
        title=title,
        date=datetime(2025, 1, day, 12, tzinfo=UTC),
        params=MappingProxyType(params),
        other_terms=MappingProxyType({"series": series}),
    )


def box(entries: list[Entry], key: str, config: Any = CONFIG) -> str:
    index = MemoryIndex(config, entries)
    entry = next(e for e in entries if e.source_key == f"posts/{key}.md")
    html = Renderer(config).render(PageOutput(entry.source_key, entry.path), index, lambda _key: PageBody("<p>x</p>"))
    found = re.search(r'<nav class="series".*?</nav>', html.decode(), re.S)
    return found.group(0) if found else ""


def parts(html: str) -> list[str]:
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    return [re.sub(r"<[^>]+>", "", item) + ("*" if 'aria-current="page"' in item else "") for item in items]


SITE = [
    page("first", "First leg", 3),
    page("second", "Second leg", 9),
    page("third", "Third leg", 20),
    page("elsewhere", "Not a part", 10, series=()),
]


def test_the_box_names_the_series_lists_every_part_in_order_and_marks_this_one() -> None:
    html = box(SITE, "second")
    assert 'aria-label="Series: Road Trips"' in html
    assert 'Part 2 of 3 in the series <a href="/blog/series/road-trips/">Road Trips</a>' in html
    assert parts(html) == ["First leg", "Second leg*", "Third leg"]
    assert '<a href="/blog/posts/first/">First leg</a>' in html
    previous = re.search(r'class="series-previous" href="([^"]+)"', html)
    following = re.search(r'class="series-next" href="([^"]+)"', html)
    assert previous and previous.group(1) == "/blog/posts/first/"
    assert following and following.group(1) == "/blog/posts/third/"


def test_the_first_and_last_parts_link_only_onwards_and_back() -> None:
    first, last = box(SITE, "first"), box(SITE, "third")
    assert "series-next" in first and "series-previous" not in first
    assert "series-previous" in last and "series-next" not in last


def test_series_order_comes_before_the_date_and_unnumbered_parts_follow_by_date() -> None:
    site = [
        page("a", "A", 1, series_order=2),
        page("b", "B", 2, series_order=1),
        page("c", "C", 3),
        page("d", "D", 4, series_order=3),
    ]
    assert parts(box(site, "c")) == ["B", "A", "D", "C*"]


def test_a_page_shows_the_box_of_its_first_series_and_a_page_in_none_shows_no_box() -> None:
    site = [*SITE, page("both", "Both", 25, series=("Day Hikes", "Road Trips"))]
    html = box(site, "both")
    assert "Day Hikes" in html and parts(html) == ["Both*"]
    assert parts(box(site, "first")) == ["First leg*", "Second leg", "Third leg", "Both"]
    assert box(site, "elsewhere") == ""


def test_without_a_series_taxonomy_the_front_matter_series_is_only_named() -> None:
    config = parse_config("title: Notes\n")[0]
    entry = replace(page("solo", "Solo", 1, series=()), params=MappingProxyType({"series": "Road Trips"}))
    html = Renderer(config).render(
        PageOutput(entry.source_key, entry.path), MemoryIndex(config, [entry]), lambda _key: PageBody("<p>x</p>")
    )
    assert "Part of the series “Road Trips”" in html.decode()
    assert 'class="series-parts"' not in html.decode()


def test_a_render_plan_keeps_the_series_it_renders_through_the_journal() -> None:
    plan = RenderPlan(members={"series/road-trips"})
    assert render_plan_from_data(render_plan_to_data(plan)).members == {"series/road-trips"}
    old = render_plan_to_data(RenderPlan())
    del old["members"]  # a journal written before series navigation
    assert render_plan_from_data(old).members == set()


def test_site_yaml_taxonomies_take_hugo_s_form_and_a_wrong_one_names_the_file() -> None:
    assert CONFIG.taxonomies == ("tags", "series")
    with pytest.raises(ConfigError) as refused:
        parse_config("taxonomies: [series]\n")
    assert "site.yaml" in str(refused.value) and "singular names to plural names" in str(refused.value)
