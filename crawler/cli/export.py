"""``newsarchive export``: stories out of the archive, in formats other tools load."""

from __future__ import annotations

from typing import Any

import click

from crawler.cli.common import console, db_option, open_archive, selection_options
from storage.export import export_csv, export_jsonl
from storage.parquet import ParquetUnavailable, export_parquet, require_pyarrow
from storage.selection import Selection

TEXT_WRITERS = {"jsonl": export_jsonl, "csv": export_csv}


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl", show_default=True)
@selection_options
@click.option("--with-duplicates", is_flag=True, help="Add to each story the other places it was found.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="Output file (default: stdout).")
def export(db: str, fmt: str, selection: Selection, with_duplicates: bool, output: str) -> None:
    """Export the archived stories (one clean copy each), streaming, oldest first."""
    if fmt == "parquet":
        if output == "-":
            raise click.UsageError("Parquet is a binary file format: name the file with -o")
        try:
            require_pyarrow()
        except ParquetUnavailable as exc:
            raise click.UsageError(str(exc)) from exc
    with open_archive(db) as archive:
        count = _write(archive, fmt, selection, with_duplicates, output)
    console.print(f"exported {count} stories")


def _write(archive: Any, fmt: str, selection: Selection, duplicates: bool, output: str) -> int:
    if fmt == "parquet":
        with open(output, "wb") as out:
            return export_parquet(archive, out, selection, duplicates)
    with click.open_file(output, "w", encoding="utf-8") as out:
        return TEXT_WRITERS[fmt](archive, out, selection, duplicates)
