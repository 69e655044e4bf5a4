"""The WARC recorder: every download recorded with its request, in files warcio reads (crawler.extensions.warc)."""

from __future__ import annotations

import asyncio
import gzip
import io
import random
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response
from warcio.archiveiterator import ArchiveIterator

from crawler.extensions.warc import META_KEY, WarcRecorder
from unit_crawler import unit_crawler

AGENT = "newsarchive/1.0 (+https://newsarchive.example/contact)"
SITE = "http://127.0.0.1:8001"


def recording(directory: Path, **settings: object) -> Crawler:
    """Return a crawler whose recorder writes to ``directory``, the spider opened."""
    crawler = unit_crawler(
        {
            "NEWSARCHIVE_WARC_ENABLED": True,
            "NEWSARCHIVE_WARC_DIR": str(directory),
            "NEWSARCHIVE_WARC_MAX_SIZE": 10**9,
            "NEWSARCHIVE_WARC_PREFIX": "newsarchive",
            "USER_AGENT": AGENT,
            "ROBOTSTXT_OBEY": True,
            **settings,
        }
    )
    crawler.recorder = WarcRecorder.from_crawler(crawler)  # kept, as Scrapy's extension manager keeps it
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    return crawler


def download(crawler: Crawler, response: Response) -> None:
    """Tell the crawl a response came off the network (the downloader sends it before any middleware)."""
    crawler.signals.send_catch_log(
        signals.response_downloaded, response=response, request=response.request, spider=crawler.spider
    )


def close(crawler: Crawler, reason: str = "finished") -> None:
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason=reason)


@dataclass
class Record:
    kind: str
    uri: str | None
    http: str  # the status or request line and headers, as recorded
    body: bytes  # as recorded (not decoded)


def records(directory: Path) -> list[Record]:
    """Return every record of the folder's files as warcio reads it, digests checked."""
    found = []
    for path in sorted(directory.iterdir()):
        with path.open("rb") as f:
            for record in ArchiveIterator(f, check_digests=True):
                http = record.http_headers.to_str() if record.http_headers else ""
                uri = record.rec_headers.get_header("WARC-Target-URI")
                found.append(Record(record.rec_type, uri, http, record.raw_stream.read()))
    return found


def page(path: str, status: int = 200, body: bytes = b"", **headers: str) -> HtmlResponse:
    request = Request(SITE + path, headers={"User-Agent": AGENT})
    return HtmlResponse(request.url, status=status, body=body, headers=headers, request=request)


def warcinfo_size(directory: Path) -> int:
    """Return the bytes the warcinfo record takes at the start of the folder's one file."""
    (path,) = directory.iterdir()
    with path.open("rb") as f:
        iterator = ArchiveIterator(f)
        next(iter(iterator))
        return iterator.get_record_offset() + iterator.get_record_length()


