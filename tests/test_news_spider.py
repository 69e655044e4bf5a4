"""The spider's discovery rules on single responses: sitemaps, feeds, next pages, depth, patterns, age."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler.extensions.archive import ArchiveOwner
from crawler.extensions.extraction import PageExtraction
from crawler.items import PageItem
from crawler.spiders.news import NewsSpider

HOME = "http://a.example/"
YESTERDAY = datetime.now(UTC) - timedelta(days=1)
RECENT = YESTERDAY.strftime("%a, %d %b %Y %H:%M:%S GMT")
RECENT_ISO = YESTERDAY.isoformat(timespec="seconds")


@pytest.fixture(params=["worker", "spider"])
def links_read_by(request, tmp_path, monkeypatch) -> str:
    """Who reads a page's links: its extraction (in process here: EXTRACT_WORKERS=0), or the spider itself."""
    monkeypatch.setattr(_READER, "by", request.param)
    monkeypatch.setattr(_READER, "db", str(tmp_path / "a.db"))
    return request.param


class _READER:
    by = "spider"
    db = ""


def spider(**settings: object) -> NewsSpider:
    extraction = _READER.by == "worker"
    ours = ("EXTRACT_", "BOILERPLATE_", "DEDUP_")
    own = {name: getattr(defaults, name) for name in dir(defaults) if name.startswith(ours)} | {
        "EXTENSIONS": {ArchiveOwner: 0, PageExtraction: 10},
        "NEWSARCHIVE_DB": _READER.db,
        "EXTRACT_WORKERS": 0,
    }
    crawler = get_crawler(
        NewsSpider,
        {
            "NEWSARCHIVE_CONTACT_URL": defaults.NEWSARCHIVE_CONTACT_URL,
            "DEPTH_LIMIT": 2,
            "NEWSARCHIVE_FEED_PATHS": defaults.NEWSARCHIVE_FEED_PATHS,
            **(own if extraction else {}),
            **settings,
        },
    )
    news = NewsSpider.from_crawler(crawler, start_urls=HOME)
    if extraction:
        crawler.stats.open_spider()
        news.opened()
        assert news.extraction is not None
    return news


def yielded(results: AsyncIterator[object]) -> list[object]:
    """Return what the spider's page callback yields."""

    async def collect() -> list[object]:
        return [result async for result in results]

    return asyncio.run(collect())


def xml(url: str, body: str) -> XmlResponse:
    return XmlResponse(url, body=body.encode(), request=Request(url))


def html(url: str, body: str, **meta: object) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url, meta=meta))


def urls(results) -> list[str]:
    return [r.url for r in results if isinstance(r, Request)]


def test_sitemap_entries_are_filtered_by_site_pattern_and_age() -> None:
    news = spider(NEWSARCHIVE_MAX_AGE_DAYS=7, NEWSARCHIVE_EXCLUDE=["/live/"])
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>http://a.example/x/old-story-here</loc><lastmod>2001-01-01</lastmod></url>"
        "<url><loc>http://a.example/x/new-story-here?utm_source=sm</loc></url>"
        "<url><loc>http://a.example/live/blog-of-today</loc></url>"
        "<url><loc>http://elsewhere.example/x/a-story-there</loc></url></urlset>"
    )
    assert urls(news.parse_sitemap(xml("http://a.example/sitemap.xml", body))) == ["http://a.example/x/new-story-here"]
    stats = news.crawler.stats.get_stats()
    assert stats["newsarchive/skipped/too_old"] == 1 and stats["newsarchive/skipped/excluded"] == 1


def test_a_sitemap_index_leads_to_its_sitemaps() -> None:
    body = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>http://a.example/sitemap-1.xml</loc></sitemap></sitemapindex>"
    )
    (request,) = spider().parse_sitemap(xml("http://a.example/sitemap-index.xml", body))
    assert request.url == "http://a.example/sitemap-1.xml" and request.meta["depth_reset"]


