"""The one crawl entry point: settings as ``scrapy crawl`` builds them, checked before start, one crawl run.

``newsarchive crawl`` and ``newsarchive demo`` call :func:`crawl`; the scheduler
(crawler.service.runner) starts ``newsarchive crawl`` children.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.config import check_settings, dedup_config
from crawler.extensions.progress import crawl_counts
from crawler.spiders.news import NewsSpider
from storage import Archive

__all__ = ["check", "crawl", "crawl_counts", "crawl_settings", "run_crawl"]


def crawl_settings(db: str, overrides: Iterable[str] = (), log_level: str = "WARNING") -> Settings:
    """Return the project settings with ``--db``, ``-L`` and ``-s NAME=VALUE`` applied like ``scrapy crawl``."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("NEWSARCHIVE_DB", db, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"-s takes NAME=VALUE, got {item!r}")
        settings.set(name, value, priority="cmdline")
    return settings


def check(settings: Settings, urls: Iterable[str]) -> None:
    """Raise ValueError or ArchiveError now for what would otherwise fail inside the crawl."""
    check_settings(settings, urls)
    config = dedup_config(settings)
    with Archive(settings.get("NEWSARCHIVE_DB")) as archive:
        archive.ensure_index_params(config.index_params())


def run_crawl(settings: Settings, urls: Iterable[str]) -> dict[str, Any]:
    """Crawl the sites of ``urls`` into the archive; return the crawl's stats.

    Twisted's reactor cannot be restarted: call this once per process.
    """
    urls = list(urls)
    check(settings, urls)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, start_urls=urls)
    process.start()
    return crawler.stats.get_stats()


def crawl(urls: Iterable[str], db: str, overrides: Iterable[str] = (), log_level: str = "WARNING") -> dict[str, Any]:
    """Crawl the sites of ``urls`` into the archive ``db`` with ``-s NAME=VALUE`` ``overrides``; return the stats.

    Bad settings raise ValueError, a bad archive ArchiveError, before anything is fetched.
    """
    return run_crawl(crawl_settings(db, overrides, log_level), urls)
