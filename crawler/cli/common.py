"""What the ``newsarchive`` commands share: the console, the --db and -s options, crawling and opening archives."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.extensions.progress import crawl_counts
from storage import Archive, ArchiveError
from storage.selection import Selection

#: Messages and tables for people go to stderr; data (exports, JSON lines) goes to stdout.
console = Console(stderr=True, soft_wrap=True)

db_option = click.option(
    "--db",
    envvar="NEWSARCHIVE_DB",
    default="archive.db",
    show_default=True,
    help="The archive: an SQLite file path or a SQLAlchemy URL (env NEWSARCHIVE_DB).",
)

settings_option = click.option(
    "-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting, as in scrapy crawl -s."
)


def open_archive(db: str) -> Archive:
    """Open an existing archive for a command, or stop with a usage error that says why not."""
    try:
        return Archive(db, create=False)
    except ArchiveError as exc:
        raise click.UsageError(str(exc)) from exc


def crawl(urls: Any, db: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
    """Run one crawl in this process and return its stats; bad settings become usage errors."""
    from crawler.run import crawl_settings, run_crawl

    try:
        settings = crawl_settings(db, overrides, loglevel)
        return run_crawl(settings, urls)
    except (ValueError, ArchiveError) as exc:
        raise click.UsageError(str(exc)) from exc


def print_summary(stats: dict[str, Any]) -> None:
    """Print the crawl's counts and its errors by kind."""
    table = Table("crawl", "count", title="crawl summary")
    for name, value in crawl_counts(stats).items():
        table.add_row(name, str(value))
    for key in sorted(stats):
        if key.startswith("newsarchive/errors/"):
            table.add_row(f"  {key.removeprefix('newsarchive/errors/')}", str(stats[key]))
    console.print(table)


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --site, --since and --until; the command receives them as one ``selection`` (a storage Selection)."""
    day = click.DateTime(formats=["%Y-%m-%d"])

    @click.option("--site", default=None, metavar="HOST[:PORT]", help="Only stories of this site.")
    @click.option("--since", type=day, default=None, metavar="YYYY-MM-DD", help="Only stories published on or after this day.")
    @click.option("--until", type=day, default=None, metavar="YYYY-MM-DD", help="Only stories published on or before this day.")
    @functools.wraps(command)
    def with_selection(*args: Any, site: str | None, since: Any, until: Any, **kwargs: Any) -> Any:
        try:
            selection = Selection(site, since and since.date(), until and until.date())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--since/--until") from exc
        return command(*args, selection=selection, **kwargs)

    return with_selection
