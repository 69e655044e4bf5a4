"""The extract pipeline: pages in, articles out, outcomes counted, learned furniture read once per batch."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from scrapy.utils.test import get_crawler

from crawler.dedup.compare import fingerprint, index_keys, shingles
from crawler.demo.newsweb import Site
from crawler.extensions.archive import ArchiveOwner
from crawler.extract.furniture import countable_lines
from crawler.items import ArticleItem, PageItem
from crawler.outcomes import Outcome, PageDropped
from crawler.pipelines.dedup import dedup_config
from crawler.pipelines.extract import ExtractPipeline
from crawler.run import crawl_settings
from fixture_web import load_articles


@pytest.fixture
def pipeline(tmp_path):
    settings = crawl_settings(str(tmp_path / "a.db"), ["EXTRACT_WORKERS=0", "BOILERPLATE_REFRESH_PAGES=3"])
    ours = ("NEWSARCHIVE_", "EXTRACT_", "BOILERPLATE_", "ARTICLE_")
    ours_only = {k: v for k, v in settings.copy_to_dict().items() if k.startswith(ours)}
    crawler = get_crawler(settings_dict=ours_only | {"EXTENSIONS": {ArchiveOwner: 0}})
    crawler.stats.open_spider()
    pipe = ExtractPipeline.from_crawler(crawler)
    pipe.open_spider()
    yield pipe
    pipe.close_spider()


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


def test_the_dedup_signals_made_with_the_extraction_are_those_of_the_clean_text(pipeline) -> None:
    site = Site("Ledger", "ledger", list(load_articles().values())[:2], base_url="http://127.0.0.1:9201")
    files = site.render()
    config = dedup_config(pipeline.settings)
    for story in site.stories:
        item = _process(pipeline, PageItem(site.article_url(story), files[site.article_path(story)][2].decode(), True))
        mine = shingles(item.text, config)
        assert item.signals.fingerprint == fingerprint(item.text)
        assert np.array_equal(item.signals.shingles, mine)
        assert item.signals.band_keys == index_keys(mine, config)
        assert item.countable == countable_lines(item.article.lines, pipeline.furniture.max_words, item.article.dropped)
