"""Print a progress line while a crawl runs: pages fetched, new stories, duplicates, errors."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task


def crawl_counts(stats: dict[str, Any]) -> dict[str, int]:
    """Return the headline numbers of a crawl from its Scrapy stats."""
    return {
        "pages fetched": stats.get("downloader/response_count", 0),
        "articles new": stats.get("newsarchive/stories_new", 0),
        "duplicates found": stats.get("newsarchive/duplicates", 0),
        "errors": stats.get("newsarchive/errors", 0),
    }


#: Pages handed to the extraction workers and not back yet (crawler.pipelines.extract keeps it).
IN_EXTRACTION = "newsarchive/extract/in_flight"


def progress_line(stats: dict[str, Any]) -> str:
    """Return the counts so far; pages still with the extraction workers are named, not yet counted as new."""
    counts = crawl_counts(stats)
    waiting = stats.get(IN_EXTRACTION, 0)
    line = ", ".join(f"{value} {name}" for name, value in counts.items())
    return f"{line} ({waiting} pages being extracted)" if waiting else line


class Progress:
    """Write :func:`progress_line` every ``NEWSARCHIVE_PROGRESS_INTERVAL`` seconds (0 disables it)."""

    def __init__(self, stats: StatsCollector, interval: float, out: TextIO = sys.stderr) -> None:
        self.stats = stats
        self.interval = interval
        self.out = out
        self.task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler.stats, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.task = task.LoopingCall(self.report)
        self.task.start(self.interval, now=False)

    def report(self) -> None:
        print(f"crawling: {progress_line(self.stats.get_stats())}", file=self.out, flush=True)

    def spider_closed(self) -> None:
        if self.task and self.task.running:
            self.task.stop()
