"""Read a JSON-lines export back into an empty archive, duplicates as sightings, the dedup index rebuilt."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from storage.archive import Archive
from storage.db import ArchiveError
from storage.index import Signer
from storage.stories import ArchivedStory, NewStory, Sighting


class BadExportLine(ArchiveError):
    """A line of the export cannot be read back; the message names the line."""


#: Metadata columns exported as they are stored, and those stored as JSON text.
_PLAIN_METADATA = ("updated", "canonical_url", "section", "image", "description")
_JSON_METADATA = ("authors", "tags", "jsonld")


def _json_text(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


def archived_story(record: dict[str, Any], sign: Signer) -> ArchivedStory:
    """Return the story of one export record; KeyError or ValueError on a record that is not one."""
    text = record["text"]
    fingerprint, keys = sign(text)
    story = NewStory(
        url=record["url"],
        site=record["site"],
        title=record.get("title"),
        author=record.get("author"),
        published=record.get("published"),
        language=record.get("language"),
        sitename=record.get("sitename"),
        text=text,
        raw_text=text,
        fingerprint=fingerprint,
        incomplete=bool(record.get("incomplete", False)),
        **{name: record.get(name) for name in _PLAIN_METADATA},
        **{name: _json_text(record.get(name)) for name in _JSON_METADATA},
    )
    duplicates = [
        (
            Sighting(
                d["url"],
                d["site"],
                d.get("title"),
                d["match"],
                float(d["similarity"]),
                float(d["containment"]),
                d.get("published"),
            ),
            datetime.fromisoformat(d["seen"]),
        )
        for d in record.get("duplicates", [])
    ]
    return ArchivedStory(story, datetime.fromisoformat(record["first_seen"]), keys, duplicates)


def _stories(lines: Iterable[str], sign: Signer) -> Iterator[ArchivedStory]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield archived_story(json.loads(line), sign)
        except (ValueError, KeyError, TypeError) as exc:
            raise BadExportLine(f"line {number} is not a story of a newsarchive JSONL export: {exc!r}") from exc


def import_jsonl(archive: Archive, lines: Iterable[str], sign: Signer) -> int:
    """Write the stories of a JSONL export (``--with-duplicates`` keeps the reposts) into an empty archive.

    Refuses an archive that holds anything. All or nothing: one transaction,
    so a bad line leaves the archive empty. Returns how many stories were imported.
    """
    if not archive.is_empty():
        raise ArchiveError("the archive is not empty: import only into a new archive")
    return archive.restore(_stories(lines, sign))
