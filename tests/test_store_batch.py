"""The store pipeline writes its items several to a transaction, each item still its own unit.

The real dedup and store pipelines over a real archive (SQLite and PostgreSQL); the
transactions are counted by the engine's ``commit`` event.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from scrapy.utils.test import get_crawler

from crawler.config import dedup_config
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.items import ArticleItem
from crawler.outcomes import Outcome, PageDropped
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.store import StorePipeline
from racing_writers import copies, item
from unit_crawler import through


class Store:
    """The dedup and store pipelines of one crawl, batching ``size`` items or ``delay`` seconds; commits counted."""

    def __init__(self, db: str, size: int, delay: float = 60.0) -> None:
        settings = {
            "NEWSARCHIVE_DB": db,
            "EXTENSIONS": {ArchiveOwner: 0},
            "ARCHIVE_BATCH_SIZE": size,
            "ARCHIVE_BATCH_DELAY": delay,
        }
        self.crawler = get_crawler(settings_dict=settings)
        self.crawler.stats.open_spider()
        self.stages = [DedupPipeline.from_crawler(self.crawler), StorePipeline.from_crawler(self.crawler)]
        for stage in self.stages:
            stage.open_spider()
        self.archive = archive_owner(self.crawler).archive
        self.commits = 0
        sa.event.listen(self.archive.engine, "commit", self._committed)

    def _committed(self, _conn: Any) -> None:
        self.commits += 1

    def items(self, side: int, count: int) -> list[ArticleItem]:
        """Return ``count`` articles of one site, each a story of its own (the other side's are their copies)."""
        config = dedup_config(self.crawler.settings)
        return [item(page, paragraphs, side, config) for page, paragraphs in copies(side, count)]

    async def send(self, items: list[ArticleItem]) -> list[Any]:
        """Send ``items`` through the pipelines at once; return each one's result, or the exception it raised."""
        return await asyncio.gather(*(through(self.stages, i) for i in items), return_exceptions=True)

    def stored(self) -> int:
        return self.archive.summary()["stories"]


@pytest.fixture
def store(db: str) -> Iterator[Callable[..., Store]]:
    """Return a maker of :class:`Store` on the test's archive; their archives are closed after the test."""
    made: list[Store] = []

    def make(size: int, delay: float = 60.0) -> Store:
        made.append(Store(db, size, delay))
        return made[-1]

    yield make
    for pipelines in made:
        pipelines.archive.close()


def test_the_items_of_a_batch_are_archived_in_one_transaction(store: Callable[..., Store]) -> None:
    pipelines = store(3)
    items = [dataclasses.replace(i, countable={"share": "Share this story"}) for i in pipelines.items(0, 3)]
    done = asyncio.run(pipelines.send(items))
    assert [i.stored for i in done] == ["archived"] * 3
    assert pipelines.commits == 1
    assert pipelines.stored() == 3
    # the batch's line counts are written once, summed: three pages of the site, each with the line
    assert pipelines.archive.learned_lines(items[0].site, 3, 1.0) == {"share"}


def test_an_item_that_fails_is_dropped_alone_and_the_others_of_its_batch_are_archived(
    store: Callable[..., Store],
) -> None:
    pipelines = store(3)
    first, other = pipelines.items(0, 2)
    again = pipelines.items(1, 1)[0]  # a copy of the first story, at the first's URL: reached twice at once
    again.url = first.url
    done = asyncio.run(pipelines.send([first, again, other]))
    assert done[0].stored == done[2].stored == "archived"
    assert isinstance(done[1], PageDropped) and done[1].outcome is Outcome.KNOWN
    assert pipelines.crawler.stats.get_value("newsarchive/known_url") == 1
    assert pipelines.commits == 1
    assert pipelines.stored() == 2
    assert pipelines.archive.summary()["duplicates"] == 0  # nothing of the failed item stayed


def test_a_copy_of_a_story_written_earlier_in_its_batch_is_archived_as_its_duplicate(
    store: Callable[..., Store],
) -> None:
    pipelines = store(2)
    original, copy = pipelines.items(0, 1)[0], pipelines.items(1, 1)[0]
    done = asyncio.run(pipelines.send([original, copy]))
    assert pipelines.commits == 1
    assert [i.stored for i in done] == ["archived", "duplicate"]
    assert done[1].duplicate_of == pipelines.archive.story_of_url(original.url)
    assert pipelines.stored() == 1


def test_the_items_still_waiting_are_archived_when_the_spider_closes(store: Callable[..., Store]) -> None:
    pipelines = store(10)

    async def crawl() -> list[Any]:
        waiting = asyncio.gather(*(through(pipelines.stages, i) for i in pipelines.items(0, 2)))
        await asyncio.sleep(0)  # one turn of the loop: the items reach the store and wait for their batch
        assert not waiting.done() and pipelines.stored() == 0
        pipelines.stages[-1].close_spider()
        return await waiting

    done = asyncio.run(crawl())
    assert [i.stored for i in done] == ["archived"] * 2
    assert pipelines.commits == 1
    assert pipelines.stored() == 2


def test_a_batch_is_archived_its_delay_after_its_first_item_however_few_it_holds(store: Callable[..., Store]) -> None:
    pipelines = store(10, delay=0.05)
    (done,) = asyncio.run(asyncio.wait_for(pipelines.send(pipelines.items(0, 1)), 10))
    assert done.stored == "archived"
    assert pipelines.commits == 1
