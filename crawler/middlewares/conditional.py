"""Conditional GET for listings, feeds and sitemaps, with the validators the fetch log holds.

Why not Scrapy's HttpCache with RFC2616Policy: it keeps a second copy of every
body on disk, it serves a page it deems fresh by heuristics (10% of its age
since Last-Modified) without asking the server, so a home page could hide new
stories, and at request time it cannot tell an article from a listing. The
fetch log already has each page's ETag and Last-Modified; a 304 means the
page, and so the links it gives, are what the last run saw and followed.
Validators from a run that did not finish are not used: that run may not
have followed the page's links, so the page is fetched in full again.

An archived article fetched again (young, or its dates changed: see
``KnownArticlesMiddleware``) is revalidated too: a 304 means the archive holds its text.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.extensions.archive import archive_owner
from crawler.middlewares.fetchlog import fetch_state, request_kind

#: Request kinds that are revalidated; a plain page only once the log knows it as a listing.
_ALWAYS = frozenset({"listing", "feed", "sitemap"})


class ConditionalGetMiddleware:
    """Add If-None-Match / If-Modified-Since to known listings, feeds and sitemaps; drop their 304s."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.log = archive_owner(crawler).fetch_log

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("INCREMENTAL_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        kind = request_kind(request)
        if kind not in _ALWAYS and kind != "page":
            return
        state = fetch_state(self.log, request)
        if state is None or not state.complete or not (state.etag or state.last_modified):
            return
        if (
            kind == "page"
            and state.kind != "listing"
            and not (state.is_article and request.meta.get("newsarchive_refetch"))
        ):
            return
        if state.etag:
            request.headers["If-None-Match"] = state.etag
        if state.last_modified:
            request.headers["If-Modified-Since"] = state.last_modified
        request.meta["newsarchive_conditional"] = True

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get("newsarchive_conditional"):
            self.stats.inc_value(f"newsarchive/unchanged/{request_kind(request)}")
            raise IgnoreRequest(f"not modified: {request.url}")
        return response
