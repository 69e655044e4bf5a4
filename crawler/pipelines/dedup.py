"""Decide whether an article is a new story, another copy of an archived one, or a new version of a page."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from scrapy.crawler import Crawler

from crawler.config import dedup_config
from crawler.dedup.compare import DedupConfig, Similarity, prose_flags, shared_paragraphs, similarity, verified
from crawler.dedup.minhash import text_signals
from crawler.dedup.shingles import shingles
from crawler.extensions.archive import archive_owner
from crawler.items import ArticleItem
from storage import DedupReads, Join, Match

#: How many LSH candidates are verified against their real text, most shared buckets first.
MAX_CANDIDATES = 20
#: A candidate shares at least this many index keys: one anchor alone is a common phrase.
MIN_SHARED_KEYS = 2
#: Shingle sets of candidate texts kept between articles: a story with many reposts is a candidate again and again.
SHINGLE_CACHE_SIZE = 512


class DedupPipeline:
    """Give each ArticleItem the decision whether it is an exact or near duplicate of a story, or new.

    A page the archive holds as a story's own (``revises``, answered by the extract
    pipeline) is a new version of that story, never a repost of itself. The decision
    itself (:meth:`decide`) is made by the store pipeline's write, in one transaction with it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config = dedup_config(crawler.settings)
        self.shingles = functools.lru_cache(maxsize=SHINGLE_CACHE_SIZE)(functools.partial(shingles, config=self.config))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = archive_owner(self.crawler).archive
        self.archive.ensure_index_params(
            self.config.index_params(), rebuild=lambda text: text_signals(text, self.config).stored
        )

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        signals = item.signals
        item.fingerprint = signals.fingerprint
        if item.revises is not None:  # a story's own page again: no match to look for, only its new keys
            item.band_keys = signals.band_keys
            return item
        if not signals.shingles.size:  # nothing to compare, not even exactly: a new story, kept out of the index
            self.stats.inc_value("newsarchive/dedup/new")
            return item
        item.band_keys = signals.band_keys
        # decided when the store writes the article, in its transaction: another writer's copy is seen or waits
        item.decide = functools.partial(self.decide, item)
        return item

    def decide(self, item: ArticleItem, reads: DedupReads) -> Match | None:
        """Return the story ``item`` is a copy of (exactly, else the most similar verified), or None if it is new."""
        if (story_id := reads.story_by_fingerprint(item.fingerprint)) is not None:
            self.stats.inc_value("newsarchive/dedup/exact")
            return Match(story_id, "exact")
        if (found := self._best_candidate(reads, item.text, item.signals.shingles, item.band_keys)) is None:
            self.stats.inc_value("newsarchive/dedup/new")
            return None
        story_id, sim, joins = found
        self.stats.inc_value("newsarchive/dedup/near")
        if joins:
            self.stats.inc_value("newsarchive/dedup/joined", len(joins))
        return Match(story_id, "near", sim.jaccard, sim.containment, joins)

    def _best_candidate(
        self, reads: DedupReads, text: str, mine: Any, keys: list[tuple[int, int]]
    ) -> tuple[int, Similarity, tuple[Join, ...]] | None:
        """Return the candidate story with the copy most similar to ``mine``, among copies that pass verification,
        and the other stories ``text`` is a copy of too (see :func:`_joins`).

        Any copy of a story may match by Jaccard; only its canonical copy by
        containment, so that a story quoting one cut-down copy is not pulled in;
        and not with a story made of other candidate stories (a briefing of their ledes):
        a text sharing its paragraphs is another briefing of the same stories.
        """
        candidates = reads.candidates(keys, MIN_SHARED_KEYS)[:MAX_CANDIDATES]
        self.stats.inc_value("newsarchive/dedup/candidates", len(candidates))
        rows = [
            (story_id, other, canonical, self.shingles(other))
            for story_id, other, canonical in reads.copy_texts(candidates)
        ]
        matched: dict[int, tuple[Similarity, np.ndarray]] = {}  # story -> its most similar verified copy
        for story_id, other, canonical, theirs in rows:
            sim, by = verified(text, mine, other, theirs, self.config)
            if by == "containment" and canonical and _compilation(other, story_id, rows, self.config):
                self.stats.inc_value("newsarchive/dedup/compilation")
                continue
            if (by == "jaccard" or (by and canonical)) and (
                story_id not in matched or sim.jaccard > matched[story_id][0].jaccard
            ):
                matched[story_id] = (sim, theirs)
        if not matched:
            return None
        best = max(matched, key=lambda story_id: matched[story_id][0].jaccard)
        canonical_copies = {story_id: theirs for story_id, _, canonical, theirs in rows if canonical}
        return best, matched[best][0], _joins(text, best, matched, canonical_copies, self.config)


def _joins(
    text: str,
    best: int,
    matched: dict[int, tuple[Similarity, np.ndarray]],
    canonical_copies: dict[int, np.ndarray],
    config: DedupConfig,
) -> tuple[Join, ...]:
    """Return the stories other than ``best`` that ``text`` is a copy of as well: they are one story with it.

    Two copies too unlike to match each other (one with lines of its own first, one cut
    short) each made a story; their original, coming later, is a copy of both. A text
    whose paragraphs held by another story are not held by ``best`` too joins nothing
    to it: a text made of two stories' paragraphs bridges two stories, it is no copy of one.
    """
    held = shared_paragraphs(text, matched[best][1], config)
    joins = []
    for story_id, (_, theirs) in matched.items():
        if story_id == best or story_id not in canonical_copies or best not in canonical_copies:
            continue
        part = shared_paragraphs(text, theirs, config)
        if sum(p and h for p, h in zip(part, held)) * 2 > sum(part):
            both = similarity(canonical_copies[best], canonical_copies[story_id])
            joins.append(Join(story_id, both.jaccard, both.containment))
    return tuple(joins)


def _compilation(text: str, story_id: int, rows: list[tuple[int, str, bool, np.ndarray]], config: DedupConfig) -> bool:
    """Return True if two or more other candidate stories, and no one of them alone, hold most of the prose
    paragraphs of ``text``.

    Such a text is made of other stories (a briefing of their headlines and ledes): one
    that shares its paragraphs is another compilation of the same stories, not its copy.
    An original shares a quoted passage or its lede with a few stories, not most of itself;
    a copy cut short is mostly held by one story, the one it is a copy of.
    """
    prose = prose_flags(text, config)
    held = [False] * len(prose)
    by_story: dict[int, list[bool]] = {}
    for other_id, _, _, other in rows:
        if other_id != story_id:
            found = [p and s for p, s in zip(prose, shared_paragraphs(text, other, config))]
            if any(found):
                mine = by_story.setdefault(other_id, [False] * len(prose))
                by_story[other_id] = [m or f for m, f in zip(mine, found)]
                held = [h or f for h, f in zip(held, found)]
    most = sum(prose) / 2
    return len(by_story) >= 2 and sum(held) > most and all(sum(found) <= most for found in by_story.values())
