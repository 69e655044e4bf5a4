"""Export the archive, one story per record, streaming: JSON lines, CSV (Parquet in ``storage.exchange.parquet``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from storage.archive import Archive
from storage.db import as_utc
from storage.selection import EVERYTHING, Selection

#: Fields of an exported story, in order; ``duplicates`` only with ``duplicates=True``.
FIELDS = (
    "url",
    "title",
    "text",
    "published",
    "updated",
    "author",
    "authors",
    "language",
    "site",
    "sitename",
    "canonical_url",
    "section",
    "tags",
    "image",
    "description",
    "jsonld",
    #: the page ended mid-document when fetched: the text may be cut short
    "incomplete",
    "first_seen",
    "duplicates",
)
#: Fields stored as JSON text, exported as JSON values.
JSON_FIELDS = ("authors", "tags", "jsonld")
#: What a spreadsheet reads as a formula at the start of a cell (OWASP, "CSV Injection"): such a cell gets a ``'``.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Line separators JSON leaves raw that ``str.splitlines`` (and JavaScript before ES2019) break lines at.
_LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def iso(moment: datetime) -> str:
    """Return a stored UTC timestamp as ISO 8601 with its offset (SQLite hands it back without its zone)."""
    return as_utc(moment).isoformat()


def story_record(story: dict[str, Any]) -> dict[str, Any]:
    """Return the export form of a story from :meth:`Archive.iter_stories`."""
    record: dict[str, Any] = {name: story.get(name) for name in FIELDS if name != "duplicates"}
    for name in JSON_FIELDS:
        record[name] = json.loads(record[name]) if record[name] else []
    record["first_seen"] = iso(record["first_seen"])
    if "duplicates" in story:
        record["duplicates"] = [
            dict(d, similarity=round(d["similarity"], 4), containment=round(d["containment"], 4), seen=iso(d["seen"]))
            for d in story["duplicates"]
        ]
    return record


def records(archive: Archive, selection: Selection = EVERYTHING, duplicates: bool = True) -> Iterator[dict[str, Any]]:
    """Yield the export records of the selected stories, oldest first."""
    for story in archive.iter_stories(selection, duplicates=duplicates):
        yield story_record(story)


def export_jsonl(archive: Archive, out: TextIO, selection: Selection = EVERYTHING, duplicates: bool = True) -> int:
    """Write each selected story as one JSON line to ``out``; return how many were written."""
    count = 0
    for record in records(archive, selection, duplicates):
        out.write(json.dumps(record, ensure_ascii=False).translate(_LINE_SEPARATORS) + "\n")
        count += 1
    return count


def inert_cell(value: Any) -> Any:
    """Return a CSV cell that no spreadsheet runs: text starting like a formula gets a leading ``'`` (OWASP)."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def export_csv(archive: Archive, out: TextIO, selection: Selection = EVERYTHING, duplicates: bool = False) -> int:
    """Write the selected stories as CSV with a header row; lists (``duplicates``, ``tags``…) and flags are JSON.

    A cell that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR) starts with ``'``.
    """
    columns = FIELDS if duplicates else FIELDS[:-1]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    count = 0
    for record in records(archive, selection, duplicates):
        for name in (*JSON_FIELDS, "incomplete", "duplicates"):
            if name in record:
                record[name] = json.dumps(record[name], ensure_ascii=False)
        writer.writerow({name: inert_cell(value) for name, value in record.items()})
        count += 1
    return count
