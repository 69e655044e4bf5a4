"""``newsarchive crawl``: crawl sites into the archive."""

from __future__ import annotations

import sys

import click

from crawler.cli.common import Failure, console, db_option, print_summary, settings_option
from crawler.cli.common import crawl as run


@click.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(dir_okay=False),
    help="A sites.toml naming the sites to crawl (NEWSARCHIVE_SITES).",
)
@click.option("--only", multiple=True, metavar="NAME", help="Crawl only this site of --sites (repeatable).")
@db_option
@settings_option
@click.option("-L", "--loglevel", default="WARNING", show_default=True, help="Scrapy log level.")
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False),
    help="Folder of the WARC files (NEWSARCHIVE_WARC_DIR; default: next to an SQLite archive, archive.db -> archive.warc).",
)
def crawl(
    urls: tuple[str, ...],
    sites_file: str | None,
    only: tuple[str, ...],
    db: str,
    overrides: tuple[str, ...],
    loglevel: str,
    warc_dir: str | None,
) -> None:
    """Crawl the sites whose home pages are URLS, and those of --sites, into the archive.

    Every response is recorded in WARC files.
    """
    if only and not sites_file:
        raise click.UsageError("--only names sites of a --sites file")
    if not urls and not sites_file and not any(o.startswith("NEWSARCHIVE_SITES=") for o in overrides):
        raise Failure(
            "no site to crawl: give home page URLs (newsarchive crawl https://news.example.com/) "
            "or a sites file (--sites sites.toml)"
        )
    if sites_file:
        overrides += (f"NEWSARCHIVE_SITES={sites_file}", f"NEWSARCHIVE_SITES_ONLY={','.join(only)}")
    if warc_dir:
        overrides += (f"NEWSARCHIVE_WARC_DIR={warc_dir}",)
    stats = run(urls, db, overrides, loglevel)
    print_summary(stats)
    if (reason := stats.get("finish_reason")) == "failed":
        console.print("[bold red]the crawl failed: no start URL could be fetched (see the lines above)[/]")
        sys.exit(1)
    if reason != "finished":
        console.print(f"[bold red]the crawl stopped early: {reason}[/]")
        sys.exit(1)
