"""Stop fetching from a site once it has had its pages: ``max_pages`` in sites.toml."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.outcomes import Skipped
from crawler.spiders.news import NewsSpider


class PageBudget:
    """Downloader middleware: ignore a site's requests beyond its ``max_pages``.

    Home pages and robots.txt are free: a small budget must not be spent before
    the crawl has even seen the site. So are retries: a page is one page, however many tries it takes.

    Counted where requests reach the downloader, after the duplicate filter and
    robots.txt, so the budget is spent on pages really fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.spent: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageBudget:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        rules = spider.rules_for(request.url) if isinstance(spider, NewsSpider) else None
        free = (
            request.meta.get("newsarchive_home")
            or request.meta.get("retry_times")
            or urlsplit(request.url).path == "/robots.txt"
        )
        if rules is None or not rules.max_pages or free:
            return
        name = rules.config.name
        if self.spent[name] >= rules.max_pages:
            self.crawler.stats.inc_value("newsarchive/skipped/max_pages")
            raise Skipped("max_pages", f"{name} has had its {rules.max_pages} pages")
        self.spent[name] += 1
