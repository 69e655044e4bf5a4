"""robots.txt Crawl-delay, obeyed per site slot and capped by NEWSARCHIVE_MAX_CRAWL_DELAY (crawler.middlewares.crawl_delay)."""

from __future__ import annotations

import pytest
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response, TextResponse

from crawler import settings as project
from crawler.middlewares.crawl_delay import CrawlDelay
from crawler.middlewares.site_slot import SiteSlot
from unit_crawler import slot_made_for, unit_crawler

SITE_SLOT = SiteSlot.from_crawler(unit_crawler())

AGENT = "newsarchive/1.0 (+https://newsarchive.example/contact)"
LEDGER, COURIER = "http://127.0.0.1:8001", "http://127.0.0.1:8002"  # two sites on one host


def middleware(**settings: object) -> CrawlDelay:
    crawler = unit_crawler(
        {"ROBOTSTXT_OBEY": True, "USER_AGENT": AGENT, "NEWSARCHIVE_MAX_CRAWL_DELAY": 60.0, **settings}
    )
    return CrawlDelay.from_crawler(crawler)


def request(url: str) -> Request:
    """A request as it reaches the middleware in a crawl: SiteSlot (50) has put it in its site's slot."""
    req = Request(url)
    SITE_SLOT.process_request(req)
    return req


def robots(mw: CrawlDelay, site: str, body: str, status: int = 200) -> Response:
    req = request(f"{site}/robots.txt")
    response = TextResponse(req.url, status=status, body=body.encode(), request=req, encoding="utf-8")
    return mw.process_response(req, response)


def test_it_is_off_when_robots_txt_is_not_obeyed() -> None:
    with pytest.raises(NotConfigured):
        CrawlDelay.from_crawler(unit_crawler({"ROBOTSTXT_OBEY": False}))


def test_a_sites_crawl_delay_becomes_its_slots_delay_without_jitter() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    key, slot = slot_made_for(mw.crawler, request(f"{LEDGER}/news/1.html"))
    assert key == "127.0.0.1:8001"
    assert (slot.delay, slot.jitter) == (5.0, 0)
    assert mw.crawler.stats.get_value("newsarchive/crawl_delay/127.0.0.1:8001") == 5.0


def test_a_fractional_crawl_delay_is_kept_as_it_is() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 0.5\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 0.5


def test_a_slot_already_open_gets_the_delay_too() -> None:
    mw = middleware(DOWNLOAD_DELAY=0.25)
    _, slot = slot_made_for(mw.crawler, request(f"{LEDGER}/"))  # the home page went out before robots.txt came
    assert slot.delay == 0.25
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 3\n")
    assert (slot.delay, slot.jitter) == (3.0, 0)


def test_a_crawl_delay_above_the_maximum_is_capped_at_it() -> None:
    mw = middleware(NEWSARCHIVE_MAX_CRAWL_DELAY=20.0)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 3600\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 20.0
    assert mw.crawler.stats.get_value("newsarchive/crawl_delay/127.0.0.1:8001") == 20.0


def test_the_delay_is_the_one_robots_txt_gives_our_user_agent() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: newsarchive\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 10\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 2.0


