"""A listing's next page is no link hop: it keeps its listing's depth (crawler.middlewares.pagination)."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler import settings as project
from unit_crawler import spider_output, unit_crawler

NEXT_PAGE_DEPTH = "crawler.middlewares.pagination.NextPageDepth"
SITE = "http://127.0.0.1:8001"


def through_spider_middlewares(
    depth: int, found: Iterable[Request], limit: int = 3, url: str = f"{SITE}/archive/"
) -> list[Request]:
    """Return what Scrapy's spider middlewares and NextPageDepth, at its place in the crawl's settings, let
    through of the requests ``found`` on a page ``depth`` hops from its home page."""
    order = project.SPIDER_MIDDLEWARES[NEXT_PAGE_DEPTH]
    crawler = unit_crawler({"DEPTH_LIMIT": limit, "SPIDER_MIDDLEWARES": {NEXT_PAGE_DEPTH: order}})
    response = HtmlResponse(url, body=b"<html></html>", request=Request(url, meta={"depth": depth}))
    return spider_output(crawler, response, found)


def next_page(number: int, url: str | None = None) -> Request:
    """A next page as the spider asks for it."""
    return Request(url or f"{SITE}/archive/?page={number}", meta={"newsarchive_page": number, "depth_reset": True})


def test_a_next_page_has_the_depth_of_the_page_that_links_it() -> None:
    (page,) = through_spider_middlewares(1, [next_page(2)])
    assert page.meta["depth"] == 1


def test_a_next_page_of_a_listing_at_the_depth_limit_is_still_walked() -> None:
    story, page = Request(f"{SITE}/news/a.html"), next_page(2)
    assert through_spider_middlewares(3, [story, page], limit=3) == [page]
    assert page.meta["depth"] == 3


def test_page_40_of_an_archive_is_as_deep_as_its_page_1_and_so_are_its_links() -> None:
    depth = 1
    for number in range(2, 41):
        (page,) = through_spider_middlewares(depth, [next_page(number)])
        depth = page.meta["depth"]
    assert depth == 1
    (story,) = through_spider_middlewares(depth, [Request(f"{SITE}/news/a.html")])
    assert story.meta["depth"] == 2


def test_depth_reset_is_spent_and_does_not_travel_on() -> None:
    (page,) = through_spider_middlewares(2, [next_page(3)])
    assert "depth_reset" not in page.meta


def test_other_requests_marked_depth_reset_start_again_at_depth_0() -> None:
    """Sitemaps and feed probes are new starts: only next pages keep their listing's depth."""
    sitemap = Request(f"{SITE}/sitemap.xml", meta={"depth_reset": True})
    (request,) = through_spider_middlewares(2, [sitemap])
    assert request.meta["depth"] == 0


def test_a_link_is_one_hop_deeper_than_its_page() -> None:
    (story,) = through_spider_middlewares(1, [Request(f"{SITE}/news/a.html")])
    assert story.meta["depth"] == 2
