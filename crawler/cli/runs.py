"""``newsarchive runs``: the crawl runs recorded in the archive, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from crawler.cli.common import db_option, open_archive, plural


def _when(value: datetime) -> str:
    """Return the day over the time: two short lines keep the table within 80 columns."""
    return value.strftime("%Y-%m-%d\n%H:%M:%S")


def _took(run: dict[str, Any]) -> str:
    if not run["finished"]:
        return ""
    seconds = round((run["finished"] - run["started"]).total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s" if rest >= 60 else f"{rest}s"


def _status(run: dict[str, Any]) -> str:
    """Return how a run ended; a run with no end was killed (or is still going)."""
    return run["finish_reason"] or "unfinished"


def _errors(run: dict[str, Any]) -> str:
    """Return the errors, then one line per kind: narrow, so the table fits 80 columns."""
    return "\n".join([str(run["errors"]), *(f"{kind} {n}" for kind, n in sorted(run["errors_by_kind"].items()))])


def _stories(run: dict[str, Any]) -> str:
    return f"{run['new_stories']} new\n{run['duplicates']} dups\n{run['new_versions']} versions"


@click.command()
@db_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None, help="Show only the newest N runs.")
def runs(db: str, limit: int | None) -> None:
    """List the crawl runs recorded in the archive: when, which sites, what they did, how they ended.

    Times are UTC. The table fits the terminal (80 columns too): long cells wrap between words.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from storage.runs import list_runs
    from storage.site_names import labelled, site_names

    with open_archive(db) as archive:
        rows = list_runs(archive, limit)
        names = site_names(archive)
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
        table.add_row(
            str(run["id"]), site, _when(run["started"]), _took(run), _status(run), str(run["pages"]), _stories(run),
            _errors(run),
        )
    Console().print(table)
