"""Discover the articles of news sites: sitemaps, feeds and in-site links.

Discovery only: the spider yields the pages it fetched; the pipelines decide
which are articles, extract, dedup and store them. Per site it applies the
rules of :class:`crawler.sites.SiteRules`: URL patterns, depth and story age.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.url import url_has_any_extension
from twisted.python.failure import Failure

from crawler.config import crawl_limits, refetch_hours, sites_to_crawl
from crawler.extensions.archive import archive_owner
from crawler.extensions.archive_guard import DATABASE_FAILURES, archive_failed
from crawler.extensions.extraction import PageExtraction
from crawler.extract.links import PageLinks, page_links
from crawler.extract.payload import cut_short, is_binary, misdeclared_text
from crawler.failures import failure_cause, skip_reason
from crawler.items import PageItem
from crawler.outcomes import RetryScheduled, Skipped
from crawler.pagination import is_next_page, listing_position
from crawler.sites import SiteRules, parse_start_urls
from crawler.urls import canonical_url, is_http_url, site_of
from storage.fetch_log import FetchLog

__all__ = ["NewsSpider", "parse_start_urls"]

logger = logging.getLogger(__name__)

_FEED_ENTRIES = "//item | //entry"
_FEED_ENTRY_LINK = "link/text() | link[not(@rel) or @rel='alternate']/@href"
#: Where a feed entry says when it last changed, most telling first (RSS, Atom, Dublin Core).
_FEED_ENTRY_DATES = ("updated", "pubDate", "date", "published")
_FEED_ENTRY_DATE = "pubDate/text() | updated/text() | published/text() | date/text()"
_NEWS_NS = b"http://www.google.com/schemas/sitemap-news/"
#: The entries of a sitemap (``<url>``) and of a sitemap index (``<sitemap>``), namespaces removed.
_SITEMAP_ENTRIES = "/urlset/url[loc] | /sitemapindex/sitemap[loc]"
#: Links to these are files, not pages.
_FILE_EXTENSIONS = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)
#: Sitemaps and feeds are not links: what they list starts again at depth 0.
_LISTED = {"depth_reset": True}
#: A probe for a sitemap or a feed that the site may not have: a 404 is no error.
_PROBE = {"depth_reset": True, "newsarchive_optional": True}


class NewsSpider(Spider):
    """Crawl each site (same host and port as its start URLs) and yield its pages."""

    name = "news"

    def __init__(self, start_urls: str | Iterable[str] = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_url_arg = start_urls
        #: the extraction workers, which read each page's links with its article (None: links are read here)
        self.extraction: PageExtraction | None = None
        #: host:port -> the rules of the site it belongs to
        self.site_rules: dict[str, SiteRules] = {}
        self.sitemap_paths: list[str] = []
        self.feed_paths: list[str] = []
        #: pages already requested from a link: every page links the same stories again, and each
        #: repeat would cost the crawl's one thread a trip through the middlewares to the duplicate filter
        self.linked: set[str] = set()
        #: URLs a news sitemap listed: they declare themselves articles
        self.news_urls: set[str] = set()
        #: start URLs that answered, and the sites whose failure was reported (one line per site and cause)
        self.reached: set[str] = set()
        self.unreachable: set[str] = set()
        self.reported: set[tuple[str, str]] = set()
        # from the settings, in from_crawler
        self.incremental = False
        self.probe_interval = timedelta(0)
        self.listing_max_pages = 0
        self.max_size = 0
        self.max_redirects = 0

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
        spider.incremental = settings.getbool("INCREMENTAL_ENABLED")
        spider.probe_interval = timedelta(days=settings.getfloat("NEWSARCHIVE_PROBE_INTERVAL_DAYS"))
        spider.listing_max_pages = settings.getint("LISTING_MAX_PAGES")
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        spider.max_redirects = settings.getint("REDIRECT_MAX_TIMES")
        crawler.signals.connect(spider.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.opened, signal=signals.spider_opened)
        return spider

    def opened(self) -> None:
        self.extraction = self.crawler.get_extension(PageExtraction)

    @property
    def fetch_log(self) -> FetchLog | None:
        """Return the crawl's fetch log, or None if the crawl is not incremental."""
        return archive_owner(self.crawler).fetch_log if self.incremental else None

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Note a start URL that answered (a 304 too): the crawl has reached its site."""
        if request.meta.get("newsarchive_home") and response.status < 400:
            self.reached.add(request.url)

    def idle(self) -> None:
        """End a crawl none of whose start URLs could be fetched as ``failed``: the exit status says so.

        A start URL neither reached nor failed was left out by the duplicate filter of a resumed crawl.
        """
        if self.unreachable and not self.reached:
            raise CloseSpider("failed")

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
                # robots.txt names the sitemaps; Scrapy's robots.txt middleware fetches it once per site
                # and crawler.middlewares.robots hands it over. Without that middleware, fetch it here.
                if not self.settings.getbool("ROBOTSTXT_OBEY"):
                    yield Request(urljoin(home, "/robots.txt"), self.parse_sitemap, errback=self.failed, meta=robots)
                if not site.sitemaps:
                    for url in self.due_probes(urljoin(home, path) for path in self.sitemap_paths):
                        yield Request(url, self.parse_sitemap, errback=self.failed, meta=probe)
            for url in site.sitemaps:
                yield Request(
                    url, self.parse_sitemap, errback=self.failed, meta=_LISTED | {"newsarchive_kind": "sitemap"}
                )
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
        callbacks: dict[str, Callable[[Response], Iterator[Request] | AsyncIterator[Request | PageItem]]] = {
            "listing": self.parse_page,
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
        }
        hours = refetch_hours(self.settings)
        sites = list(self.site_rules)
        log = archive_owner(self.crawler).fetch_log
        known = [(url, kind, callbacks[kind]) for url, kind in log.pages_of(sites, callbacks)]
        known += [(url, "page", self.parse_page) for url in log.failed_pages(sites)]
        if hours > 0:
            since = datetime.now(UTC) - timedelta(hours=hours)
            known += [(url, "page", self.parse_listed) for url, _ in log.pages_of(sites, ["article"], since)]
        return [
            Request(url, callback=callback, errback=self.failed, meta={"newsarchive_kind": kind})
            for url, kind, callback in known
            if (rules := self.rules_for(url)) and rules.allows(url)
        ]

    def due_probes(self, urls: Iterable[str]) -> list[str]:
        """Return those of the probe ``urls`` (a feed or sitemap the site may have) worth trying now.

        A probe that found nothing (a 404) is tried again only after ``NEWSARCHIVE_PROBE_INTERVAL_DAYS``.
        """
        urls = list(urls)
        if (log := self.fetch_log) is None:
            return urls
        now = datetime.now(UTC)
        due = []
        for url in urls:
            state = log.state(canonical_url(url))
            if state is not None and state.kind == "probe" and now - state.fetched < self.probe_interval:
                self.crawler.stats.inc_value("newsarchive/skipped/probe_absent")
                continue
            due.append(url)
        return due

    def robots_fetched(self, response: Response) -> Iterator[Request]:
        """Return the requests for the sitemaps a robots.txt names (it is fetched by Scrapy's robots.txt middleware)."""
        return self.parse_sitemap(response)

    def robots_unavailable(self, response: Response) -> None:
        """Report a site whose robots.txt answers a server error: RFC 9309 makes it off limits, so it is not crawled."""
        site = site_of(response.url)
        stats = self.crawler.stats
        stats.inc_value("newsarchive/skipped/robots_unavailable")
        stats.inc_value("newsarchive/errors")
        stats.inc_value(f"newsarchive/errors/http_{response.status}")
        if (rules := self.rules_for(response.url)) is not None:
            self.unreachable.update(url for url in rules.config.start_urls if site_of(url) == site)
        self.reported.add((site, f"server error {response.status}"))
        logger.warning(
            "%s: server error %d on robots.txt, so the site is not crawled (RFC 9309: complete disallow)",
            site,
            response.status,
        )

    def follow(
        self, url: str, callback: Any, meta: dict[str, Any] | None = None, dates: dict[str, str] | None = None
    ) -> Request | None:
        """Return a request for ``url`` if its site is crawled and its rules allow it, tracking parameters stripped.

        ``dates`` are what the sitemap, news sitemap or feed entries say of when the page last
        changed, by channel: the incremental middleware fetches an archived article again if one
        differs from what it recorded last time.
        """
        target = self._target(url)
        return None if target is None else self._request(target, callback, meta, dates)

    def _target(self, url: str) -> str | None:
        """Return ``url`` as it is requested (canonical) if its site is crawled and its rules allow it, else None."""
        rules = self.rules_for(url)
        if rules is None:
            return None
        url = canonical_url(url)
        if not rules.allows(url):
            self.crawler.stats.inc_value("newsarchive/skipped/excluded")
            return None
        return url

    def _request(
        self, url: str, callback: Any, meta: dict[str, Any] | None = None, dates: dict[str, str] | None = None
    ) -> Request:
        kind = "feed" if callback == self.parse_feed else "page"
        meta = {"newsarchive_kind": kind, "newsarchive_dates": dates or {}} | (meta or {})
        return Request(url, callback=callback, errback=self.failed, meta=meta)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Follow the sitemaps a robots.txt or a sitemap index names, and the entries of a sitemap.

        An entry is followed if its site is crawled, its rules allow it and it is not
        too old by its ``lastmod`` or ``news:publication_date``; the date goes with its
        request, in its channel (``news`` for a Google News sitemap, else ``sitemap``).
        The sitemaps a robots.txt names are followed wherever they are (often a CDN).
        """
        if urlsplit(response.url).path == "/robots.txt":
            text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
            for url in Protego.parse(text).sitemaps:
                yield self._sitemap_request(urljoin(response.url, url))
            return
        body = self._sitemap_body(response)
        selector = Selector(body=body, type="xml") if body else None
        kind = None
        if selector is not None:
            selector.remove_namespaces()
            kind = selector.xpath("name(/*)").get()
        if selector is None or kind not in ("urlset", "sitemapindex"):
            logger.warning("Ignoring invalid sitemap: %s", response)
            return
        news = isinstance(response, XmlResponse) and _NEWS_NS in response.body[:4096]
        channel = "news" if news else "sitemap"
        for entry in selector.xpath(_SITEMAP_ENTRIES):
            loc = entry.xpath("loc/text()").get("").strip()
            rules = self.rules_for(loc)
            if rules is None:
                continue
            url = canonical_url(loc)
            lastmod = (entry.xpath("lastmod/text()").get() or "").strip() or None
            published = entry.xpath("news/publication_date/text()").get() if news else None
            if rules.too_old(lastmod) or rules.too_old(published):
                self.crawler.stats.inc_value("newsarchive/skipped/too_old")
                continue
            if kind == "sitemapindex":
                yield self._sitemap_request(url)
                continue
            meta = _LISTED
            if published is not None:
                meta = _LISTED | {"newsarchive_news": True}
                self.news_urls.add(url)
            date = lastmod or published
            if followed := self.follow(url, self.parse_listed, meta=meta, dates={channel: date} if date else None):
                yield followed

    def _sitemap_request(self, url: str) -> Request:
        return Request(url, self.parse_sitemap, errback=self.failed, meta=_LISTED | {"newsarchive_kind": "sitemap"})

    def _sitemap_body(self, response: Response) -> bytes | None:
        """Return the XML of a sitemap response, gunzipped (``.xml.gz``); None if it is no sitemap or too large."""
        if isinstance(response, XmlResponse):
            return response.body
        if response.body[:2] == b"\x1f\x8b":
            max_size = response.meta.get("download_maxsize", self.max_size)
            inflate = zlib.decompressobj(wbits=31)
            try:
                body = inflate.decompress(response.body, max_size or 0)
            except zlib.error:
                return None
            return None if inflate.unconsumed_tail else body
        # a .xml.gz sent with Content-Encoding: gzip was gunzipped by HttpCompressionMiddleware already
        return response.body if response.url.endswith((".xml", ".xml.gz")) else None

    def parse_listed(self, response: Response) -> AsyncIterator[Request | PageItem]:
        """Handle a page that a sitemap or a feed listed: they list articles."""
        return self.parse_page(response, listed=True)

    async def parse_page(self, response: Response, listed: bool = False) -> AsyncIterator[Request | PageItem]:
        """Follow the page's feeds and links, then yield it for the pipelines with what its extraction worker made of it.

        The worker reads the links from the tree it parses for extraction; the page is
        parsed here only if no worker could read it (none configured, or it failed).
        """
        stats = self.crawler.stats
        if not isinstance(response, HtmlResponse) or is_binary(response.body):
            stats.inc_value("newsarchive/skipped/not_html")
            return
        rules = self.rules_for(response.url)
        if rules is None:  # redirected away from the site
            self.crawler.stats.inc_value("newsarchive/skipped/offsite")
            return
        html = misdeclared_text(response.body, response.encoding)
        if html is None:
            html = response.text
        else:
            stats.inc_value("newsarchive/charset/misdeclared")
        analysis = await self.extraction.analyse(html, response.url) if self.extraction else None
        links = analysis.links if analysis and analysis.links else _links_read_here(response, html)
        home = response.meta.get("newsarchive_home", False)
        for url in links.feeds:
            if request := self.follow(url, self.parse_feed, meta=_LISTED):
                yield request
        if home and not links.feeds and not rules.config.feeds:
            meta = _PROBE | {"newsarchive_kind": "feed"}
            # no feed announced: try where feeds usually are
            for url in self.due_probes(urljoin(response.url, path) for path in self.feed_paths):
                yield Request(url, self.parse_feed, errback=self.failed, meta=meta)
        if rules.follows_links_at(response.meta.get("depth", 0)):
            for request in self.links_of(response, rules, links):
                yield request
        # a start URL may be an article: the pipelines decide, as for any page
        news = response.meta.get("newsarchive_news", False) or canonical_url(response.url) in self.news_urls
        incomplete = cut_short(response.body)
        if incomplete:
            stats.inc_value("newsarchive/incomplete_pages")
            logger.info("%s ends mid-document: archived as incomplete, fetched again next crawl", response.url)
        yield PageItem(
            url=response.url,
            html=html,
            listed=listed,
            news=news,
            oldest=rules.oldest,
            incomplete=incomplete,
            analysis=analysis,
        )

    def links_of(self, response: Response, rules: SiteRules, links: PageLinks) -> Iterator[Request]:
        """Return requests for the page's links, and for its listing's next page unless it lists nothing new.

        A next page is no link hop (crawler.middlewares.pagination keeps its depth);
        it is followed up to the site's ``max_listing_pages``, and on a re-crawl only
        while the page lists something the fetch log does not know ("stop at seen"):
        a deep archive costs one page on an unchanged site.
        """
        number = response.meta.get("newsarchive_page", listing_position(response.url)[1])
        heads = list(links.next_pages)
        next_pages = {canonical_url(u) for u in heads + [u for u in links.links if is_next_page(response.url, u)]}
        new: list[str] = []
        for href in heads + list(links.links):
            # most links were requested from an earlier page: no request is built for them
            target = self._target(href)
            if target is None or target in next_pages or target in self.linked:
                continue
            self.linked.add(target)
            if url_has_any_extension(target, _FILE_EXTENSIONS):  # a file, not a page: Scrapy's extractor skips it too
                continue
            new.append(target)
            yield self._request(target, self.parse_page)
        for url in next_pages - self.linked:
            if self._walks_on(response, rules, number, new, url):
                self.linked.add(url)
                meta = {"newsarchive_page": number + 1, "depth_reset": True}
                if request := self.follow(url, self.parse_page, meta=meta):
                    yield request

    def _walks_on(self, response: Response, rules: SiteRules, number: int, new: list[str], next_url: str) -> bool:
        """Return True if the listing page ``number`` leads on to ``next_url``."""
        stats = self.crawler.stats
        limit = self.listing_max_pages if rules.config.max_listing_pages is None else rules.config.max_listing_pages
        if limit and number >= limit:
            stats.inc_value("newsarchive/listing/max_pages")
            return False
        if (log := self.fetch_log) is None:
            return True
        if log.known(new) != set(new):
            return True
        # nothing new here; the next page is walked still if no finished run walked it (a killed one may not have)
        state = log.state(next_url)
        if state is None or not state.complete:
            return True
        stats.inc_value("newsarchive/listing/stopped_at_seen")
        logger.debug("listing %s lists nothing new: its page %d is not fetched", response.url, number + 1)
        return False

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """Follow the entries of an RSS or Atom feed that are recent enough."""
        if not isinstance(response, TextResponse):
            return
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
            dated = {"feed": lastmod} if lastmod else None
            if href and (request := self.follow(url, self.parse_listed, meta=_LISTED, dates=dated)):
                yield request

    def failed(self, failure: Failure) -> None:
        """Count and log a request that got no usable response; the crawl goes on (unless the archive failed).

        A site that fails, for a network reason or with 5xx answers, gets one line per cause, not one per URL.
        """
        error = failure.value
        if isinstance(error, DATABASE_FAILURES):  # a middleware could not write to the archive
            self.crawler.signals.send_catch_log(signal=archive_failed, failure=failure)
            return
        stats = self.crawler.stats
        if isinstance(error, RetryScheduled | Skipped):  # a retry waiting its turn; a skip its middleware counted
            return
        request: Request = failure.request  # type: ignore[attr-defined]  # Scrapy sets it on an errback's failure
        if (skipped := skip_reason(failure, self.max_redirects)) is not None:
            stats.inc_value(f"newsarchive/skipped/{skipped}")  # too large, a redirect loop, robots.txt said no
            # Scrapy's own warning names a page too large; nothing names a redirect loop
            if skipped == "too_many_redirects" and (site_of(request.url), skipped) not in self.reported:
                self.reported.add((site_of(request.url), skipped))
                logger.warning("%s: skipped, %s (%s)", site_of(request.url), skipped.replace("_", " "), request.url)
            return
        if isinstance(error, HttpError) and request.meta.get("newsarchive_optional"):
            return  # a probe that found nothing: no error
        kind, cause = failure_cause(failure)
        if request.meta.get("newsarchive_home"):
            self.unreachable.add(request.url)
        stats.inc_value("newsarchive/errors")
        stats.inc_value(f"newsarchive/errors/{kind}")
        site = site_of(request.url)
        if (site, cause) in self.reported:
            logger.debug("failed %s: %s", request.url, cause)
            return
        self.reported.add((site, cause))
        logger.warning("%s: %s (%s)", site, cause, request.url)


def _links_read_here(response: HtmlResponse, html: str) -> PageLinks:
    """Return the page's links read in the crawl's own process: for a page no extraction worker read."""
    return page_links(response.selector.root, html, response.url)
