"""Serve a list of sites on 127.0.0.1 (or another address of this machine), one port per site, logging every request.

Pages carry an ETag and a Last-Modified date (when :meth:`NewsWeb.publish` last
changed them) and conditional requests get real 304s, as news servers send.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.demo.newsweb.site import Site


@dataclass(frozen=True)
class LoggedRequest:
    site: str
    path: str
    user_agent: str
    status: int = 0
    #: time.monotonic() when the request arrived
    at: float = field(default_factory=time.monotonic)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        # a page with a query (?page=2, ?q=…) if there is one, else the path's page with any query ignored
        key = self.path if self.path in self.server.files else path
        found = self.server.files.get(key)
        status = 404 if found is None else found[0]
        validators = self.server.validators.get(key) if status == 200 else None
        if validators and self._not_modified(*validators):
            status = 304
        self.server.log.append(
            LoggedRequest(self.server.site.name, self.path, self.headers.get("User-Agent", ""), status)
        )
        if found is None:
            self.send_error(404)
            return
        self.send_response(status)
        if validators:
            self.send_header("ETag", validators[0])
            self.send_header("Last-Modified", formatdate(validators[1], usegmt=True))
        if status == 304:
            self.end_headers()
            return
        _, ctype, body = found
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _not_modified(self, etag: str, modified: float) -> bool:
        """Apply If-None-Match, else If-Modified-Since (RFC 9110: the ETag wins when both are sent)."""
        if match := self.headers.get("If-None-Match"):
            return etag in [tag.strip() for tag in match.split(",")]
        if since := self.headers.get("If-Modified-Since"):
            try:
                return int(modified) <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the request log is kept in memory instead."""


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, log: list[LoggedRequest], handler: type[BaseHTTPRequestHandler], host: str) -> None:
        super().__init__((host, 0), handler)
        self.site = site
        self.log = log
        self.files: dict[str, tuple[int, str, bytes]] = {}
        #: path -> (ETag, when its body last changed)
        self.validators: dict[str, tuple[str, float]] = {}


class NewsWeb:
    """Serve ``sites`` on loopback ports until :meth:`stop` (or the ``with`` block ends).

    >>> with NewsWeb([site]) as web:
    ...     web.url(site.name)
    'http://127.0.0.1:41234/'
    """

    #: answers each request; a subclass may answer some other ways (the tests' hostile web does)
    handler: type[BaseHTTPRequestHandler] = _Handler

    def __init__(self, sites: list[Site], host: str = "127.0.0.1") -> None:
        self.sites = {site.name: site for site in sites}
        #: the address the sites listen on: loopback, or e.g. a test network's for crawlers in other namespaces
        self.host = host
        self.requests: list[LoggedRequest] = []
        self._servers: dict[str, _SiteServer] = {}

    def start(self) -> NewsWeb:
        for name, site in self.sites.items():
            server = _SiteServer(site, self.requests, self.handler, self.host)
            site.base_url = f"http://{self.host}:{server.server_address[1]}"
            self._servers[name] = server
            threading.Thread(target=server.serve_forever, name=f"newsweb-{name}", daemon=True).start()
        self.publish()
        return self

    def publish(self) -> None:
        """Render every site again, e.g. after stories were added or edited; changed pages get a new ETag and date."""
        now = time.time()
        for name, server in self._servers.items():
            files = self.sites[name].render()
            validators = {}
            for path, (_, _, body) in files.items():
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                old = server.validators.get(path)
                validators[path] = old if old and old[0] == etag else (etag, now)
            server.files, server.validators = files, validators

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
