"""Drop requests for articles the archive already holds, unless they are due for a re-fetch.

A spider middleware, not a downloader one: a request dropped here never reaches
the scheduler's duplicate filter, so the same article announced later in the
crawl with a changed sitemap ``lastmod`` or feed date is still fetched.

Every date a sitemap, news sitemap or feed gives an article is noted in the
fetch log, fetched or not: the next crawl compares with it (see
:func:`crawler.refetch.refetch_reason`). An article fetched again carries
``newsarchive_refetch`` (its reason), and what the fetch log knows of it, for the conditional GET.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.config import refetch_hours
from crawler.extensions.archive import archive_owner
from crawler.middlewares.fetchlog import fetch_state, request_kind
from crawler.refetch import refetch_reason
from crawler.urls import canonical_url


class KnownArticlesMiddleware(BaseSpiderMiddleware):
    """Skip known article pages (stat ``newsarchive/skipped/known``); let through updated and young ones."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stats = crawler.stats
        self.refetch_hours = refetch_hours(crawler.settings)
        self.log = archive_owner(crawler).fetch_log

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticlesMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request_kind(request) != "page":
            return request
        url = canonical_url(request.url)
        dates: dict[str, Any] = request.meta.get("newsarchive_dates") or {}
        state = fetch_state(self.log, request)  # carried on to the conditional GET
        recorded = state.dates if state else {}
        self.log.note_dates(url, {c: d for c, d in dates.items() if recorded.get(c) != d})  # only what is new
        if state is None or not state.is_article:
            return request
        now = datetime.now(UTC)
        reason = refetch_reason(state.dates, state.page_modified, dates, state.first_fetched, now, self.refetch_hours)
        if reason is None:
            self.stats.inc_value("newsarchive/skipped/known")
            return None
        self.stats.inc_value(f"newsarchive/refetched/{reason}")
        request.meta["newsarchive_refetch"] = reason
        return request
