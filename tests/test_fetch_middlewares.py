"""The fetch log's middlewares on built requests and responses: what is logged, skipped and revalidated."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spiders import Spider as BaseSpider

from crawler.extensions.archive import archive_owner
from crawler.items import PageItem
from crawler.middlewares.conditional import ConditionalGetMiddleware
from crawler.middlewares.fetchlog import STATE_META, FetchLogMiddleware
from crawler.middlewares.known import KnownArticlesMiddleware
from crawler.middlewares.page_budget import PageBudget
from crawler.outcomes import Outcome, PageDropped
from crawler.spiders.news import NewsSpider
from shell import crawler_on, earlier_run
from storage.fetch_log import Fetch
from storage.runs import start_run

ARTICLE = "http://a.example/2024/05/council-votes-on-bridge"
LISTING = "http://a.example/section/world"


def _fetch(url: str, kind: str = "page", etag: str | None = None) -> Fetch:
    return Fetch(url, "a.example", kind, 200, etag, None, "fetched")


def _page(url: str, **meta: object) -> Request:
    return Request(url, meta={"newsarchive_kind": "page", **meta})


# -- the fetch log middleware ---------------------------------------------


def test_every_response_is_logged_with_its_validators_under_the_crawls_run(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", FETCH_LOG_BATCH_SIZE=1)
    owner = archive_owner(crawler)
    owner.run_id = start_run(owner.archive, "a.example")
    mw = FetchLogMiddleware.from_crawler(crawler)
    request = Request(LISTING, meta={"newsarchive_kind": "listing"})
    mw.process_response(request, Response(LISTING, status=200, headers={"ETag": '"v1"'}))
    mw.process_response(_page(ARTICLE), Response(ARTICLE, status=503))
    listing, article = owner.fetch_log.state(LISTING), owner.fetch_log.state(ARTICLE)
    assert listing is not None and (listing.kind, listing.status, listing.etag, listing.outcome) == (
        "listing",
        200,
        '"v1"',
        "fetched",
    )
    assert article is not None and (article.status, article.outcome) == (503, "error")


def test_a_probe_that_finds_nothing_is_absent_and_a_failed_download_an_error(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db")
    mw = FetchLogMiddleware.from_crawler(crawler)
    feed = "http://a.example/feed"
    mw.process_response(
        Request(feed, meta={"newsarchive_kind": "feed", "newsarchive_optional": True}), Response(feed, status=404)
    )
    mw.process_exception(_page(ARTICLE), TimeoutError())
    log = archive_owner(crawler).fetch_log
    probe, failed = log.state(feed), log.state(ARTICLE)
    assert probe is not None and (probe.kind, probe.outcome) == ("probe", "absent")
    assert failed is not None and (failed.status, failed.outcome) == (None, "error")


def test_a_dropped_page_is_settled_with_its_outcome_not_its_message(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db")
    mw = FetchLogMiddleware.from_crawler(crawler)
    response = HtmlResponse(ARTICLE, body=b"<html></html>")
    mw.process_response(_page(ARTICLE), response)
    mw.item_dropped(PageItem(ARTICLE, ""), response, PageDropped(Outcome.TOO_OLD, "extract/too_old", ARTICLE))
    state = archive_owner(crawler).fetch_log.state(ARTICLE)
    assert state is not None and (state.kind, state.outcome, state.is_article) == ("article", "too_old", True)


# -- known articles --------------------------------------------------------


@pytest.fixture
def known(tmp_path: Path) -> KnownArticlesMiddleware:
    crawler = crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=True, INCREMENTAL_REFETCH_HOURS=0)
    earlier_run(crawler, (_fetch(ARTICLE), "archived"), (_fetch(LISTING, "listing", '"v1"'), None))
    return KnownArticlesMiddleware.from_crawler(crawler)


def test_an_archived_article_is_not_requested_again(known: KnownArticlesMiddleware) -> None:
    assert known.get_processed_request(_page(ARTICLE), None) is None
    assert known.stats.get_value("newsarchive/skipped/known") == 1


def test_an_archived_article_whose_sitemap_date_changed_is_requested_again(known: KnownArticlesMiddleware) -> None:
    first = _page(ARTICLE, newsarchive_dates={"sitemap": "2024-05-01"})
    assert known.get_processed_request(first, None) is None  # the first date seen is noted, nothing to compare
    again = known.get_processed_request(_page(ARTICLE, newsarchive_dates={"sitemap": "2024-05-03"}), None)
    assert again is not None and again.meta["newsarchive_refetch"] == "updated"
    assert known.stats.get_value("newsarchive/refetched/updated") == 1


def test_a_new_page_passes_and_carries_what_the_log_knew_of_it(known: KnownArticlesMiddleware) -> None:
    new = "http://a.example/2024/05/a-new-story-today"
    request = known.get_processed_request(_page(new), None)
    assert request is not None and request.meta[STATE_META] == (new, None)


def test_listings_feeds_and_sitemaps_are_not_its_business(known: KnownArticlesMiddleware) -> None:
    sitemap = Request(ARTICLE, meta={"newsarchive_kind": "sitemap"})
    assert known.get_processed_request(sitemap, None) is sitemap


# -- conditional GET -------------------------------------------------------


def test_a_known_listing_is_revalidated_and_its_304_dropped(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=True)
    earlier_run(crawler, (_fetch(LISTING, "listing", '"v1"'), None))
    mw = ConditionalGetMiddleware.from_crawler(crawler)
    request = Request(LISTING, meta={"newsarchive_kind": "listing"})
    mw.process_request(request)
    assert request.headers["If-None-Match"] == b'"v1"'
    with pytest.raises(IgnoreRequest):
        mw.process_response(request, Response(LISTING, status=304))
    assert crawler.stats.get_value("newsarchive/unchanged/listing") == 1


def test_validators_of_a_run_that_did_not_finish_are_not_used(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=True)
    earlier_run(crawler, (_fetch(LISTING, "listing", '"v1"'), None), finished=False)
    mw = ConditionalGetMiddleware.from_crawler(crawler)
    request = Request(LISTING, meta={"newsarchive_kind": "listing"})
    mw.process_request(request)
    assert b"If-None-Match" not in request.headers


def test_the_answer_a_request_carries_is_used_and_a_redirect_asks_again(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=True)
    earlier_run(crawler, (_fetch(LISTING, "listing", '"v1"'), None))
    mw = ConditionalGetMiddleware.from_crawler(crawler)
    carried = _page(LISTING, **{STATE_META: (LISTING, None)})  # asked before the listing was logged
    mw.process_request(carried)
    assert b"If-None-Match" not in carried.headers
    redirected = _page(LISTING, **{STATE_META: ("http://a.example/old-section", None)})
    mw.process_request(redirected)
    assert redirected.headers["If-None-Match"] == b'"v1"'


def test_without_incremental_crawls_there_is_no_conditional_get(tmp_path: Path) -> None:
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        ConditionalGetMiddleware.from_crawler(crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=False))


# -- page budget -----------------------------------------------------------


def test_a_site_gets_its_max_pages_and_its_home_page_and_robots_txt_free(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", NewsSpider, NEWSARCHIVE_MAX_PAGES_PER_SITE=2)
    crawler.spider = NewsSpider.from_crawler(crawler, start_urls="http://a.example/")
    budget = PageBudget.from_crawler(crawler)
    budget.process_request(Request("http://a.example/", meta={"newsarchive_home": True}))
    budget.process_request(Request("http://a.example/robots.txt"))
    budget.process_request(Request("http://a.example/1"))
    budget.process_request(Request("http://a.example/2"))
    with pytest.raises(IgnoreRequest, match="had its 2 pages"):
        budget.process_request(Request("http://a.example/3"))
    budget.process_request(Request("http://b.example/elsewhere"))  # no crawled site: no budget
    assert crawler.stats.get_value("newsarchive/skipped/max_pages") == 1


def test_another_spider_has_no_budget(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", BaseSpider)
    crawler.spider = Spider("other")
    PageBudget.from_crawler(crawler).process_request(Request("http://a.example/1"))
