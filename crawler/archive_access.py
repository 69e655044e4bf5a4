"""Open the crawl's archive from Scrapy settings, with a clear error for a bad one."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from storage import Archive


def open_archive(settings: BaseSettings) -> Archive:
    """Return the archive named by the ``NEWSARCHIVE_DB`` setting (path or SQLAlchemy URL)."""
    return Archive(settings.get("NEWSARCHIVE_DB"))
