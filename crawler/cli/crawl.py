"""``newsarchive crawl``: crawl sites into the archive."""

from __future__ import annotations

import sys

import click

from crawler.cli.common import console, crawl as run, db_option, print_summary, settings_option


@click.command()
@click.argument("urls", nargs=-1, required=True)
@db_option
@settings_option
@click.option("-L", "--loglevel", default="WARNING", show_default=True, help="Scrapy log level.")
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False),
    help="Folder of the WARC files (NEWSARCHIVE_WARC_DIR; default: next to an SQLite archive, archive.db -> archive.warc).",
)
def crawl(urls: tuple[str, ...], db: str, overrides: tuple[str, ...], loglevel: str, warc_dir: str | None) -> None:
    """Crawl the sites whose home pages are URLS into the archive, recording every response in WARC files."""
    if warc_dir:
        overrides += (f"NEWSARCHIVE_WARC_DIR={warc_dir}",)
    stats = run(urls, db, overrides, loglevel)
    print_summary(stats)
    if (reason := stats.get("finish_reason")) != "finished":
        console.print(f"[bold red]the crawl stopped early: {reason}[/]")
        sys.exit(1)
