"""Crawlers for unit tests of the Scrapy shell: Scrapy's ``get_crawler`` with the archive owner on a real SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler.extensions.archive import ArchiveOwner, archive_owner
from storage.fetch_log import Fetch
from storage.runs import RunCounts, save_run, start_run


def crawler_on(db: Path, spidercls: type[Spider] | None = None, **settings: Any) -> Crawler:
    """Return a crawler whose :class:`ArchiveOwner` holds the archive ``db``; its stats are open."""
    crawler = get_crawler(spidercls, {"NEWSARCHIVE_DB": str(db), "EXTENSIONS": {ArchiveOwner: 0}, **settings})
    crawler.stats.open_spider()
    return crawler


def earlier_run(crawler: Crawler, *fetches: tuple[Fetch, str | None], finished: bool = True) -> None:
    """Record a run of the crawler's archive that fetched ``fetches`` (each with the outcome it settled on)."""
    owner = archive_owner(crawler)
    run_id = start_run(owner.archive, "earlier")
    for fetch, settled in fetches:
        owner.fetch_log.record(fetch, run_id)
        if settled is not None:
            owner.fetch_log.settle(fetch.url, "article", settled)
    owner.fetch_log.flush()
    save_run(owner.archive, run_id, RunCounts(), "finished" if finished else None)
