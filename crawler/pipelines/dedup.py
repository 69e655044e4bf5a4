"""Decide whether an article is a new story or another copy of an archived one."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.archive_access import open_archive
from crawler.config import from_settings
from crawler.dedup import DedupConfig, Similarity, band_keys, fingerprint, shingles, signature, similarity
from crawler.items import ArticleItem

#: How many LSH candidates are verified against their real text, best first.
MAX_CANDIDATES = 20


def dedup_config(settings: BaseSettings) -> DedupConfig:
    """Return the DedupConfig of the ``DEDUP_*`` settings; a bad value raises ValueError naming the setting."""
    return from_settings(DedupConfig, "DEDUP", settings)


class DedupPipeline:
    """Mark each ArticleItem as an exact or near duplicate of a story, or as new."""

    def __init__(self, crawler: Crawler) -> None:
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.config = dedup_config(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = open_archive(self.settings)
        self.archive.ensure_index_params(self.config.index_params())

    def close_spider(self) -> None:
        self.archive.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        item.fingerprint = fingerprint(item.text)
        if item.revises is not None:  # a story's own page again: no match to look for, only its new keys
            item.band_keys = self._band_keys(item.text)
            return item
        if (story_id := self.archive.story_by_fingerprint(item.fingerprint)) is not None:
            item.duplicate_of, item.match = story_id, "exact"
            self.stats.inc_value("newsarchive/dedup/exact")
            return item
        mine = shingles(item.text, self.config.shingle_size)
        if not mine:  # nothing to compare: a new story, kept out of the index
            self.stats.inc_value("newsarchive/dedup/new")
            return item
        item.band_keys = self._band_keys(item.text, mine)
        candidates = self.archive.candidates(item.band_keys)[:MAX_CANDIDATES]
        best: tuple[int, Similarity] | None = None
        for story_id, text in self.archive.texts(candidates).items():
            sim = similarity(mine, shingles(text, self.config.shingle_size))
            if sim.same_story(self.config) and (best is None or sim.jaccard > best[1].jaccard):
                best = (story_id, sim)
        if best is None:
            self.stats.inc_value("newsarchive/dedup/new")
            return item
        item.duplicate_of, item.match = best[0], "near"
        item.similarity, item.containment = best[1].jaccard, best[1].containment
        self.stats.inc_value("newsarchive/dedup/near")
        return item

    def _band_keys(self, text: str, mine: frozenset[str] | None = None) -> list[tuple[int, int]]:
        mine = shingles(text, self.config.shingle_size) if mine is None else mine
        return band_keys(signature(mine, self.config), self.config) if mine else []
