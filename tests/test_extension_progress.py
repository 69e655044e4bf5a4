"""The progress line: one every NEWSARCHIVE_PROGRESS_INTERVAL seconds while the spider is open
(crawler.extensions.progress); what the line says is in test_progress.py."""

from __future__ import annotations

import io

import pytest
import twisted.internet
from scrapy import signals
from twisted.internet.task import Clock

from crawler.extensions.progress import Progress
from unit_crawler import unit_crawler


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The reactor the extension's looping call reads the time from: a clock the test moves."""
    clock = Clock()
    monkeypatch.setattr(twisted.internet, "reactor", clock, raising=False)
    return clock


def crawl_lines(clock: Clock, interval: float, seconds: list[float], close_at: float | None = None) -> list[str]:
    """Return the lines printed at each of ``seconds`` into a crawl (the spider closed at ``close_at``)."""
    crawler = unit_crawler({"NEWSARCHIVE_PROGRESS_INTERVAL": interval})
    progress = Progress.from_crawler(crawler)
    progress.out = out = io.StringIO()
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    lines, now = [], 0.0
    for at in seconds:
        if close_at is not None and now < close_at <= at:
            clock.advance(close_at - now)
            now = close_at
            crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason="finished")
        crawler.stats.set_value("downloader/response_count", int(at))  # one page a second
        clock.advance(at - now)
        now = at
        lines.append(out.getvalue())
        out.seek(0)
        out.truncate()
    return lines


def test_nothing_is_printed_before_the_first_interval_has_passed(clock: Clock) -> None:
    assert crawl_lines(clock, 5.0, [0.0, 4.9]) == ["", ""]


def test_a_line_is_printed_each_interval_with_the_counts_of_that_moment(clock: Clock) -> None:
    printed = crawl_lines(clock, 5.0, [5.0, 7.0, 10.0, 15.0])
    assert printed == [
        "crawling: 5 pages fetched, 0 articles new, 0 duplicates found, 0 errors\n",
        "",
        "crawling: 10 pages fetched, 0 articles new, 0 duplicates found, 0 errors\n",
        "crawling: 15 pages fetched, 0 articles new, 0 duplicates found, 0 errors\n",
    ]


def test_the_interval_setting_sets_the_pace(clock: Clock) -> None:
    assert [bool(line) for line in crawl_lines(clock, 0.5, [0.5, 1.0, 1.4, 1.5])] == [True, True, False, True]


def test_nothing_is_printed_once_the_spider_closed(clock: Clock) -> None:
    assert [bool(line) for line in crawl_lines(clock, 5.0, [5.0, 10.0, 30.0], close_at=7.0)] == [True, False, False]
