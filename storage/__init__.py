"""The archive: one clean copy per story, its sightings, the dedup index, on SQL."""

from storage.archive import Archive, DedupReads
from storage.db import ArchiveError, archive_file, archive_url
from storage.stories import ArchivedStory, Match, NewStory, Sighting

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchivedStory",
    "DedupReads",
    "Match",
    "NewStory",
    "Sighting",
    "archive_file",
    "archive_url",
]
