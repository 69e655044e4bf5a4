"""Make Scrapy's JOBDIR safe to use with SIGKILL and with scheduled re-crawls.

JOBDIR persists the request queue and the seen-requests filter, but only a
graceful stop (one Ctrl-C) writes them consistently: after a SIGKILL the
filter may remember requests whose queue entries were never written, and a
restart would filter them, and the home pages, as already seen. And after a
crawl that finished, the filter would make the next scheduled crawl skip
every page it fetched last time. So a JOBDIR left by a killed crawl is
discarded (the archive's fetch log knows what was archived; the rest is
discovered again), and a finished crawl leaves nothing to resume.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)

#: Present while a crawl uses the JOBDIR; found at start, it means the last one was killed.
MARKER = "newsarchive.running"
#: What Scrapy keeps in a JOBDIR: the seen-requests filter, the queue, the spider's state.
_JOB_STATE = ("requests.seen", "requests.queue", "spider.state")


def clear_job_state(jobdir: Path) -> None:
    """Remove what Scrapy persisted in ``jobdir``: the next crawl starts from its home pages."""
    for name in _JOB_STATE:
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


class JobdirGuard:
    """Discard a JOBDIR left by a killed crawl; clear it once a crawl finished."""

    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.stats = crawler.stats
        self.jobdir = jobdir
        self.marker = jobdir / MARKER
        self.discarded = self.marker.exists()
        if self.discarded:
            logger.warning(
                "JOBDIR %s was left by a crawl that was killed: its queue cannot be trusted, starting afresh "
                "(the archive knows every story already stored)",
                jobdir,
            )
            clear_job_state(jobdir)
        self.marker.write_text(f"{os.getpid()}\n")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobdirGuard:
        jobdir = job_dir(crawler.settings)
        if not jobdir:
            raise NotConfigured
        guard = cls(crawler, Path(jobdir))
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def spider_opened(self) -> None:
        if self.discarded:
            self.stats.set_value("newsarchive/jobdir/discarded", 1)

    def spider_closed(self, reason: str) -> None:
        # the scheduler has written its queue by now; a stopped crawl's is kept to resume
        if reason == "finished":
            clear_job_state(self.jobdir)
        self.marker.unlink(missing_ok=True)
