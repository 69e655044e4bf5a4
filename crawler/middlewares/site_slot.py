"""One download slot per site (host and port), with the site's own concurrency limit."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler

from crawler.urls import site_of


class SiteSlot:
    """Downloader middleware: put each request in its site's slot.

    Scrapy keys slots by host name alone, so two sites on one host (ports, or a
    shared CDN name) would share a delay and a concurrency; a site's
    ``concurrency`` from sites.toml becomes its slot's limit.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSlot:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self) -> None:
        slots = self.crawler.engine.downloader.per_slot_settings
        for site, rules in getattr(self.crawler.spider, "site_rules", {}).items():
            if rules.config.concurrency:
                slots.setdefault(site, {})["concurrency"] = rules.config.concurrency
                self.crawler.stats.set_value(f"newsarchive/concurrency/{site}", rules.config.concurrency)

    def process_request(self, request: Request) -> None:
        request.meta.setdefault("download_slot", site_of(request.url))
