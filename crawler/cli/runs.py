"""``newsarchive runs``: the crawl runs recorded in the archive, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.common import db_option, open_archive
from storage.health import run_health
from storage.runs import list_runs


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _took(run: dict[str, Any]) -> str:
    return f"{(run['finished'] - run['started']).total_seconds():.0f}s" if run["finished"] else ""


def _status(run: dict[str, Any]) -> str:
    """Return how a run ended; a run with no end was killed (or is still going)."""
    return run["finish_reason"] or "unfinished"


def _errors(run: dict[str, Any]) -> str:
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(run["errors_by_kind"].items()))
    return f"{run['errors']} ({kinds})" if kinds else str(run["errors"])


@click.command()
@db_option
@click.option("-n", "--limit", type=click.IntRange(min=1), default=None, help="Show only the newest N runs.")
def runs(db: str, limit: int | None) -> None:
    """List the crawl runs recorded in the archive: when, which sites, what they did, how they ended."""
    with open_archive(db) as archive:
        rows = list_runs(archive, limit)
        health = run_health(archive, [run["id"] for run in rows])
    table = Table("run", "site", "started", "took", "status", "pages", "new", "duplicates", "versions", "errors",
                  "health", title=f"{len(rows)} crawl runs")
    for run in rows:
        table.add_row(
            str(run["id"]), run["site"], _when(run["started"]), _took(run), _status(run),
            str(run["pages"]), str(run["new_stories"]), str(run["duplicates"]), str(run["new_versions"]), _errors(run),
            health.get(run["id"], "-"),
        )
    Console().print(table)
