"""Discover the articles of news sites: sitemaps, feeds and in-site links.

Discovery only: the spider yields the pages it fetched; the pipelines decide
which are articles, extract, dedup and store them. Per site it applies the
rules of :class:`crawler.sites.SiteRules`: URL patterns, depth and story age.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, XmlResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from twisted.python.failure import Failure

from crawler.archive_access import open_archive
from crawler.extensions.archive_guard import DATABASE_FAILURES, archive_failed
from crawler.items import PageItem
from crawler.middlewares.known import refetch_hours
from crawler.site_settings import crawl_limits, sites_to_crawl
from crawler.sites import SiteRules, parse_start_urls
from crawler.urls import canonical_url, is_http_url, site_of
from storage.fetch_log import FetchLog

__all__ = ["NewsSpider", "parse_start_urls"]

logger = logging.getLogger(__name__)

_FEED_LINKS = (
    "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
)
_FEED_ENTRIES = "//item | //entry"
_FEED_ENTRY_LINK = "link/text() | link[not(@rel) or @rel='alternate']/@href"
#: Where a feed entry says when it last changed, most telling first (RSS, Atom, Dublin Core).
_FEED_ENTRY_DATES = ("updated", "pubDate", "date", "published")
_FEED_ENTRY_DATE = "pubDate/text() | updated/text() | published/text() | date/text()"
#: Paginated listings announce their next page in the head as well as in the body.
_NEXT_PAGE = "//link[@rel='next']/@href"
_NEWS_NS = b"http://www.google.com/schemas/sitemap-news/"
#: Sitemaps and feeds are not links: what they list starts again at depth 0.
_LISTED = {"depth_reset": True}
#: A probe for a sitemap or a feed that the site may not have: a 404 is no error.
_PROBE = {"depth_reset": True, "newsarchive_optional": True}


class NewsSpider(SitemapSpider):
    """Crawl each site (same host and port as its start URLs) and yield its pages."""

    name = "news"
    sitemap_rules = [("", "parse_listed")]

    def __init__(self, start_urls: str | Iterable[str] = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_url_arg = start_urls
        self.links = LinkExtractor()
        #: host:port -> the rules of the site it belongs to
        self.site_rules: dict[str, SiteRules] = {}
        self.sitemap_paths: list[str] = []
        self.feed_paths: list[str] = []
        #: sitemap lastmod of each listed URL, until its request is made
        self.lastmods: dict[str, str] = {}
        #: pages already requested from a link: every page links the same stories again, and each
        #: repeat would cost the crawl's one thread a trip through the middlewares to the duplicate filter
        self.linked: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        limits = crawl_limits(settings)
        for config in sites_to_crawl(settings, spider.start_url_arg):
            rules = SiteRules.resolve(config, limits)
            spider.site_rules.update(dict.fromkeys(config.sites, rules))
        spider.start_urls = [url for rules in spider.rules for url in rules.config.start_urls]
        spider.sitemap_paths = settings.getlist("NEWSARCHIVE_SITEMAP_PATHS")
        spider.feed_paths = settings.getlist("NEWSARCHIVE_FEED_PATHS")
        return spider

    @property
    def rules(self) -> list[SiteRules]:
        """Return the rules of every site, once each."""
        return list({id(rules): rules for rules in self.site_rules.values()}.values())

    def rules_for(self, url: str) -> SiteRules | None:
        """Return the rules of the site ``url`` belongs to, or None if it is on no crawled site."""
        return self.site_rules.get(site_of(url)) if is_http_url(url) else None

    async def start(self) -> AsyncIterator[Request]:
        robots, probe = _PROBE | {"newsarchive_kind": "robots"}, _PROBE | {"newsarchive_kind": "sitemap"}
        for rules in self.rules:
            site = rules.config
            for home in site.start_urls:
                # robots.txt names the sitemaps; a site without one is fine.
                yield Request(urljoin(home, "/robots.txt"), self._parse_sitemap, errback=self.failed, meta=robots)
                if not site.sitemaps:
                    for path in self.sitemap_paths:
                        yield Request(urljoin(home, path), self._parse_sitemap, errback=self.failed, meta=probe)
            for url in site.sitemaps:
                yield Request(url, self._parse_sitemap, errback=self.failed, meta=_LISTED | {"newsarchive_kind": "sitemap"})
            for url in site.feeds:
                yield Request(url, self.parse_feed, errback=self.failed, meta=_LISTED | {"newsarchive_kind": "feed"})
            for home in site.start_urls:
                meta = {"newsarchive_home": True, "newsarchive_kind": "listing"}
                yield Request(home, self.parse_page, errback=self.failed, meta=meta)
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
        sites = list(self.site_rules)
        with open_archive(self.settings) as archive:
            log = FetchLog(archive)
            known = [(url, kind, callbacks[kind]) for url, kind in log.pages_of(sites, callbacks)]
            known += [(url, "page", self.parse_page) for url in log.failed_pages(sites)]
            if hours > 0:
                since = datetime.now(timezone.utc) - timedelta(hours=hours)
                known += [(url, "page", self.parse_listed) for url, _ in log.pages_of(sites, ["article"], since)]
        return [
            Request(url, callback=callback, errback=self.failed, meta={"newsarchive_kind": kind})
            for url, kind, callback in known
            if (rules := self.rules_for(url)) and rules.allows(url)
        ]

    def follow(
        self, url: str, callback: Any, meta: dict[str, Any] | None = None, lastmod: str | None = None
    ) -> Request | None:
        """Return a request for ``url`` if its site is crawled and its rules allow it, tracking parameters stripped.

        ``lastmod`` is when a sitemap or feed says the page last changed: the
        incremental middleware fetches an archived article again if it is newer.
        """
        rules = self.rules_for(url)
        if rules is None:
            return None
        url = canonical_url(url)
        if not rules.allows(url):
            self.crawler.stats.inc_value("newsarchive/skipped/excluded")
            return None
        kind = "feed" if callback == self.parse_feed else "page"
        meta = {"newsarchive_kind": kind, "newsarchive_lastmod": lastmod} | (meta or {})
        return Request(url, callback=callback, errback=self.failed, meta=meta)

    def _parse_sitemap(self, response: Response) -> Iterator[Request]:
        """SitemapSpider's parsing, with the site's URL patterns and age limit, each entry's lastmod, our errback."""
        published = _news_dates(response)
        for request in super()._parse_sitemap(response):
            lastmod = self.lastmods.pop(request.url, None)
            if request.callback == self._parse_sitemap:  # a sitemap of a robots.txt or an index, maybe on a CDN
                yield request.replace(errback=self.failed, meta=_LISTED | {"newsarchive_kind": "sitemap"})
            elif (rules := self.rules_for(request.url)) and rules.too_old(published.get(request.url)):
                self.crawler.stats.inc_value("newsarchive/skipped/too_old")
            elif followed := self.follow(request.url, request.callback, meta=_LISTED, lastmod=lastmod):
                yield followed

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            rules = self.rules_for(entry.get("loc", ""))
            if rules is None:
                continue
            if rules.too_old(entry.get("lastmod")):
                self.crawler.stats.inc_value("newsarchive/skipped/too_old")
                continue
            entry["loc"] = canonical_url(entry["loc"])
            if entry.get("lastmod"):
                self.lastmods[entry["loc"]] = entry["lastmod"]
            yield entry

    def parse_listed(self, response: Response) -> Iterator[Request | PageItem]:
        """Handle a page that a sitemap or a feed listed: they list articles."""
        return self.parse_page(response, listed=True)

    def parse_page(self, response: Response, listed: bool = False) -> Iterator[Request | PageItem]:
        if not isinstance(response, HtmlResponse):
            self.crawler.stats.inc_value("newsarchive/skipped/not_html")
            return
        rules = self.rules_for(response.url)
        if rules is None:  # redirected away from the site
            self.crawler.stats.inc_value("newsarchive/skipped/offsite")
            return
        home = response.meta.get("newsarchive_home", False)
        feeds = response.xpath(_FEED_LINKS).getall()
        for href in feeds:
            if request := self.follow(response.urljoin(href), self.parse_feed, meta=_LISTED):
                yield request
        if home and not feeds and not rules.config.feeds:
            for path in self.feed_paths:  # no feed announced: try where feeds usually are
                meta = _PROBE | {"newsarchive_kind": "feed"}
                yield Request(urljoin(response.url, path), self.parse_feed, errback=self.failed, meta=meta)
        if rules.follows_links_at(response.meta.get("depth", 0)):
            hrefs = response.xpath(_NEXT_PAGE).getall() + [link.url for link in self.links.extract_links(response)]
            for href in hrefs:
                request = self.follow(response.urljoin(href), self.parse_page)
                if request is not None and request.url not in self.linked:
                    self.linked.add(request.url)
                    yield request
        if not home:
            yield PageItem(url=response.url, html=response.text, listed=listed, oldest=rules.oldest)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Follow the entries of an RSS or Atom feed that are recent enough."""
        rules = self.rules_for(response.url)
        selector = Selector(response, type="xml")
        selector.remove_namespaces()
        for entry in selector.xpath(_FEED_ENTRIES):
            href = (entry.xpath(_FEED_ENTRY_LINK).get() or "").strip()
            if rules and rules.too_old(entry.xpath(_FEED_ENTRY_DATE).get()):
                self.crawler.stats.inc_value("newsarchive/skipped/too_old")
                continue
            dates = (entry.xpath(f"{name}/text()").get() for name in _FEED_ENTRY_DATES)
            lastmod = next((d.strip() for d in dates if d and d.strip()), None)
            url = response.urljoin(href)
            if href and (request := self.follow(url, self.parse_listed, meta=_LISTED, lastmod=lastmod)):
                yield request

    def failed(self, failure: Failure) -> None:
        """Count and log a request that got no usable response; the crawl goes on (unless the archive failed)."""
        if failure.check(*DATABASE_FAILURES):  # a middleware could not write to the archive
            self.crawler.signals.send_catch_log(signal=archive_failed, failure=failure)
            return
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


def _news_dates(response: Response) -> dict[str, str]:
    """Return canonical URL -> ``news:publication_date`` of a Google News sitemap (empty for others).

    Scrapy's Sitemap reads only the direct children of ``<url>``, not this nested date.
    """
    if not isinstance(response, XmlResponse) or _NEWS_NS not in response.body[:4096]:
        return {}
    selector = Selector(response, type="xml")
    selector.remove_namespaces()
    return {
        canonical_url(url.xpath("loc/text()").get("").strip()): url.xpath("news/publication_date/text()").get("")
        for url in selector.xpath("//url[news/publication_date]")
    }
