"""The one owner of what a crawl's components share: the archive, its fetch log and the crawl's run.

The archive is opened once per crawl, when the extensions are built (before the
middlewares, pipelines and the spider's first request), so a bad ``NEWSARCHIVE_DB``
fails there as it did before. Middlewares, pipelines, other extensions and the
spider get it with ``crawler.get_extension(ArchiveOwner)`` (see :func:`archive_owner`).
The fetch log is flushed when the spider closes; the archive is closed once the
engine stopped, after every ``spider_closed`` handler wrote what it had to.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from storage import Archive
from storage.fetch_log import FetchLog


def fetch_log_batch_size(crawler: Crawler) -> int:
    """Return ``FETCH_LOG_BATCH_SIZE`` (unset, outside the project's settings: 1); below 1 raises ValueError."""
    batch_size = crawler.settings.getint("FETCH_LOG_BATCH_SIZE", 1)
    if batch_size < 1:
        raise ValueError(f"FETCH_LOG_BATCH_SIZE must be >= 1, got {batch_size!r}")
    return batch_size


class ArchiveOwner:
    """Extension: the crawl's archive (``NEWSARCHIVE_DB``, ``DEDUP_LOCK``), its fetch log and the id of the crawl's run."""

    def __init__(self, archive: Archive, batch_size: int) -> None:
        self.archive = archive
        #: one log for the whole crawl: a middleware reading it sees what another queued
        self.fetch_log = FetchLog(archive, batch_size)
        #: the ``runs`` row of this crawl, set by the run recorder when the spider opens (None: not recorded)
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveOwner:
        batch_size = fetch_log_batch_size(crawler)
        archive = Archive(
            crawler.settings.get("NEWSARCHIVE_DB"), dedup_lock=crawler.settings.getbool("DEDUP_LOCK", True)
        )
        owner = cls(archive, batch_size)
        crawler.signals.connect(owner.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(owner.engine_stopped, signal=signals.engine_stopped)
        return owner

    def spider_closed(self) -> None:
        self.fetch_log.flush()

    def engine_stopped(self) -> None:
        self.archive.close()


def archive_owner(crawler: Crawler) -> ArchiveOwner:
    """Return the crawl's :class:`ArchiveOwner`; raise if the ``EXTENSIONS`` setting lacks it."""
    owner = crawler.get_extension(ArchiveOwner)
    if owner is None:
        raise RuntimeError("crawler.extensions.archive.ArchiveOwner is not in the EXTENSIONS setting")
    return owner
