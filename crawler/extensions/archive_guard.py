"""Stop the crawl cleanly when the archive's database fails: server gone, connection killed, disk full.

Archive writes are transactions (of several articles, crawler.archive_batch), so the
articles being written when the database failed are rolled back whole; their pages
are not marked as known, and the next crawl fetches and archives them. Going on would
only fail item after item.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import InterfaceError, OperationalError
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: The spider's close reason (``finish_reason`` in the stats) after a database failure.
REASON = "archive_unavailable"
#: SQLAlchemy's wrappers of the driver errors that mean the database itself failed, not one statement.
DATABASE_FAILURES = (OperationalError, InterfaceError)
#: Signal (argument ``failure``) for a database failure outside the item pipelines, e.g. in a
#: middleware's write to the fetch log, as a request's errback receives it.
archive_failed = object()


class ArchiveGuard:
    """Close the spider with reason ``archive_unavailable`` on the first database failure, of an item or a request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.item_error, signal=signals.item_error)
        crawler.signals.connect(guard.database_failed, signal=archive_failed)
        return guard

    def item_error(self, item: Any, failure: Failure) -> None:
        self.database_failed(failure)

    def database_failed(self, failure: Failure) -> None:
        if not isinstance(failure.value, DATABASE_FAILURES):
            return
        stats = self.crawler.stats
        stats.inc_value("newsarchive/errors")
        stats.inc_value(f"newsarchive/errors/{REASON}")
        if self.closing:
            return
        self.closing = True
        logger.error(
            "the archive's database failed: %s -- stopping the crawl. Nothing half-written was kept; "
            "when the database is back, run the same crawl again to continue.",
            " ".join(str(getattr(failure.value, "orig", failure.value)).split()),
        )
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REASON))
