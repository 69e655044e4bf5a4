"""Obey robots.txt Crawl-delay: Scrapy obeys Disallow by itself, not Crawl-delay."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

logger = logging.getLogger(__name__)


class CrawlDelay:
    """Downloader middleware: read each site's Crawl-delay from its robots.txt and apply it to its slot.

    The slot then sends one request per delay, without jitter, and AutoThrottle
    is told not to shorten it. Delays above ``NEWSARCHIVE_MAX_CRAWL_DELAY`` are capped.
    Must come after RobotsTxtMiddleware, which holds requests until robots.txt is read.
    """

    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = max_delay
        #: download slot -> its Crawl-delay in seconds
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        return cls(crawler, user_agent, settings.getfloat("NEWSARCHIVE_MAX_CRAWL_DELAY"))

    def process_request(self, request: Request) -> None:
        key = self.crawler.engine.downloader.get_slot_key(request)
        if key in self.delays:
            request.meta["autothrottle_dont_adjust_delay"] = True
            self._apply(key)

    def process_response(self, request: Request, response: Response) -> Response:
        if urlsplit(request.url).path == "/robots.txt" and response.status == 200:
            delay = Protego.parse(response.body.decode("utf-8", "replace")).crawl_delay(self.user_agent)
            key = self.crawler.engine.downloader.get_slot_key(request)
            if delay and key not in self.delays:
                self.delays[key] = min(float(delay), self.max_delay)
                self.crawler.stats.set_value(f"newsarchive/crawl_delay/{key}", self.delays[key])
                logger.info("%s asks for a Crawl-delay of %s s", key, self.delays[key])
                self._apply(key)
        return response

    def _apply(self, key: str) -> None:
        """Set the slot's delay; also for the slot Scrapy creates again after an idle spell."""
        downloader = self.crawler.engine.downloader
        delay = self.delays[key]
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0)
        if slot := downloader.slots.get(key):
            slot.delay, slot.jitter = delay, 0
