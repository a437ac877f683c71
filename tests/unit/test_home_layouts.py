"""The home page's layouts of Congo and Blowfish (issue 21.3): `homepage.layout` (`page`, `profile`,
`hero`, `background`, `card`), `showRecent` with `recentLimit`, and Blowfish's `showMoreLink`, in
pressroom's theme. Which home pages exist is `tests/functional/test_hugo_home.py`'s."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from pressroom.core.reading.config import SiteConfig, parse_config
from pressroom.core.reading.theme_params import unhonoured_params
from pressroom.core.rendering.renderer import Renderer
from pressroom.core.site.lists import MemoryIndex
from pressroom.core.site.model import HOME_LIST, Entry, Intro, PageBody
from pressroom.core.site.outputs import ListOutput

SITE = (
    "title: Field Notes\nbaseURL: https://blog.example.com/\nauthor: Ada\n"
    "params:\n  author: {name: Ada Lovelace, image: img/ada.jpg, headline: Notes on engines}\n"
)
INTRO = Intro("_index.md", HOME_LIST, "Welcome", "<p>Hello from the home page.</p>")


def config(homepage: str = "", extra: str = "") -> SiteConfig:
    return parse_config(SITE + (f"  homepage: {{{homepage}}}\n" if homepage else "") + extra)[0]


def posts(count: int) -> list[Entry]:
    return [
        Entry(
            source_key=f"posts/p{day}.md",
            path=f"posts/p{day}",
            section="posts",
            title=f"Post {day}",
            date=datetime(2025, 1, day, tzinfo=UTC),
        )
        for day in range(1, count + 1)
    ]


def home(site: SiteConfig, count: int = 7, number: int = 1) -> str:
    index = MemoryIndex(site, posts(count), intros=[INTRO])
    body = Renderer(site).render(ListOutput(HOME_LIST, number), index, lambda _k: PageBody(""))
    main = body.decode()
    return main[main.index('<main id="main">') : main.index("</main>")]


def listed(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/posts/(p\d+)/">', html)


def test_without_homepage_params_the_home_page_is_pressrooms_own() -> None:
    html = home(config())
    assert "<h1>Welcome</h1>" in html and 'class="profile"' in html
    assert listed(html) == ["p7", "p6", "p5", "p4", "p3", "p2", "p1"]


def test_the_page_layout_shows_the_home_pages_title_and_text_and_no_post_without_show_recent() -> None:
    html = home(config("layout: page"))
    assert "<h1>Welcome</h1>" in html and "<p>Hello from the home page.</p>" in html
    assert 'class="avatar"' not in html
    assert listed(html) == [] and "Nothing published yet" not in html and "Recent" not in html


def test_show_recent_lists_the_recent_limit_newest_posts() -> None:
    html = home(config("layout: page, showRecent: true, recentLimit: 3"))
    assert '<h2 id="recent">Recent</h2>' in html
    assert listed(html) == ["p7", "p6", "p5"]
    assert listed(home(config("layout: page, showRecent: true, recentLimit: 3"), number=3)) == ["p1"]
    assert listed(home(config("showRecent: true"))) == ["p7", "p6", "p5", "p4", "p3"]  # Congo's default: 5


def test_blowfishs_show_recent_items_shows_the_first_of_each_pager_page() -> None:
    site = config("layout: profile, showRecent: true, showRecentItems: 2", "pagerSize: 3\n")
    assert listed(home(site)) == ["p7", "p6"]
    assert listed(home(site, number=2)) == ["p4", "p3"]


def test_the_profile_layout_shows_the_author_then_the_home_text() -> None:
    html = home(config("layout: profile"))
    assert '<img class="avatar" src="/img/ada.jpg" alt="Ada Lovelace"' in html
    assert "<h1>Ada Lovelace</h1>" in html and "Notes on engines" in html
    assert html.index("<h1>Ada Lovelace</h1>") < html.index("<p>Hello from the home page.</p>")


@pytest.mark.parametrize("layout", ["hero", "background", "card"])
def test_the_image_layouts_show_the_homepage_image(layout: str) -> None:
    html = home(config(f"layout: {layout}, homepageImage: img/cover.jpg"))
    assert '<img class="home-image" src="/img/cover.jpg" alt="Field Notes"' in html
    assert f'class="home home-{layout}"' in html
    assert "<p>Hello from the home page.</p>" in html


def test_hero_and_card_fall_back_on_the_default_background_image_as_blowfish_does() -> None:
    extra = "  defaultBackgroundImage: img/bg.jpg\n"
    assert 'src="/img/bg.jpg"' in home(config("layout: hero", extra))
    assert 'src="/img/bg.jpg"' in home(config("layout: card", extra))
    assert 'src="/img/bg.jpg"' not in home(config("layout: background", extra))


def test_the_card_layout_shows_the_title_and_text_beside_the_image() -> None:
    html = home(config("layout: card, homepageImage: img/cover.jpg"))
    assert "<h1>Welcome</h1>" in html and 'class="avatar"' not in html


def test_an_unknown_layout_is_the_page_layout() -> None:
    assert 'class="home home-page"' in home(config("layout: custom"))


def test_show_more_links_below_the_recent_posts() -> None:
    html = home(config("layout: page, showRecent: true, showMoreLink: true"))
    assert '<a class="show-more" href="/posts/">Show more</a>' in html
    html = home(config("layout: page, showRecent: true, showMoreLink: true, showMoreLinkDest: /archive/"))
    assert 'href="/archive/">Show more</a>' in html
    hostile = home(
        config('layout: page, showRecent: true, showMoreLink: true, showMoreLinkDest: "javascript:alert(1)"')
    )
    assert "javascript:" not in hostile


def test_a_hostile_homepage_image_or_limit_is_harmless() -> None:
    html = home(config('layout: hero, homepageImage: "javascript:alert(1)", showRecent: true, recentLimit: -3'))
    assert "javascript:" not in html
    assert len(listed(html)) == 5
    assert len(listed(home(config('showRecent: true, recentLimit: "lots"')))) == 5


def test_the_homepage_params_are_honoured() -> None:
    site = config(
        "layout: hero, showRecent: true, recentLimit: 3, showRecentItems: 3, homepageImage: a.jpg"
        ", showMoreLink: true, showMoreLinkDest: /posts/",
        "  defaultBackgroundImage: img/bg.jpg\n",
    )
    assert unhonoured_params(site.params) == []


def test_card_view_shows_the_recent_posts_as_cards() -> None:
    assert '<div class="recent-list cards">' in home(config("layout: page, showRecent: true, cardView: true"))
    assert '<div class="recent-list">' in home(config("layout: page, showRecent: true"))
