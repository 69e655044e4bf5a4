"""Write articles to the archive: a new story, or a sighting of an archived one."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from sqlalchemy.exc import IntegrityError

from crawler.archive_batch import ArchiveBatch
from crawler.config import batch_config, dedup_config, from_settings
from crawler.dedup.credits import credited_outlet
from crawler.dedup.minhash import text_signals
from crawler.extensions.archive import archive_owner
from crawler.extensions.archive_guard import DATABASE_FAILURES
from crawler.extract import furniture
from crawler.extract.article import Article
from crawler.extract.furniture import BoilerplateConfig
from crawler.items import ArticleItem
from crawler.outcomes import Outcome, PageDropped
from storage import Match, NewStory, Writes

logger = logging.getLogger(__name__)


def _archive(item: ArticleItem, story: NewStory, writes: Writes) -> tuple[Match | None, bool]:
    """Write a new article as a new story or as a copy of one, as the dedup decision made with the write says."""
    if item.decide is None:
        writes.add_story(story, item.band_keys, item.countable, item.warc)
        return None, False
    return writes.add_article(story, item.band_keys, item.countable, item.decide, item.warc)


def story_metadata(article: Article) -> dict[str, str | None]:
    """Return the metadata columns of a story beyond the basics, lists and JSON-LD as JSON text."""
    meta = article.meta
    return {
        "authors": json.dumps(list(meta.authors), ensure_ascii=False) if meta.authors else None,
        "updated": meta.updated,
        "canonical_url": meta.canonical_url,
        "section": meta.section,
        "tags": json.dumps(list(meta.tags), ensure_ascii=False) if meta.tags else None,
        "image": meta.image,
        "description": meta.description,
        "jsonld": json.dumps(list(meta.jsonld), ensure_ascii=False) if meta.jsonld else None,
        "raw_headings": json.dumps(sorted(article.headings)),
    }


class StorePipeline:
    """Archive each ArticleItem, several to a transaction; re-clean the sites' stories when the crawl ends.

    An item waits for its batch (:mod:`crawler.archive_batch`, ``ARCHIVE_BATCH_*``) and goes on
    once the transaction that holds it has committed.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.furniture = from_settings(BoilerplateConfig, "BOILERPLATE", settings)
        self.dedup = dedup_config(settings)
        self.batching = batch_config(settings)
        #: the sites re-cleaned when the crawl ends: those it crawls and those it stored stories of
        self.sites: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_owner(self.crawler).archive
        self.batch = ArchiveBatch(self.archive, self.batching)
        # a site's stories stored by an earlier crawl that was killed before it re-cleaned them, even
        # if this one stores none of that site
        self.sites.update(getattr(self.crawler.spider, "site_rules", ()))

    def close_spider(self) -> None:
        self.batch.flush()  # what still waits: its items go on with their outcome
        try:
            learned = self.archive.furniture(self.furniture.min_pages, self.furniture.min_ratio)
            for site in sorted(self.sites):
                self.reclean(site, learned)
        except DATABASE_FAILURES as exc:  # the stories stay as archived; the next crawl of the site re-cleans them
            logger.warning("re-cleaning skipped, the archive's database failed: %s", exc.orig)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        if item.revises is not None:
            return await self._revise(item)
        try:
            match, repointed = await self.batch.add(
                item.band_keys, functools.partial(_archive, item, self._story(item))
            )
        except IntegrityError as exc:
            # the same URL reached twice at once (archived since the extract pipeline asked): the first write won
            self.stats.inc_value("newsarchive/known_url")
            raise PageDropped(Outcome.KNOWN, "known_url", item.url) from exc
        self._archived(item, match, repointed)
        self.sites.add(item.site)
        return item

    def _archived(self, item: ArticleItem, match: Match | None, repointed: bool) -> None:
        """Fill in what the archive made of a new article: a new story, or a copy of ``match``'s."""
        if match is None:
            self.stats.inc_value("newsarchive/stories_new")
            item.stored = "incomplete" if item.incomplete else "archived"
            return
        item.duplicate_of, item.match = match.story_id, match.match
        item.similarity, item.containment = match.similarity, match.containment
        self.stats.inc_value("newsarchive/duplicates")
        item.stored = "duplicate"
        if repointed:
            self.stats.inc_value("newsarchive/dedup/repointed")

    async def _revise(self, item: ArticleItem) -> ArticleItem:
        """Store a story's page fetched again as its new version if its text changed."""
        story_id = item.revises
        assert story_id is not None
        clean = self._cleaner(item.site, item.article.headings)
        story = self._story(item)
        changed = await self.batch.add(
            item.band_keys, lambda writes: writes.revise_story(story_id, story, item.band_keys, clean)
        )
        item.stored = "revised" if changed else "unchanged"
        if item.incomplete and (changed or self.archive.is_incomplete(story_id)):
            item.stored = "incomplete"  # still cut short: fetched again next crawl
        self.stats.inc_value("newsarchive/versions/new" if changed else "newsarchive/versions/unchanged")
        if changed:
            logger.info("new version of story %d: %s", story_id, item.url)
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
            credit=credited_outlet(item.text, own=(article.sitename, item.site)),
            incomplete=item.incomplete,
            **story_metadata(article),
        )

    def _cleaner(self, site: str, headings: frozenset[int]) -> Callable[[str], str]:
        """Return a function that removes ``site``'s furniture, as learned so far, from a raw text.

        ``headings`` are the subhead lines of the page being stored: the same lines of its
        earlier version if its text did not change.
        """
        learned = self.archive.furniture(self.furniture.min_pages, self.furniture.min_ratio)
        return lambda raw: "\n".join(furniture.clean(raw.split("\n"), learned, headings))

    def reclean(self, site: str, learned: set[str]) -> None:
        """Drop furniture learned late in the crawl (on any site) from the site's stories and copies archived before it.

        Their fingerprints and index keys follow the new texts, so a later copy matches the clean text.
        """
        changed = self.archive.reclean(
            site,
            lambda raw, headings: "\n".join(furniture.clean(raw.split("\n"), learned, set(headings))),
            signals=lambda text: text_signals(text, self.dedup).stored,
        )
        if changed:
            self.stats.inc_value("newsarchive/recleaned", changed)
            logger.info("re-cleaned %d stories of %s", changed, site)
