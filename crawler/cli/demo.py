"""``newsarchive demo``: serve a sample news web on loopback, crawl it, show what was archived.

``--serve`` keeps the sample web up after the crawl and serves the archive in the web UI, so its
links still lead somewhere; ``--web-only`` serves the sample web alone, to try ``crawl`` on by hand.
Both run until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.common import console, crawl, open_archive, print_summary, settings_option

if TYPE_CHECKING:
    from storage import Archive


@click.command()
@click.option("--db", default=None, help="Archive to create (default: a new one in a temporary folder).")
@click.option(
    "--serve",
    "serve_ui",
    is_flag=True,
    help="After the crawl, keep the sample web up and serve the archive in the web UI until Ctrl-C.",
)
@click.option(
    "--web-only",
    is_flag=True,
    help="Only serve the sample web (no crawl) until Ctrl-C, to try newsarchive crawl on it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port of the web UI with --serve on 127.0.0.1 (0: any free port).",
)
@settings_option
def demo(db: str | None, serve_ui: bool, web_only: bool, port: int, overrides: tuple[str, ...]) -> None:
    """Serve a bundled sample news web on 127.0.0.1, crawl it into a fresh archive and show the result."""
    from crawler.demo import sample_sites
    from crawler.demo.newsweb import NewsWeb
    from crawler.urls import site_of

    if web_only and (serve_ui or db or overrides):
        raise click.UsageError("--web-only serves the sample web alone: it takes no --serve, --db or -s")
    listener = _listen(port) if serve_ui else None
    if not web_only:
        db = db or str(Path(tempfile.mkdtemp(prefix="newsarchive-demo-")) / "archive.db")
        if Path(db).exists():
            raise click.UsageError(f"{db} exists: the demo writes a fresh archive")
    with NewsWeb(sample_sites()) as web:
        urls = [web.url(name) for name in web.sites]
        for name in web.sites:
            console.print(f"serving {name} on {web.url(name)}", markup=False, highlight=False)
        if web_only:
            command = shlex.join(["newsarchive", "crawl", *urls, "--db", "demo.db"])
            console.print(f"try: {command}\n(Ctrl-C stops the sample web)", markup=False, highlight=False)
            _wait_for_ctrl_c()
            return
        assert db is not None
        names = {site_of(site.base_url): name for name, site in web.sites.items()}
        stats = crawl(urls, db, overrides, "WARNING")
        print_summary(stats)
        with open_archive(db) as archive:
            _print_stories(archive, names)
        if listener is None:
            console.print(
                f"archive: {db}  (try: newsarchive demo --serve, newsarchive duplicates --db {db}, "
                f"or newsarchive export --with-duplicates --db {db})",
                markup=False,
                highlight=False,
            )
            return
        _serve(db, listener)


def _listen(port: int) -> socket.socket:
    """Return a socket listening on 127.0.0.1:``port``, taken before the crawl so that a busy port fails first."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port} for the web UI: {exc.strerror}") from None
    sock.listen(128)
    return sock


def _serve(db: str, listener: socket.socket) -> None:
    """Serve the archive's web UI on ``listener`` until Ctrl-C (the sample web stays up meanwhile)."""
    import uvicorn

    from crawler.web import create_app

    port = listener.getsockname()[1]
    with open_archive(db) as archive:
        console.print(
            f"archive: {db}\nweb UI: http://127.0.0.1:{port}/  (sites: http://127.0.0.1:{port}/sites, "
            f"API: http://127.0.0.1:{port}/docs)\nthe sample web stays up while it runs; Ctrl-C stops both",
            markup=False,
            highlight=False,
        )
        server = uvicorn.Server(uvicorn.Config(create_app(archive), log_level="warning"))
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops on Ctrl-C, then raises it again for us
            server.run(sockets=[listener])
    console.print("stopped", markup=False)


def _wait_for_ctrl_c() -> None:
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        console.print("stopped", markup=False)


def _print_stories(archive: Archive, names: dict[str, str]) -> None:
    table = Table("site", "story", "reposted on (similarity)", title="archived stories", show_lines=True)
    for story in archive.iter_stories():
        reposts = "\n".join(f"{names.get(d['site'], d['site'])} ({d['similarity']:.2f})" for d in story["duplicates"])
        table.add_row(names.get(story["site"], story["site"]), story["title"] or story["url"], reposts or "-")
    Console().print(table)
