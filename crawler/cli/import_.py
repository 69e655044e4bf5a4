"""``newsarchive import``: read a JSON-lines export back into a new archive."""

from __future__ import annotations

from typing import Any

import click

from crawler.cli.common import console, db_option, settings_option
from crawler.dedup import signed
from storage import Archive, ArchiveError
from storage.importer import import_jsonl


@click.command(name="import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@db_option
@settings_option
def import_(file: Any, db: str, overrides: tuple[str, ...]) -> None:
    """Import FILE, a JSONL export (``-`` for stdin), into an empty archive; reposts come back as sightings.

    The dedup index is rebuilt with the DEDUP_* settings (``-s`` as for crawl).
    """
    from crawler.pipelines.dedup import dedup_config
    from crawler.run import crawl_settings

    try:
        config = dedup_config(crawl_settings(db, overrides))
        with Archive(db) as archive:
            archive.ensure_index_params(config.index_params())
            count = import_jsonl(archive, file, lambda text: signed(text, config))
    except (ValueError, ArchiveError) as exc:
        raise click.UsageError(str(exc)) from exc
    console.print(f"imported {count} stories into {db}")

