"""Each page's WARC location carried from the recorder to its item (crawler.middlewares.warc)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import HtmlResponse, Response

from crawler import settings as project
from crawler.extensions.warc import META_KEY, WarcRecorder
from crawler.items import PageItem
from storage.warc import WarcLocation, read_http_response
from unit_crawler import spider_output, unit_crawler

STORY = "http://127.0.0.1:8001/news/story.html"
OLD = "http://127.0.0.1:8001/2019/story"
WARC_LOCATION = "crawler.middlewares.warc.WarcLocationMiddleware"
RECORDED = WarcLocation("/data/a.warc.gz", 1200, 3400)


def items_for(response: Response, items: list[object]) -> list[object]:
    """Return what the spider middlewares, WarcLocationMiddleware at its place in the crawl's, make of ``items``."""
    crawler = unit_crawler({"SPIDER_MIDDLEWARES": {WARC_LOCATION: project.SPIDER_MIDDLEWARES[WARC_LOCATION]}})
    return spider_output(crawler, response, items)


def downloaded(
    crawler: Crawler, request: Request, status: int = 200, body: bytes = b"", **headers: str
) -> HtmlResponse:
    """Return the response to ``request`` as it comes off the network, the recorder told of it."""
    response = HtmlResponse(request.url, status=status, body=body, headers=headers, request=request)
    crawler.signals.send_catch_log(
        signals.response_downloaded, response=response, request=request, spider=crawler.spider
    )
    return response


def recording(tmp_path: Path) -> Crawler:
    """Return a crawler whose WARC recorder writes to ``tmp_path``."""
    crawler = unit_crawler(
        {
            "NEWSARCHIVE_WARC_ENABLED": True,
            "NEWSARCHIVE_WARC_DIR": str(tmp_path),
            "NEWSARCHIVE_WARC_MAX_SIZE": 10**9,
            "NEWSARCHIVE_WARC_PREFIX": "newsarchive",
            "NEWSARCHIVE_DB": str(tmp_path / "archive.db"),
        }
    )
    crawler.recorder = WarcRecorder.from_crawler(crawler)  # kept, as Scrapy's extension manager keeps it
    return crawler


def test_a_page_points_at_the_record_of_its_own_response(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    response = downloaded(crawler, Request(STORY), body=b"<p>the story</p>")
    (page,) = items_for(response, [PageItem(url=STORY, html="")])
    raw = read_http_response(page.warc)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n") and raw.endswith(b"\r\n\r\n<p>the story</p>")


def test_a_page_reached_through_a_redirect_points_at_its_own_record_not_the_redirects(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    old = Request(OLD)
    moved = downloaded(crawler, old, status=301, Location=STORY)
    follow = RedirectMiddleware.from_crawler(crawler).process_response(old, moved)
    assert isinstance(follow, Request) and follow.url == STORY
    response = downloaded(crawler, follow, body=b"<p>the story</p>")
    (page,) = items_for(response, [PageItem(url=STORY, html="")])
    assert read_http_response(page.warc).startswith(b"HTTP/1.1 200 OK\r\n")


def test_a_page_served_from_a_cache_after_a_redirect_has_no_record(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    old = Request(OLD)
    follow = RedirectMiddleware.from_crawler(crawler).process_response(
        old, downloaded(crawler, old, 301, Location=STORY)
    )
    cached = HtmlResponse(STORY, body=b"<p>the story</p>", request=follow)  # no response_downloaded: not recorded
    (page,) = items_for(cached, [PageItem(url=STORY, html="")])
    assert page.warc is None


def test_a_response_without_a_record_gives_none() -> None:
    response = HtmlResponse(STORY, body=b"", request=Request(STORY))
    (page,) = items_for(response, [PageItem(url=STORY, html="")])
    assert page.warc is None


def test_an_item_for_another_url_than_the_response_gets_no_location() -> None:
    response = HtmlResponse(STORY, body=b"", request=Request(STORY, meta={META_KEY: (STORY, RECORDED)}))
    (page,) = items_for(response, [PageItem(url="http://127.0.0.1:8001/news/other.html", html="")])
    assert page.warc is None


def test_a_location_the_item_already_has_is_kept() -> None:
    earlier = WarcLocation("/data/b.warc.gz", 0, 900)
    response = HtmlResponse(STORY, body=b"", request=Request(STORY, meta={META_KEY: (STORY, RECORDED)}))
    (page,) = items_for(response, [PageItem(url=STORY, html="", warc=earlier)])
    assert page.warc == earlier


def test_everything_else_the_spider_yields_passes_unchanged_and_in_order() -> None:
    response = HtmlResponse(STORY, body=b"", request=Request(STORY, meta={META_KEY: (STORY, RECORDED)}))
    first, last = Request("http://127.0.0.1:8001/a.html"), {"url": STORY}
    page = PageItem(url=STORY, html="")
    assert items_for(response, [first, page, last]) == [first, page, last]
    assert page.warc == RECORDED
