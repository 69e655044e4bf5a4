"""Record every crawl run in the archive: when, which sites, what it did and how it ended.

The row is written when the spider opens and completed when it closes, with
counts saved every ``NEWSARCHIVE_RUN_SAVE_INTERVAL`` seconds in between (when
they changed), so a run killed on the way shows as unfinished with what it had done.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from twisted.internet import task

from crawler.extensions.archive import ArchiveOwner, archive_owner
from storage.runs import RunCounts, save_run, start_run

_ERRORS = "newsarchive/errors/"
_SKIPPED = "newsarchive/skipped/"


def run_counts(stats: dict[str, Any]) -> RunCounts:
    """Return a run's counts from its Scrapy stats."""
    return RunCounts(
        pages=stats.get("downloader/response_count", 0),
        new_stories=stats.get("newsarchive/stories_new", 0),
        duplicates=stats.get("newsarchive/duplicates", 0),
        new_versions=stats.get("newsarchive/versions/new", 0),
        errors=stats.get("newsarchive/errors", 0),
        errors_by_kind={k.removeprefix(_ERRORS): v for k, v in stats.items() if k.startswith(_ERRORS)},
        skipped_by_kind={k.removeprefix(_SKIPPED): v for k, v in stats.items() if k.startswith(_SKIPPED)},
    )


def run_site(spider: Spider, name: str) -> str:
    """Return what a run crawled: the configured site name, else the spider's sites (``host:port``)."""
    return name or ", ".join(sorted(getattr(spider, "site_rules", ()))) or spider.name


class RunRecorder:
    """Write the ``runs`` row of this crawl; its id goes to the archive owner, for the fetch log and health."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.site_name = crawler.settings.get("NEWSARCHIVE_SITE", "")
        self.interval = crawler.settings.getfloat("NEWSARCHIVE_RUN_SAVE_INTERVAL")
        #: found when the spider opens: extensions are all built by then
        self.owner: ArchiveOwner | None = None
        self.task: task.LoopingCall | None = None
        self.saved: RunCounts | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.owner = archive_owner(self.crawler)
        self.owner.run_id = start_run(self.owner.archive, run_site(spider, self.site_name))
        if self.interval > 0:
            self.task = task.LoopingCall(self.save)
            self.task.start(self.interval, now=False)

    def save(self, finish_reason: str | None = None) -> None:
        if self.owner is None or (run_id := self.owner.run_id) is None:
            return
        counts = run_counts(self.stats.get_stats())
        if finish_reason is not None or counts != self.saved:
            save_run(self.owner.archive, run_id, counts, finish_reason)
            self.saved = counts

    def spider_closed(self, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self.save(reason)
