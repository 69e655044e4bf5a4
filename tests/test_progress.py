"""The progress line a crawl prints while it runs."""

from __future__ import annotations

import io

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.progress import Progress, progress_line


def test_progress_line_names_the_headline_counts() -> None:
    stats = {
        "downloader/response_count": 12,
        "newsarchive/stories_new": 5,
        "newsarchive/duplicates": 2,
        "newsarchive/errors": 1,
    }
    assert progress_line(stats) == "12 pages fetched, 5 articles new, 2 duplicates found, 1 errors"


def test_the_extension_reports_the_live_crawl_stats() -> None:
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_PROGRESS_INTERVAL": 1})
    crawler.stats.open_spider()
    crawler.stats.set_value("newsarchive/stories_new", 3)
    out = io.StringIO()
    Progress(crawler.stats, 1.0, out).report()
    assert out.getvalue() == "crawling: 0 pages fetched, 3 articles new, 0 duplicates found, 0 errors\n"


def test_interval_zero_turns_it_off() -> None:
    with pytest.raises(NotConfigured):
        Progress.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_PROGRESS_INTERVAL": 0}))


def test_pages_still_with_the_extraction_workers_are_named_while_the_crawl_runs() -> None:
    stats = {"downloader/response_count": 40, "newsarchive/stories_new": 3, "newsarchive/extract/in_flight": 8}
    assert (
        progress_line(stats)
        == "40 pages fetched, 3 articles new, 0 duplicates found, 0 errors (8 pages being extracted)"
    )
