"""``newsarchive stats``: what the archive holds, per site."""

from __future__ import annotations

import click

from crawler.cli.common import db_option, open_archive, plural


@click.command()
@db_option
def stats(db: str) -> None:
    """Show what the archive holds, per site: its name, stories and duplicates."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from storage.read.site_names import site_names

    with open_archive(db) as archive:
        summary = archive.summary()
        names = site_names(archive)
    title = f"{plural(summary['stories'], 'story', 'stories')}, {plural(summary['duplicates'], 'duplicate')}"
    table = Table("site", "name", "stories", "duplicates", title=title)
    for row in summary["sites"]:
        # names are the sites' own (og:site_name): text, never rich markup
        table.add_row(Text(row["site"]), Text(names.get(row["site"], "")), str(row["stories"]), str(row["duplicates"]))
    Console().print(table)
