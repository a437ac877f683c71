"""`site.yaml` (SPEC 5): defaults, the author's overrides, warnings for unknown keys, clear errors."""

from __future__ import annotations

import pytest

from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.exceptions import ConfigError
from support.sources import billion_laughs


@pytest.mark.parametrize("text", [None, "", "   \n"])
def test_no_or_empty_site_yaml_gives_the_documented_defaults(text: str | None) -> None:
    config, warnings = parse_config(text)
    assert warnings == []
    assert config == SiteConfig()
    assert config.timeZone == "UTC"
    assert config.pagerSize == 10
    assert config.summaryLength == 70
    assert config.feedLimit == 20
    assert config.unsafeHTML is False
    assert config.showReadingTime is True
    assert dict(config.params) == {}


def test_every_setting_can_be_overridden() -> None:
    config, warnings = parse_config(
        "title: Field Notes\n"
        "baseURL: https://blog.example.com\n"
        "languageCode: fr-fr\n"
        "description: Notes from the field\n"
        "author: Ada\n"
        "timeZone: Europe/Paris\n"
        "pagerSize: 5\n"
        "summaryLength: 30\n"
        "feedLimit: 3\n"
        "unsafeHTML: true\n"
        "showReadingTime: false\n"
        "params:\n  mainSections: [posts, notes]\n  accent: blue\n"
    )
    assert warnings == []
    assert config.title == "Field Notes"
    assert config.languageCode == "fr-fr"
    assert config.description == "Notes from the field"
    assert config.author == "Ada"
    assert config.zone.key == "Europe/Paris"
    assert (config.pagerSize, config.summaryLength, config.feedLimit) == (5, 30, 3)
    assert config.unsafeHTML is True
    assert config.showReadingTime is False
    assert config.params["accent"] == "blue"
    assert config.main_sections == ("posts", "notes")


def test_base_url_gets_exactly_one_trailing_slash_and_makes_absolute_urls() -> None:
    config, _ = parse_config("baseURL: https://blog.example.com\n")
    assert config.base_url == "https://blog.example.com/"
    assert config.absolute_url("/posts/x/") == "https://blog.example.com/posts/x/"
    config, _ = parse_config("baseURL: https://blog.example.com///\n")
    assert config.absolute_url("sitemap.xml") == "https://blog.example.com/sitemap.xml"


def test_a_number_as_title_is_read_as_text() -> None:
    config, _ = parse_config("title: 1984\n")
    assert config.title == "1984"


def test_unknown_keys_are_ignored_with_a_warning_naming_them() -> None:
    config, warnings = parse_config("title: T\ntheme: blowfish\nparams: {}\n")
    assert config.title == "T"
    assert len(warnings) == 1
    assert "site.yaml" in warnings[0]
    assert "theme" in warnings[0]


def test_main_sections_accepts_a_single_string() -> None:
    config, _ = parse_config("params:\n  mainSections: posts\n")
    assert config.main_sections == ("posts",)
    assert SiteConfig().main_sections is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("pagerSize: ten\n", "pagerSize"),
        ("pagerSize: 2.5\n", "pagerSize"),
        ("pagerSize: true\n", "pagerSize"),
        ("pagerSize: 0\n", "pagerSize"),
        ("feedLimit: -1\n", "feedLimit"),
        ("summaryLength: -1\n", "summaryLength"),
        ("unsafeHTML: 'yes please'\n", "unsafeHTML"),
        ("showReadingTime: 1\n", "showReadingTime"),
        ("params: [a, b]\n", "params"),
        ("timeZone: Mars/Olympus_Mons\n", "timeZone"),
        ("baseURL: blog.example.com\n", "baseURL"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(text: str, names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text)
    assert raised.value.source_key == "site.yaml"
    assert names in str(raised.value)


@pytest.mark.parametrize("text", ["title: [unclosed\n", "- a\n- b\n", "just a sentence\n"])
def test_site_yaml_that_is_not_a_mapping_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^site\.yaml"):
        parse_config(text)


def test_python_object_tags_in_site_yaml_are_refused() -> None:
    with pytest.raises(ConfigError):
        parse_config("title: !!python/object/apply:os.getcwd []\n")


def test_an_alias_bomb_in_site_yaml_is_refused_naming_the_file() -> None:
    """Issue 19: a 1 KB site.yaml took 12.6 s and 1.4 GB in the handler (the configuration it
    stores expanded every alias); refused now before anything walks it."""
    text = "title: Bomb\nparams:\n" + billion_laughs("  ")
    assert len(text.encode()) < 1024
    with pytest.raises(ConfigError, match=r"^site\.yaml: .*over 10,000 values") as raised:
        parse_config(text)
    assert "alias" in raised.value.problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("params:\n  deep: " + "[" * 150 + "]" * 150 + "\n", "deeper than 100"),
        ("params:\n  many: [" + ", ".join(["x"] * 20_000) + "]\n", "over 10,000 values"),
        ("title: x\n" + "# padding\n" * 600_000, "over the 5 MiB limit"),
        ("params:\n  when: 2023-02-30\n", "invalid value"),
    ],
)
def test_site_yaml_has_the_limits_of_front_matter(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=r"^site\.yaml") as raised:
        parse_config(text)
    assert problem in raised.value.problem
