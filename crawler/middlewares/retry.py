"""Retry as Scrapy does, after a wait: the server's Retry-After, else a doubling backoff.

Scrapy retries a 503 or a dropped connection at once, so a page busy for a
second got all its tries in that second and was lost. Here the retry is put
back in the crawl only once its wait is over; the crawl goes on meanwhile, and
is kept open while retries wait. The wait is capped by ``RETRY_BACKOFF_MAX``;
past the last retry the page is recorded as failed and the next crawl tries it again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.asyncio import CallLaterResult, call_later

from crawler.backoff import backoff, retry_after
from crawler.outcomes import RetryScheduled


class BackoffRetry(RetryMiddleware):
    """Scrapy's RetryMiddleware, whose retries wait (stats ``newsarchive/retry/waits``, ``…/waited_ms``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.base = crawler.settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = crawler.settings.getfloat("RETRY_BACKOFF_MAX")
        #: retries waiting for their time, as the reactor's delayed calls
        self.waiting: set[CallLaterResult] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetry:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            header = response.headers.get("Retry-After")
            self._later(result, retry_after(header.decode("latin-1") if header else None, datetime.now(UTC)))
        return result

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._later(result, None)
        return result

    def _later(self, retry: Request, asked: float | None) -> None:
        """Put ``retry`` back in the crawl once its wait is over; the request it retries ends here."""
        wait = min(self.cap, asked) if asked is not None else backoff(retry.meta["retry_times"], self.base, self.cap)
        self.crawler.stats.inc_value("newsarchive/retry/waits")
        self.crawler.stats.inc_value("newsarchive/retry/waited_ms", round(wait * 1000))

        def resume() -> None:
            self.waiting.discard(call)
            if self.crawler.engine is not None:
                self.crawler.engine.crawl(retry)

        call = call_later(wait, resume)
        self.waiting.add(call)
        raise RetryScheduled(f"retried in {wait:g} s")

    def spider_idle(self) -> None:
        if self.waiting:
            raise DontCloseSpider

    def spider_closed(self) -> None:
        """Drop the retries still waiting (a crawl stopped early): their pages are tried again next crawl."""
        for call in self.waiting:
            call.cancel()
        self.waiting.clear()
