"""ArchiveGuard: only a failing database stops the crawl; other item errors are the pipelines' business."""

from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy.exc import IntegrityError, OperationalError
from twisted.python.failure import Failure

from crawler.extensions.archive_guard import ArchiveGuard, archive_failed


@pytest.mark.parametrize(
    "error",
    [ValueError("bad page"), IntegrityError("INSERT …", {}, Exception("UNIQUE constraint failed: stories.url"))],
)
def test_errors_that_are_not_a_failing_database_do_not_stop_the_crawl(error: Exception) -> None:
    crawler = get_crawler()
    guard = ArchiveGuard.from_crawler(crawler)
    guard.item_error(item={}, failure=Failure(error))
    assert not guard.closing
    assert crawler.stats.get_value("newsarchive/errors/archive_unavailable") is None


def test_a_failing_database_is_counted_for_every_item_and_request_it_fails() -> None:
    crawler = get_crawler()
    guard = ArchiveGuard.from_crawler(crawler)
    guard.closing = True  # the first failure already asked the engine to close the spider
    failure = Failure(OperationalError("INSERT …", {}, Exception("disk I/O error")))
    guard.item_error(item={}, failure=failure)  # from an item pipeline
    crawler.signals.send_catch_log(signal=archive_failed, failure=failure)  # from a request's errback
    assert crawler.stats.get_value("newsarchive/errors/archive_unavailable") == 2
    assert crawler.stats.get_value("newsarchive/errors") == 2
