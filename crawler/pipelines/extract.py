"""Turn fetched pages into clean articles: extract, tell articles from listings, drop furniture."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler import boilerplate
from crawler.archive_access import open_archive
from crawler.boilerplate import BoilerplateConfig
from crawler.config import from_settings
from crawler.extraction import extract_article
from crawler.items import ArticleItem, PageItem
from crawler.page_kind import PageSignals, not_article_reason
from crawler.urls import canonical_url, site_of
from storage.versions import story_at

logger = logging.getLogger(__name__)


class ExtractPipeline:
    """PageItem in, ArticleItem out; pages that are not new articles are dropped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.settings = settings
        self.stats = crawler.stats
        self.min_words = settings.getint("ARTICLE_MIN_WORDS")
        self.furniture = from_settings(BoilerplateConfig, "BOILERPLATE", settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = open_archive(self.settings)

    def close_spider(self) -> None:
        self.archive.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        url = canonical_url(item.url)
        revises = self._known_story(url)
        try:
            article = extract_article(item.html, item.url)
        except Exception as exc:  # a broken page must not stop the crawl
            self._count("extract/error")
            self.stats.inc_value("newsarchive/errors")
            logger.warning("extraction failed on %s: %r", item.url, exc)
            raise DropItem(f"extraction failed: {exc!r}", log_level="DEBUG") from exc
        if article is None:
            self._drop("extract/empty", item.url)
        page = PageSignals(item.url, article.page_type, article.word_count, item.listed)
        if reason := not_article_reason(page, self.min_words):
            self._drop(f"extract/not_article/{reason}", item.url)
        if item.oldest and article.published and article.published < item.oldest:
            self._drop("extract/too_old", item.url)
        # rel=canonical names the page's own URL; one pointing at another site names the original, not this copy
        canonical = canonical_url(article.url)
        if revises is None and canonical != url and site_of(canonical) == site_of(url):
            url = canonical
            self._skip_if_known(url)
        site = site_of(url)
        learned = self.archive.learned_lines(site, self.furniture.min_pages, self.furniture.min_ratio)
        lines = boilerplate.clean(article.lines, learned)
        self._count("extract/articles")
        return ArticleItem(
            url=url, site=site, article=article, text="\n".join(lines), revises=revises, warc=item.warc
        )

    def _known_story(self, url: str) -> int | None:
        """Return the story whose own page ``url`` is (fetched again: maybe a new version); drop a known repost."""
        if (story_id := story_at(self.archive, url)) is not None:
            return story_id
        self._skip_if_known(url)
        return None

    def _skip_if_known(self, url: str) -> None:
        if self.archive.known_url(url):
            self._drop("known_url", url)

    def _drop(self, key: str, url: str) -> None:
        self._count(key)
        raise DropItem(f"{key}: {url}", log_level="DEBUG")

    def _count(self, key: str) -> None:
        self.stats.inc_value(f"newsarchive/{key}")
