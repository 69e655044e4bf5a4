"""The ``newsarchive`` command: crawl, export, stats, demo."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler import __version__
from crawler.extensions.progress import crawl_counts
from crawler.urls import site_of
from storage import Archive, ArchiveError
from storage.export import export_jsonl

console = Console(stderr=True)

db_option = click.option(
    "--db",
    envvar="NEWSARCHIVE_DB",
    default="archive.db",
    show_default=True,
    help="The archive: an SQLite file path or a SQLAlchemy URL (env NEWSARCHIVE_DB).",
)


@click.group()
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news sites and keep one clean copy of every story, with where else it ran."""


@main.command()
@click.argument("urls", nargs=-1, required=True)
@db_option
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting, as in scrapy crawl -s.")
@click.option("-L", "--loglevel", default="WARNING", show_default=True, help="Scrapy log level.")
def crawl(urls: tuple[str, ...], db: str, overrides: tuple[str, ...], loglevel: str) -> None:
    """Crawl the sites whose home pages are URLS into the archive."""
    stats = _crawl(urls, db, overrides, loglevel)
    _print_summary(stats)
    if stats.get("finish_reason") != "finished":
        sys.exit(1)


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
def export(db: str, fmt: str, output: Any) -> None:
    """Export every archived story with the places it was reposted."""
    with _open(db) as archive:
        count = export_jsonl(archive, output)
    console.print(f"exported {count} stories")


@main.command()
@db_option
def stats(db: str) -> None:
    """Show what the archive holds, per site."""
    with _open(db) as archive:
        summary = archive.summary()
    table = Table("site", "stories", "duplicates", title=f"{summary['stories']} stories, {summary['duplicates']} duplicates")
    for row in summary["sites"]:
        table.add_row(row["site"], str(row["stories"]), str(row["duplicates"]))
    Console().print(table)


@main.command()
@click.option("--db", default=None, help="Archive to create (default: a new one in a temporary folder).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting, as in scrapy crawl -s.")
def demo(db: str | None, overrides: tuple[str, ...]) -> None:
    """Serve a bundled sample news web on 127.0.0.1, crawl it into a fresh archive and show the result."""
    from crawler.demo import sample_sites
    from crawler.newsweb import NewsWeb

    db = db or str(Path(tempfile.mkdtemp(prefix="newsarchive-demo-")) / "archive.db")
    if Path(db).exists():
        raise click.UsageError(f"{db} exists: the demo writes a fresh archive")
    with NewsWeb(sample_sites()) as web:
        names = {site_of(site.base_url): name for name, site in web.sites.items()}
        for name in web.sites:
            console.print(f"serving {name} on {web.url(name)}")
        stats = _crawl([web.url(name) for name in web.sites], db, overrides, "WARNING")
    _print_summary(stats)
    with _open(db) as archive:
        _print_demo(archive, names)
    console.print(f"archive: {db}  (try: newsarchive export --db {db})")


def _crawl(urls: Any, db: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
    from crawler.run import crawl_settings, run_crawl

    try:
        settings = crawl_settings(db, overrides, loglevel)
        return run_crawl(settings, urls)
    except (ValueError, ArchiveError) as exc:
        raise click.UsageError(str(exc)) from exc


def _open(db: str) -> Archive:
    try:
        return Archive(db, create=False)
    except ArchiveError as exc:
        raise click.UsageError(str(exc)) from exc


def _print_summary(stats: dict[str, Any]) -> None:
    table = Table("crawl", "count", title="crawl summary")
    for name, value in crawl_counts(stats).items():
        table.add_row(name, str(value))
    for key in sorted(stats):
        if key.startswith("newsarchive/errors/"):
            table.add_row(f"  {key.removeprefix('newsarchive/errors/')}", str(stats[key]))
    console.print(table)


def _print_demo(archive: Archive, names: dict[str, str]) -> None:
    out = Console()
    table = Table("site", "story", "reposted on (similarity)", title="archived stories", show_lines=True)
    for story in archive.iter_stories():
        reposts = "\n".join(f"{names.get(d['site'], d['site'])} ({d['similarity']:.2f})" for d in story["duplicates"])
        table.add_row(names.get(story["site"], story["site"]), story["title"] or story["url"], reposts or "-")
    out.print(table)
