"""``newsarchive runs``: the crawl runs recorded in the archive, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from crawler.cli.common import db_option, open_archive, plural

if TYPE_CHECKING:
    from rich.table import Table


#: Terminals at least this wide get one line per run and a column per count; narrower ones the compact table.
WIDE = 120


def _when(value: datetime, sep: str = " ") -> str:
    return value.strftime(f"%Y-%m-%d{sep}%H:%M:%S")


def _took(run: dict[str, Any]) -> str:
    if not run["finished"]:
        return ""
    seconds = round((run["finished"] - run["started"]).total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s" if rest >= 60 else f"{rest}s"


def _status(run: dict[str, Any]) -> str:
    """Return how a run ended; a run with no end was killed (or is still going)."""
    return run["finish_reason"] or "unfinished"


def _errors(run: dict[str, Any], sep: str = ", ") -> str:
    kinds = sep.join(f"{kind} {n}" for kind, n in sorted(run["errors_by_kind"].items()))
    if not kinds:
        return str(run["errors"])
    return f"{run['errors']}\n{kinds}" if sep == "\n" else f"{run['errors']} ({kinds})"


@click.command()
@db_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None, help="Show only the newest N runs.")
def runs(db: str, limit: int | None) -> None:
    """List the crawl runs recorded in the archive: when, which sites, what they did, how they ended.

    Times are UTC. On a terminal narrower than 120 columns (80 too) the table is compact:
    a run's sites, counts and errors stand one per line.
    """
    from rich.console import Console

    from storage.health import run_health
    from storage.read.site_names import site_names
    from storage.runs import list_runs

    with open_archive(db) as archive:
        rows = list_runs(archive, limit)
        names = site_names(archive)
        health = run_health(archive, [run["id"] for run in rows])
    out = Console()
    out.print((_wide if out.width >= WIDE else _compact)(rows, names, health))


def _wide(rows: list[dict[str, Any]], names: dict[str, str], health: dict[int, str]) -> Table:
    """Return the table with a column per count, one line per run."""
    from rich.table import Table
    from rich.text import Text

    from storage.read.site_names import labelled

    table = Table(
        "run",
        "site",
        "started",
        "took",
        "status",
        "pages",
        "new",
        "duplicates",
        "versions",
        "errors",
        "health",
        title=plural(len(rows), "crawl run"),
    )
    for run in rows:
        table.add_row(
            str(run["id"]),
            Text(labelled(run["site"], names)),  # the sites' own names: text, never rich markup
            _when(run["started"]),
            _took(run),
            _status(run),
            str(run["pages"]),
            str(run["new_stories"]),
            str(run["duplicates"]),
            str(run["new_versions"]),
            _errors(run),
            health.get(run["id"], "-"),
        )
    return table


def _compact(rows: list[dict[str, Any]], names: dict[str, str], health: dict[int, str]) -> Table:
    """Return the table for 80 columns: no borders, and what may be long one item per line."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from storage.read.site_names import labelled

    table = Table(title=plural(len(rows), "crawl run"), box=box.SIMPLE_HEAD, show_edge=False, padding=0, leading=1)
    table.add_column("run", justify="right", no_wrap=True)
    sites = [labelled(run["site"], names, "\n") for run in rows]
    longest = max((len(word) for cell in sites for word in cell.split()), default=4)
    table.add_column("site", min_width=min(longest, 21))
    table.add_column("started", no_wrap=True)
    table.add_column("took", no_wrap=True)
    table.add_column("status", overflow="fold")
    table.add_column("pages", justify="right", no_wrap=True)
    table.add_column("stories", no_wrap=True)
    table.add_column("errors", min_width=6, overflow="fold")
    for run, site in zip(rows, sites):
        stories = f"{run['new_stories']} new\n{run['duplicates']} dups\n{run['new_versions']} versions"
        status = _status(run) + ("\nDRIFT" if health.get(run["id"]) == "DRIFT" else "")
        table.add_row(
            str(run["id"]),
            Text(site),
            _when(run["started"], "\n"),
            _took(run),
            status,
            str(run["pages"]),
            stories,
            _errors(run, "\n"),
        )
    return table
