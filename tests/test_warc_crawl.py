"""WARC capture through the real ``newsarchive crawl``: every download recorded, readable, linked from the archive."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import BIN, NEWSARCHIVE, newsarchive, run
from crawler import __version__
from crawler.demo.newsweb import NewsWeb
from databases import REQUIRE_SERVICES
from storage import Archive
from storage.warc import Exchange, WarcWriter, read_http_response

MAX_SIZE = 40_000
#: For crawls whose pace does not matter to the test
UNTHROTTLED = ("-s", "AUTOTHROTTLE_ENABLED=0")
CUT_SHORT = "newsarchive-20000101000000000-00000.warc.gz"


def cut_short_warc() -> bytes:
    """Return a WARC file of ours as a crash mid-record leaves it: its last record cut in the middle."""
    with tempfile.TemporaryDirectory() as tmp:
        writer = WarcWriter(tmp, 10**9, {"software": "newsarchive/test"})
        writer.write(Exchange("http://127.0.0.1:9/", "GET", [], b"", "HTTP/1.1", 200, [], b"<p>page</p>" * 500))
        writer.close()
        data = writer.files[0].read_bytes()
    return data[: len(data) - 100]


#: Files already in the WARC folder: none of ours to write to, all to be reported
FOREIGN = {
    "notes.txt": b"my notes about this crawl\n",
    "other-tool.warc.gz": gzip.compress(b"no WARC in here\r\n\r\n"),
    CUT_SHORT: cut_short_warc(),
}


def read_warc(path: Path) -> list:
    """Return (record, body as recorded) for every record of ``path``, digests checked by warcio as it reads."""
    found = []
    with path.open("rb") as f:
        for record in ArchiveIterator(f, check_digests=True):
            raw = record.raw_stream.read()
            found.append((record, raw))
    return found


def target(record) -> str:
    return record.rec_headers.get_header("WARC-Target-URI")


def served(news_web: NewsWeb) -> dict[str, bytes]:
    """Return URL -> body of every page the loopback web serves."""
    return {
        site.base_url + path: body for site in news_web.sites.values() for path, (_, _, body) in site.render().items()
    }


def our_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name not in FOREIGN)


@dataclass
class WarcCrawl:
    db: Path
    warc_dir: Path
    result: subprocess.CompletedProcess[str]
    requested: list[str]  # the URLs the loopback web served during the crawl, one per request

    def records(self) -> list:
        return [r for path in our_files(self.warc_dir) for r in read_warc(path)]


@pytest.fixture(scope="module")
def warc_crawl(news_web: NewsWeb, tmp_path_factory: pytest.TempPathFactory) -> WarcCrawl:
    """A crawl of the whole web into a new archive, into a WARC folder that already holds foreign files."""
    db = tmp_path_factory.mktemp("warc") / "archive.db"
    warc_dir = db.with_suffix(".warc")  # the default: next to the archive
    warc_dir.mkdir()
    for name, content in FOREIGN.items():
        (warc_dir / name).write_bytes(content)
    before = len(news_web.requests)
    urls = [news_web.url(name) for name in news_web.sites]
    result = newsarchive("crawl", *urls, "--db", str(db), "-s", f"NEWSARCHIVE_WARC_MAX_SIZE={MAX_SIZE}", "-L", "INFO")
    base = {name: site.base_url for name, site in news_web.sites.items()}
    requested = [base[r.site] + r.path for r in news_web.requests[before:]]
    return WarcCrawl(db, warc_dir, result, requested)


def test_the_crawl_succeeds(warc_crawl: WarcCrawl) -> None:
    assert warc_crawl.result.returncode == 0, warc_crawl.result.stderr[-3000:]


def test_every_download_is_recorded_once_with_its_request(warc_crawl: WarcCrawl) -> None:
    records = [r for r, _ in warc_crawl.records()]
    responses = [r for r in records if r.rec_type == "response"]
    assert Counter(target(r) for r in responses) == Counter(warc_crawl.requested)
    ids = {r.rec_headers.get_header("WARC-Record-ID"): target(r) for r in responses}
    requests = [r for r in records if r.rec_type == "request"]
    assert sorted(ids[r.rec_headers.get_header("WARC-Concurrent-To")] for r in requests) == sorted(ids.values())
    assert all(target(r) == ids[r.rec_headers.get_header("WARC-Concurrent-To")] for r in requests)
    assert all(r.http_headers.get_header("User-Agent").startswith("newsarchive/") for r in requests)


def test_every_record_reads_back_with_valid_digests(warc_crawl: WarcCrawl) -> None:
    records = warc_crawl.records()
    assert records
    for record, _ in records:
        assert record.digest_checker.passed is True, (record.rec_type, record.digest_checker.problems)
        assert record.rec_headers.get_header("WARC-Date")
    responses = [r for r, _ in records if r.rec_type == "response"]
    assert all(r.rec_headers.get_header("WARC-Payload-Digest", "").startswith("sha1:") for r in responses)


def test_recorded_responses_are_what_the_server_sent(warc_crawl: WarcCrawl, news_web: NewsWeb) -> None:
    pages = served(news_web)
    for record, body in warc_crawl.records():
        if record.rec_type != "response":
            continue
        url = target(record)
        if record.http_headers.get_statuscode() == "200":
            assert body == pages[url.split("?")[0]], url
        assert record.http_headers.get_header("Content-Length") == str(len(body))


def test_files_rotate_at_the_size_setting_and_each_starts_with_warcinfo(warc_crawl: WarcCrawl) -> None:
    files = our_files(warc_crawl.warc_dir)
    assert len(files) > 1
    assert all(p.stat().st_size >= MAX_SIZE for p in files[:-1])
    for path in files:
        first, info = read_warc(path)[0]
        assert first.rec_type == "warcinfo"
        assert first.rec_headers.get_header("WARC-Filename") == path.name
        assert f"software: newsarchive/{__version__}".encode() in info
    assert f"'warc/files': {len(files)}" in warc_crawl.result.stderr


def test_foreign_files_in_the_folder_are_reported_and_left_alone(warc_crawl: WarcCrawl) -> None:
    for name, content in FOREIGN.items():
        assert (warc_crawl.warc_dir / name).read_bytes() == content
        assert f"{name} " in warc_crawl.result.stderr
    assert f"{CUT_SHORT} ends with a truncated record" in warc_crawl.result.stderr
    assert f"'warc/bad_files': {len(FOREIGN)}" in warc_crawl.result.stderr


def test_every_archived_page_points_at_its_response_record(warc_crawl: WarcCrawl, news_web: NewsWeb) -> None:
    pages = served(news_web)
    with Archive(str(warc_crawl.db), create=False) as archive:
        stories = list(archive.iter_stories())
        urls = [s["url"] for s in stories] + [d["url"] for s in stories for d in s["duplicates"]]
        assert len(urls) > 10
        for url in urls:
            raw = read_http_response(archive.capture_of(url))
            head, body = raw.split(b"\r\n\r\n", 1)
            assert head.startswith(b"HTTP/1.0 200 OK\r\n")
            assert body == pages[url], url


def test_show_raw_prints_the_recorded_response(warc_crawl: WarcCrawl, news_web: NewsWeb) -> None:
    with Archive(str(warc_crawl.db), create=False) as archive:
        story = next(s for s in archive.iter_stories() if s["duplicates"])
    url = story["duplicates"][0]["url"]
    result = subprocess.run(
        [NEWSARCHIVE, "show", url, "--raw", "--db", str(warc_crawl.db)], capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(b"\r\n\r\n", 1)[1] == served(news_web)[url]


def test_show_raw_reads_a_moved_warc_folder(warc_crawl: WarcCrawl, news_web: NewsWeb, tmp_path: Path) -> None:
    with Archive(str(warc_crawl.db), create=False) as archive:
        url = next(archive.iter_stories())["url"]
    moved = tmp_path / "moved"
    warc_crawl.warc_dir.rename(moved)
    try:
        show = [NEWSARCHIVE, "show", url, "--raw", "--db", str(warc_crawl.db)]
        lost = subprocess.run(show, capture_output=True, text=True, timeout=60)
        found = subprocess.run([*show, "--warc-dir", str(moved)], capture_output=True, timeout=60)
    finally:
        moved.rename(warc_crawl.warc_dir)
    assert lost.returncode == 1 and "cannot read the WARC record" in lost.stderr
    assert found.returncode == 0, found.stderr
    assert found.stdout.split(b"\r\n\r\n", 1)[1] == served(news_web)[url]


def test_show_prints_the_story_with_its_duplicates(warc_crawl: WarcCrawl) -> None:
    with Archive(str(warc_crawl.db), create=False) as archive:
        story = next(s for s in archive.iter_stories() if s["duplicates"])
    result = newsarchive("show", story["duplicates"][0]["url"], "--db", str(warc_crawl.db))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert story["title"] in out
    assert " ".join(story["text"].split("\n")[0].split()) in out
    assert story["duplicates"][0]["url"] in out


def test_show_names_a_url_that_is_not_archived(warc_crawl: WarcCrawl) -> None:
    result = newsarchive("show", "http://127.0.0.1:9/nothing.html", "--raw", "--db", str(warc_crawl.db))
    assert result.returncode == 1
    assert "http://127.0.0.1:9/nothing.html is not in the archive" in result.stderr


# -- replay in pywb --------------------------------------------------------------


def pywb_command(name: str) -> str:
    """Return pywb's ``name`` command, from this venv or PATH (pywb pins redis==2.10.6: it often lives in its own venv)."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        message = f"pywb is not installed: {name} not found (pip install pywb, or put its venv's bin on PATH)"
        if REQUIRE_SERVICES:  # CI installs pywb in its own venv (.ci/run)
            pytest.fail(f"{message} [NEWSARCHIVE_REQUIRE_SERVICES=1]")
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_warc_files_replay_in_pywb(
    warc_crawl: WarcCrawl, news_web: NewsWeb, encoded_site: str, encoded_warc: Path, tmp_path: Path
) -> None:
    wb_manager, wayback = pywb_command("wb-manager"), pywb_command("wayback")
    assert run(wb_manager, "init", "crawl", cwd=tmp_path).returncode == 0
    added = run(wb_manager, "add", "crawl", *map(str, our_files(warc_crawl.warc_dir)), str(encoded_warc), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    port = free_port()
    server = subprocess.Popen(
        [wayback, "-b", "127.0.0.1", "-p", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with Archive(str(warc_crawl.db), create=False) as archive:
            urls = [s["url"] for s in archive.iter_stories()]
        deadline = time.monotonic() + 60
        while True:  # until pywb answers
            try:
                urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "pywb did not start"
                time.sleep(0.1)
        pages = served(news_web) | {encoded_site + "gzip.html": PAGE, encoded_site + "chunked.html": PAGE}
        for url in urls + [encoded_site + "gzip.html", encoded_site + "chunked.html"]:
            with urlopen(f"http://127.0.0.1:{port}/crawl/id_/{url}", timeout=30) as replayed:
                body = replayed.read()
                if replayed.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                assert body == pages[url], url
    finally:
        server.terminate()
        server.wait()


# -- a killed crawl -----------------------------------------------------------


def whole(record) -> bool:
    """Return True if warcio read ``record`` to its end and its digests matched (a cut record has none checked)."""
    return record.rec_type == "warcinfo" or record.digest_checker.passed is True


def complete_responses(path: Path) -> int:
    """Return how many response records of ``path`` are complete so far (the file may be mid-write)."""
    try:
        return sum(r.rec_type == "response" and whole(r) for r, _ in read_warc(path))
    except Exception:
        return 0


def test_a_killed_crawl_leaves_readable_records_and_the_next_crawl_starts_a_new_file(
    news_web: NewsWeb, tmp_path: Path
) -> None:
    db, warc_dir = tmp_path / "killed.db", tmp_path / "killed.warc"
    urls = [news_web.url(name) for name in news_web.sites]
    crawl = subprocess.Popen(
        [NEWSARCHIVE, "crawl", *urls, "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while not (warc_dir.is_dir() and any(complete_responses(p) >= 8 for p in warc_dir.iterdir())):
        assert crawl.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    crawl.send_signal(signal.SIGKILL)
    crawl.wait()
    (killed,) = warc_dir.iterdir()
    before = hashlib.sha256(killed.read_bytes()).hexdigest()

    records = [r for r, _ in read_warc(killed)]
    assert sum(r.rec_type == "response" for r in records) >= 8
    assert all(whole(r) for r in records[:-1])  # at most the last record is cut short
    with Archive(str(db), create=False) as archive:  # the archive points only at whole records
        for story in archive.iter_stories():
            assert read_http_response(archive.capture_of(story["url"]))

    again = newsarchive("crawl", *urls, "--db", str(db), *UNTHROTTLED)
    assert again.returncode == 0, again.stderr[-3000:]
    assert hashlib.sha256(killed.read_bytes()).hexdigest() == before
    assert len(list(warc_dir.iterdir())) == 2
    cut_short = not whole(records[-1])  # as warcio sees it
    assert (f"{killed} ends with a truncated record" in again.stderr) == cut_short


# -- compressed and chunked responses ----------------------------------------

PAGE = (
    "<html><head><title>Encoded</title></head><body>" + "<p>A paragraph of the story.</p>" * 100 + "</body></html>"
).encode()


class _EncodedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked transfer encoding needs it

    def do_GET(self) -> None:
        if self.path == "/":
            self._send(b'<html><body><a href="/gzip.html">gzip</a> <a href="/chunked.html">chunked</a></body></html>')
        elif self.path == "/gzip.html":
            self._send(gzip.compress(PAGE), ("Content-Encoding", "gzip"))
        elif self.path == "/chunked.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(PAGE) // 2
            for chunk in (PAGE[:half], PAGE[half:], b""):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        else:
            self._send(b"not found", status=404)

    def _send(self, body: bytes, *headers: tuple[str, str], status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture(scope="module")
def encoded_site() -> Iterator[str]:
    """A site on 127.0.0.1 that serves one page gzip-encoded and one with chunked transfer encoding."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EncodedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def encoded_warc(encoded_site: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The WARC file of a crawl of the encoded site, written where --warc-dir says."""
    warc_dir = tmp_path_factory.mktemp("encoded") / "captures"
    db = warc_dir.parent / "encoded.db"
    result = newsarchive("crawl", encoded_site, "--db", str(db), "--warc-dir", str(warc_dir), *UNTHROTTLED)
    assert result.returncode == 0, result.stderr[-3000:]
    (path,) = warc_dir.iterdir()
    return path


@pytest.fixture(scope="module")
def encoded_records(encoded_warc: Path) -> dict[str, tuple]:
    return {urlsplit(target(r)).path: (r, raw) for r, raw in read_warc(encoded_warc) if r.rec_type == "response"}


def test_gzip_response_is_recorded_encoded_with_true_headers(encoded_records: dict[str, tuple]) -> None:
    record, raw = encoded_records["/gzip.html"]
    assert record.http_headers.get_header("Content-Encoding") == "gzip"
    assert record.http_headers.get_header("Content-Length") == str(len(raw))
    assert gzip.decompress(raw) == PAGE
    assert record.digest_checker.passed is True


def test_warcio_reads_the_pages_back_decoded(encoded_records: dict[str, tuple], encoded_warc: Path) -> None:
    with encoded_warc.open("rb") as f:
        pages = {
            urlsplit(target(r)).path: r.content_stream().read() for r in ArchiveIterator(f) if r.rec_type == "response"
        }
    assert pages["/gzip.html"] == pages["/chunked.html"] == PAGE


def test_chunked_response_is_recorded_without_its_transfer_framing(encoded_records: dict[str, tuple]) -> None:
    record, raw = encoded_records["/chunked.html"]
    assert raw == PAGE
    assert record.http_headers.get_header("Transfer-Encoding") is None
    assert record.http_headers.get_header("Content-Length") == str(len(PAGE))


# -- what is not downloaded is not recorded; what cannot be recorded stops the crawl -------


def test_responses_served_from_the_http_cache_are_not_recorded_again(news_web: NewsWeb, tmp_path: Path) -> None:
    url = news_web.url("China Topix")
    cache = ["-s", "HTTPCACHE_ENABLED=1", "-s", f"HTTPCACHE_DIR={tmp_path / 'cache'}", *UNTHROTTLED]
    counts = []
    for name in ("first", "second"):
        before = len(news_web.requests)
        result = newsarchive("crawl", url, "--db", str(tmp_path / f"{name}.db"), *cache)
        assert result.returncode == 0, result.stderr[-3000:]
        files = (tmp_path / f"{name}.warc").glob("*.warc.gz")  # none if nothing was downloaded
        responses = sum(r.rec_type == "response" for path in files for r, _ in read_warc(path))
        counts.append((responses, len(news_web.requests) - before))
    (first_recorded, first_served), (second_recorded, second_served) = counts
    assert first_recorded == first_served > 5
    assert second_recorded == second_served == 0  # all from the cache


def test_a_crawl_that_cannot_write_its_warc_files_stops_with_a_clear_message(news_web: NewsWeb, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the WARC folder's parent should be")
    result = newsarchive(
        "crawl",
        news_web.url("China Topix"),
        "--db",
        str(tmp_path / "a.db"),
        "-s",
        f"NEWSARCHIVE_WARC_DIR={blocker / 'warc'}",
        *UNTHROTTLED,
    )
    assert result.returncode == 1
    assert f"cannot write WARC records to {blocker / 'warc'}" in result.stderr
    assert blocker.read_text() == "a file where the WARC folder's parent should be"
