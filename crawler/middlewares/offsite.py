"""A redirect off the crawled sites is not followed: the crawl fetches only the sites it was given.

Scrapy's own OffsiteMiddleware matches host names (``allowed_domains``), not a
site's host and port; the sitemaps robots.txt names are followed wherever they
are (often a CDN), so they may be redirected anywhere too.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.middlewares.fetchlog import request_kind
from crawler.outcomes import Skipped
from crawler.spiders.news import NewsSpider

_ANYWHERE = frozenset({"sitemap", "robots"})


class OffsiteRedirects:
    """Downloader middleware: drop a redirected request whose URL is on no crawled site (stat ``skipped/offsite``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirects:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("redirect_urls") or request_kind(request) in _ANYWHERE:
            return
        spider = self.crawler.spider
        if isinstance(spider, NewsSpider) and spider.rules_for(request.url) is None:
            self.crawler.stats.inc_value("newsarchive/skipped/offsite")
            raise Skipped("offsite", f"redirected off the crawled sites to {request.url}")
