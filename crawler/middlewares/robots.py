"""robots.txt once per site per crawl: Scrapy's robots.txt middleware fetches it, the spider reads its sitemaps.

Without this the spider fetched robots.txt a second time for its ``Sitemap:``
lines (two WARC records, two fetch-log rows), and a robots.txt answering 5xx
was retried like a page. A robots.txt answering 5xx means complete disallow
(RFC 9309, 2.3.1.4): the site is not crawled this time.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

from crawler.failures import ExpectedNetworkErrors

#: What a robots.txt that answers a server error stands for (RFC 9309): nothing may be crawled.
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"

#: Scrapy's robots.txt middleware logs a failed robots.txt with its traceback; the spider reports the site instead.
logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(ExpectedNetworkErrors())


def is_robots(request: Request) -> bool:
    return urlsplit(request.url).path == "/robots.txt"


class RobotsOnce:
    """Downloader middleware: robots.txt is fetched once (no retry) and its sitemaps go to the spider."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsOnce:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured  # the spider fetches robots.txt itself
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if is_robots(request):
            request.meta["dont_retry"] = True
            request.meta.setdefault("newsarchive_kind", "robots")
            request.meta.setdefault("newsarchive_optional", True)  # a site without one is fine

    def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if is_robots(request) and response.status >= 500:
            getattr(spider, "robots_unavailable", lambda _: None)(response)
            return response.replace(body=DISALLOW_ALL)
        if is_robots(request) and response.status == 200 and isinstance(response, TextResponse):
            for sitemap in getattr(spider, "robots_fetched", lambda _: ())(response):
                self.crawler.engine.crawl(sitemap)
        return response
