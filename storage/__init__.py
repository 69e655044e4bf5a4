"""The archive: one clean copy per story, its sightings, the dedup index, on SQL."""

from storage.archive import Archive
from storage.db import ArchiveError, archive_file, archive_url
from storage.stories import ArchivedStory, Join, Match, NewStory, Sighting
from storage.writes import DedupReads, Writes

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchivedStory",
    "DedupReads",
    "Join",
    "Match",
    "NewStory",
    "Sighting",
    "Writes",
    "archive_file",
    "archive_url",
]
