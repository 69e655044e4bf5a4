"""Extraction in worker processes: a page that kills or hangs its worker is an outcome, not a stuck crawl."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest

from conftest import ROOT, SCRAPY, run
from crawler.demo.newsweb import NewsWeb
from crawler.extract.article import Extracted, extract_page
from crawler.extract.pool import ExtractionPool, PoolConfig, WorkerFailed
from fixture_web import load_seed
from pathological import die_or_hang

PAGE = (
    "<html><body><article>"
    + "<p>A paragraph of the story with enough words in it.</p>" * 20
    + "</article></body></html>"
)


async def _extract_all(pool: ExtractionPool, urls: list[str], extract: Callable[..., Extracted] = extract_page) -> list:
    return await _extract_pages(pool, [(PAGE, url) for url in urls], extract)


async def _extract_pages(
    pool: ExtractionPool, pages: list[tuple[str, str]], extract: Callable[..., Extracted] = extract_page
) -> list[Extracted | BaseException]:
    """Return the outcome of each page: an Extracted, or the WorkerFailed of a page that got none."""
    return await asyncio.gather(*(pool.run(extract, html, url) for html, url in pages), return_exceptions=True)


def test_a_worker_that_dies_or_hangs_costs_only_its_page() -> None:
    pool = ExtractionPool(PoolConfig(workers=2, timeout=2.0))
    try:
        urls = [
            "http://127.0.0.1:9/investigating-wework",
            "http://127.0.0.1:9/titan",
            "http://127.0.0.1:9/a",
            "http://127.0.0.1:9/b",
        ]
        died, hung, *fine = asyncio.run(_extract_all(pool, urls, die_or_hang))
        assert isinstance(died, WorkerFailed) and isinstance(hung, WorkerFailed)
        assert (died.reason, hung.reason) == ("error", "timeout")
        assert "worker died" in died.detail
        assert [o.article is not None for o in fine] == [True, True]
        (after,) = asyncio.run(
            _extract_all(pool, ["http://127.0.0.1:9/c"], die_or_hang)
        )  # the pool replaced its workers
        assert after.article is not None
    finally:
        pool.close()


def test_a_real_page_too_big_to_extract_in_time_is_cut_off_and_the_pool_goes_on() -> None:
    huge = "<html><body>" + "<p>word " * 150_000 + "</body></html>"  # seconds of work, under EXTRACT_MAX_ELEMENTS
    pool = ExtractionPool(PoolConfig(workers=1, timeout=1.0))
    try:
        slow, after = asyncio.run(
            _extract_pages(pool, [(huge, "http://127.0.0.1:9/huge"), (PAGE, "http://127.0.0.1:9/a")])
        )
    finally:
        pool.close()
    assert isinstance(slow, WorkerFailed) and slow.reason == "timeout"
    assert after.article is not None


def test_in_flight_pages_are_bounded() -> None:
    assert PoolConfig(workers=3).in_flight == 6
    assert PoolConfig(workers=3, max_in_flight=4).in_flight == 4
    with pytest.raises(ValueError, match="timeout must be positive"):
        PoolConfig(timeout=0)


def test_a_crawl_counts_dead_and_hung_workers_and_archives_the_rest(news_web: NewsWeb, tmp_path) -> None:
    result = run(
        SCRAPY,
        "crawl",
        "news",
        "-a",
        f"start_urls={news_web.url('China Topix')}",
        "-s",
        f"NEWSARCHIVE_DB={tmp_path / 'a.db'}",
        "-s",
        "EXTRACT_FUNCTION=pathological.die_or_hang",
        "-s",
        "EXTRACT_TIMEOUT=2",
        "-s",
        "EXTRACT_WORKERS=2",
        "-s",
        "LOG_LEVEL=INFO",
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "tests"), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    stats = dict(re.findall(r"'newsarchive/([\w/]+)': (\d+)", result.stderr))
    # each article is also served under /print/: both copies of the two pages are lost
    assert int(stats["extract/error"]) >= 1 and int(stats["extract/timeout"]) >= 1
    assert stats["stories_new"] == "3"  # China Topix has five stories: two lost, three archived


def test_the_seed_page_extracts_the_same_in_a_worker_as_in_process() -> None:
    from crawler.demo.newsweb import Site

    story = load_seed()
    site = Site("Seed Times", "topix", [story], base_url="http://127.0.0.1:9100")
    html = site.render()[site.article_path(story)][2].decode("utf-8")
    url = site.article_url(story)
    in_process = asyncio.run(ExtractionPool(PoolConfig(workers=0)).run(extract_page, html, url))
    pool = ExtractionPool(PoolConfig(workers=1))
    try:
        in_worker = asyncio.run(pool.run(extract_page, html, url))
    finally:
        pool.close()
    assert in_worker == in_process and in_worker.article is not None
