"""Series navigation on the event path: when a part joins, leaves, is retitled or moves, every
part's box is re-rendered, and the site equals the full build (SPEC 3.3.1).

The parts are dated apart, with other posts between them, so no part is another's section
neighbour: only the planner's series rule re-renders them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from support.accounts import Site, assert_converged

SITE_YAML = (
    b"title: Series\nbaseURL: https://t.example/\ntaxonomies: {tag: tags, category: categories, series: series}\n"
)


def post(title: str, date: str, **extra: Any) -> bytes:
    front = {"title": title, "date": date, **extra}
    return ("---\n" + json.dumps(front) + "\n---\n\nSome words here.\n").encode()


def part(title: str, date: str, order: int | None = None, series: str = "Road Trips", **extra: Any) -> bytes:
    extra["series"] = [series]
    if order is not None:
        extra["series_order"] = order
    return post(title, date, **extra)


def box_of(site: Site, key: str) -> list[str]:
    """The parts a published page's series box lists, the current one starred."""
    html = site.published()[key][0].decode()
    found = re.search(r'<ol class="series-parts">(.*?)</ol>', html, re.S)
    assert found, f"{key} has no series box"
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", item) + ("*" if "aria-current" in item else "") for item in items]


def publish_three_parts(site: Site) -> None:
    site.put("site.yaml", SITE_YAML)
    site.put("posts/one.md", part("One", "2024-01-01"))
    site.put("posts/two.md", part("Two", "2024-01-10"))
    site.put("posts/three.md", part("Three", "2024-01-20"))
    for day in ("05", "06", "15", "16", "25"):
        site.put(f"posts/other-{day}.md", post(f"Other {day}", f"2024-01-{day}"))
    site.drain()
    assert_converged(site)
    assert box_of(site, "posts/one/index.html") == ["One*", "Two", "Three"]


def test_a_retitled_part_changes_every_part_s_box(site: Site) -> None:
    publish_three_parts(site)
    site.put("posts/two.md", part("Two, retitled", "2024-01-10"))
    site.drain()
    assert box_of(site, "posts/one/index.html") == ["One*", "Two, retitled", "Three"]
    assert box_of(site, "posts/three/index.html") == ["One", "Two, retitled", "Three*"]
    assert_converged(site)


def test_a_removed_or_departing_part_leaves_every_box(site: Site) -> None:
    publish_three_parts(site)
    site.delete("posts/one.md")
    site.drain()
    assert box_of(site, "posts/three/index.html") == ["Two", "Three*"]
    assert b"Part 1 of 2" in site.published()["posts/two/index.html"][0]
    assert_converged(site)
    site.put("posts/three.md", part("Three", "2024-01-20", series="Other Trips"))
    site.drain()
    assert box_of(site, "posts/two/index.html") == ["Two*"]
    assert box_of(site, "posts/three/index.html") == ["Three*"]
    assert_converged(site)


def test_a_joining_or_reordered_part_takes_its_place_in_every_box(site: Site) -> None:
    publish_three_parts(site)
    site.put("posts/zero.md", part("Zero", "2024-01-30", order=1))
    site.drain()
    assert box_of(site, "posts/three/index.html") == ["Zero", "One", "Two", "Three*"]
    assert_converged(site)
    site.put("posts/zero.md", part("Zero", "2024-01-30"))  # no series_order: by date, last
    site.drain()
    assert box_of(site, "posts/one/index.html") == ["One*", "Two", "Three", "Zero"]
    assert_converged(site)
    site.put("posts/zero.md", part("Zero", "2024-01-30", draft=True))
    site.drain()
    assert box_of(site, "posts/two/index.html") == ["One", "Two*", "Three"]
    assert_converged(site)
