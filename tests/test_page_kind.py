"""Article or listing: the decision from a page's own signals, without a crawler."""

from __future__ import annotations

from datetime import date

import pytest

from crawler.extract.article import extract_page
from crawler.extract.page_kind import PageSignals, is_listing_url, not_article_reason
from fixture_web import build_discovery_web

STORY = "https://news.example/world/2019/11/10/us-ready-to-talk-thaad/"


@pytest.mark.parametrize(
    "url",
    [
        "https://n.example/",
        "https://n.example/tag/missile-defense-systems/",
        "https://n.example/author/dana-whitfield/",
        "https://n.example/section/world/",
        "https://n.example/section/world/page/2/",
        "https://n.example/world/?page=3",
        "https://n.example/search?q=moon",
        "https://n.example/about/",
        "https://n.example/about.htm",
        "https://n.example/2019/11/",
        "https://n.example/world/2019/11/10/",
        "https://n.example/category/politics",
    ],
)
def test_listing_and_site_pages_are_known_by_their_url(url: str) -> None:
    assert is_listing_url(url)


@pytest.mark.parametrize(
    "url",
    [
        STORY,
        "https://n.example/story/2019/titan-map.html",
        "https://n.example/articles/41168/20191110/moon-shot.htm",
        "https://n.example/2019/11/about-face-on-tariffs/",
        "https://n.example/news/12345678",
        "https://n.example/tagged-for-export-controls-the-chips/",
        "https://n.example/news/index.php?id=4321",
    ],
)
def test_story_urls_are_not_listing_urls(url: str) -> None:
    assert not is_listing_url(url)


def test_a_declared_article_is_an_article_whatever_its_url() -> None:
    assert not_article_reason(PageSignals("https://n.example/topics/moon/", "newsarticle", 300), 80) is None


def test_a_declared_other_type_is_no_article_even_if_a_sitemap_lists_it() -> None:
    page = PageSignals(STORY, "website", 300, listed=True)
    assert not_article_reason(page, 80) == "page_type"


def test_a_long_listing_is_no_article_even_if_a_sitemap_lists_it() -> None:
    page = PageSignals("https://n.example/tag/missile-defense-systems/", None, 900, listed=True)
    assert not_article_reason(page, 80) == "listing_url"


def test_a_listed_page_without_a_story_shaped_url_is_an_article() -> None:
    assert not_article_reason(PageSignals("https://n.example/node/a1b2", None, 300, listed=True), 80) is None


def test_without_metadata_or_listing_the_url_shape_decides() -> None:
    assert not_article_reason(PageSignals(STORY, None, 300), 80) is None
    assert not_article_reason(PageSignals("https://n.example/weather.html", None, 300), 80) == "url_shape"


def test_a_short_page_that_declares_nothing_is_no_article() -> None:
    assert not_article_reason(PageSignals(STORY, None, 79, listed=True), 80) == "too_short"


@pytest.mark.parametrize("declared", [{"page_type": "newsarticle"}, {"page_type": "article"}, {"news": True}])
def test_a_news_brief_that_declares_itself_is_an_article_above_a_small_floor(declared: dict) -> None:
    page_type = declared.get("page_type")
    news = declared.get("news", False)
    assert not_article_reason(PageSignals(STORY, page_type, 31, news=news), 80, 25) is None
    assert not_article_reason(PageSignals(STORY, page_type, 24, news=news), 80, 25) == "too_short"


def test_every_page_of_the_discovery_web_is_told_right_with_what_its_sitemaps_say() -> None:
    """Herald's sitemap lists its tag, author, about, search and archive pages as well as its stories."""
    web = build_discovery_web(date(2026, 11, 25))
    for i, site in enumerate(web.sites):
        site.base_url = f"http://127.0.0.1:{9000 + i}"
        files = site.render()
        announced = " ".join(body.decode() for _, ctype, body in files.values() if "xml" in ctype)
        articles = {prefix + site.article_path(s) for s in site.stories for prefix in ("", "/print")}
        for path, (_, ctype, body) in files.items():
            if not ctype.startswith("text/html"):
                continue
            url = site.base_url + path
            article = extract_page(body.decode("utf-8"), url).article
            page = article and PageSignals(url, article.page_type, article.word_count, f"<loc>{url}</loc>" in announced)
            assert (page is not None and not_article_reason(page, 80) is None) == (path in articles), (
                f"{site.name} {path}"
            )
