"""Hand each page its raw capture: the WARC location the recorder left on its request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from crawler.extensions.warc import META_KEY
from crawler.items import PageItem


class WarcLocationMiddleware:
    """Spider middleware: set ``PageItem.warc`` from the response the page came from.

    Only a record of the response's own URL is used: a request copied from a
    redirect carries the redirect's record in its meta, and one served from a
    cache was not recorded again.
    """

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        url, location = response.meta.get(META_KEY, (None, None))
        async for item in result:
            if isinstance(item, PageItem) and item.warc is None and url == response.url == item.url:
                item.warc = location
            yield item
