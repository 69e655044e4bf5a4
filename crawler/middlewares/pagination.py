"""A listing's next page is no link hop: it keeps the depth of the page that links it."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware


class NextPageDepth(BaseSpiderMiddleware):
    """Give a next page (``newsarchive_page`` in its meta) the depth of its listing's page.

    The spider marks next pages ``depth_reset``, so that Scrapy's DepthMiddleware
    (900) lets them through whatever DEPTH_LIMIT; this middleware, after it, puts
    back the listing's depth, so the links of page 40 of an archive are as deep as
    those of its page 1. Next pages have their own bound: ``LISTING_MAX_PAGES``.
    """

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is not None and "newsarchive_page" in request.meta:
            request.meta["depth"] = response.meta.get("depth", 0)
        return request
