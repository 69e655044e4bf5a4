"""Two crawl processes archiving copies of the same stories at the same moment, for the dedup race test.

Each writer is a process of its own with its own crawler, pipelines and archive
connection, as two workers on two machines are. For every story both wait at a
barrier, then each sends its own copy (a small edit of its own, its own URL and
site) through the real dedup and store pipelines.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from crawler.config import dedup_config
from crawler.dedup.minhash import text_signals
from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extract.article import Article
from crawler.extract.furniture import countable_lines
from crawler.extract.metadata import PageMetadata
from crawler.items import ArticleItem
from crawler.pipelines.dedup import DedupPipeline
from crawler.pipelines.store import StorePipeline

#: The two writers' sites: each archives its copy of every story under its own URL.
SITES = ("wire-one.example", "wire-two.example")
#: Seconds a writer waits for the other at a story's barrier before the race counts as broken.
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
    """Archive writer ``side``'s copies of ``count`` stories, each as the other writer archives its own."""
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_DB": db, "DEDUP_LOCK": lock, "EXTENSIONS": {ArchiveOwner: 0}})
    crawler.stats.open_spider()
    config = dedup_config(crawler.settings)
    stages = [DedupPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)]
    for stage in stages:
        stage.open_spider()
    try:
        for page, paragraphs in copies(side, count):
            lines = tuple(paragraphs)
            title = " ".join(paragraphs[1].split()[:8])
            meta = PageMetadata(title=title, language="en", sitename=SITES[side], page_type="article")
            article = Article(page, lines, meta)
            text = "\n".join(lines)
            item: Any = ArticleItem(
                url=page,
                site=SITES[side],
                article=article,
                text=text,
                signals=text_signals(text, config),
                countable=countable_lines(lines, 40, article.dropped),
            )
            barrier.wait(BARRIER_TIMEOUT)
            for stage in stages:
                item = stage.process_item(item)
    finally:
        archive_owner(crawler).archive.close()
