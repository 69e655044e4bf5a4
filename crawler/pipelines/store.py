"""Write articles to the archive: a new story, or a sighting of an archived one."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.exc import IntegrityError

from crawler import boilerplate
from crawler.archive_access import open_archive
from crawler.boilerplate import BoilerplateConfig
from crawler.config import from_settings
from crawler.extensions.archive_guard import DATABASE_FAILURES
from crawler.items import ArticleItem
from storage import NewStory, Sighting
from storage.versions import revise_story

logger = logging.getLogger(__name__)


class StorePipeline:
    """Archive each ArticleItem in one transaction; re-clean the sites' stories when the crawl ends."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.settings = settings
        self.stats = crawler.stats
        self.furniture = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        self.sites: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = open_archive(self.settings)

    def close_spider(self) -> None:
        try:
            for site in sorted(self.sites):
                self.reclean(site)
        except DATABASE_FAILURES as exc:  # the stories stay as archived; the next crawl of the site re-cleans them
            logger.warning("re-cleaning skipped, the archive's database failed: %s", exc.orig)
        self.archive.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item.revises is not None:
            return self._revise(item)
        lines = boilerplate.countable_lines(item.article.lines, self.furniture.max_words)
        try:
            if item.duplicate_of is None:
                self.archive.add_story(self._story(item), item.band_keys, lines, item.warc)
                self.stats.inc_value("newsarchive/stories_new")
                item.stored = "archived"
            else:
                sighting = Sighting(item.url, item.site, item.article.title, item.match, item.similarity, item.containment)
                self.archive.add_sighting(item.duplicate_of, sighting, lines, item.warc)
                self.stats.inc_value("newsarchive/duplicates")
                item.stored = "duplicate"
        except IntegrityError as exc:
            # the same URL reached twice at once: the first write won, nothing is lost
            self.stats.inc_value("newsarchive/known_url")
            raise DropItem(f"already archived: {item.url}", log_level="DEBUG") from exc
        self.sites.add(item.site)
        return item

    def _revise(self, item: ArticleItem) -> ArticleItem:
        """Store a story's page fetched again as its new version if its text changed."""
        assert item.revises is not None
        changed = revise_story(self.archive, item.revises, self._story(item), item.band_keys, self._cleaner(item.site))
        item.stored = "revised" if changed else "unchanged"
        self.stats.inc_value("newsarchive/versions/new" if changed else "newsarchive/versions/unchanged")
        if changed:
            logger.info("new version of story %d: %s", item.revises, item.url)
        return item

    def _story(self, item: ArticleItem) -> NewStory:
        article = item.article
        return NewStory(
            url=item.url,
            site=item.site,
            title=article.title,
            author=article.author,
            published=article.published,
            language=article.language,
            sitename=article.sitename,
            text=item.text,
            raw_text=article.text,
            fingerprint=item.fingerprint,
        )

    def _cleaner(self, site: str) -> Callable[[str], str]:
        """Return a function that removes ``site``'s furniture, as learned so far, from a raw text."""
        learned = self.archive.learned_lines(site, self.furniture.min_pages, self.furniture.min_ratio)
        return lambda raw: "\n".join(boilerplate.clean(raw.split("\n"), learned))

    def reclean(self, site: str) -> None:
        """Drop furniture learned late in the crawl from the site's stories archived before it was learned."""
        changed = self.archive.reclean(site, self._cleaner(site))
        if changed:
            self.stats.inc_value("newsarchive/recleaned", changed)
            logger.info("re-cleaned %d stories of %s", changed, site)
