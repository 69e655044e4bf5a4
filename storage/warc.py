"""Raw HTTP exchanges in WARC files: written with warcio, gzip per record, rotated by size.

The archive keeps where each capture is (file, offset, length), so one record is
read back without an index. Files are only ever created, never reopened: a
crawl killed mid-record leaves one truncated record at the end of its last
file, every earlier record stays readable, and the next crawl starts a new file.
"""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import GzippingWrapper, WARCWriter

Headers = list[tuple[str, str]]

#: A whole file ends with a whole gzip member, most often a small request record; a crawl killed between a
#: response and its request leaves a response last, as large as a page: looked for further back, window by window.
_TAIL_WINDOWS = (64 * 1024, 1024 * 1024, 32 * 1024 * 1024)
_GZIP_MEMBER_START = b"\x1f\x8b\x08"
#: zlib's default level: warcio's writer uses 9, which costs HTML pages 50 % more time for 0.5 % less size.
GZIP_LEVEL = 6


class _Gzipped(GzippingWrapper):  # type: ignore[misc]  # warcio is not typed
    """warcio's gzip stream for one record, at ``level`` (warcio's own is fixed at 9)."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        super().__init__(out)
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)


class _GzipPerRecordWriter(WARCWriter):  # type: ignore[misc]  # warcio is not typed
    """warcio's WARC writer, each record one gzip member at ``level``, streamed to the file as warcio streams it."""

    def __init__(self, out: BinaryIO, level: int) -> None:
        super().__init__(out, gzip=False)
        self.level = level

    def write_record(self, record: ArcWarcRecord, params: object = None) -> None:
        self._write_warc_record(_Gzipped(self.out, self.level), record)  # its flush ends the member


