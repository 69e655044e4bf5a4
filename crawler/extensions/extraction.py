"""The one owner of the crawl's extraction workers and of the furniture learned so far that goes with each page.

The spider hands every HTML page here as it arrives (``await analyse(html, url)``):
a worker parses it once and returns its links for the spider and its analysis
for the pipelines (crawler.extract.analysis), so the crawl's own process never
parses a page. Pages extracted elsewhere (an item made without the spider) are
handed here by the extract pipeline. Every ``BOILERPLATE_REFRESH_PAGES`` pages
the furniture learned on any site is read again from the archive.
"""

from __future__ import annotations

import functools

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from crawler.config import dedup_config, from_settings, pool_config
from crawler.extensions.archive import archive_owner
from crawler.extensions.progress import IN_EXTRACTION
from crawler.extract.analysis import PageAnalyser, PageAnalysis
from crawler.extract.article import Extracted
from crawler.extract.furniture import BoilerplateConfig
from crawler.extract.pool import ExtractionPool, PoolConfig, WorkerFailed


class PageExtraction:
    """Extension: ``await crawler.get_extension(PageExtraction).analyse(html, url)`` -> PageAnalysis, never raising."""

    def __init__(self, crawler: Crawler, analyser: PageAnalyser, config: PoolConfig, furniture: BoilerplateConfig):
        self.crawler = crawler
        self.stats = crawler.stats
        self.analyser = analyser
        self.furniture = furniture
        self.refresh = crawler.settings.getint("BOILERPLATE_REFRESH_PAGES")
        self.pool = ExtractionPool(config)
        #: every site's learned line keys, and the pages analysed since they were read
        self.learned: tuple[set[str], int] = (set(), self.refresh)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageExtraction:
        settings = crawler.settings
        furniture = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        extract = functools.partial(
            load_object(settings.get("EXTRACT_FUNCTION")), max_elements=settings.getint("EXTRACT_MAX_ELEMENTS")
        )
        analyser = PageAnalyser(extract, dedup_config(settings), furniture.max_words)
        extraction = cls(crawler, analyser, pool_config(settings), furniture)
        crawler.signals.connect(extraction.spider_closed, signal=signals.spider_closed)
        return extraction

    def spider_closed(self) -> None:
        self.pool.close()

    async def analyse(self, html: str, url: str) -> PageAnalysis:
        """Return the analysis of the page, made in a worker; a worker's failure comes back as its outcome."""
        learned = self._learned()
        self.stats.inc_value(IN_EXTRACTION)
        try:
            return await self.pool.run(self.analyser, html, url, learned)
        except WorkerFailed as exc:
            return PageAnalysis(Extracted(None, exc.reason, exc.detail))
        finally:
            self.stats.inc_value(IN_EXTRACTION, -1)

    def _learned(self) -> set[str]:
        """Return the furniture learned on any site (removed on all), read again every ``refresh`` pages."""
        learned, seen = self.learned
        if seen >= self.refresh:
            archive = archive_owner(self.crawler).archive
            learned, seen = archive.furniture(self.furniture.min_pages, self.furniture.min_ratio), 0
        self.learned = (learned, seen + 1)
        return learned


def page_extraction(crawler: Crawler) -> PageExtraction:
    """Return the crawl's :class:`PageExtraction`; raise if the ``EXTENSIONS`` setting lacks it."""
    extraction = crawler.get_extension(PageExtraction)
    if extraction is None:
        raise RuntimeError("crawler.extensions.extraction.PageExtraction is not in the EXTENSIONS setting")
    return extraction
