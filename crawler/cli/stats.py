"""``newsarchive stats``: what the archive holds, per site."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from crawler.cli.common import db_option, open_archive


@click.command()
@db_option
def stats(db: str) -> None:
    """Show what the archive holds, per site."""
    with open_archive(db) as archive:
        summary = archive.summary()
    table = Table("site", "stories", "duplicates", title=f"{summary['stories']} stories, {summary['duplicates']} duplicates")
    for row in summary["sites"]:
        table.add_row(row["site"], str(row["stories"]), str(row["duplicates"]))
    Console().print(table)
