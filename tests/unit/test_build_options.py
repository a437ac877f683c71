"""Hugo's front matter `build` options, one rule at a time (as measured with the `hugo` binary in
tests/functional/test_hugo_rules.py): `render: never|link`, `list: never|local`,
`publishResources: false`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from pressroom.core.build import build_site
from pressroom.core.planning.codec import entry_from_json, entry_to_json
from pressroom.core.planning.records import ListState, list_exists
from pressroom.core.reading.config import SiteConfig
from pressroom.core.site.build_options import BuildOptions, decide
from pressroom.core.site.lists import MemoryIndex, counted_spellings, in_sitemap, lists_of, neighbour_list
from pressroom.core.site.model import HOME_LIST, Entry
from pressroom.core.site.outputs import PageOutput, site_outputs
from pressroom.core.site.resolve import alias_claims, publishes_resource

NOW = datetime(2026, 11, 29, tzinfo=UTC)
CONFIG = SiteConfig()


def page(key: str = "posts/a.md", day: int = 1, render: str = "always", listing: str = "always") -> Entry:
    return Entry(
        source_key=key,
        path=key.removesuffix(".md"),
        section="posts",
        title=key,
        date=datetime(2025, 1, day, tzinfo=UTC),
        tags=("Go",),
        aliases=("old",),
        render=render,
        listing=listing,
    )


def test_decide_gives_the_build_options_with_what_a_cascade_passes_on() -> None:
    own = {"build": {"render": "link"}}
    cascade = {"posts/_index.md": {"cascade": {"build": {"list": "local"}}}}
    decision = decide("posts/a.md", "page", own, (None, None, None), CONFIG, NOW, cascade)
    assert decision.shown and decision.changes_at is None
    assert decision.options == BuildOptions("link", "always", True)  # the page's own `build` wins whole
    decision = decide("posts/a.md", "page", {}, (None, None, None), CONFIG, NOW, cascade)
    assert decision.options == BuildOptions("always", "local", True)


def test_list_never_puts_a_page_on_no_list() -> None:
    assert lists_of(page(listing="never"), CONFIG) == ()


def test_list_local_keeps_a_page_off_the_home_list_only() -> None:
    assert lists_of(page(listing="local"), CONFIG) == ("posts", "tags/go")
    assert lists_of(page(), CONFIG) == (HOME_LIST, "posts", "tags/go")


def test_render_never_lists_a_page_on_home_and_its_section_but_in_no_term() -> None:
    never = page(render="never")
    assert lists_of(never, CONFIG) == (HOME_LIST, "posts")
    assert counted_spellings(never, "tags") == {}
    assert never.term_names("tags") == ()


def test_a_page_on_no_list_still_gives_its_terms_a_page() -> None:
    unlisted = page(listing="never")
    assert counted_spellings(unlisted, "tags") == {"go": "Go"}
    index = MemoryIndex(CONFIG, [unlisted])
    assert index.term("tags/go") is not None and index.list_size("tags/go") == 0
    assert list_exists("tags/go", ListState(size=0, spellings=MappingProxyType({"Go": 1})), CONFIG)


def test_only_a_rendered_page_has_a_page_file_and_aliases_and_a_never_rendered_one_no_url() -> None:
    assert page().has_page and alias_claims(page())
    for render in ("never", "link"):
        assert not page(render=render).has_page and alias_claims(page(render=render)) == []
    assert page(render="never").url == "" and page(render="link").url == "/posts/a/"


def test_the_sitemap_and_search_hold_pages_with_a_url_on_every_list() -> None:
    assert in_sitemap(page()) and in_sitemap(page(render="link"))
    assert not in_sitemap(page(render="never"))
    assert not in_sitemap(page(listing="local")) and not in_sitemap(page(listing="never"))


def test_a_page_has_neighbours_only_on_its_sections_list() -> None:
    assert neighbour_list(page(), CONFIG) == "posts"
    assert neighbour_list(page(listing="local"), CONFIG) == "posts"
    assert neighbour_list(page(listing="never"), CONFIG) is None


def test_site_outputs_name_no_page_and_no_sitemap_or_search_record_for_what_is_not_rendered() -> None:
    entries = [page("posts/a.md", 1), page("posts/b.md", 2, render="never"), page("posts/c.md", 3, render="link")]
    index = MemoryIndex(CONFIG, entries)
    outputs = site_outputs(index, entries, {})
    assert [o.source_key for o in outputs if isinstance(o, PageOutput)] == ["posts/a.md"]
    assert [path for path, _ in index.sitemap_pages()] == ["posts/a", "posts/c"]
    assert [entry.source_key for entry, _ in index.published_pages()] == ["posts/a.md", "posts/c.md"]


def test_publish_resources_false_publishes_only_the_feature_image_the_theme_links() -> None:
    bundle = replace(page("posts/b/index.md"), publish_resources=False, feature="feature.png")
    assert publishes_resource(bundle, "feature.png") and not publishes_resource(bundle, "map.png")
    assert publishes_resource(replace(bundle, publish_resources=True), "map.png")


def test_the_index_stores_the_options_only_where_they_are_not_the_default() -> None:
    assert "render" not in entry_to_json(page()) and "listing" not in entry_to_json(page())
    odd = replace(page(render="link", listing="local"), publish_resources=False)
    assert entry_from_json(entry_to_json(odd)) == odd


def test_the_full_build_writes_no_page_of_a_page_never_rendered_and_lists_it_without_a_link() -> None:
    files = {
        "posts/a.md": b"---\ntitle: Shown\ndate: 2025-01-01\n---\nA\n",
        "posts/b.md": b"---\ntitle: Unrendered\ndate: 2025-01-02\nbuild:\n  render: never\n---\nB\n",
    }
    site = build_site(files, NOW)
    assert "posts/a/index.html" in site.outputs and "posts/b/index.html" not in site.outputs
    home = site.outputs["index.html"].decode()
    assert "<h2>Unrendered</h2>" in home and 'href=""' not in home
    feed = site.outputs["index.xml"].decode()
    assert "<item>\n<title>Unrendered</title>\n<pubDate>" in feed and "/posts/b/" not in feed
    shown = site.outputs["posts/a/index.html"].decode()
    assert '<span class="newer"><span>Newer</span> Unrendered</span>' in shown
