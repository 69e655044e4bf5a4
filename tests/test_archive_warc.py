"""The archive's side of WARC capture: every sighting points at the record of its page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from storage import Archive, NewStory, schema_version
from storage.warc import WarcLocation

STORY = NewStory(
    url="http://a.org/1",
    site="a.org",
    title="T",
    author="A",
    published="2024-04-28",
    language="en",
    sitename="A",
    text="Body line.",
    raw_text="Body line.",
    fingerprint="f1",
)
REPOST = replace(STORY, url="http://b.org/9", site="b.org", title="T2", published="2024-04-29", fingerprint="f2")


def test_a_story_and_its_repost_each_point_at_their_own_record(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.db")
    with Archive(db) as archive:
        story_id = archive.add_story(STORY, [], {}, WarcLocation("/w/one.warc.gz", 512, 2048))
        archive.add_copy(story_id, REPOST, "near", 0.8, 0.95, [], {}, WarcLocation("/w/two.warc.gz", 0, 999))
    with Archive(db, create=False) as archive:
        assert archive.capture_of("http://a.org/1") == WarcLocation("/w/one.warc.gz", 512, 2048)
        assert archive.capture_of("http://b.org/9") == WarcLocation("/w/two.warc.gz", 0, 999)
        assert archive.capture_of("http://c.org/1") is None


def test_pages_archived_without_a_capture_have_none(tmp_path: Path) -> None:
    with Archive(str(tmp_path / "archive.db")) as archive:
        archive.add_story(STORY, [], {})
        assert archive.capture_of(STORY.url) is None


def test_a_story_is_found_by_its_own_url_or_a_duplicates(tmp_path: Path) -> None:
    with Archive(str(tmp_path / "archive.db")) as archive:
        story_id = archive.add_story(STORY, [], {})
        archive.add_copy(story_id, REPOST, "near", 0.8, 0.95, [], {})
        for url in (STORY.url, REPOST.url):
            story = archive.story_at(url)
            assert story["url"] == STORY.url and story["text"] == "Body line."
            (duplicate,) = story["duplicates"]
            assert (duplicate["url"], duplicate["site"], duplicate["similarity"]) == (REPOST.url, "b.org", 0.8)
        assert archive.story_at("http://c.org/1") is None


def test_an_archive_from_before_warc_gains_the_warc_records_table_and_keeps_its_stories(tmp_path: Path) -> None:
    before_warc = ScriptDirectory(str(schema_version.MIGRATIONS)).get_revision("0006").down_revision
    db = str(tmp_path / "archive.db")
    with Archive(db) as archive:
        archive.add_story(STORY, [], {})
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # as the archive was before migration 0006 (and those after it)
        command.downgrade(schema_version._config(conn), before_warc)
    engine.dispose()
    with Archive(db) as archive:
        assert archive.story_at(STORY.url)["title"] == "T"
        assert sa.inspect(archive.engine).has_table("warc_records")
        assert archive.capture_of(STORY.url) is None
