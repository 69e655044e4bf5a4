"""The archive: one clean copy per story, its sightings, the dedup index, on SQL."""

from storage.archive import Archive
from storage.db import ArchiveError, archive_file, archive_url
from storage.stories import ArchivedStory, NewStory, Sighting

__all__ = ["Archive", "ArchiveError", "ArchivedStory", "NewStory", "Sighting", "archive_file", "archive_url"]
