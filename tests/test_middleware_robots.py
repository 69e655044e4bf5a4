"""robots.txt once per site: fetched once without retries, its sitemaps handed to the spider (crawler.middlewares.robots)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from protego import Protego
from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadConnectionRefusedError, NotConfigured
from scrapy.http import Response, TextResponse

from crawler.middlewares.robots import RobotsOnce
from unit_crawler import unit_crawler

SITE = "http://127.0.0.1:8001"
ROBOTS = b"User-agent: *\nDisallow: /private/\nSitemap: http://127.0.0.1:8001/news-sitemap.xml\n"


class SitemapSpider(Spider):
    """A spider that asks for each sitemap a robots.txt names, and remembers what it was given."""

    name = "sitemaps"

    def __init__(self) -> None:
        super().__init__()
        self.given: list[Response] = []

    def robots_fetched(self, response: TextResponse) -> Iterator[Request]:
        self.given.append(response)
        for url in Protego.parse(response.text).sitemaps:
            yield Request(url)


def middleware(spidercls: type[Spider] = SitemapSpider, **settings: object) -> RobotsOnce:
    return RobotsOnce.from_crawler(unit_crawler({"ROBOTSTXT_OBEY": True, **settings}, spidercls))


def robots_request(mw: RobotsOnce, url: str = f"{SITE}/robots.txt") -> Request:
    request = Request(url)
    mw.process_request(request)
    return request


def test_it_is_off_when_robots_txt_is_not_obeyed() -> None:
    with pytest.raises(NotConfigured):
        RobotsOnce.from_crawler(unit_crawler({"ROBOTSTXT_OBEY": False}))


def test_robots_txt_is_asked_for_once_without_retries_and_may_be_missing() -> None:
    request = robots_request(middleware())
    assert request.meta["dont_retry"] is True
    assert request.meta["newsarchive_kind"] == "robots"
    assert request.meta["newsarchive_optional"] is True


def test_a_robots_txt_with_a_query_is_robots_txt_one_in_a_folder_is_a_page() -> None:
    mw = middleware()
    assert robots_request(mw, f"{SITE}/robots.txt?v=2").meta["newsarchive_kind"] == "robots"
    assert "newsarchive_kind" not in robots_request(mw, f"{SITE}/docs/robots.txt").meta


def test_pages_are_left_as_they_are() -> None:
    page = Request(f"{SITE}/news/a.html", meta={"newsarchive_kind": "page"})
    middleware().process_request(page)
    assert page.meta == {"newsarchive_kind": "page"}


def test_what_the_sender_said_of_a_robots_txt_request_is_kept() -> None:
    request = Request(f"{SITE}/robots.txt", meta={"newsarchive_kind": "probe", "newsarchive_optional": False})
    middleware().process_request(request)
    assert (request.meta["newsarchive_kind"], request.meta["newsarchive_optional"]) == ("probe", False)


@pytest.mark.parametrize("status", [500, 503])
def test_a_robots_txt_answering_5xx_is_not_retried_a_page_is(status: int) -> None:
    mw = middleware(RETRY_TIMES=2)
    retry = RetryMiddleware.from_crawler(mw.crawler)
    request = robots_request(mw)
    response = Response(request.url, status=status, request=request)
    assert retry.process_response(request, response) is response
    page = Request(f"{SITE}/news/a.html")
    mw.process_request(page)
    assert isinstance(retry.process_response(page, Response(page.url, status=status, request=page)), Request)


def test_a_robots_txt_that_cannot_be_fetched_is_not_retried() -> None:
    mw = middleware(RETRY_TIMES=2)
    request = robots_request(mw)
    assert RetryMiddleware.from_crawler(mw.crawler).process_exception(request, DownloadConnectionRefusedError()) is None


def test_the_sitemaps_of_a_robots_txt_are_crawled_from_the_one_fetch() -> None:
    mw = middleware()
    spider = mw.crawler.spider
    request = robots_request(mw)
    response = TextResponse(request.url, body=ROBOTS, request=request, encoding="utf-8")
    assert mw.process_response(request, response) is response
    assert spider.given == [response]
    assert [r.url for r in mw.crawler.engine.crawled] == ["http://127.0.0.1:8001/news-sitemap.xml"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_robots_txt_that_is_not_there_gives_the_spider_nothing(status: int) -> None:
    mw = middleware()
    spider = mw.crawler.spider
    request = robots_request(mw)
    response = TextResponse(request.url, status=status, body=ROBOTS, request=request, encoding="utf-8")
    assert mw.process_response(request, response) is response
    assert spider.given == [] and mw.crawler.engine.crawled == []


@pytest.mark.parametrize("status", [500, 503])
def test_a_robots_txt_answering_a_server_error_disallows_the_whole_site(status: int) -> None:
    """RFC 9309 2.3.1.4: a robots.txt that is unreachable because of a server error means complete disallow."""
    mw = middleware()
    spider = mw.crawler.spider
    request = robots_request(mw)
    response = TextResponse(request.url, status=status, body=ROBOTS, request=request, encoding="utf-8")
    parsed = Protego.parse(mw.process_response(request, response).text)
    assert not parsed.can_fetch(f"{SITE}/", "newsarchive") and not parsed.can_fetch(f"{SITE}/news/a.html", "*")
    assert spider.given == [] and mw.crawler.engine.crawled == []


def test_a_robots_txt_that_is_not_text_gives_the_spider_nothing() -> None:
    mw = middleware()
    spider = mw.crawler.spider
    request = robots_request(mw)
    mw.process_response(request, Response(request.url, body=ROBOTS, request=request))
    assert spider.given == []


def test_a_page_response_is_not_read_as_robots_txt() -> None:
    mw = middleware()
    spider = mw.crawler.spider
    page = Request(f"{SITE}/news/a.html")
    mw.process_response(page, TextResponse(page.url, body=ROBOTS, request=page, encoding="utf-8"))
    assert spider.given == []


def test_a_spider_that_reads_no_sitemaps_from_robots_txt_gets_none() -> None:
    mw = middleware(Spider)
    request = robots_request(mw)
    mw.process_response(request, TextResponse(request.url, body=ROBOTS, request=request, encoding="utf-8"))
    assert mw.crawler.engine.crawled == []


def test_a_site_whose_robots_txt_cannot_be_fetched_is_crawled_and_no_traceback_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Scrapy allows every page of a site without robots.txt; the spider reports the site in one line."""
    crawler = unit_crawler({"ROBOTSTXT_OBEY": True})
    asked: list[str] = []

    async def refused(request: Request) -> Response:
        asked.append(request.url)
        raise DownloadConnectionRefusedError("connection refused")

    crawler.engine.download_async = refused  # type: ignore[attr-defined]
    robots = RobotsTxtMiddleware.from_crawler(crawler)

    async def pages() -> None:
        for path in ("/", "/news/a.html", "/private/b.html"):
            await robots.process_request(Request(SITE + path))  # IgnoreRequest would be raised here

    with caplog.at_level(logging.DEBUG):
        asyncio.run(pages())
    assert asked == [f"{SITE}/robots.txt"]
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("status", [404, 500, 503])
def test_a_site_whose_robots_txt_is_missing_or_failing_is_asked_for_it_once_and_crawled(status: int) -> None:
    """Scrapy's robots.txt middleware reads the answer, whatever its status, as the site's robots.txt."""
    crawler = unit_crawler({"ROBOTSTXT_OBEY": True, "RETRY_TIMES": 2})
    once, retry = RobotsOnce.from_crawler(crawler), RetryMiddleware.from_crawler(crawler)
    asked: list[str] = []

    async def download(request: Request) -> Response:
        """The downloader: our middleware, then Scrapy's retries, around a site that answers ``status``."""
        while True:
            once.process_request(request)
            asked.append(request.url)
            result = retry.process_response(request, Response(request.url, status=status, request=request))
            if isinstance(result, Response):
                return result
            request = result

    crawler.engine.download_async = download  # type: ignore[attr-defined]
    robots = RobotsTxtMiddleware.from_crawler(crawler)

    async def pages() -> None:
        for path in ("/", "/news/a.html", "/news/b.html"):
            await robots.process_request(Request(SITE + path))  # IgnoreRequest would be raised here

    asyncio.run(pages())
    assert asked == [f"{SITE}/robots.txt"]