def test_robots_txt_user_agent_wins_over_the_user_agent_for_matching() -> None:
    mw = middleware(ROBOTSTXT_USER_AGENT="archivebot")
    robots(mw, LEDGER, "User-agent: newsarchive\nCrawl-delay: 2\n\nUser-agent: archivebot\nCrawl-delay: 7\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 7.0


def test_a_crawl_delay_for_other_robots_only_does_not_slow_us() -> None:
    mw = middleware(DOWNLOAD_DELAY=0.25)
    robots(mw, LEDGER, "User-agent: googlebot\nCrawl-delay: 9\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 0.25
    assert mw.crawler.stats.get_value("newsarchive/crawl_delay/127.0.0.1:8001") is None


def test_the_delay_is_the_sites_alone_not_its_hosts() -> None:
    mw = middleware(DOWNLOAD_DELAY=0.25)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    assert slot_made_for(mw.crawler, request(f"{COURIER}/"))[1].delay == 0.25
    assert slot_made_for(mw.crawler, request("http://127.0.0.1/"))[1].delay == 0.25


@pytest.mark.parametrize("status", [404, 500, 503])
def test_a_robots_txt_that_is_not_there_sets_no_delay(status: int) -> None:
    mw = middleware(DOWNLOAD_DELAY=0.25)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n", status=status)  # an error page that reads like one
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 0.25


def test_only_the_root_robots_txt_sets_a_delay() -> None:
    mw = middleware(DOWNLOAD_DELAY=0.25)
    req = request(f"{LEDGER}/docs/robots.txt")
    mw.process_response(req, TextResponse(req.url, body=b"User-agent: *\nCrawl-delay: 5\n", request=req))
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 0.25


def test_the_response_goes_on_unchanged() -> None:
    mw = middleware()
    req = request(f"{LEDGER}/robots.txt")
    response = TextResponse(req.url, body=b"User-agent: *\nCrawl-delay: 5\n", request=req)
    assert mw.process_response(req, response) is response


def test_the_first_robots_txt_of_a_site_sets_its_delay_for_the_crawl() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 1\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 5.0


def test_a_slot_made_again_after_an_idle_spell_keeps_the_delay() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    key, _ = slot_made_for(mw.crawler, request(f"{LEDGER}/"))
    del mw.crawler.engine.downloader.slots[key]  # Scrapy drops a slot idle for a minute
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/a.html"))[1].delay == 5.0


def test_requests_to_a_delayed_site_are_marked_for_autothrottle_to_leave_alone() -> None:
    mw = middleware()
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    page, other = request(f"{LEDGER}/a.html"), request(f"{COURIER}/a.html")
    mw.process_request(page)
    mw.process_request(other)
    assert page.meta["autothrottle_dont_adjust_delay"] is True
    assert "autothrottle_dont_adjust_delay" not in other.meta


def test_autothrottle_does_not_shorten_a_crawl_delay_but_does_a_sites_without_one() -> None:
    mw = middleware(AUTOTHROTTLE_ENABLED=True, AUTOTHROTTLE_START_DELAY=1.0, DOWNLOAD_DELAY=0)
    crawler = mw.crawler
    throttle = AutoThrottle.from_crawler(crawler)  # kept: signal receivers are weakly referenced
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    delays = {}
    for site in (LEDGER, COURIER):
        page = request(f"{site}/a.html")
        mw.process_request(page)
        _, slot = slot_made_for(crawler, page)
        before = slot.delay
        page.meta["download_latency"] = 0.01  # a fast answer: AutoThrottle would send the next one sooner
        response = Response(page.url, request=page)
        crawler.signals.send_catch_log(
            signals.response_downloaded, response=response, request=page, spider=crawler.spider
        )
        delays[site] = (before, slot.delay)
    assert delays[LEDGER] == (5.0, 5.0)
    assert delays[COURIER][0] == 1.0 > delays[COURIER][1]
    assert throttle.target_concurrency > 0


def test_by_default_a_crawl_delay_is_obeyed_up_to_a_minute() -> None:
    mw = middleware(NEWSARCHIVE_MAX_CRAWL_DELAY=project.NEWSARCHIVE_MAX_CRAWL_DELAY)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 3600\n")
    assert slot_made_for(mw.crawler, request(f"{LEDGER}/"))[1].delay == 60.0


def test_a_delay_autothrottle_changed_for_a_request_sent_before_robots_txt_was_read_is_set_back() -> None:
    mw = middleware(AUTOTHROTTLE_ENABLED=True, AUTOTHROTTLE_START_DELAY=1.0, DOWNLOAD_DELAY=0)
    crawler = mw.crawler
    throttle = AutoThrottle.from_crawler(crawler)  # kept: signal receivers are weakly referenced
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    early = request(f"{LEDGER}/")  # in flight, unmarked, when robots.txt came
    _, slot = slot_made_for(crawler, early)
    robots(mw, LEDGER, "User-agent: *\nCrawl-delay: 5\n")
    early.meta["download_latency"] = 0.01
    response = Response(early.url, request=early)
    crawler.signals.send_catch_log(signals.response_downloaded, response=response, request=early, spider=crawler.spider)
    assert slot.delay < 5.0
    mw.process_request(request(f"{LEDGER}/a.html"))
    assert (slot.delay, slot.jitter) == (5.0, 0)
    assert throttle.target_concurrency > 0
