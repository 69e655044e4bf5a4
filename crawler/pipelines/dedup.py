"""Decide whether an article is a new story, another copy of an archived one, or a new version of a page."""

from __future__ import annotations

import functools
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.archive_access import open_archive
from crawler.config import from_settings
from crawler.dedup import DedupConfig, Similarity, shingles, signed, text_signals, verified
from crawler.items import ArticleItem

#: How many LSH candidates are verified against their real text, most shared buckets first.
MAX_CANDIDATES = 20
#: Shingle sets of candidate texts kept between articles: a story with many reposts is a candidate again and again.
SHINGLE_CACHE_SIZE = 512


def dedup_config(settings: BaseSettings) -> DedupConfig:
    """Return the DedupConfig of the ``DEDUP_*`` settings; a bad value raises ValueError naming the setting."""
    return from_settings(DedupConfig, "DEDUP", settings)


class DedupPipeline:
    """Mark each ArticleItem as an exact or near duplicate of a story, a new version of its URL, or new.

    A page at a URL the archive already holds is a new version of that page
    (``match = "version"``), never a repost of itself.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.config = dedup_config(crawler.settings)
        self.shingles = functools.lru_cache(maxsize=SHINGLE_CACHE_SIZE)(functools.partial(shingles, config=self.config))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = open_archive(self.settings)
        self.archive.ensure_index_params(self.config.index_params(), rebuild=lambda text: signed(text, self.config))

    def close_spider(self) -> None:
        self.archive.close()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        signals = item.signals or text_signals(item.text, self.config)
        item.fingerprint = signals.fingerprint
        if item.revises is not None:  # a story's own page again: no match to look for, only its new keys
            item.band_keys = signals.band_keys
            return item
        if (story_id := self.archive.story_of_url(item.url)) is not None:
            item.duplicate_of, item.match = story_id, "version"
            self.stats.inc_value("newsarchive/dedup/same_url")
            return item
        mine = signals.shingles
        if not mine.size:  # nothing to compare, not even exactly: a new story, kept out of the index
            self.stats.inc_value("newsarchive/dedup/new")
            return item
        item.band_keys = signals.band_keys
        if (story_id := self.archive.story_by_fingerprint(item.fingerprint)) is not None:
            item.duplicate_of, item.match = story_id, "exact"
            self.stats.inc_value("newsarchive/dedup/exact")
            return item
        if (best := self._best_candidate(item.text, mine, item.band_keys)) is None:
            self.stats.inc_value("newsarchive/dedup/new")
            return item
        item.duplicate_of, item.match = best[0], "near"
        item.similarity, item.containment = best[1].jaccard, best[1].containment
        self.stats.inc_value("newsarchive/dedup/near")
        return item

    def _best_candidate(self, text: str, mine: Any, keys: list[tuple[int, int]]) -> tuple[int, Similarity] | None:
        """Return the candidate story with the copy most similar to ``mine``, among copies that pass verification.

        Any copy of a story may match by Jaccard; only its canonical copy by
        containment, so that a story quoting one cut-down copy is not pulled in.
        """
        candidates = self.archive.candidates(keys)[:MAX_CANDIDATES]
        self.stats.inc_value("newsarchive/dedup/candidates", len(candidates))
        best: tuple[int, Similarity] | None = None
        for story_id, other, canonical in self.archive.copy_texts(candidates):
            sim, by = verified(text, mine, other, self.shingles(other), self.config)
            if (by == "jaccard" or by and canonical) and (best is None or sim.jaccard > best[1].jaccard):
                best = (story_id, sim)
        return best
