"""Serve a list of sites on 127.0.0.1, one port per site, logging every request."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.newsweb.site import Site


@dataclass(frozen=True)
class LoggedRequest:
    site: str
    path: str
    user_agent: str
    #: time.monotonic() when the request arrived
    at: float = field(default_factory=time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.log.append(LoggedRequest(self.server.site.name, self.path, self.headers.get("User-Agent", "")))
        path = self.path.split("?", 1)[0]
        # a page with a query (?page=2, ?q=…) if there is one, else the path's page with any query ignored
        found = self.server.files.get(self.path) or self.server.files.get(path)
        if found is None:
            self.send_error(404)
            return
        status, ctype, body = found
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Stay quiet: the request log is kept in memory instead."""


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, log: list[LoggedRequest]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        self.log = log
        self.files: dict[str, tuple[int, str, bytes]] = {}


class NewsWeb:
    """Serve ``sites`` on loopback ports until :meth:`stop` (or the ``with`` block ends).

    >>> with NewsWeb([site]) as web:
    ...     web.url(site.name)
    'http://127.0.0.1:41234/'
    """

    def __init__(self, sites: list[Site]) -> None:
        self.sites = {site.name: site for site in sites}
        self.requests: list[LoggedRequest] = []
        self._servers: dict[str, _SiteServer] = {}

    def start(self) -> NewsWeb:
        for name, site in self.sites.items():
            server = _SiteServer(site, self.requests)
            site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
            self._servers[name] = server
            threading.Thread(target=server.serve_forever, name=f"newsweb-{name}", daemon=True).start()
        self.publish()
        return self

    def publish(self) -> None:
        """Render every site again, e.g. after stories were added."""
        for name, server in self._servers.items():
            server.files = self.sites[name].render()

    def url(self, name: str) -> str:
        """Return the home page URL of site ``name``."""
        return self.sites[name].base_url + "/"

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> NewsWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
