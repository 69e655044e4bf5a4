"""The extract pipeline: pages in, articles out, outcomes counted, learned furniture read once per batch."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.utils.test import get_crawler

from crawler.config import dedup_config
from crawler.dedup.minhash import fingerprint, index_keys
from crawler.dedup.shingles import shingles
from crawler.demo.newsweb import Site
from crawler.extensions.archive import ArchiveOwner
from crawler.extensions.extraction import PageExtraction
from crawler.items import ArticleItem, PageItem
from crawler.outcomes import Outcome, PageDropped
from crawler.pipelines.extract import ExtractPipeline
from crawler.run import crawl_settings
from fixture_web import load_articles
from storage import NewStory


@pytest.fixture
def pipeline(tmp_path):
    settings = crawl_settings(str(tmp_path / "a.db"), ["EXTRACT_WORKERS=0", "BOILERPLATE_REFRESH_PAGES=3"])
    ours = ("NEWSARCHIVE_", "EXTRACT_", "BOILERPLATE_", "ARTICLE_")
    ours_only = {k: v for k, v in settings.copy_to_dict().items() if k.startswith(ours)}
    crawler = get_crawler(settings_dict=ours_only | {"EXTENSIONS": {ArchiveOwner: 0, PageExtraction: 10}})
    crawler.stats.open_spider()
    pipe = ExtractPipeline.from_crawler(crawler)
    pipe.open_spider()
    yield pipe
    pipe.extraction.spider_closed()


def _process(pipe: ExtractPipeline, item: PageItem):
    return asyncio.run(pipe.process_item(item))


def test_every_sites_learned_furniture_is_read_once_per_refresh_batch(pipeline, monkeypatch) -> None:
    ledger = Site("Ledger", "ledger", list(load_articles().values())[:4], base_url="http://127.0.0.1:9200")
    wire = Site("Wire", "wire", list(load_articles().values())[4:7], base_url="http://127.0.0.1:9202")
    reads = []
    real = pipeline.archive.furniture
    monkeypatch.setattr(pipeline.archive, "furniture", lambda *a: reads.append(a) or real(*a))
    for site in (ledger, wire):
        files = site.render()
        for story in site.stories:
            item = _process(
                pipeline, PageItem(site.article_url(story), files[site.article_path(story)][2].decode(), True)
            )
            assert isinstance(item, ArticleItem)
    assert len(reads) == 3  # articles 1, 4 and 7, whichever their site


def test_a_page_without_text_is_dropped_and_counted(pipeline) -> None:
    with pytest.raises(PageDropped) as empty:
        _process(pipeline, PageItem("http://127.0.0.1:9/story/2019/x", "<html><body></body></html>"))
    with pytest.raises(PageDropped) as undecodable:
        _process(pipeline, PageItem("http://127.0.0.1:9/story/2019/y", "caf\ufffd" * 50))
    assert (empty.value.outcome, undecodable.value.outcome) == (Outcome.NOT_ARTICLE, Outcome.ERROR)
    stats = pipeline.stats.get_stats()
    assert stats["newsarchive/extract/empty"] == 1
    assert stats["newsarchive/extract/bad_encoding"] == 1 and stats["newsarchive/errors"] == 1


PARAGRAPHS = (
    "The city council voted on Tuesday to replace the old river bridge, closed to traffic since the spring floods.",
    "The new bridge will carry two lanes for cars, a bus lane and a wide path for cyclists and people on foot, "
    "and it is due to open in the autumn of next year if the contractor keeps to the plan it presented.",
    "Residents who spoke at the meeting asked the council to keep the ferry running until the bridge opens; "
    "the mayor said the ferry would run every half hour on weekdays and every hour at weekends.",
)
STORY_PAGE = (
    '<html><head><title>Council votes to replace the river bridge</title><meta property="og:type" content="article">'
    "</head><body><article><h1>Council votes to replace the river bridge</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article></body></html>"
)
STORY_URL = "http://127.0.0.1:9/2024/05/council-votes-to-replace-the-river-bridge"


def test_an_article_carries_its_clean_text_and_that_texts_dedup_signals(pipeline) -> None:
    item = _process(pipeline, PageItem(STORY_URL, STORY_PAGE, True))
    expected = "\n".join(PARAGRAPHS)
    config = dedup_config(pipeline.settings)
    assert (item.url, item.site, item.text, item.revises) == (STORY_URL, "127.0.0.1:9", expected, None)
    assert item.signals.fingerprint == fingerprint(expected)
    assert item.signals.band_keys == index_keys(shingles(expected, config), config)
    assert set(item.countable.values()) >= {PARAGRAPHS[0]}  # a line short enough to be furniture counts


def _archive(pipeline, url: str, text: str) -> int:
    story = NewStory(url, "127.0.0.1:9", "T", None, None, "en", None, text, text, fingerprint(text))
    return pipeline.archive.add_story(story, [], {})


def test_a_story_page_fetched_again_says_which_story_it_revises(pipeline) -> None:
    story_id = _archive(pipeline, STORY_URL, "an earlier text")
    item = _process(pipeline, PageItem(STORY_URL, STORY_PAGE, True))
    assert item.revises == story_id


def test_a_page_archived_as_a_copy_of_another_story_is_dropped_as_known(pipeline) -> None:
    story_id = _archive(pipeline, "http://127.0.0.1:8/original-story-of-the-bridge", "the text")
    copy = NewStory(STORY_URL, "127.0.0.1:9", "T", None, None, "en", None, "a copy", "a copy", fingerprint("a copy"))
    pipeline.archive.add_copy(story_id, copy, "near", 0.9, 0.9, [], {})
    with pytest.raises(PageDropped) as dropped:
        _process(pipeline, PageItem(STORY_URL, STORY_PAGE, True))
    assert (dropped.value.outcome, dropped.value.reason) == (Outcome.KNOWN, "known_url")
