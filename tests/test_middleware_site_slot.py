"""Each site its own download slot, with its own concurrency (crawler.middlewares.site_slot)."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider, signals

from crawler.middlewares.site_slot import SiteSlot
from crawler.sites import CrawlLimits, SiteConfig, SiteRules
from unit_crawler import slot_made_for, unit_crawler


class SitesSpider(Spider):
    """A spider crawling the sites of ``configs``, as the news spider keeps them: site -> its rules."""

    name = "sites"

    def __init__(self, configs: tuple[SiteConfig, ...] = ()) -> None:
        super().__init__()
        self.site_rules = {site: SiteRules.resolve(c, CrawlLimits()) for c in configs for site in c.sites}


def opened(*configs: SiteConfig, **settings: object) -> SiteSlot:
    """Return the middleware of a crawl of the sites of ``configs``, once the spider opened."""
    crawler = unit_crawler({"CONCURRENT_REQUESTS_PER_DOMAIN": 8, **settings}, SitesSpider, configs=configs)
    middleware = SiteSlot.from_crawler(crawler)
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    return middleware


def slot_of(middleware: SiteSlot, url: str) -> tuple[str, int]:
    """Return the key and concurrency of the slot Scrapy puts ``url`` in, once through the middleware."""
    request = Request(url)
    middleware.process_request(request)
    key, slot = slot_made_for(middleware.crawler, request)
    return key, slot.concurrency


@pytest.mark.parametrize(
    "url, slot",
    [
        ("http://127.0.0.1:8001/news/a.html", "127.0.0.1:8001"),
        ("http://127.0.0.1:8002/news/a.html", "127.0.0.1:8002"),
        ("http://www.ledger.example/a.html", "ledger.example"),
        ("https://ledger.example:443/a.html", "ledger.example"),
        ("http://ledger.example:8080/a.html", "ledger.example:8080"),
    ],
)
def test_a_request_goes_to_the_slot_of_its_site_host_and_port(url: str, slot: str) -> None:
    assert slot_of(opened(), url)[0] == slot


def test_two_sites_on_one_host_do_not_share_a_slot_as_scrapy_would_have_them() -> None:
    crawler = unit_crawler()
    plain = [Request("http://127.0.0.1:8001/"), Request("http://127.0.0.1:8002/")]
    assert {crawler.engine.downloader.get_slot_key(r) for r in plain} == {"127.0.0.1"}  # Scrapy alone
    middleware = opened()
    assert slot_of(middleware, "http://127.0.0.1:8001/") != slot_of(middleware, "http://127.0.0.1:8002/")


def test_a_slot_chosen_before_is_kept() -> None:
    request = Request("http://127.0.0.1:8001/", meta={"download_slot": "cdn"})
    opened().process_request(request)
    assert request.meta["download_slot"] == "cdn"


def test_a_sites_concurrency_from_sites_toml_is_its_slots_limit_and_the_others_keep_the_default() -> None:
    ledger = SiteConfig("Ledger", ("http://127.0.0.1:8001/",), concurrency=2)
    courier = SiteConfig("Courier", ("http://127.0.0.1:8002/",))
    middleware = opened(ledger, courier)
    assert slot_of(middleware, "http://127.0.0.1:8001/news/a.html") == ("127.0.0.1:8001", 2)
    assert slot_of(middleware, "http://127.0.0.1:8002/news/a.html") == ("127.0.0.1:8002", 8)
    stats = middleware.crawler.stats
    assert stats.get_value("newsarchive/concurrency/127.0.0.1:8001") == 2
    assert stats.get_value("newsarchive/concurrency/127.0.0.1:8002") is None


def test_a_site_with_two_home_pages_on_two_ports_limits_each() -> None:
    both = SiteConfig("Ledger", ("http://127.0.0.1:8001/", "http://127.0.0.1:8003/"), concurrency=1)
    middleware = opened(both)
    assert slot_of(middleware, "http://127.0.0.1:8001/") == ("127.0.0.1:8001", 1)
    assert slot_of(middleware, "http://127.0.0.1:8003/") == ("127.0.0.1:8003", 1)


def test_a_concurrency_keeps_the_slots_other_settings() -> None:
    ledger = SiteConfig("Ledger", ("http://127.0.0.1:8001/",), concurrency=2)
    middleware = opened(ledger, DOWNLOAD_SLOTS={"127.0.0.1:8001": {"delay": 3.0}})
    request = Request("http://127.0.0.1:8001/")
    middleware.process_request(request)
    _, slot = slot_made_for(middleware.crawler, request)
    assert (slot.concurrency, slot.delay) == (2, 3.0)
