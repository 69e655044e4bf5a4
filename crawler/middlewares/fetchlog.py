"""Record every fetch in the archive's fetch log, then what the pipelines made of the page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response

from crawler.extensions.archive import archive_owner
from crawler.items import ArticleItem
from crawler.outcomes import dropped_as
from crawler.urls import canonical_url, site_of
from storage.fetch_log import Fetch, FetchLog, FetchState

#: request.meta key: (canonical URL, what the fetch log knew of it) -- asked once per request, read by every middleware.
STATE_META = "newsarchive_fetch_state"


def request_kind(request: Request) -> str:
    """Return what the spider asked ``request`` for: robots, listing, feed, sitemap, or page (not known yet)."""
    kind: str | None = request.meta.get("newsarchive_kind")
    if kind:
        return kind
    return "robots" if urlsplit(request.url).path == "/robots.txt" else "page"


def fetch_state(log: FetchLog, request: Request) -> FetchState | None:
    """Return what ``log`` knows of the request's URL: the answer the request carries, else asked now and carried.

    The answer is of the URL it was asked for: a request redirected elsewhere asks again.
    """
    url = canonical_url(request.url)
    carried: tuple[str, FetchState | None] | None = request.meta.get(STATE_META)
    if carried is not None and carried[0] == url:
        return carried[1]
    state = log.state(url)
    request.meta[STATE_META] = (url, state)
    return state


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
        self.owner = archive_owner(crawler)
        self.log = self.owner.fetch_log

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchLogMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(mw.item_dropped, signal=signals.item_dropped)
        return mw

    @property
    def run_id(self) -> int | None:
        return self.owner.run_id

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
        # a body past DOWNLOAD_MAXSIZE is left out, not failed: the next crawl does not try it again
        outcome = "skipped" if isinstance(exception, DownloadCancelledError) else "error"
        fetch = Fetch(url, site_of(url), request_kind(request), None, None, None, outcome, type(exception).__name__)
        self.log.record(fetch, self.run_id)

    def item_scraped(self, item: Any, response: Response) -> None:
        if isinstance(item, ArticleItem):
            self.log.settle(
                canonical_url(response.url), "article", item.stored, page_modified=item.article.meta.updated
            )

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        if response is None:
            return
        outcome, reason = dropped_as(exception)
        self.log.settle(canonical_url(response.url), outcome.kind, outcome.value, reason)
