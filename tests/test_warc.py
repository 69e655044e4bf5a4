"""storage.warc without a crawler: records, headers, rotation, read-back and damaged files."""

from __future__ import annotations

import gzip
import hashlib
import random
import zlib
from base64 import b32encode
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storage.warc import Exchange, WarcWriter, file_problem, read_http_response, recorded_headers

BODY = b"<html><body>" + b"<p>The story.</p>" * 200 + b"</body></html>"


def exchange(url: str = "http://127.0.0.1:8000/story/1.html?a=1", body: bytes = BODY, headers=None) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "newsarchive/test"), ("Accept-Encoding", "gzip, deflate")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        response_headers=headers or [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
        body=body,
        ip_address="127.0.0.1",
    )


def records(path: Path) -> list[tuple[str, dict[str, str], bytes]]:
    with path.open("rb") as f:
        return [
            (r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
            for r in ArchiveIterator(f, check_digests=True)
        ]


def sha1(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def test_each_file_starts_with_warcinfo_then_response_and_linked_request(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 10**9, {"software": "newsarchive/test"})
    writer.write(exchange())
    writer.close()
    (path,) = writer.files
    (info, response, request) = records(path)
    assert info[0] == "warcinfo" and b"software: newsarchive/test" in info[2]
    assert info[1]["WARC-Filename"] == path.name
    assert response[0] == "response" and response[2] == BODY
    assert response[1]["WARC-Target-URI"] == "http://127.0.0.1:8000/story/1.html?a=1"
    assert response[1]["WARC-Payload-Digest"] == sha1(BODY)
    assert response[1]["WARC-IP-Address"] == "127.0.0.1"
    assert request[0] == "request"
    assert request[1]["WARC-Concurrent-To"] == response[1]["WARC-Record-ID"]
    assert request[1]["WARC-Date"] == response[1]["WARC-Date"]


def test_every_record_is_one_gzip_member_at_the_chosen_level(tmp_path: Path) -> None:
    body = random.Random(7).randbytes(20_000).hex().encode()  # compresses, and differently by level
    lengths = {}
    for level in (1, 9):
        writer = WarcWriter(tmp_path / str(level), 10**9, {}, level=level)
        location, _ = writer.write(exchange(body=body))
        writer.close()
        member = writer.files[0].read_bytes()[location.offset : location.offset + location.length]
        inflate = zlib.decompressobj(wbits=31)
        assert inflate.decompress(member).endswith(b"\r\n\r\n") and inflate.eof and not inflate.unused_data
        assert read_http_response(location).endswith(body) and file_problem(writer.files[0]) is None
        lengths[level] = location.length
    assert lengths[1] > lengths[9]
    with pytest.raises(ValueError, match="gzip level"):
        WarcWriter(tmp_path, 10**9, {}, level=0)


def test_request_record_has_the_request_line_and_host(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 10**9, {})
    writer.write(exchange())
    writer.close()
    with writer.files[0].open("rb") as f:
        request = next(r for r in ArchiveIterator(f) if r.rec_type == "request")
        assert request.http_headers.protocol == "GET"
        assert request.http_headers.statusline == "/story/1.html?a=1 HTTP/1.1"
        assert request.http_headers.get_header("Host") == "127.0.0.1:8000"


def test_location_reads_back_the_exact_response(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 10**9, {})
    writer.write(exchange(url="http://127.0.0.1:8000/a.html", body=b"first"))
    location, _ = writer.write(exchange(url="http://127.0.0.1:8000/b.html", body=b"second page"))
    writer.close()
    raw = read_http_response(location)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    head, body = raw.split(b"\r\n\r\n", 1)
    assert body == b"second page"
    assert b"Content-Length: 11" in head


def test_chunked_framing_is_replaced_by_the_recorded_length() -> None:
    headers = recorded_headers([("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], 1234)
    assert headers == [
        ("Content-Type", "text/html"),
        ("X-Archive-Orig-Transfer-Encoding", "chunked"),
        ("Content-Length", "1234"),
    ]


def test_a_content_length_that_disagrees_with_the_body_is_kept_as_original() -> None:
    headers = recorded_headers([("Content-Length", "9999"), ("Content-Encoding", "gzip")], 10)
    assert headers == [
        ("X-Archive-Orig-Content-Length", "9999"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", "10"),
    ]


def test_files_rotate_at_max_size_each_with_warcinfo(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 3000, {})
    bodies = [f"page {i} ".encode() * 300 for i in range(6)]
    for i, body in enumerate(bodies):
        writer.write(exchange(url=f"http://127.0.0.1:8000/{i}", body=body))
    writer.close()
    assert len(writer.files) > 1
    found = []
    for path in writer.files:
        kinds = [r[0] for r in records(path)]
        assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
        found += [r[2] for r in records(path) if r[0] == "response"]
    assert found == bodies
    assert all(p.stat().st_size >= 3000 for p in writer.files[:-1])


def test_a_second_writer_never_reuses_a_file(tmp_path: Path) -> None:
    first, second = WarcWriter(tmp_path, 10**9, {}), WarcWriter(tmp_path, 10**9, {})
    first.write(exchange(body=b"one"))
    second.write(exchange(body=b"two"))
    first.close(), second.close()
    assert first.files[0] != second.files[0]
    assert [r[2] for r in records(first.files[0]) if r[0] == "response"] == [b"one"]


def test_max_size_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_size must be a positive"):
        WarcWriter(tmp_path, 0, {})


def test_complete_file_has_no_problem(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 10**9, {})
    for i in range(3):
        writer.write(exchange(body=BODY * (i + 1)))
    writer.close()
    assert file_problem(writer.files[0]) is None


def test_truncated_last_record_is_reported_and_earlier_records_read_back(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, 10**9, {})
    writer.write(exchange(body=b"kept"))
    last, _ = writer.write(exchange(body=bytes(range(256)) * 400))
    writer.close()
    path = writer.files[0]
    with path.open("r+b") as f:
        f.truncate(last.offset + last.length // 2)
    assert file_problem(path) == "ends with a truncated record"
    with path.open("rb") as f:
        read = [
            (r.rec_type, r.content_stream().read(), r.http_headers and r.http_headers.get_header("Content-Length"))
            for r in ArchiveIterator(f)
        ]
    assert [(kind, content) for kind, content, _ in read[1:3]] == [("response", b"kept"), ("request", b"")]
    cut = read[3]
    assert read[1][2] == "4"
    assert cut[0] == "response" and len(cut[1]) < int(cut[2])  # the cut record comes last, short of its body
    assert len(read) == 4


@pytest.mark.parametrize("cut", [None, 0.5])
def test_a_file_ending_with_a_large_whole_record_is_whole_one_cut_inside_it_is_not(tmp_path: Path, cut: float) -> None:
    """A crawl killed between a response and its request ends its file with the response: as large as a page."""
    writer = WarcWriter(tmp_path, 10**9, {})
    writer.write(exchange(body=b"kept"))
    last, _ = writer.write(exchange(body=random.Random(7).randbytes(300_000)))  # compressed, still 300 KB
    writer.close()
    path = writer.files[0]
    with path.open("r+b") as f:
        f.truncate(last.offset + (last.length if cut is None else int(last.length * cut)))
    assert file_problem(path) == (None if cut is None else "ends with a truncated record")


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"just some notes\n", "not a gzip WARC file"),
        (gzip.compress(b"not a warc record at all\r\n\r\n", mtime=0), "does not start with a warcinfo record"),
        (b"", "not a gzip WARC file"),
    ],
)
def test_foreign_files_are_reported(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "foreign.warc.gz"
    path.write_bytes(content)
    assert file_problem(path).startswith(problem)
