"""Run a crawl in this process: settings as ``scrapy crawl`` builds them, checked before start."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.archive_access import open_archive
from crawler.config import check_settings, dedup_config
from crawler.spiders.news import NewsSpider


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
    with open_archive(settings) as archive:
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
