"""Sites a crawl cannot fetch: one that answers every request with a 5xx, and a port nothing listens on."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler.demo.newsweb.server import LoggedRequest


class _Failing(BaseHTTPRequestHandler):
    server: FailingSite

    def do_GET(self) -> None:
        self.server.log.append(
            LoggedRequest(self.server.name, self.path, self.headers.get("User-Agent", ""), self.server.status)
        )
        body = b"<html><body><h1>Service unavailable</h1></body></html>"
        self.send_response(self.server.status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the request log is kept in memory instead."""


class FailingSite(ThreadingHTTPServer):
    """A site on 127.0.0.1 whose every page, robots.txt included, answers ``status`` (a 5xx); requests are logged."""

    daemon_threads = True

    def __init__(self, name: str = "Failing", status: int = 500) -> None:
        super().__init__(("127.0.0.1", 0), _Failing)
        self.name = name
        self.status = status
        self.log: list[LoggedRequest] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self) -> FailingSite:
        threading.Thread(target=self.serve_forever, name=f"failing-{self.name}", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def dead_port() -> int:
    """Return a loopback port nothing listens on (it was free a moment ago, and nothing here binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
