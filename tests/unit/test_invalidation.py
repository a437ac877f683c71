"""CloudFront invalidation paths (SPEC 3.2, 3.3.2): every written or deleted key covered, in few paths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.core.planning.invalidation import MAX_PATHS, invalidation_paths
from pressroom.core.site.urls import key_to_paths


def covers(paths: list[str], viewer_path: str) -> bool:
    """Whether CloudFront would invalidate `viewer_path` for this list (a `*` matches any suffix)."""
    return any(path == viewer_path or (path.endswith("*") and viewer_path.startswith(path[:-1])) for path in paths)


def test_one_page_is_invalidated_at_both_of_its_paths() -> None:
    assert invalidation_paths(["posts/a/index.html"]) == ["/posts/a/", "/posts/a/index.html"]


def test_home_feed_and_asset_paths() -> None:
    assert invalidation_paths(["index.html", "index.xml", "img/a b.png"]) == [
        "/",
        "/img/a%20b.png",
        "/index.html",
        "/index.xml",
    ]


def test_nothing_written_means_nothing_to_invalidate() -> None:
    assert invalidation_paths([]) == []


def test_duplicates_are_invalidated_once() -> None:
    assert invalidation_paths(["posts/a/index.html", "posts/a/index.html"]) == ["/posts/a/", "/posts/a/index.html"]


def test_up_to_the_limit_paths_are_exact() -> None:
    keys = [f"posts/p{n}/index.html" for n in range(7)] + ["sitemap.xml"]
    paths = invalidation_paths(keys)
    assert len(paths) == 15
    assert not [path for path in paths if "*" in path]


def test_many_pages_in_one_folder_fold_into_one_wildcard() -> None:
    keys = [f"posts/p{n}/index.html" for n in range(40)] + ["index.html", "index.xml", "sitemap.xml"]
    assert invalidation_paths(keys) == ["/", "/index.html", "/index.xml", "/posts/*", "/sitemap.xml"]


def test_folding_keeps_unrelated_paths_exact() -> None:
    keys = [f"tags/t{n}/index.html" for n in range(30)] + ["posts/a/index.html"]
    paths = invalidation_paths(keys)
    assert "/posts/a/" in paths
    assert "/posts/a/index.html" in paths
    assert "/tags/*" in paths


_SEGMENT = st.sampled_from(["posts", "tags", "page", "2", "go", "c#", "a b", "ünï", "x"])
_NAME = st.sampled_from(["index.html", "index.xml", "cat.png", "sitemap.xml", "robots.txt"])
_KEY = st.builds(lambda folders, name: "/".join([*folders, name]), st.lists(_SEGMENT, max_size=4), _NAME)


@settings(max_examples=200, deadline=None)
@given(st.lists(_KEY, max_size=80))
def test_every_key_is_covered_in_at_most_the_limit_of_paths(keys: list[str]) -> None:
    paths = invalidation_paths(keys)
    assert len(paths) <= MAX_PATHS
    assert len(paths) == len(set(paths))
    for key in keys:
        for viewer_path in key_to_paths(key):
            assert covers(paths, viewer_path), (key, viewer_path, paths)


@settings(max_examples=60, deadline=None)
@given(st.lists(_KEY, max_size=80), st.integers(min_value=1, max_value=20))
def test_the_limit_is_honoured_whatever_it_is(keys: list[str], limit: int) -> None:
    paths = invalidation_paths(keys, max_paths=limit)
    assert len(paths) <= max(limit, 1)
    assert all(covers(paths, viewer_path) for key in keys for viewer_path in key_to_paths(key))
