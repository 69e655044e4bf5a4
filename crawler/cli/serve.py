"""``newsarchive serve``: the read-only web UI and JSON API over an archive."""

from __future__ import annotations

import ipaddress
import os
import socket

import click

from crawler.cli.common import Failure, console, db_option, open_archive


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command()
@db_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: only this machine)."
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False, exists=True),
    help="Read raw captures from this folder (the archive stores where they were written; use this if it moved).",
)
def serve(db: str, host: str, port: int, warc_dir: str | None) -> None:
    """Serve the archive read-only: pages at /, the JSON API at /api/…, its schema at /openapi.json."""
    import uvicorn

    from crawler.web import create_app

    if not _is_loopback(host):
        console.print(f"[yellow]listening on {host}: anyone who can reach it can read the whole archive[/yellow]")
    with open_archive(db) as archive:
        listening = _listen(host, port)
        port = listening.getsockname()[1]
        console.print(f"serving {db} at http://{host}:{port}/ (Ctrl-C to stop)", markup=False)
        server = uvicorn.Server(uvicorn.Config(create_app(archive, warc_dir), log_level="warning"))
        server.run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """Return a socket bound to ``host:port``, before anything says it serves: a taken port is one line."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise Failure(f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc}") from exc
