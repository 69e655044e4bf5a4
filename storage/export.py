"""Export the archive, one story per record."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, TextIO

from storage.archive import Archive

#: Fields of an exported story, in order.
FIELDS = (
    "url", "title", "text", "published", "updated", "author", "authors", "language", "site", "sitename",
    "canonical_url", "section", "tags", "image", "description", "jsonld", "first_seen", "duplicates",
)
#: Fields stored as JSON text, exported as JSON values.
_JSON_FIELDS = ("authors", "tags", "jsonld")


def story_record(story: dict[str, Any]) -> dict[str, Any]:
    """Return the export form of a story from :meth:`Archive.iter_stories`."""
    record = {name: story.get(name) for name in FIELDS}
    for name in _JSON_FIELDS:
        record[name] = json.loads(record[name]) if record[name] else []
    if isinstance(record["first_seen"], datetime):
        # stored in UTC; SQLite hands it back without its zone
        record["first_seen"] = record["first_seen"].replace(tzinfo=record["first_seen"].tzinfo or timezone.utc).isoformat()
    record["duplicates"] = [
        {"url": d["url"], "site": d["site"], "similarity": round(d["similarity"], 4)} for d in story["duplicates"]
    ]
    return record


def export_jsonl(archive: Archive, out: TextIO) -> int:
    """Write every story as one JSON line to ``out``; return how many were written."""
    count = 0
    for story in archive.iter_stories():
        out.write(json.dumps(story_record(story), ensure_ascii=False) + "\n")
        count += 1
    return count