def test_each_download_is_a_response_record_and_its_request_record(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    download(crawler, page("/news/a.html", body=b"<p>A</p>"))
    download(crawler, page("/old", status=301, Location=f"{SITE}/news/a.html"))
    download(crawler, page("/gone", status=404, body=b"<p>not here</p>"))
    close(crawler)
    got = [(r.kind, r.uri) for r in records(tmp_path)]
    assert got == [
        ("warcinfo", None),
        ("response", f"{SITE}/news/a.html"),
        ("request", f"{SITE}/news/a.html"),
        ("response", f"{SITE}/old"),
        ("request", f"{SITE}/old"),
        ("response", f"{SITE}/gone"),
        ("request", f"{SITE}/gone"),
    ]
    stats = crawler.stats
    assert (stats.get_value("warc/records"), stats.get_value("warc/files")) == (6, 1)
    assert stats.get_value("warc/bytes") == sum(p.stat().st_size for p in tmp_path.iterdir()) - warcinfo_size(tmp_path)


def test_the_records_hold_what_was_sent_and_received(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    download(crawler, page("/news/a.html?x=1", body=b"<p>A</p>", **{"Content-Type": "text/html"}))
    close(crawler)
    (_, response, request) = records(tmp_path)
    assert response.http.startswith("HTTP/1.1 200 OK\r\n") and "Content-Type: text/html\r\n" in response.http
    assert response.body == b"<p>A</p>"
    assert request.http.startswith("GET /news/a.html?x=1 HTTP/1.1\r\n")
    assert f"User-Agent: {AGENT}\r\n" in request.http


def test_each_file_names_the_crawler_its_user_agent_and_its_robots_policy(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    download(crawler, page("/"))
    close(crawler)
    info = records(tmp_path)[0].body.decode()
    assert f"http-header-user-agent: {AGENT}\r\n" in info
    assert "robots: obey\r\n" in info
    assert info.startswith("software: newsarchive/")
    assert f"hostname: {socket.gethostname()}\r\n" in info


def test_files_are_named_with_the_prefix_setting(tmp_path: Path) -> None:
    crawler = recording(tmp_path, NEWSARCHIVE_WARC_PREFIX="newsarchive-host1.w2")
    download(crawler, page("/"))
    close(crawler)
    (name,) = [p.name for p in tmp_path.iterdir()]
    assert re.fullmatch(r"newsarchive-host1\.w2-\d{17}-\d{5}\.warc\.gz", name), name


def test_a_compressed_body_is_recorded_as_the_server_sent_it(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    sent = gzip.compress(b"<p>A</p>")
    download(crawler, page("/a.html", body=sent, **{"Content-Encoding": "gzip"}))
    close(crawler)
    (_, response, _) = records(tmp_path)
    assert response.body == sent and "Content-Encoding: gzip\r\n" in response.http


def test_the_request_carries_its_responses_url_and_location_to_the_spider(tmp_path: Path) -> None:
    crawler = recording(tmp_path)
    response = page("/news/a.html", body=b"<p>A</p>")
    download(crawler, response)
    url, location = response.meta[META_KEY]
    assert url == f"{SITE}/news/a.html"
    (path,) = tmp_path.iterdir()
    assert Path(location.path) == path
    member = path.read_bytes()[location.offset : location.offset + location.length]
    (record,) = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(io.BytesIO(member))]
    assert record == ("response", url)


def test_files_turn_over_at_the_size_setting(tmp_path: Path) -> None:
    crawler = recording(tmp_path, NEWSARCHIVE_WARC_MAX_SIZE=2_000)
    for n in range(6):
        download(crawler, page(f"/news/{n}.html", body=random.Random(n).randbytes(2_000)))  # gzip cannot shrink it
    close(crawler)
    files = sorted(tmp_path.iterdir())
    assert len(files) == 6 == crawler.stats.get_value("warc/files")
    assert [r.kind for r in records(tmp_path)] == ["warcinfo", "response", "request"] * 6


def test_without_its_folder_the_crawl_stops_with_warc_write_failed_and_records_nothing_more(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the WARC folder should be\n")
    crawler = recording(blocker / "warc")

    async def two_downloads() -> list[dict]:
        first, second = page("/a.html"), page("/b.html")
        download(crawler, first)
        download(crawler, second)
        await asyncio.sleep(0)  # the close runs as a task
        return [first.meta, second.meta]

    metas = asyncio.run(two_downloads())
    assert crawler.engine.closed == ["warc_write_failed"]
    assert crawler.stats.get_value("warc/errors") == 1
    assert all(META_KEY not in meta for meta in metas)
    assert crawler.stats.get_value("warc/records") is None


def test_foreign_and_cut_short_files_in_the_folder_are_counted_and_left_alone(tmp_path: Path) -> None:
    first = recording(tmp_path)
    download(first, page("/a.html"))
    close(first)
    (ours,) = tmp_path.iterdir()
    cut = tmp_path / "newsarchive-cut.warc.gz"
    cut.write_bytes(ours.read_bytes()[:-100])
    (tmp_path / "notes.txt").write_text("my notes\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = recording(tmp_path)
    assert second.stats.get_value("warc/bad_files") == 2
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_folder_not_there_yet_is_made_at_the_first_download(tmp_path: Path) -> None:
    crawler = recording(tmp_path / "captures" / "2026")
    assert not (tmp_path / "captures").exists()
    download(crawler, page("/"))
    close(crawler)
    assert len(list((tmp_path / "captures" / "2026").iterdir())) == 1
    assert crawler.stats.get_value("warc/bad_files") is None
