"""Export the archive to Parquet with pyarrow (optional: ``pip install 'newsarchive[parquet]'``)."""

from __future__ import annotations

import json
from datetime import datetime
from itertools import islice
from typing import Any, BinaryIO

from storage.archive import Archive
from storage.exchange.export import FIELDS, records
from storage.selection import EVERYTHING, Selection

#: Stories per Parquet row group: what is held in memory at once.
ROW_GROUP = 5000


class ParquetUnavailable(RuntimeError):
    """pyarrow is not installed."""


def require_pyarrow() -> Any:
    """Return the pyarrow module, or raise ParquetUnavailable saying how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise ParquetUnavailable(
            "Parquet export needs pyarrow: pip install 'newsarchive[parquet]' (or pip install pyarrow)"
        ) from exc
    return pyarrow


def parquet_schema(duplicates: bool) -> Any:
    """Return the Arrow schema of an export: strings, ``first_seen`` a UTC timestamp, duplicates a list of structs."""
    pa = require_pyarrow()
    timestamp = pa.timestamp("us", tz="UTC")
    types = {"authors": pa.list_(pa.string()), "tags": pa.list_(pa.string()), "incomplete": pa.bool_()}  # jsonld: JSON
    fields = [pa.field(name, types.get(name, pa.string())) for name in FIELDS[:-2]] + [
        pa.field("first_seen", timestamp)
    ]
    if duplicates:
        duplicate = pa.struct(
            [
                ("url", pa.string()),
                ("site", pa.string()),
                ("title", pa.string()),
                ("match", pa.string()),
                ("similarity", pa.float64()),
                ("containment", pa.float64()),
                ("published", pa.string()),
                ("seen", timestamp),
            ]
        )
        fields.append(pa.field("duplicates", pa.list_(duplicate)))
    return pa.schema(fields)


def export_parquet(archive: Archive, out: BinaryIO, selection: Selection = EVERYTHING, duplicates: bool = False) -> int:
    """Write the selected stories to ``out`` as Parquet, one row group per ``ROW_GROUP`` stories; return how many."""
    pa = require_pyarrow()
    schema = parquet_schema(duplicates)
    stream = records(archive, selection, duplicates)
    count = 0
    with pa.parquet.ParquetWriter(out, schema) as writer:
        while rows := list(islice(stream, ROW_GROUP)):
            writer.write_table(pa.Table.from_pylist([_typed(row) for row in rows], schema=schema))
            count += len(rows)
    return count


def _typed(record: dict[str, Any]) -> dict[str, Any]:
    """Return ``record`` with its ISO timestamps back as datetimes, as Arrow's timestamp columns take them."""
    record["first_seen"] = datetime.fromisoformat(record["first_seen"])
    record["jsonld"] = json.dumps(record["jsonld"], ensure_ascii=False) if record["jsonld"] else None
    for duplicate in record.get("duplicates", ()):
        duplicate["seen"] = datetime.fromisoformat(duplicate["seen"])
    return record
