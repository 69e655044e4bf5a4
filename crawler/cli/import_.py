"""``newsarchive import``: read a JSON-lines export back into a new archive."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from crawler.cli.common import Failure, console, db_option, plural, settings_option

#: The first bytes of a Parquet file, and of a gzip file.
_PARQUET_MAGIC, _GZIP_MAGIC = b"PAR1", b"\x1f\x8b"


@click.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, exists=True))
@db_option
@settings_option
def import_(file: str, db: str, overrides: tuple[str, ...]) -> None:
    """Import FILE, a JSONL export (``-`` for stdin), into an empty archive; reposts come back as sightings.

    The dedup index is rebuilt with the DEDUP_* settings (``-s`` as for crawl).
    A failed import leaves no archive behind (nor anything in an existing empty one).
    """
    from crawler.config import dedup_config
    from crawler.dedup.minhash import text_signals
    from crawler.run import crawl_settings
    from storage import Archive, ArchiveError, archive_file
    from storage.exchange.importer import BadExportLine, import_jsonl

    created = archive_file(db)
    created = created if created is not None and not created.exists() else None
    try:
        config = dedup_config(crawl_settings(db, overrides))
        with _open(file) as binary, Archive(db) as archive:
            archive.ensure_index_params(config.index_params())
            count = import_jsonl(archive, _lines(file, binary), lambda text: text_signals(text, config).stored)
    except BadExportLine as exc:
        _remove(created)
        raise Failure(f"{'stdin' if file == '-' else file}: {exc}") from exc
    except (ValueError, ArchiveError) as exc:
        _remove(created)
        raise Failure(str(exc)) from exc
    except BaseException:
        _remove(created)
        raise
    console.print(f"imported {plural(count, 'story', 'stories')} into {db}")


def _open(file: str) -> BinaryIO:
    if file == "-":
        return sys.stdin.buffer
    try:
        return open(file, "rb")
    except OSError as exc:
        raise Failure(f"cannot read {file}: {exc.strerror or exc}") from exc


def _lines(file: str, binary: BinaryIO) -> Iterator[str]:
    """Yield the text lines of the export; one that is not UTF-8 text, or a Parquet or gzip file, is an error naming it."""
    name = "stdin" if file == "-" else file
    for number, raw in enumerate(binary, 1):
        if number == 1 and raw.startswith(_PARQUET_MAGIC):
            raise ValueError(
                f"{name} is a Parquet file: import reads a JSONL export (newsarchive export --format jsonl)"
            )
        if number == 1 and raw.startswith(_GZIP_MAGIC):
            raise ValueError(
                f"{name} is gzip-compressed: decompress it first (gunzip -c {name} | newsarchive import -)"
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"{name}: line {number} is not UTF-8 text ({exc.reason}): import reads a JSONL export"
            ) from None


def _remove(created: Path | None) -> None:
    """Delete the SQLite archive this import created, with its WAL files: a failed import leaves nothing behind."""
    if created is None:
        return
    for path in (created, *(created.with_name(created.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        path.unlink(missing_ok=True)
