"""``newsarchive export``: stories out of the archive, in formats other tools load."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, BinaryIO, TextIO, cast

import click

from crawler.cli.common import console, db_option, open_archive, plural, resolve_site, selection_options
from crawler.cli.output import output_file

if TYPE_CHECKING:
    from storage import Archive
    from storage.selection import Selection


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="JSON lines, CSV with a header row, or Parquet (needs pyarrow and -o).",
)
@selection_options
@click.option("--with-duplicates", is_flag=True, help="Add to each story the other places it was found.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Output file, replaced only once the export is whole (default: stdout).",
)
def export(db: str, fmt: str, selection: Selection, with_duplicates: bool, output: str) -> None:
    """Export the archived stories (one clean copy each), streaming, oldest first."""
    if fmt == "parquet":
        from storage.exchange.parquet import ParquetUnavailable, require_pyarrow

        if output == "-":
            raise click.UsageError("Parquet is a binary file format: name the file with -o")
        try:
            require_pyarrow()
        except ParquetUnavailable as exc:
            raise click.UsageError(str(exc)) from exc
    with open_archive(db) as archive:
        selection = dataclasses.replace(selection, site=resolve_site(archive, selection.site))
        count = _write(archive, fmt, selection, with_duplicates, output)
    console.print(f"exported {plural(count, 'story', 'stories')}")


def _write(archive: Archive, fmt: str, selection: Selection, duplicates: bool, output: str) -> int:
    from storage.exchange.export import export_csv, export_jsonl

    if fmt == "parquet":
        from storage.exchange.parquet import export_parquet

        with output_file(output, binary=True) as out:
            return export_parquet(archive, cast(BinaryIO, out), selection, duplicates)
    writer = {"jsonl": export_jsonl, "csv": export_csv}[fmt]
    with output_file(output) as out:
        return writer(archive, cast(TextIO, out), selection, duplicates)
