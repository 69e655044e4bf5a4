"""Record every response the crawl downloads, with its request, in rotating WARC files.

It listens to ``response_downloaded``, sent once for each response that came off
the network and before any downloader middleware sees it: redirects and retried
errors are recorded too, bodies are as the server encoded them (gzip stays
gzip, so Content-Encoding stays true), and responses served from a cache or
requests refused before download (robots.txt) are never recorded.
"""

from __future__ import annotations

import logging
import socket
from importlib.metadata import version
from pathlib import Path

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro

from crawler import __version__
from crawler.config import warc_gzip_level, warc_max_size, warc_prefix
from storage import archive_file
from storage.warc import Exchange, WarcWriter, file_problem

logger = logging.getLogger(__name__)

#: The request.meta key under which (URL, WarcLocation) of the response travels to the spider middleware.
META_KEY = "newsarchive_warc"


def warc_dir(settings: BaseSettings) -> Path:
    """Return ``NEWSARCHIVE_WARC_DIR``, or by default a folder next to the SQLite archive (``archive.db`` -> ``archive.warc``).

    A database that is not a file (PostgreSQL, in-memory SQLite) gets ``./warc``.
    """
    if configured := settings.get("NEWSARCHIVE_WARC_DIR"):
        return Path(configured)
    path = archive_file(settings.get("NEWSARCHIVE_DB"))
    return path.with_suffix(".warc") if path else Path("warc")


def exchange_of(request: Request, response: Response) -> Exchange:
    """Return the HTTP exchange of a downloaded ``response`` to ``request``."""
    return Exchange(
        url=response.url,
        method=request.method,
        request_headers=_pairs(request.headers),
        request_body=request.body,
        protocol=response.protocol or "HTTP/1.1",
        status=response.status,
        response_headers=_pairs(response.headers),
        body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
    )


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


class WarcRecorder:
    """Write a response and a request record per download; report foreign or damaged files in the folder."""

    def __init__(self, crawler: Crawler, directory: Path, max_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = directory
        settings = crawler.settings
        self.writer = WarcWriter(
            directory,
            max_size,
            {
                "software": f"newsarchive/{__version__} (Scrapy {scrapy.__version__}, warcio {version('warcio')})",
                "format": "WARC File Format 1.0",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "hostname": socket.gethostname(),  # the machine that holds the file, among many workers'
            },
            warc_prefix(settings),
            warc_gzip_level(settings),
        )
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_WARC_ENABLED"):
            raise NotConfigured
        ext = cls(crawler, warc_dir(settings), warc_max_size(settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        return ext

    def spider_opened(self) -> None:
        if not self.directory.is_dir():
            return
        for path in sorted(p for p in self.directory.iterdir() if p.is_file()):
            if problem := file_problem(path):
                self.stats.inc_value("warc/bad_files")
                logger.warning("WARC folder: %s %s; left alone, new records go to new files", path, problem)

    def response_downloaded(self, response: Response, request: Request) -> None:
        if self.failed:
            return
        try:
            location, size = self.writer.write(exchange_of(request, response))
        except OSError as exc:
            # without its raw capture an article would be archived incompletely: stop instead
            self.failed = True
            self.stats.inc_value("warc/errors")
            logger.error("cannot write WARC records to %s: %s; stopping the crawl", self.directory, exc)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_failed"))
            return
        request.meta[META_KEY] = (response.url, location)
        self.stats.inc_value("warc/records", 2)
        self.stats.inc_value("warc/bytes", size)

    def spider_closed(self) -> None:
        self.writer.close()
        self.stats.set_value("warc/files", len(self.writer.files))
