"""Discover the articles of news sites: robots.txt sitemaps, feeds and in-site links.

Discovery only: the spider yields the pages it fetched; the pipelines decide
which are articles, extract, dedup and store them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from twisted.python.failure import Failure

from crawler.archive_access import open_archive
from crawler.items import PageItem
from crawler.middlewares.known import refetch_hours
from crawler.urls import canonical_url, is_http_url, site_of
from storage.fetch_log import FetchLog

logger = logging.getLogger(__name__)

_FEED_LINKS = (
    "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
)
_FEED_ENTRIES = "//item | //entry"
_FEED_ENTRY_LINK = "link/text() | link[not(@rel) or @rel='alternate']/@href"
#: Where a feed entry says when it last changed, most telling first (RSS, Atom, Dublin Core).
_FEED_ENTRY_DATES = ("updated", "pubDate", "date", "published")


def parse_start_urls(start_urls: str | Iterable[str]) -> list[str]:
    """Return the home pages given as a comma-separated string or a list; raise ValueError on a bad one."""
    urls = [u.strip() for u in start_urls.split(",")] if isinstance(start_urls, str) else list(start_urls)
    urls = [u for u in urls if u]
    if not urls:
        raise ValueError("no site to crawl: give home page URLs, e.g. -a start_urls=https://news.example.com/")
    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise ValueError(f"not an http(s) URL: {', '.join(bad)}")
    return urls


class NewsSpider(SitemapSpider):
    """Crawl each start URL's site (same host and port) and yield its pages."""

    name = "news"
    sitemap_rules = [("", "parse_listed")]

    def __init__(self, start_urls: str | Iterable[str] = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = parse_start_urls(start_urls)
        self.sites = {site_of(url) for url in self.start_urls}
        self.links = LinkExtractor()
        #: sitemap lastmod of each listed URL, until its request is made
        self.lastmods: dict[str, str] = {}

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls:
            # robots.txt names the sitemaps; a site without one is fine.
            yield Request(
                urljoin(url, "/robots.txt"),
                callback=self._parse_sitemap,
                errback=self.failed,
                meta={"newsarchive_optional": True, "newsarchive_kind": "robots"},
            )
            yield Request(
                url,
                callback=self.parse_page,
                errback=self.failed,
                meta={"newsarchive_home": True, "newsarchive_kind": "listing"},
            )
        for request in self.revisits():
            yield request

    def revisits(self) -> list[Request]:
        """Return requests for the listings, feeds and sitemaps earlier runs found on these sites.

        They are revalidated (conditional GET) on every run: an unchanged home
        page (a 304) gives no links, yet a section or a feed it links to may
        have new stories. Pages that failed last time (5xx, timeouts) and
        articles young enough for ``INCREMENTAL_REFETCH_HOURS`` come too, linked
        from a changed page or not.
        """
        if not self.settings.getbool("INCREMENTAL_ENABLED"):
            return []
        callbacks = {"listing": self.parse_page, "feed": self.parse_feed, "sitemap": self._parse_sitemap}
        hours = refetch_hours(self.settings)
        with open_archive(self.settings) as archive:
            log = FetchLog(archive)
            known = [(url, kind, callbacks[kind]) for url, kind in log.pages_of(self.sites, callbacks)]
            known += [(url, "page", self.parse_page) for url in log.failed_pages(self.sites)]
            if hours > 0:
                since = datetime.now(timezone.utc) - timedelta(hours=hours)
                known += [(url, "page", self.parse_listed) for url, _ in log.pages_of(self.sites, ["article"], since)]
        return [
            Request(url, callback=callback, errback=self.failed, meta={"newsarchive_kind": kind})
            for url, kind, callback in known
        ]

    def on_site(self, url: str) -> bool:
        return is_http_url(url) and site_of(url) in self.sites

    def follow(self, url: str, callback: Any, lastmod: str | None = None) -> Request | None:
        """Return a request for ``url`` if it is on a crawled site, tracking parameters stripped.

        ``lastmod`` is when a sitemap or feed says the page last changed: the
        incremental middleware fetches an archived article again if it is newer.
        """
        if not self.on_site(url):
            return None
        kind = "feed" if callback == self.parse_feed else "page"
        meta = {"newsarchive_kind": kind, "newsarchive_lastmod": lastmod}
        return Request(canonical_url(url), callback=callback, errback=self.failed, meta=meta)

    def _parse_sitemap(self, response: Response) -> Iterator[Request]:
        """SitemapSpider's parsing, with our errback (a failing entry is counted) and each entry's lastmod."""
        for request in super()._parse_sitemap(response):
            kind = "sitemap" if request.callback == self._parse_sitemap else "page"
            meta = {"newsarchive_kind": kind, "newsarchive_lastmod": self.lastmods.pop(request.url, None)}
            yield request.replace(errback=self.failed, meta=request.meta | meta)

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            if self.on_site(entry.get("loc", "")):
                entry["loc"] = canonical_url(entry["loc"])
                if entry.get("lastmod"):
                    self.lastmods[entry["loc"]] = entry["lastmod"]
                yield entry

    def parse_listed(self, response: Response) -> Iterator[Request | PageItem]:
        """Handle a page that a sitemap listed: sitemaps list articles."""
        return self.parse_page(response, listed=True)

    def parse_page(self, response: Response, listed: bool = False) -> Iterator[Request | PageItem]:
        if not isinstance(response, HtmlResponse):
            self.crawler.stats.inc_value("newsarchive/skipped/not_html")
            return
        if not self.on_site(response.url):  # redirected away from the site
            self.crawler.stats.inc_value("newsarchive/skipped/offsite")
            return
        for href in response.xpath(_FEED_LINKS).getall():
            if request := self.follow(response.urljoin(href), self.parse_feed):
                yield request
        for link in self.links.extract_links(response):
            if request := self.follow(link.url, self.parse_page):
                yield request
        if not response.meta.get("newsarchive_home"):
            yield PageItem(url=response.url, html=response.text, listed=listed)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Follow the entries of an RSS or Atom feed."""
        selector = Selector(response, type="xml")
        selector.remove_namespaces()
        for entry in selector.xpath(_FEED_ENTRIES):
            href = (entry.xpath(_FEED_ENTRY_LINK).get() or "").strip()
            dates = (entry.xpath(f"{name}/text()").get() for name in _FEED_ENTRY_DATES)
            lastmod = next((d.strip() for d in dates if d and d.strip()), None)
            if href and (request := self.follow(response.urljoin(href), self.parse_listed, lastmod)):
                yield request

    def failed(self, failure: Failure) -> None:
        """Count and log a request that got no usable response; the crawl goes on."""
        stats = self.crawler.stats
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            stats.inc_value("newsarchive/skipped/ignored")  # robots.txt said no, or a middleware did
            return
        if failure.check(HttpError):
            if failure.request.meta.get("newsarchive_optional"):
                return
            kind = f"http_{failure.value.response.status}"
        else:
            kind = failure.type.__name__
        stats.inc_value("newsarchive/errors")
        stats.inc_value(f"newsarchive/errors/{kind}")
        logger.warning("failed %s: %s", failure.request.url, failure.getErrorMessage())
