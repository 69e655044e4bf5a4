"""What the ``newsarchive`` commands share: the console, the --db and -s options, crawling and opening archives.

Only click and rich are imported here: storage (SQLAlchemy) and the crawler (Scrapy)
are imported by the functions that need them, so ``--help`` and the read-only commands start fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

if TYPE_CHECKING:
    from storage import Archive

#: Messages and tables for people go to stderr; data (exports, JSON lines) goes to stdout.
console = Console(stderr=True, soft_wrap=True)


class Failure(click.ClickException):
    """An expected failure: one ``Error: …`` line naming the thing and the cause, exit status 2, no traceback."""

    exit_code = 2


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


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """Return ``1 story``, ``2 stories``: the count and the noun in its number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def open_archive(db: str) -> Archive:
    """Open an existing archive for a command, or stop with one line saying why not."""
    from storage import Archive, ArchiveError

    try:
        return Archive(db, create=False)
    except ArchiveError as exc:
        raise Failure(str(exc)) from exc


def crawl(urls: Any, db: str, overrides: tuple[str, ...], loglevel: str) -> dict[str, Any]:
    """Run one crawl in this process (crawler.run.crawl) and return its stats; bad settings and archives become one-line errors."""
    from crawler.run import crawl as run
    from storage import ArchiveError

    try:
        return run(urls, db, overrides, loglevel)
    except (ValueError, ArchiveError) as exc:
        raise Failure(str(exc)) from exc


def print_summary(stats: dict[str, Any]) -> None:
    """Print the crawl's counts and its errors by kind."""
    from rich.table import Table

    from crawler.run import crawl_counts

    table = Table("crawl", "count", title="crawl summary")
    for name, value in crawl_counts(stats).items():
        table.add_row(name, str(value))
    for key in sorted(stats):
        if key.startswith("newsarchive/errors/"):
            table.add_row(f"  {key.removeprefix('newsarchive/errors/')}", str(stats[key]))
    console.print(table)


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --site, --since and --until; the command receives them as one ``selection`` (a storage Selection).

    ``--site`` is resolved against the archive by the command (:func:`resolve_site`).
    """
    day = click.DateTime(formats=["%Y-%m-%d"])

    @click.option(
        "--site", default=None, metavar="SITE", help="Only stories of this site: its name, host[:port] or URL."
    )
    @click.option(
        "--since", type=day, default=None, metavar="YYYY-MM-DD", help="Only stories published on or after this day."
    )
    @click.option(
        "--until", type=day, default=None, metavar="YYYY-MM-DD", help="Only stories published on or before this day."
    )
    @functools.wraps(command)
    def with_selection(*args: Any, site: str | None, since: Any, until: Any, **kwargs: Any) -> Any:
        from storage.selection import Selection

        try:
            selection = Selection(site, since and since.date(), until and until.date())
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--since/--until") from exc
        return command(*args, selection=selection, **kwargs)

    return with_selection


def resolve_site(archive: Archive, given: str | None) -> str | None:
    """Return the host:port of the archive's site ``given`` as a name, host, host:port or URL; None for None.

    Stops with the list of the archive's sites when none matches.
    """
    if given is None:
        return None
    from storage.read.site_names import SiteNotFound, find_site

    try:
        return find_site(archive, given)
    except SiteNotFound as exc:
        raise Failure(f"--site: {exc}") from exc


def sites_file_options(sites_help: str, verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return the options of a command that starts crawls of a sites file in child processes (schedule, enqueue):
    --sites (required), --only and -L, the log level of each crawl's log file."""

    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "-L", "--loglevel", default="INFO", show_default=True, help="Scrapy log level in each crawl's log file."
        )(command)
        command = click.option("--only", multiple=True, metavar="NAME", help=f"{verb} only this site (repeatable).")(
            command
        )
        return click.option(
            "--sites", "sites_file", required=True, type=click.Path(dir_okay=False, exists=True), help=sites_help
        )(command)

    return add


def redis_option(required: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return the --redis option: the job queue's Redis URL (env NEWSARCHIVE_REDIS)."""
    return click.option(
        "--redis",
        "redis_url",
        envvar="NEWSARCHIVE_REDIS",
        required=required,
        default=None,
        metavar="URL",
        help="The Redis of the crawl job queue, redis://HOST:6379/0 (env NEWSARCHIVE_REDIS).",
    )


queue_option = click.option(
    "--queue",
    "queue_name",
    default="newsarchive",
    show_default=True,
    metavar="NAME",
    help="The job queue's name: workers and enqueuers of one queue share its sites.",
)


def job_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --job-timeout and --retries: what the crawl jobs put on the queue are enqueued with."""
    command = click.option(
        "--retries",
        type=click.IntRange(min=0),
        default=3,
        show_default=True,
        help="How many times a failed or abandoned crawl job is tried again.",
    )(command)
    return click.option(
        "--job-timeout",
        default="6h",
        show_default=True,
        metavar="DURATION",
        help="A crawl job still running after this long (30m, 6h, 1d) is stopped and retried.",
    )(command)


def scale_out(module: str) -> Any:
    """Return ``crawler.service.<module>``, which needs the ``scale`` extra (RQ, Redis), or stop saying how to get it."""
    import importlib

    try:
        return importlib.import_module(f"crawler.service.{module}")
    except ImportError as exc:
        raise Failure(f"the job queue needs RQ and Redis: pip install 'newsarchive[scale]' ({exc})") from exc


def log_to_stderr(name: str) -> None:
    """Print the messages of the logger ``name`` (a scheduler's, a worker's), with their time, on stderr.

    The crawls log to files of their own.
    """
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
