"""Drop requests for articles the archive already holds, unless they are due for a re-fetch.

A spider middleware, not a downloader one: a request dropped here never reaches
the scheduler's duplicate filter, so the same article announced later in the
crawl with a newer sitemap ``lastmod`` or feed date is still fetched.
"""

from __future__ import annotations

from datetime import datetime, timezone

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.incremental import entry_date, refetch_reason
from crawler.middlewares.fetchlog import open_fetch_log, request_kind
from crawler.urls import canonical_url


class KnownArticlesMiddleware(BaseSpiderMiddleware):
    """Skip known article pages (stat ``newsarchive/skipped/known``); let through updated and young ones."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stats = crawler.stats
        self.refetch_hours = crawler.settings.getfloat("INCREMENTAL_REFETCH_HOURS")
        if self.refetch_hours < 0:
            raise ValueError(f"INCREMENTAL_REFETCH_HOURS must be >= 0, got {self.refetch_hours}")
        self.log = open_fetch_log(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticlesMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request_kind(request) != "page":
            return request
        state = self.log.state(canonical_url(request.url))
        if state is None or not state.is_article:
            return request
        lastmod = entry_date(request.meta.get("newsarchive_lastmod"))
        reason = refetch_reason(state.fetched, state.first_fetched, lastmod, datetime.now(timezone.utc), self.refetch_hours)
        if reason is None:
            self.stats.inc_value("newsarchive/skipped/known")
            return None
        self.stats.inc_value(f"newsarchive/refetched/{reason}")
        return request
