"""A crawler for unit tests of the crawl's middlewares and extensions: Scrapy's own parts, nothing downloaded."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterable
from typing import Any

from scrapy import Request, Spider
from scrapy.core.downloader import Downloader, Slot
from scrapy.core.spidermw import SpiderMiddlewareManager
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.test import get_crawler

#: No download handler for http(s), so a unit test never opens a socket, and no extension of Scrapy's
#: (log stats, memory usage...): only the components a test builds listen to the signals it sends.
UNIT_SETTINGS = {"DOWNLOAD_HANDLERS": {"http": None, "https": None}, "EXTENSIONS_BASE": {}}


class Engine:
    """What the middlewares and extensions use of Scrapy's engine: its real downloader (slots, slot settings);
    the requests handed to ``crawl()`` and the reasons given to ``close_spider_async()`` are kept."""

    def __init__(self, crawler: Crawler) -> None:
        self.downloader = Downloader(crawler)
        self.crawled: list[Request] = []
        self.closed: list[str] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)

    async def close_spider_async(self, reason: str = "cancelled") -> None:
        self.closed.append(reason)


def unit_crawler(
    settings: dict[str, Any] | None = None, spidercls: type[Spider] = Spider, **spider_args: Any
) -> Crawler:
    """Return a crawler with Scrapy's defaults and ``settings``, its spider made and its stats collecting."""
    crawler = get_crawler(spidercls, settings_dict={**UNIT_SETTINGS, **(settings or {})})
    crawler.spider = spidercls.from_crawler(crawler, **({"name": "unit"} if spidercls is Spider else {}), **spider_args)
    crawler.engine = Engine(crawler)  # type: ignore[assignment]
    crawler.stats.open_spider()
    return crawler


def slot_made_for(crawler: Crawler, request: Request) -> tuple[str, Slot]:
    """Return the slot key and the slot Scrapy's downloader makes (or finds) for ``request`` as it enqueues it."""
    downloader = crawler.engine.downloader
    if (key := downloader.get_slot_key(request)) in downloader.slots:
        return key, downloader.slots[key]

    async def make() -> tuple[str, Slot]:  # a new slot starts the idle-slot collector: it needs a running loop
        made = downloader._get_slot(request)
        downloader.close()  # stops the collector; the slots stay
        return made

    return asyncio.run(make())


def spider_output(crawler: Crawler, response: Response, output: Iterable[Any]) -> list[Any]:
    """Return what the crawler's spider middlewares (Scrapy's and those of its SPIDER_MIDDLEWARES, in their
    order) let through of what a callback yielded for ``response``."""
    manager = SpiderMiddlewareManager.from_crawler(crawler)

    async def callback(response: Response, request: Request) -> Iterable[Any]:
        return output

    async def run() -> list[Any]:
        assert response.request is not None
        return [item async for item in await manager.scrape_response_async(callback, response, response.request)]

    return asyncio.run(run())


async def through(pipelines: Iterable[Any], item: Any) -> Any:
    """Return what ``item`` becomes through ``pipelines`` in order, each ``process_item`` awaited if it is async."""
    for pipeline in pipelines:
        item = pipeline.process_item(item)
        if inspect.isawaitable(item):
            item = await item
    return item
