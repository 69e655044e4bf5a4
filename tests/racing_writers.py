"""Two crawl processes archiving copies of the same stories at the same moment, for the dedup race test.

Each writer is a process of its own with its own crawler, pipelines and archive
connection, as two workers on two machines are. For every BATCH stories both wait
at a barrier, then each sends its own copies (a small edit of its own, its own URL and
site) through the real dedup and store pipelines, which write them in one transaction.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.config import dedup_config
from crawler.dedup.compare import DedupConfig
from crawler.dedup.minhash import text_signals
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extract.article import Article
from crawler.extract.furniture import countable_lines
from crawler.extract.metadata import PageMetadata
from crawler.items import ArticleItem
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.store import StorePipeline
from unit_crawler import through

#: The two writers' sites: each archives its copy of every story under its own URL.
SITES = ("wire-one.example", "wire-two.example")
#: Stories each writer archives in one transaction (ARCHIVE_BATCH_SIZE); the second sends its batch in the
#: opposite order: writers that locked each article's keys as they came to it would wait on each other in a cycle.
BATCH = 10
#: Seconds a writer waits for the other at a batch's barrier before the race counts as broken.
BARRIER_TIMEOUT = 60.0

_WORD = re.compile(r"[A-Za-z][a-z']+")
_DATA = Path(__file__).parent / "data"


def vocabulary() -> list[str]:
    """Return the words of the real article bodies in tests/data, each once, in a fixed order."""
    words: dict[str, None] = {}
    for name in ("articles.json", "syndication.json"):
        for article in json.loads((_DATA / name).read_text()):
            for paragraph in article["body"]:
                words.update(dict.fromkeys(_WORD.findall(paragraph)))
    return list(words)


def story(number: int, words: list[str]) -> list[str]:
    """Return the paragraphs of story ``number``: sentences of real words, its own for each number."""
    rng = random.Random(number)
    paragraphs = []
    for _ in range(rng.randint(4, 6)):
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(9, 18))).capitalize() + "."
            for _ in range(rng.randint(2, 3))
        ]
        paragraphs.append(" ".join(sentences))
    return paragraphs


def copy_of(paragraphs: list[str], side: int, number: int, words: list[str]) -> list[str]:
    """Return writer ``side``'s copy of a story: one word changed, and its own dateline or sign-off."""
    rng = random.Random(f"{number}-{side}")
    copy = list(paragraphs)
    at = rng.randrange(len(copy))
    sentence = copy[at].split(" ")
    sentence[rng.randrange(1, len(sentence))] = rng.choice(words)
    copy[at] = " ".join(sentence)
    if side == 0:
        copy[0] = f"LONDON ({SITES[side]}) - {copy[0]}"
    else:
        copy.append(f"Reporting by the {SITES[side]} newsroom; editing by the night desk.")
    return copy


def url(side: int, number: int) -> str:
    return f"https://{SITES[side]}/news/story-{number}"


def copies(side: int, count: int) -> Iterator[tuple[str, list[str]]]:
    """Yield writer ``side``'s URL and copy of each of ``count`` stories, in the order both writers race them."""
    words = vocabulary()
    for number in range(count):
        yield url(side, number), copy_of(story(number, words), side, number, words)


def write(db: str, side: int, count: int, lock: bool, barrier: Any) -> None:
    """Archive writer ``side``'s copies of ``count`` stories, BATCH to a transaction, as the other writer archives its own."""
    settings = {"NEWSARCHIVE_DB": db, "DEDUP_LOCK": lock, "EXTENSIONS": {ArchiveOwner: 0}, "ARCHIVE_BATCH_SIZE": BATCH}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    config = dedup_config(crawler.settings)
    stages = [DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
    for stage in stages:
        stage.open_spider()
    items = [item(page, paragraphs, side, config) for page, paragraphs in copies(side, count)]
    try:
        for start in range(0, count, BATCH):
            batch = items[start : start + BATCH]
            barrier.wait(BARRIER_TIMEOUT)
            asyncio.run(archive(stages, batch if side == 0 else batch[::-1]))
    finally:
        archive_owner(crawler).archive.close()


def item(page: str, paragraphs: list[str], side: int, config: DedupConfig) -> ArticleItem:
    """Return the article item of writer ``side``'s copy at ``page``, as the extract pipeline makes it."""
    lines = tuple(paragraphs)
    title = " ".join(paragraphs[1].split()[:8])
    meta = PageMetadata(title=title, language="en", sitename=SITES[side], page_type="article")
    article = Article(page, lines, meta)
    text = "\n".join(lines)
    return ArticleItem(
        url=page,
        site=SITES[side],
        article=article,
        text=text,
        signals=text_signals(text, config),
        countable=countable_lines(lines, 40, article.dropped),
    )


async def archive(stages: list[Any], batch: list[ArticleItem]) -> None:
    """Send the items of one batch through ``stages`` at once: the store writes them in one transaction."""
    await asyncio.gather(*(through(stages, item) for item in batch))
