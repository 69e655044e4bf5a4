"""The loopback news web with faults: pages that go wrong the ways the open web's do.

A :class:`HostileWeb` serves sites as :class:`crawler.demo.newsweb.NewsWeb`
does, except the paths given a :class:`Fault`: those answer a 503 or 429 for a
while, hang, drop the connection mid-body, come cut short (whole-looking, with
a matching Content-Length), in the wrong charset, as 20 MB of junk, as a gzip
bomb, as a redirect loop or off-site, or as binary labelled HTML. A fault with
``times`` goes wrong for its first requests only, then the page is served whole.
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.demo.newsweb import NewsWeb, Site
from crawler.demo.newsweb.server import LoggedRequest, _Handler

Page = tuple[int, str, bytes]  # status, content type, body, as Site.render gives them


@dataclass
class Fault:
    """How a page goes wrong; for its first ``times`` requests (None: always), then it is served as it is."""

    times: int | None = None
    served: int = field(default=0, init=False)
    lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def due(self) -> bool:
        with self.lock:
            if self.times is not None and self.served >= self.times:
                return False
            self.served += 1
            return True

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        """Answer the request; return the status to log (0: no answer at all)."""
        raise NotImplementedError


def _send(handler: _Handler, status: int, ctype: str, body: bytes, headers: Mapping[str, str] = {}) -> int:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    return status


@dataclass
class Status(Fault):
    """Answer ``status`` (503, 429…) with an optional Retry-After, ``times`` times."""

    status: int = 503
    retry_after: str | None = None

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return _send(handler, self.status, "text/html", b"<html><body><h1>Busy, try later</h1></body></html>", headers)


@dataclass
class Busy(Fault):
    """Answer 503 with ``Retry-After: seconds`` until ``seconds`` after the first request: a site that is busy
    for a while, whatever the number of tries in it."""

    seconds: float = 1.0
    since: float | None = field(default=None, init=False)

    def due(self) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.since is None:
                self.since = now
            return now - self.since < self.seconds

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        body = b"<html><body><h1>Service unavailable</h1></body></html>"
        return _send(handler, 503, "text/html", body, {"Retry-After": f"{self.seconds:g}"})


@dataclass
class Hang(Fault):
    """Send nothing until the client gives up (or the web stops)."""

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        web.stopping.wait(120)
        return 0


@dataclass
class DropMidBody(Fault):
    """Announce the whole body, send half of it, close the connection."""

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        assert page is not None
        status, ctype, body = page
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.close_connection = True
        handler.connection.shutdown(2)
        return status


@dataclass
class CutShort(Fault):
    """Serve the page's first ``fraction`` of HTML as if it were all of it: a matching Content-Length, status 200."""

    fraction: float = 0.55

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        assert page is not None
        status, ctype, body = page
        return _send(handler, status, ctype, body[: int(len(body) * self.fraction)])


@dataclass
class Charset(Fault):
    """Serve the page's text encoded in ``actual`` but declared ``declared`` (None: no charset anywhere)."""

    actual: str = "cp1252"
    declared: str | None = "utf-8"

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        assert page is not None
        status, ctype, body = page
        text = body.decode("utf-8")
        if self.declared is None:
            text = re.sub(r"<meta charset=[^>]*>", "", text)
        elif self.declared.lower() != "utf-8":
            text = text.replace('<meta charset="utf-8">', f'<meta charset="{self.declared}">')
        mime = ctype.split(";")[0]
        declared = mime if self.declared is None else f"{mime}; charset={self.declared}"
        return _send(handler, status, declared, text.encode(self.actual, "xmlcharrefreplace"))


@dataclass
class Junk(Fault):
    """Stream ``size`` bytes of junk as text/html (more than DOWNLOAD_MAXSIZE)."""

    size: int = 20 * 1024 * 1024

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(self.size))
        handler.end_headers()
        chunk = (b"<p>junk " + os.urandom(24).hex().encode() + b"</p>\n") * 2048
        sent = 0
        try:
            while sent < self.size:
                part = chunk[: self.size - sent]
                handler.wfile.write(part)
                sent += len(part)
        except OSError:  # the client hung up once it had enough
            pass
        return 200


@dataclass
class GzipBomb(Fault):
    """A small gzip body that inflates to ``inflated`` bytes (past DOWNLOAD_MAXSIZE)."""

    inflated: int = 64 * 1024 * 1024

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        body = web.bomb(self.inflated)
        return _send(handler, 200, "text/html; charset=utf-8", body, {"Content-Encoding": "gzip"})


@dataclass
class Redirect(Fault):
    """Redirect (302) to ``location``: another path of the site, or a URL elsewhere."""

    location: str = "/"

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        return _send(handler, 302, "text/html", b"", {"Location": self.location})


@dataclass
class Loop(Fault):
    """Redirect to ``to`` with a new query each time: a loop no duplicate filter sees through."""

    to: str = "/"

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        return _send(handler, 302, "text/html", b"", {"Location": f"{self.to}?hop={self.served}"})


@dataclass
class Binary(Fault):
    """Serve an image labelled as HTML."""

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
        return _send(handler, 200, "text/html", png)


@dataclass
class Body(Fault):
    """Serve ``body`` with ``status`` and ``ctype`` instead of the page (robots.txt files, broken sitemaps…)."""

    status: int = 200
    ctype: str = "text/plain"
    body: bytes = b""

    def answer(self, handler: _Handler, page: Page | None, web: HostileWeb) -> int:
        return _send(handler, self.status, self.ctype, self.body)


class _HostileHandler(_Handler):
    def do_GET(self) -> None:
        server: Any = self.server
        web: HostileWeb = server.web
        path = self.path.split("?", 1)[0]
        fault = web.faults.get((server.site.name, path))
        if fault is None or not fault.due():
            super().do_GET()
            return
        page = server.files.get(path)
        arrived = LoggedRequest(server.site.name, self.path, self.headers.get("User-Agent", ""))
        server.log.append(arrived)  # now: a hanging answer comes late or never
        status = fault.answer(self, page, web)
        server.log[server.log.index(arrived)] = dataclasses.replace(arrived, status=status)


class HostileWeb(NewsWeb):
    """Serve ``sites`` with ``faults`` by (site name, path)."""

    handler = _HostileHandler

    def __init__(self, sites: list[Site], faults: Mapping[tuple[str, str], Fault]) -> None:
        super().__init__(sites)
        self.faults = dict(faults)
        self.stopping = threading.Event()
        self._bombs: dict[int, bytes] = {}

    def start(self) -> HostileWeb:
        super().start()
        for server in self._servers.values():
            server.web = self  # type: ignore[attr-defined]
        return self

    def stop(self) -> None:
        self.stopping.set()
        super().stop()

    def bomb(self, inflated: int) -> bytes:
        """Return (made once) gzip of ``inflated`` zero bytes."""
        if inflated not in self._bombs:
            self._bombs[inflated] = gzip.compress(bytes(inflated), compresslevel=9, mtime=0)
        return self._bombs[inflated]

    def requests_of(self, site: str, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.site == site and r.path.split("?", 1)[0] == path]