@dataclass(frozen=True)
class WarcLocation:
    """Where a record is: its file, the offset of its gzip member and the member's length in bytes."""

    path: str
    offset: int
    length: int

    def moved_to(self, directory: str | os.PathLike[str]) -> WarcLocation:
        """Return this location with its file in ``directory``: for WARC files moved since they were written."""
        return WarcLocation(str(Path(directory) / Path(self.path).name), self.offset, self.length)


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response it got, as the downloader sent and received them."""

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    protocol: str
    status: int
    response_headers: Headers
    body: bytes
    ip_address: str | None = None


def recorded_headers(headers: Headers, body_length: int) -> Headers:
    """Return ``headers`` made true of a body of ``body_length`` bytes with its transfer framing removed.

    The downloader has already undone chunked transfer encoding (and a response
    can be cut short), so Transfer-Encoding goes and Content-Length is the
    recorded length; values that changed are kept as ``X-Archive-Orig-<name>``,
    the convention replay tools know. Content-Encoding is kept: the body is
    recorded as the server encoded it.
    """
    length = str(body_length)
    kept: Headers = []
    for name, value in headers:
        framing = name.lower() in ("transfer-encoding", "content-length")
        if framing and value.strip() != length:
            kept.append((f"X-Archive-Orig-{name}", value))
        elif not framing:
            kept.append((name, value))
    kept.append(("Content-Length", length))
    return kept


class WarcWriter:
    """Write exchanges as response + request records to new ``<prefix>-<time>-<serial>.warc.gz`` files.

    A file is started on the first write and whenever the current one has
    reached ``max_size`` bytes; each file opens with a warcinfo record made of
    ``info``. Names are claimed with exclusive creation, so crawls writing to
    the same directory, at once or one after another, never share a file.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        max_size: int,
        info: dict[str, str],
        prefix: str = "newsarchive",
        level: int = GZIP_LEVEL,
    ) -> None:
        if max_size <= 0:
            raise ValueError(f"max_size must be a positive number of bytes, got {max_size}")
        if not 1 <= level <= 9:
            raise ValueError(f"the gzip level must be 1 to 9, got {level}")
        self.level = level
        self.directory = Path(directory).absolute()
        self.max_size = max_size
        self.info = info
        self.prefix = prefix
        self.files: list[Path] = []
        self._serial = 0
        self._file: BinaryIO | None = None
        self._writer: WARCWriter | None = None

    def write(self, exchange: Exchange) -> tuple[WarcLocation, int]:
        """Append ``exchange``; return where its response record is and how many bytes the pair took."""
        if self._file is None or self._file.tell() >= self.max_size:
            self._start_file()
        assert self._file is not None and self._writer is not None
        start = self._file.tell()
        response = self._response_record(exchange)
        self._writer.write_record(response)  # flushes the file: a later kill cannot take this record with it
        end = self._file.tell()
        self._writer.write_record(self._request_record(exchange, response))
        return WarcLocation(str(self.files[-1]), start, end - start), self._file.tell() - start

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None

    def _start_file(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:17]
            path = self.directory / f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
            self._serial += 1
            try:
                self._file = path.open("xb")
                break
            except FileExistsError:
                continue
        self.files.append(path)
        self._writer = _GzipPerRecordWriter(self._file, self.level)
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, self.info))

    def _response_record(self, exchange: Exchange) -> ArcWarcRecord:
        assert self._writer is not None
        status = f"{exchange.status} {_reason(exchange.status)}".strip()
        headers = StatusAndHeaders(
            status, recorded_headers(exchange.response_headers, len(exchange.body)), protocol=exchange.protocol
        )
        warc_headers = {"WARC-IP-Address": exchange.ip_address} if exchange.ip_address else {}
        return self._writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=headers,
            warc_headers_dict=warc_headers,
        )

    def _request_record(self, exchange: Exchange, response: ArcWarcRecord) -> ArcWarcRecord:
        assert self._writer is not None
        url = urlsplit(exchange.url)
        target = url.path or "/"
        if url.query:
            target += f"?{url.query}"
        headers = list(exchange.request_headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", url.netloc))
        warc_headers = {
            "WARC-Date": response.rec_headers.get_header("WARC-Date"),
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        }
        return self._writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", headers, is_http_request=True),
            warc_headers_dict=warc_headers,
        )


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def read_http_response(location: WarcLocation) -> bytes:
    """Return the HTTP response recorded at ``location``: status line, headers and body as recorded.

    Raises OSError if the file cannot be read and ValueError if no response record is there.
    """
    with open(location.path, "rb") as f:
        f.seek(location.offset)
        data = f.read(location.length)
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))), None)
    except ArchiveLoadFailed as exc:
        raise ValueError(f"no WARC record at {location.path}:{location.offset}: {exc}") from exc
    if record is None or record.rec_type != "response" or record.http_headers is None:
        raise ValueError(f"no response record at {location.path}:{location.offset}")
    response: bytes = record.http_headers.to_bytes() + record.raw_stream.read()
    return response


def file_problem(path: Path) -> str | None:
    """Return why ``path`` is not a complete gzip-per-record WARC file this tool could have written, or None.

    Cheap enough for every crawl start: the first record must be a warcinfo
    record, and the file must end with a whole gzip member holding a WARC record
    (looked for in its last 64 KiB, then further back for a large last record)
    rather than with a record cut short. A file another crawl is writing at this
    moment can look cut short too.
    """
    try:
        with path.open("rb") as f:
            if f.read(2) != _GZIP_MEMBER_START[:2]:
                return "not a gzip WARC file"
            f.seek(0)
            first = next(iter(ArchiveIterator(f)), None)
            if first is None or first.rec_type != "warcinfo":
                return "does not start with a warcinfo record"
            size = f.seek(0, os.SEEK_END)
            for window in (*_TAIL_WINDOWS, size):
                f.seek(max(0, size - window))
                if (whole := _ends_with_whole_record(f.read())) is not None or window >= size:
                    break
    except Exception as exc:  # anything a foreign file makes the reader raise
        return f"unreadable ({exc!r})"
    if not whole:
        return "ends with a truncated record"
    return None


def _ends_with_whole_record(tail: bytes) -> bool | None:
    """Return whether ``tail`` (a file's end) ends with a whole gzip member of a WARC record; None if it holds
    no member's end at all (the last record starts further back)."""
    pos = len(tail)
    while (pos := tail.rfind(_GZIP_MEMBER_START, 0, pos)) >= 0:
        member = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            text = member.decompress(tail[pos:])
        except zlib.error:
            continue
        if member.eof:
            return not member.unused_data and text.startswith(b"WARC/")
    return None
