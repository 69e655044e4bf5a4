"""Turn fetched pages into clean articles: tell articles from listings, drop what is not new.

Each page comes with its analysis (crawler.extensions.extraction: extracted in a
worker process, furniture removed, words counted, dedup signals computed) made
when the spider read its links; a page without one is analysed here. This
pipeline only asks the archive what it knows and decides.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from scrapy.crawler import Crawler

from crawler.extensions.archive import archive_owner
from crawler.extensions.extraction import page_extraction
from crawler.extract.page_kind import PageSignals, not_article_reason
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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_owner(self.crawler).archive
        self.extraction = page_extraction(self.crawler)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        url = canonical_url(item.url)
        revises = self._known_story(url)
        # rel=canonical may move the page to another URL, never to another site
        site = site_of(url)
        analysis = item.analysis or await self.extraction.analyse(item.html, item.url)
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

    def _known_story(self, url: str) -> int | None:
        """Return the story whose own page ``url`` is (fetched again: maybe a new version); drop a known repost.

        The one question "is this URL archived?" of the page, asked once: the item carries the answer on.
        """
        if (story_id := self.archive.story_of_url(url)) is None:
            return None
        if self.archive.canonical_story(url) != story_id:
            self._drop(Outcome.KNOWN, "known_url", url)
        return story_id

    def _skip_if_known(self, url: str) -> None:
        if self.archive.story_of_url(url) is not None:
            self._drop(Outcome.KNOWN, "known_url", url)

    def _drop(self, outcome: Outcome, key: str, url: str) -> NoReturn:
        self._count(key)
        raise PageDropped(outcome, key, url)

    def _count(self, key: str) -> None:
        self.stats.inc_value(f"newsarchive/{key}")
