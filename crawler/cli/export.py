"""``newsarchive export``: stories out of the archive, in formats other tools load."""

from __future__ import annotations

from typing import Any

import click

from crawler.cli.common import console, db_option, open_archive
from storage.export import export_jsonl


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="Output file (default: stdout).")
def export(db: str, fmt: str, output: Any) -> None:
    """Export every archived story with the places it was reposted."""
    with open_archive(db) as archive:
        count = export_jsonl(archive, output)
    console.print(f"exported {count} stories")
