"""Turn fetched pages into clean articles: extract, tell articles from listings, drop furniture.

Extraction runs in a pool of worker processes (``EXTRACT_WORKERS``, one per core
by default) so the crawl keeps fetching while pages are parsed; at most
``EXTRACT_MAX_IN_FLIGHT`` pages wait for the pool, which holds the crawl back.
The workers also do the rest of the per-page work (crawler.extract.analysis):
furniture removal, word count, dedup signals; this pipeline only asks the
archive what it knows and decides.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, NoReturn

from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from crawler.config import dedup_config, from_settings, pool_config
from crawler.extensions.archive import archive_owner
from crawler.extensions.progress import IN_EXTRACTION
from crawler.extract.analysis import PageAnalyser, PageAnalysis
from crawler.extract.article import Extracted
from crawler.extract.furniture import BoilerplateConfig
from crawler.extract.page_kind import PageSignals, not_article_reason
from crawler.extract.pool import ExtractionPool, WorkerFailed
from crawler.items import ArticleItem, PageItem
from crawler.outcomes import Outcome, PageDropped
from crawler.urls import canonical_url, site_of

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """PageItem in, ArticleItem out; pages that are not new articles are dropped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.settings = settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.min_words = settings.getint("ARTICLE_MIN_WORDS")
        self.declared_min_words = settings.getint("ARTICLE_DECLARED_MIN_WORDS")
        self.furniture = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        self.refresh = settings.getint("BOILERPLATE_REFRESH_PAGES")
        self.pool_config = pool_config(settings)
        extract = functools.partial(
            load_object(settings.get("EXTRACT_FUNCTION")), max_elements=settings.getint("EXTRACT_MAX_ELEMENTS")
        )
        self.analyse = PageAnalyser(extract, dedup_config(settings), self.furniture.max_words)
        #: every site's learned line keys, and the articles seen since they were read
        self.learned: tuple[set[str], int] = (set(), self.refresh)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_owner(self.crawler).archive
        self.pool = ExtractionPool(self.pool_config)

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        url = canonical_url(item.url)
        revises = self._known_story(url)
        # rel=canonical may move the page to another URL, never to another site
        site = site_of(url)
        analysis = await self._analyse(item, self._learned())
        article = analysis.extracted.article
        if article is None:
            outcome = analysis.extracted
            if outcome.reason != "empty":
                self.stats.inc_value("newsarchive/errors")
                logger.warning("extraction %s on %s: %s", outcome.reason, item.url, outcome.detail)
            empty = outcome.reason == "empty"
            self._drop(Outcome.NOT_ARTICLE if empty else Outcome.ERROR, f"extract/{outcome.reason}", item.url)
        page = PageSignals(item.url, article.page_type, analysis.word_count, item.listed, item.news)
        if reason := not_article_reason(page, self.min_words, self.declared_min_words):
            self._drop(Outcome.NOT_ARTICLE, f"extract/not_article/{reason}", item.url)
        if item.oldest and article.published and article.published < item.oldest:
            self._drop(Outcome.TOO_OLD, "extract/too_old", item.url)
        # rel=canonical names the page's own URL; one pointing at another site names the original, not this copy
        canonical = canonical_url(article.url)
        if revises is None and canonical != url and site_of(canonical) == site:
            url = canonical
            self._skip_if_known(url)
        self._count_article()
        self._count("extract/articles")
        assert analysis.signals is not None  # made with every article
        return ArticleItem(
            url=url,
            site=site,
            article=article,
            text=analysis.text,
            revises=revises,
            warc=item.warc,
            incomplete=item.incomplete,
            signals=analysis.signals,
            countable=analysis.countable,
        )

    async def _analyse(self, item: PageItem, learned: set[str]) -> PageAnalysis:
        """Return the analysis of the page, made in a worker; a worker's failure comes back as its outcome."""
        self.stats.inc_value(IN_EXTRACTION)
        try:
            return await self.pool.run(self.analyse, item.html, item.url, learned)
        except WorkerFailed as exc:
            return PageAnalysis(Extracted(None, exc.reason, exc.detail))
        finally:
            self.stats.inc_value(IN_EXTRACTION, -1)

    def _known_story(self, url: str) -> int | None:
        """Return the story whose own page ``url`` is (fetched again: maybe a new version); drop a known repost.

        The one question "is this URL archived?" of the page, asked once: the item carries the answer on.
        """
        if (story_id := self.archive.story_of_url(url)) is None:
            return None
        if self.archive.canonical_story(url) != story_id:
            self._drop(Outcome.KNOWN, "known_url", url)
        return story_id

    def _learned(self) -> set[str]:
        """Return the furniture learned on any site (removed on all), read again every ``refresh`` articles."""
        learned, seen = self.learned
        if seen >= self.refresh:
            learned, seen = self.archive.furniture(self.furniture.min_pages, self.furniture.min_ratio), 0
            self.learned = (learned, seen)
        return learned

    def _count_article(self) -> None:
        learned, seen = self.learned
        self.learned = (learned, seen + 1)

    def _skip_if_known(self, url: str) -> None:
        if self.archive.story_of_url(url) is not None:
            self._drop(Outcome.KNOWN, "known_url", url)

    def _drop(self, outcome: Outcome, key: str, url: str) -> NoReturn:
        self._count(key)
        raise PageDropped(outcome, key, url)

    def _count(self, key: str) -> None:
        self.stats.inc_value(f"newsarchive/{key}")
