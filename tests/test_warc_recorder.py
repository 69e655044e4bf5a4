"""The Scrapy side of WARC capture: settings, what an exchange holds, and locations handed to items."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.extensions.warc import META_KEY, WarcRecorder, exchange_of, warc_dir
from crawler.items import PageItem
from crawler.middlewares.warc import WarcLocationMiddleware
from crawler.run import check, crawl_settings
from storage.warc import WarcLocation

LOCATION = WarcLocation("/data/a.warc.gz", 1200, 3400)


@pytest.mark.parametrize(
    "db, expected",
    [
        ("archive.db", "archive.warc"),
        ("data/news.db", "data/news.warc"),
        ("sqlite:////srv/news/archive.db", "/srv/news/archive.warc"),
        ("postgresql://postgres@127.0.0.1:5432/news", "warc"),
        ("sqlite://", "warc"),
    ],
)
def test_warc_folder_defaults_to_one_next_to_the_sqlite_archive(db: str, expected: str) -> None:
    assert warc_dir(Settings({"NEWSARCHIVE_DB": db, "NEWSARCHIVE_WARC_DIR": ""})) == Path(expected)


def test_warc_dir_setting_wins_over_the_default() -> None:
    assert warc_dir(Settings({"NEWSARCHIVE_DB": "archive.db", "NEWSARCHIVE_WARC_DIR": "/captures"})) == Path(
        "/captures"
    )


@pytest.mark.parametrize("value", ["big", "0", "-5"])
def test_a_bad_max_size_stops_the_crawl_before_it_starts_and_is_named(value: str, tmp_path: Path) -> None:
    settings = crawl_settings(str(tmp_path / "a.db"), [f"NEWSARCHIVE_WARC_MAX_SIZE={value}"])
    with pytest.raises(ValueError, match="NEWSARCHIVE_WARC_MAX_SIZE must be a positive number of bytes"):
        check(settings, ["http://127.0.0.1:9/"])


def test_recording_can_be_turned_off() -> None:
    with pytest.raises(NotConfigured):
        WarcRecorder.from_crawler(get_crawler(settings_dict={"NEWSARCHIVE_WARC_ENABLED": False}))


def test_an_exchange_keeps_every_header_value_of_request_and_response() -> None:
    request = Request("http://127.0.0.1:8000/a.html?x=1", headers={"User-Agent": "newsarchive/test"})
    response = HtmlResponse(
        request.url,
        status=404,
        body=b"<p>gone</p>",
        request=request,
        protocol="HTTP/1.1",
        ip_address=ipaddress.ip_address("127.0.0.1"),
        headers={"Set-Cookie": ["a=1", "b=2"], "Content-Type": "text/html"},
    )
    exchange = exchange_of(request, response)
    assert exchange.url == "http://127.0.0.1:8000/a.html?x=1"
    assert exchange.status == 404 and exchange.body == b"<p>gone</p>"
    assert [v for n, v in exchange.response_headers if n == "Set-Cookie"] == ["a=1", "b=2"]
    assert ("User-Agent", "newsarchive/test") in exchange.request_headers
    assert exchange.ip_address == "127.0.0.1" and exchange.protocol == "HTTP/1.1"


def _through_middleware(response: HtmlResponse, items: list[object]) -> list[object]:
    async def source() -> AsyncIterator[object]:
        for item in items:
            yield item

    async def collect() -> list[object]:
        return [item async for item in WarcLocationMiddleware().process_spider_output(response, source())]

    return asyncio.run(collect())


def test_a_page_gets_the_location_recorded_for_its_response() -> None:
    url = "http://127.0.0.1:8000/story.html"
    response = HtmlResponse(url, body=b"", request=Request(url, meta={META_KEY: (url, LOCATION)}))
    follow = Request("http://127.0.0.1:8000/next.html")
    (page, request) = _through_middleware(response, [PageItem(url=url, html=""), follow])
    assert page.warc == LOCATION
    assert request is follow


def test_a_location_recorded_for_another_url_is_not_used() -> None:
    """A redirect's record travels in the meta of the request it was redirected to."""
    url = "http://127.0.0.1:8000/story.html"
    response = HtmlResponse(
        url, body=b"", request=Request(url, meta={META_KEY: ("http://127.0.0.1:8000/old", LOCATION)})
    )
    (page,) = _through_middleware(response, [PageItem(url=url, html="")])
    assert page.warc is None