def test_feed_entries_of_rss_and_atom_are_followed_unless_too_old() -> None:
    news = spider(NEWSARCHIVE_MAX_AGE_DAYS=7)
    rss = (
        "<rss><channel><item><link>http://a.example/x/fresh-rss-story?utm_medium=feed</link>"
        f"<pubDate>{RECENT}</pubDate></item><item><link>http://a.example/x/stale-rss-story</link>"
        "<pubDate>Sun, 10 Nov 2019 09:00:00 GMT</pubDate></item></channel></rss>"
    )
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="/x/fresh-atom-story"/>'
        '<link rel="enclosure" href="/img/a.jpg"/><updated>2001-01-01T00:00:00Z</updated></entry>'
        '<entry><link href="/x/undated-atom-story"/></entry></feed>'
    )
    assert urls(news.parse_feed(xml("http://a.example/rss.xml", rss))) == ["http://a.example/x/fresh-rss-story"]
    assert urls(news.parse_feed(xml("http://a.example/atom.xml", atom))) == ["http://a.example/x/undated-atom-story"]


def test_a_next_page_announced_only_in_the_head_is_followed(links_read_by: str) -> None:
    page = '<html><head><link rel="next" href="/section/world/?page=2"></head><body><p>Teasers</p></body></html>'
    assert "http://a.example/section/world/?page=2" in urls(
        yielded(spider().parse_page(html(HOME + "section/world/", page)))
    )


def test_links_are_not_followed_beyond_the_depth_but_the_page_is_still_passed_on(links_read_by: str) -> None:
    page = '<html><body><a href="/x/linked-story-here">A story</a></body></html>'
    results = yielded(spider().parse_page(html(HOME + "section/world/", page, depth=2)))
    assert urls(results) == [] and [type(r) for r in results] == [PageItem]


def test_a_home_page_without_a_feed_has_its_usual_feed_paths_tried(links_read_by: str) -> None:
    bare = "<html><body><p>News</p></body></html>"
    tried = urls(yielded(spider().parse_page(html(HOME, bare, newsarchive_home=True))))
    assert {HOME + p.lstrip("/") for p in defaults.NEWSARCHIVE_FEED_PATHS} <= set(tried)
    announced = '<html><head><link rel="alternate" type="application/rss+xml" href="/news.rss"></head></html>'
    tried = urls(yielded(spider().parse_page(html(HOME, announced, newsarchive_home=True))))
    assert tried == [HOME + "news.rss"]


def test_links_to_files_are_not_followed(links_read_by: str) -> None:
    page = '<html><body><a href="/x/report.PDF">Report</a><a href="/x/a-story">Story</a></body></html>'
    assert urls(yielded(spider().parse_page(html(HOME + "section/world/", page)))) == [HOME + "x/a-story"]


def test_a_page_goes_on_with_what_its_extraction_made_of_it(links_read_by: str) -> None:
    story = "<html><body><article>" + "<p>The council voted on the river bridge plan today.</p>" * 30
    (item,) = [
        r
        for r in yielded(spider().parse_page(html(HOME + "x/a-story", story + "</article></body></html>")))
        if isinstance(r, PageItem)
    ]
    if links_read_by == "spider":
        assert item.analysis is None  # the extract pipeline analyses it
    else:
        assert item.analysis.extracted.article is not None and item.analysis.word_count == 270


def test_a_google_news_sitemap_entry_is_dated_by_its_publication_date() -> None:
    news = spider(NEWSARCHIVE_MAX_AGE_DAYS=7)
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>http://a.example/x/old-news-story</loc><news:news><news:publication_date>2019-11-10T09:00:00Z"
        "</news:publication_date></news:news></url>"
        f"<url><loc>http://a.example/x/new-news-story</loc><news:news><news:publication_date>{RECENT_ISO}"
        "</news:publication_date></news:news></url></urlset>"
    )
    assert urls(news.parse_sitemap(xml("http://a.example/news-sitemap.xml", body))) == [
        "http://a.example/x/new-news-story"
    ]


def next_pages(results) -> list[tuple[str, int]]:
    return [
        (r.url, r.meta["newsarchive_page"]) for r in results if isinstance(r, Request) and "newsarchive_page" in r.meta
    ]


ARCHIVE_PAGE = (
    '<html><body><a href="/x/story-on-page-three">A story</a>'
    '<p class="pager"><a href="/archive/page/4/">Older stories</a></p></body></html>'
)


def test_a_next_page_is_known_by_its_number_and_counted_apart_from_link_hops(links_read_by: str) -> None:
    results = yielded(spider().parse_page(html(HOME + "archive/page/3/", ARCHIVE_PAGE, depth=1)))
    assert next_pages(results) == [(HOME + "archive/page/4/", 4)]
    assert all(r.meta["depth_reset"] for r in results if isinstance(r, Request) and "newsarchive_page" in r.meta)
    assert HOME + "x/story-on-page-three" in urls(results)


