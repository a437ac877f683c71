"""Reading source files (SPEC 1): front matter in every form Hugo accepts, and clear errors."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.core.reading.content import (
    MAX_SOURCE_BYTES,
    SourceKind,
    classify,
    intro_list_id,
    parse_intro,
    parse_page,
)
from pressroom.core.site.model import Entry
from pressroom.exceptions import ContentError

NOW = datetime(2026, 11, 29, tzinfo=UTC)
UTC_CONFIG = SiteConfig()
PARIS = parse_config("timeZone: Europe/Paris\n")[0]
PARIS_SUMMER = timezone(timedelta(hours=2))


def yaml_page(front: str, body: str = "Some body text.\n") -> bytes:
    return f"---\n{front}---\n{body}".encode()


def parse(data: bytes, key: str = "posts/x.md", config: SiteConfig = UTC_CONFIG) -> Entry:
    return parse_page(key, data, config).entry


def parse_error(data: bytes, key: str = "posts/x.md", config: SiteConfig = UTC_CONFIG) -> ContentError:
    with pytest.raises(ContentError) as raised:
        parse_page(key, data, config)
    assert raised.value.source_key == key
    assert str(raised.value).startswith(key)
    return raised.value


# --- classifying the source tree ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("site.yaml", SourceKind.CONFIG),
        ("posts/x.md", SourceKind.PAGE),
        ("posts/x/index.md", SourceKind.PAGE),
        ("about.markdown", SourceKind.PAGE),
        ("_index.md", SourceKind.INTRO),
        ("posts/_index.md", SourceKind.INTRO),
        ("tags/python/_index.md", SourceKind.INTRO),
        ("layouts/page.html", SourceKind.LAYOUT),
        ("posts/x/cat.png", SourceKind.ASSET),
        ("favicon.ico", SourceKind.ASSET),
        ("posts/", SourceKind.IGNORED),
        ("posts/.DS_Store", SourceKind.IGNORED),
    ],
)
def test_classify_follows_the_source_tree_table(key: str, kind: SourceKind) -> None:
    assert classify(key) is kind


@pytest.mark.parametrize(
    ("key", "list_id"),
    [
        ("_index.md", ""),
        ("posts/_index.md", "posts"),
        ("tags/_index.md", "tags"),
        ("tags/Core Beliefs/_index.md", "tags/core-beliefs"),
    ],
)
def test_an_intro_belongs_to_its_list(key: str, list_id: str) -> None:
    assert intro_list_id(key) == list_id


def test_intro_gives_title_description_and_text() -> None:
    intro = parse_intro(
        "tags/python/_index.md",
        yaml_page("title: All about Python\ndescription: Snakes\n", "Hi *there*.\n"),
        UTC_CONFIG,
    )
    assert intro.list_id == "tags/python"
    assert intro.title == "All about Python"
    assert intro.description == "Snakes"
    assert "<em>there</em>" in intro.html


# --- front matter forms ---------------------------------------------------------------------


def test_yaml_front_matter() -> None:
    entry = parse(yaml_page('title: "Hello"\ndate: 2025-07-12\ndescription: Hi\n'))
    assert entry.title == "Hello"
    assert entry.date == datetime(2025, 7, 12, tzinfo=UTC)
    assert entry.description == "Hi"
    assert entry.path == "posts/x"
    assert entry.section == "posts"


def test_toml_front_matter() -> None:
    data = b"+++\ntitle = 'From TOML'\ndate = 2024-05-06T07:08:09Z\ntags = ['a', 'b']\ndraft = false\n+++\nBody\n"
    entry = parse(data)
    assert entry.title == "From TOML"
    assert entry.date == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert entry.tags == ("a", "b")


def test_invalid_toml_is_an_error_naming_the_file() -> None:
    error = parse_error(b"+++\ntitle = 'unterminated\n+++\n")
    assert "TOML" in error.problem


def test_utf8_byte_order_mark_is_ignored() -> None:
    assert parse(b"\xef\xbb\xbf" + yaml_page("title: BOM\n")).title == "BOM"


def test_windows_line_ends_are_read() -> None:
    parsed = parse_page("posts/x.md", b"---\r\ntitle: CRLF\r\ntags: [a]\r\n---\r\nLine one\r\n", UTC_CONFIG)
    assert parsed.entry.title == "CRLF"
    assert parsed.entry.tags == ("a",)
    assert "\r" not in parsed.body.html


def test_old_mac_line_ends_are_read() -> None:
    assert parse(b"---\rtitle: CR\r---\rBody\r").title == "CR"


def test_no_front_matter_is_a_page_with_a_title_from_its_file_name() -> None:
    parsed = parse_page("posts/my-first_post.md", b"Just text.\n", UTC_CONFIG)
    assert parsed.entry.title == "My first post"
    assert len(parsed.warnings) == 1
    assert "posts/my-first_post.md" in parsed.warnings[0]


def test_an_empty_file_is_published_with_a_title_from_its_file_name_and_a_warning() -> None:
    parsed = parse_page("posts/road-trip/index.md", b"", UTC_CONFIG)
    assert parsed.entry.title == "Road trip"
    assert parsed.entry.is_live(NOW)
    assert parsed.warnings and "title" in parsed.warnings[0]


def test_unknown_front_matter_keys_reach_templates_as_params() -> None:
    entry = parse(yaml_page("title: T\nicon: flask\nshowReadingTime: false\nseries: {name: Intro, part: 1}\n"))
    assert entry.params["icon"] == "flask"
    assert entry.params["showReadingTime"] is False
    assert entry.params["series"] == {"name": "Intro", "part": 1}
    assert "title" not in entry.params


# --- front matter errors --------------------------------------------------------------------


def test_unclosed_front_matter_names_the_file() -> None:
    error = parse_error(b"---\ntitle: Never closed\nBody\n", key="posts/open.md")
    assert "never closed" in error.problem
    assert "posts/open.md" in str(error)


def test_invalid_yaml_reports_the_line_in_the_file() -> None:
    error = parse_error(b"---\ntitle: ok\nbad: : value\n---\nBody\n")
    assert "YAML" in error.problem
    assert error.line == 3
    assert str(error).startswith("posts/x.md:3: ")


@pytest.mark.parametrize(
    "front",
    [
        "title: !!python/object/apply:os.system ['echo pwned']\n",
        "!!python/object:builtins.dict {}\n",
        "title: !!python/name:os.system\n",
    ],
)
def test_python_object_yaml_tags_are_refused(front: str) -> None:
    error = parse_error(yaml_page(front))
    assert "YAML" in error.problem


def test_a_yaml_alias_bomb_is_refused() -> None:
    # Nine levels of nine aliases expand to 9**9 (~387 million) strings if walked naively;
    # without a cap this test would not finish.
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    error = parse_error(yaml_page("\n".join(levels) + "\n"))
    assert "alias" in error.problem or "too large" in error.problem


@pytest.mark.parametrize("front", ["- a\n- b\n", "just a string\n", "42\n"])
def test_front_matter_that_is_not_a_mapping_is_refused(front: str) -> None:
    error = parse_error(yaml_page(front))
    assert "mapping" in error.problem


def test_an_impossible_date_is_an_error() -> None:
    parse_error(yaml_page("title: T\ndate: 2023-02-30\n"))


@pytest.mark.parametrize("value", ["'soon'", "'2023-13-01'", "[2023]"])
def test_a_date_that_is_not_a_date_is_an_error_naming_the_key(value: str) -> None:
    error = parse_error(yaml_page(f"title: T\ndate: {value}\n"))
    assert "date" in error.problem


def test_non_utf8_bytes_are_an_error_with_the_line() -> None:
    error = parse_error(b"---\ntitle: ok\n---\nline two\ncaf\xe9\n")
    assert "UTF-8" in error.problem
    assert error.line == 5


def test_a_binary_file_is_an_error() -> None:
    error = parse_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in error.problem


def test_a_file_over_5_mib_is_an_error() -> None:
    error = parse_error(b"a" * (MAX_SOURCE_BYTES + 1))
    assert "5 MiB" in error.problem


def test_a_file_of_exactly_5_mib_is_read() -> None:
    assert parse(b"x" * MAX_SOURCE_BYTES).word_count == 1


@pytest.mark.parametrize(
    ("front", "key"),
    [
        ("title: [a, list]\n", "title"),
        ("title: T\ntags: {a: 1}\n", "tags"),
        ("title: T\ntags: [[nested]]\n", "tags"),
        ("title: T\nweight: heavy\n", "weight"),
        ("title: T\ndraft: maybe\n", "draft"),
        ("title: T\ndescription: [x]\n", "description"),
    ],
)
def test_wrong_types_are_errors_naming_the_key(front: str, key: str) -> None:
    error = parse_error(yaml_page(front))
    assert key in error.problem


# --- dates and the time zone ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06", datetime(2024, 5, 6, tzinfo=PARIS_SUMMER)),
        ("2024-05-06 07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=PARIS_SUMMER)),
        ("2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=PARIS_SUMMER)),
        ("2024-05-06T07:08:09+00:00", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2024-05-06T07:08:09Z", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("2024-05-06T07:08:09-05:00", datetime(2024, 5, 6, 12, 8, 9, tzinfo=UTC)),
        ("'2024-05-06'", datetime(2024, 5, 6, tzinfo=PARIS_SUMMER)),
        ("'2024-05-06 07:08'", datetime(2024, 5, 6, 7, 8, tzinfo=PARIS_SUMMER)),
        ("'2024-05-06T07:08:09Z'", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
    ],
)
def test_yaml_date_forms_with_naive_times_in_the_site_zone(value: str, expected: datetime) -> None:
    entry = parse(yaml_page(f"title: T\ndate: {value}\n"), config=PARIS)
    assert entry.date == expected
    assert entry.date is not None and entry.date.utcoffset() is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06", datetime(2024, 5, 6, tzinfo=PARIS_SUMMER)),
        ("2024-05-06T07:08:09", datetime(2024, 5, 6, 7, 8, 9, tzinfo=PARIS_SUMMER)),
        ("2024-05-06T07:08:09+00:00", datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
        ("'2024-05-06'", datetime(2024, 5, 6, tzinfo=PARIS_SUMMER)),
    ],
)
def test_toml_date_forms_with_naive_times_in_the_site_zone(value: str, expected: datetime) -> None:
    entry = parse(f"+++\ntitle = 'T'\ndate = {value}\n+++\n".encode(), config=PARIS)
    assert entry.date == expected


def test_lastmod_defaults_to_date() -> None:
    entry = parse(yaml_page("title: T\ndate: 2025-01-01\n"))
    assert entry.lastmod == entry.date == datetime(2025, 1, 1, tzinfo=UTC)
    entry = parse(yaml_page("title: T\ndate: 2025-01-01\nlastmod: 2025-02-01\n"))
    assert entry.last_modified == datetime(2025, 2, 1, tzinfo=UTC)


# --- publication: drafts and schedules -------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "live"),
    [
        ("date: 2025-01-01\n", True),
        ("date: 2025-01-01\ndraft: true\n", False),
        ("date: 2025-01-01\ndraft: 'false'\n", True),
        ("draft: true\n", False),
        ("date: 2027-01-01\n", False),
        ("date: 2025-01-01\npublishDate: 2026-12-01\n", False),
        ("date: 2027-01-01\npublishDate: 2026-11-01\n", True),
        ("date: 2025-01-01\nexpiryDate: 2026-11-28\n", False),
        ("date: 2025-01-01\nexpiryDate: 2026-11-30\n", True),
        ("publishDate: 2026-11-29T00:00:00Z\n", True),
        ("expiryDate: 2026-11-29T00:00:00Z\n", False),
        ("", True),
    ],
)
def test_is_live_honours_draft_publish_date_and_expiry_date(front: str, live: bool) -> None:
    assert parse(yaml_page("title: T\n" + front)).is_live(NOW) is live


def test_a_scheduled_post_goes_live_when_its_time_comes() -> None:
    entry = parse(yaml_page("title: T\npublishDate: 2026-11-29 09:00:00\n"), config=PARIS)
    assert not entry.is_live(datetime(2026, 11, 29, 7, 59, tzinfo=UTC))
    assert entry.is_live(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))


# --- taxonomy terms, aliases, weight, summaries ----------------------------------------------


def test_terms_can_be_a_string_or_a_list() -> None:
    entry = parse(yaml_page("title: T\ntags: Python\ncategories: [Columns, Notes]\n"))
    assert entry.tags == ("Python",)
    assert entry.categories == ("Columns", "Notes")


def test_duplicate_and_blank_terms_are_dropped() -> None:
    entry = parse(yaml_page("title: T\ntags: [Go, ' Go ', '', Rust]\n"))
    assert entry.tags == ("Go", "Rust")


def test_term_list_ids_are_urlized_once_per_term() -> None:
    entry = parse(yaml_page("title: T\ntags: [Core beliefs, core Beliefs, C#]\ncategories: Columns\n"))
    assert entry.term_lists() == ("tags/core-beliefs", "tags/c#", "categories/columns")


def test_aliases_become_site_paths_and_an_alias_of_itself_is_dropped() -> None:
    entry = parse(yaml_page("title: T\naliases: [/old/x/, /posts/x/, /2019/01/x.html]\n"))
    assert entry.aliases == ("old/x", "2019/01/x")


def test_an_alias_escaping_the_site_is_an_error() -> None:
    parse_error(yaml_page("title: T\naliases: [../../etc/]\n"))


def test_slug_and_url_set_the_published_path() -> None:
    assert parse(yaml_page("title: T\nslug: Better Name\n")).path == "posts/better-name"
    assert parse(yaml_page("title: T\nurl: /now/\n")).path == "now"


def test_url_of_the_home_page_is_refused() -> None:
    parse_error(yaml_page("title: T\nurl: /\n"))


def test_weight_zero_means_unset_as_in_hugo() -> None:
    assert parse(yaml_page("title: T\nweight: 0\n")).weight is None
    assert parse(yaml_page("title: T\nweight: 3\n")).weight == 3


def test_summary_is_front_matter_then_more_divider_then_first_words() -> None:
    config = parse_config("summaryLength: 3\n")[0]
    explicit = parse(yaml_page("title: T\nsummary: Short *one*\n", "one two three four five\n"), config=config)
    assert explicit.summary_html == "Short <em>one</em>"
    divided = parse(yaml_page("title: T\n", "Before.\n\n<!--more-->\n\nAfter.\n"), config=config)
    assert "Before." in divided.summary_html
    assert "After." not in divided.summary_html
    assert divided.truncated
    words = parse(yaml_page("title: T\n", "one two three four five\n"), config=config)
    assert words.summary_html.startswith("one two three")
    assert "four" not in words.summary_html
    assert words.truncated


def test_reading_time_is_hugos_rule() -> None:
    assert parse(yaml_page("title: T\n", "word " * 213)).reading_time == 1
    assert parse(yaml_page("title: T\n", "word " * 214)).reading_time == 2


def test_a_bundle_feature_image_is_found_among_its_siblings() -> None:
    parsed = parse_page(
        "posts/trip/index.md", yaml_page("title: T\n"), UTC_CONFIG, ["index.md", "b.png", "feature.jpg"]
    )
    assert parsed.entry.feature == "feature.jpg"  # relative: the bundle's files are published under the page
    assert parse_page("posts/trip.md", yaml_page("title: T\n"), UTC_CONFIG, ["feature.jpg"]).entry.feature is None


def test_a_file_in_a_folder_below_a_bundle_is_not_its_feature_image() -> None:
    """Issue 9: a nested bundle's file (`img/feature.png`) became the page's feature image."""
    siblings = ["index.md", "img/feature.png", "gallery/feature-2.jpg"]
    assert parse_page("posts/trip/index.md", yaml_page("title: T\n"), UTC_CONFIG, siblings).entry.feature is None


# --- list order -----------------------------------------------------------------------------


def _entry(key: str, title: str, date: datetime | None = None, weight: int | None = None) -> Entry:
    return Entry(source_key=key, path=key.removesuffix(".md"), section="posts", title=title, date=date, weight=weight)


def test_order_is_weight_first_then_newest_then_title_then_key() -> None:
    jan, feb = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 2, 1, tzinfo=UTC)
    entries = [
        _entry("posts/undated.md", "Undated"),
        _entry("posts/old.md", "Old", jan),
        _entry("posts/b2.md", "Same", feb),
        _entry("posts/b1.md", "Same", feb),
        _entry("posts/a.md", "Alpha", feb),
        _entry("posts/heavy.md", "Heavy", jan, weight=5),
        _entry("posts/light.md", "Light", jan, weight=1),
        _entry("posts/negative.md", "Negative", None, weight=-2),
    ]
    ordered = [e.source_key for e in sorted(entries, key=lambda e: e.order_key)]
    assert ordered == [
        "posts/negative.md",
        "posts/light.md",
        "posts/heavy.md",
        "posts/a.md",
        "posts/b1.md",
        "posts/b2.md",
        "posts/old.md",
        "posts/undated.md",
    ]


def test_order_compares_instants_across_time_zones() -> None:
    early_utc = _entry("posts/a.md", "A", datetime(2025, 1, 1, 12, tzinfo=UTC))
    later_in_new_york = _entry("posts/b.md", "B", datetime(2025, 1, 1, 8, tzinfo=timezone(timedelta(hours=-5))))
    assert [e.title for e in sorted([early_utc, later_in_new_york], key=lambda e: e.order_key)] == ["B", "A"]
