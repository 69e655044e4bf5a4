"""``newsarchive demo``: serve a sample news web on loopback, crawl it, show what was archived."""

from __future__ import annotations

import tempfile
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
@settings_option
def demo(db: str | None, overrides: tuple[str, ...]) -> None:
    """Serve a bundled sample news web on 127.0.0.1, crawl it into a fresh archive and show the result."""
    from crawler.demo import sample_sites
    from crawler.newsweb import NewsWeb
    from crawler.urls import site_of

    db = db or str(Path(tempfile.mkdtemp(prefix="newsarchive-demo-")) / "archive.db")
    if Path(db).exists():
        raise click.UsageError(f"{db} exists: the demo writes a fresh archive")
    with NewsWeb(sample_sites()) as web:
        names = {site_of(site.base_url): name for name, site in web.sites.items()}
        for name in web.sites:
            console.print(f"serving {name} on {web.url(name)}")
        stats = crawl([web.url(name) for name in web.sites], db, overrides, "WARNING")
    print_summary(stats)
    with open_archive(db) as archive:
        _print_stories(archive, names)
    console.print(f"archive: {db}  (try: newsarchive duplicates --db {db}, or newsarchive export --with-duplicates --db {db})")


def _print_stories(archive: Archive, names: dict[str, str]) -> None:
    table = Table("site", "story", "reposted on (similarity)", title="archived stories", show_lines=True)
    for story in archive.iter_stories():
        reposts = "\n".join(f"{names.get(d['site'], d['site'])} ({d['similarity']:.2f})" for d in story["duplicates"])
        table.add_row(names.get(story["site"], story["site"]), story["title"] or story["url"], reposts or "-")
    Console().print(table)