def test_a_next_page_keeps_the_depth_of_the_page_that_links_it(links_read_by: str) -> None:
    from crawler.middlewares.pagination import NextPageDepth

    news = spider()
    response = html(HOME + "archive/page/3/", ARCHIVE_PAGE, depth=1)  # DEPTH_LIMIT is 2
    (nxt,) = [r for r in yielded(news.parse_page(response)) if isinstance(r, Request) and "newsarchive_page" in r.meta]
    assert NextPageDepth(news.crawler).get_processed_request(nxt, response).meta["depth"] == 1


@pytest.mark.parametrize(("limit", "followed"), [(0, True), (4, True), (3, False)])
def test_a_listing_is_walked_up_to_listing_max_pages(limit: int, followed: bool, links_read_by: str) -> None:
    results = yielded(spider(LISTING_MAX_PAGES=limit).parse_page(html(HOME + "archive/page/3/", ARCHIVE_PAGE)))
    assert bool(next_pages(results)) == followed


def test_a_news_sitemap_entry_is_dated_in_its_own_channel_and_declared_an_article(links_read_by: str) -> None:
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>http://a.example/x/brief-of-today</loc><lastmod>2026-11-30T00:00:00+09:00</lastmod>"
        "<news:news><news:publication_date>2026-11-30</news:publication_date></news:news></url></urlset>"
    )
    news = spider()
    (request,) = news.parse_sitemap(xml("http://a.example/news-sitemap.xml", body))
    assert request.meta["newsarchive_dates"] == {"news": "2026-11-30T00:00:00+09:00"}
    (item,) = [
        r
        for r in yielded(news.parse_listed(html(request.url, "<html><body><p>Brief</p></body></html>")))
        if isinstance(r, PageItem)
    ]
    assert item.news


SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>http://a.example/x/story-one</loc><lastmod>2024-05-01</lastmod></url>"
    "<url><loc>http://b.example/x/elsewhere</loc></url></urlset>"
)


def test_a_gzipped_sitemap_is_read_like_a_plain_one() -> None:
    url = "http://a.example/sitemap.xml.gz"
    response = Response(url, body=gzip.compress(SITEMAP.encode()), request=Request(url))
    (request,) = spider().parse_sitemap(response)
    assert (request.url, request.meta["newsarchive_dates"]) == (
        "http://a.example/x/story-one",
        {"sitemap": "2024-05-01"},
    )
    assert request.callback.__name__ == "parse_listed" and request.meta["depth_reset"]


def test_the_sitemaps_of_a_robots_txt_are_followed_wherever_they_are() -> None:
    url = HOME + "robots.txt"
    body = (
        b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap-news.xml\nSitemap: https://cdn.example/a/sitemap.xml\n"
    )
    requests = list(spider().parse_sitemap(Response(url, body=body, request=Request(url))))
    assert [(r.url, r.meta["newsarchive_kind"]) for r in requests] == [
        (HOME + "sitemap-news.xml", "sitemap"),
        ("https://cdn.example/a/sitemap.xml", "sitemap"),
    ]
    assert all(r.callback.__name__ == "parse_sitemap" for r in requests)


def test_an_index_leads_only_to_recent_sitemaps_of_the_site() -> None:
    body = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>http://a.example/sitemap-2019.xml</loc><lastmod>2019-01-31</lastmod></sitemap>"
        f"<sitemap><loc>http://a.example/sitemap-now.xml</loc><lastmod>{RECENT_ISO}</lastmod></sitemap>"
        "<sitemap><loc>http://other.example/sitemap.xml</loc></sitemap></sitemapindex>"
    )
    news = spider(NEWSARCHIVE_MAX_AGE_DAYS=30)
    assert urls(news.parse_sitemap(xml("http://a.example/sitemap-index.xml", body))) == [
        "http://a.example/sitemap-now.xml"
    ]
    assert news.crawler.stats.get_value("newsarchive/skipped/too_old") == 1


def test_a_page_that_is_no_sitemap_gives_nothing() -> None:
    page = HOME + "sitemap"
    assert list(spider().parse_sitemap(html(page, "<html><body>Not found</body></html>"))) == []
    assert list(spider().parse_sitemap(xml(HOME + "sitemap.xml", "<rss><channel></channel></rss>"))) == []
