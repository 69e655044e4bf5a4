"""The archive: one clean copy per story, its sightings, the dedup index, on SQL."""

from storage.archive import Archive, ArchivedStory, ArchiveError, NewStory, Sighting, archive_file, archive_url

__all__ = ["Archive", "ArchiveError", "ArchivedStory", "NewStory", "Sighting", "archive_file", "archive_url"]
