"""Record every fetch in the archive's fetch log, then what the pipelines made of the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.archive_access import open_archive
from crawler.items import ArticleItem
from crawler.outcomes import Outcome, PageDropped
from crawler.urls import canonical_url, site_of
from storage.fetch_log import Fetch, FetchLog

#: The stat under which the run recorder publishes the current run's id.
RUN_ID_STAT = "newsarchive/run_id"


def request_kind(request: Request) -> str:
    """Return what the spider asked ``request`` for: robots, listing, feed, sitemap, or page (not known yet)."""
    kind = request.meta.get("newsarchive_kind")
    if kind:
        return kind
    return "robots" if urlsplit(request.url).path == "/robots.txt" else "page"


_LOGS: WeakKeyDictionary[Crawler, FetchLog] = WeakKeyDictionary()


def open_fetch_log(crawler: Crawler) -> FetchLog:
    """Return the crawl's one fetch log (its middlewares share it), flushed and closed when the spider closes.

    Shared, so that a middleware reading it sees what another queued.
    """
    if (log := _LOGS.get(crawler)) is None:
        batch_size = crawler.settings.getint("FETCH_LOG_BATCH_SIZE")
        if batch_size < 1:
            raise ValueError(f"FETCH_LOG_BATCH_SIZE must be >= 1, got {batch_size!r}")
        archive = open_archive(crawler.settings)
        log = _LOGS[crawler] = FetchLog(archive, batch_size)

        def close() -> None:
            try:
                log.flush()
            finally:
                archive.close()

        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
    return log


def fetch_of(request: Request, response: Response) -> Fetch:
    """Return the fetch-log record of ``response``: its status, validators and a first outcome."""
    status = response.status
    kind, outcome, detail = request_kind(request), "fetched", None
    if 400 <= status < 500 and request.meta.get("newsarchive_optional"):
        # a feed or sitemap probed where sites often have one, or a robots.txt: nothing there is no error
        kind, outcome, detail = ("robots" if kind == "robots" else "probe"), "absent", f"http_{status}"
    elif status >= 400:
        outcome, detail = "error", f"http_{status}"
    elif 300 <= status < 400:
        outcome = "redirected"
    url = canonical_url(response.url)
    page = request.meta.get("newsarchive_page")
    return Fetch(
        url=url,
        site=site_of(url),
        kind=kind,
        status=status,
        etag=_header(response, "ETag"),
        last_modified=_header(response, "Last-Modified"),
        outcome=outcome,
        detail=detail,
        listing_page=page if page and page > 1 else None,
    )


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class FetchLogMiddleware:
    """Downloader middleware next to the downloader: sees every response, 304s and retried errors included."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.log = open_fetch_log(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchLogMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.item_dropped, signal=signals.item_dropped)
        return mw

    @property
    def run_id(self) -> int | None:
        return self.crawler.stats.get_value(RUN_ID_STAT)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304:  # confirms the page and the validators the log holds
            self.log.revalidated(canonical_url(response.url), self.run_id)
        else:
            self.log.record(fetch_of(request, response), self.run_id)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return
        url = canonical_url(request.url)
        fetch = Fetch(url, site_of(url), request_kind(request), None, None, None, "error", type(exception).__name__)
        self.log.record(fetch, self.run_id)

    def item_scraped(self, item: Any, response: Response) -> None:
        if isinstance(item, ArticleItem):
            self.log.settle(
                canonical_url(response.url), "article", item.stored, page_modified=item.article.meta.updated
            )

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        if response is None:
            return
        outcome = exception.outcome if isinstance(exception, PageDropped) else Outcome.ERROR
        reason = exception.reason if isinstance(exception, PageDropped) else type(exception).__name__
        self.log.settle(canonical_url(response.url), outcome.kind, outcome.value, reason)
