"""The archive on SQLite and PostgreSQL: stories, sightings, index and line counts, written atomically and kept."""

from __future__ import annotations

import dataclasses
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError

from archive_data import new_story as _story
from storage import Archive, ArchiveError, Join, archive_url, schema_version, stories
from storage.exchange.export import export_jsonl
from storage.schema import story_versions


def _engine(db: str) -> sa.Engine:
    return sa.create_engine(archive_url(db))


def _drop_like_us(raw: str, headings: list[int]) -> str:
    return raw.replace("Like us\n", "")


def _signals(text: str) -> tuple[str, list[tuple[int, int]]]:
    return f"f:{text}", [(0, len(text))]


def test_a_story_and_its_reposts_survive_reopening(db: str) -> None:
    with Archive(db) as archive:
        story_id = archive.add_story(_story(), [(0, 11), (1, 12)], {})
        repost = _story("http://b.org/9", "b.org", title="T2", published=None)
        assert not archive.add_copy(story_id, repost, "near", 0.8, 0.95, [(0, 11), (2, 13)], {})
    with Archive(archive_url(db)) as archive:
        assert archive.story_of_url("http://a.org/1") == archive.story_of_url("http://b.org/9") == story_id
        assert archive.story_of_url("http://c.org/1") is None
        assert archive.canonical_story("http://a.org/1") == story_id
        assert archive.canonical_story("http://b.org/9") is None  # a repost's URL is no story's own
        assert archive.candidates([(2, 13)]) == [story_id]  # the repost's keys joined the story's
        assert archive.candidates([(1, 12), (5, 5)]) == [story_id]
        assert archive.story_by_fingerprint("f-http://a.org/1") == story_id
        out = io.StringIO()
        assert export_jsonl(archive, out) == 1
    record = json.loads(out.getvalue())
    (duplicate,) = record["duplicates"]
    assert {k: duplicate[k] for k in ("url", "site", "title", "match", "similarity", "containment")} == {
        "url": "http://b.org/9",
        "site": "b.org",
        "title": "T2",
        "match": "near",
        "similarity": 0.8,
        "containment": 0.95,
    }
    assert record["text"] == "Body line.\nSecond line."


def test_two_stories_found_to_be_one_join_under_the_one_whose_canonical_copy_is_the_original(db: str) -> None:
    with Archive(db) as archive:
        cut = _story("http://local.org/cut", "local.org", text="Cut copy.", published="2024-04-29")
        later = archive.add_story(cut, [(0, 1)], {})
        archive.add_copy(
            later, _story("http://more.org/cut", "more.org", published=None), "near", 0.9, 1.0, [(0, 2)], {}
        )
        archive.revise_story(
            later, dataclasses.replace(cut, text="Cut, corrected.", raw_text="Cut, corrected."), [(0, 3)], str
        )
        original = archive.add_story(_story("http://wire.org/1", "wire.org"), [(1, 1)], {})
        archive.revise_story(original, _story("http://wire.org/1", "wire.org", text="Updated."), [], str)
        # the later-published story is asked to take in the original: the original's story stays all the same
        assert archive.join_stories(later, Join(original, 0.35, 0.72)) == original
        assert archive.join_stories(later, Join(original, 0.35, 0.72)) is None  # gone: nothing to join
        assert archive.candidates([(0, 1), (0, 2), (0, 3), (1, 1)]) == [original]
        (record,) = archive.iter_stories()
    assert record["url"] == "http://wire.org/1"
    found = {d["url"]: (d["match"], d["similarity"], d["containment"]) for d in record["duplicates"]}
    assert found == {"http://local.org/cut": ("near", 0.35, 0.72), "http://more.org/cut": ("near", 0.9, 1.0)}
    with _engine(db).connect() as conn:
        versions = conn.execute(sa.select(story_versions.c.story_id, story_versions.c.version, story_versions.c.text))
        assert sorted(versions) == [(original, 1, "Body line.\nSecond line."), (original, 2, "Cut copy.")]


def test_a_failed_write_leaves_nothing_behind(db: str) -> None:
    with Archive(db) as archive:
        with pytest.raises(IntegrityError):
            archive.add_story(_story(), [(0, 1), (0, 1)], {"k": "line"})  # the second bucket row collides
        assert archive.story_of_url("http://a.org/1") is None
        assert archive.summary()["stories"] == 0
        assert archive.learned_lines("a.org", 1, 0.0) == set()


def test_the_same_url_is_never_stored_twice(db: str) -> None:
    with Archive(db) as archive:
        story_id = archive.add_story(_story(), [], {})
        with pytest.raises(IntegrityError):
            archive.add_copy(story_id, _story("http://a.org/1"), "exact", 1.0, 1.0, [], {})
        assert archive.summary() == {
            "stories": 1,
            "duplicates": 0,
            "sites": [{"site": "a.org", "stories": 1, "duplicates": 0}],
        }


def test_candidates_come_most_shared_buckets_first(db: str) -> None:
    with Archive(db) as archive:
        one = archive.add_story(_story("http://a.org/1"), [(0, 1)], {})
        two = archive.add_story(_story("http://a.org/2"), [(0, 1), (1, 2)], {})
        assert archive.candidates([(0, 1), (1, 2)]) == [two, one]


def test_lines_are_learned_by_pages_and_share_of_the_site(db: str) -> None:
    with Archive(db) as archive:
        for i in range(4):
            lines = {"social": "Like us", "rare": "Analysis"} if i == 0 else {"social": "Like us"}
            archive.add_story(_story(f"http://a.org/{i}"), [], lines)
        assert archive.learned_lines("a.org", min_pages=3, min_ratio=0.5) == {"social"}
        assert archive.learned_lines("a.org", min_pages=5, min_ratio=0.0) == set()
        assert archive.learned_lines("b.org", min_pages=1, min_ratio=0.0) == set()


def test_reclean_rewrites_text_from_raw_text(db: str) -> None:
    with Archive(db) as archive:
        story_id = archive.add_story(_story(text="Para.\nLike us\nPara two."), [], {})
        assert archive.reclean("a.org", _drop_like_us, signals=_signals) == 1
        assert archive.reclean("a.org", _drop_like_us, signals=_signals) == 0
        (story,) = archive.iter_stories()
        assert story["text"] == "Para.\nPara two."
        assert story["fingerprint"] == "f:Para.\nPara two."  # the fingerprint and the keys follow the text
        assert archive.candidates([(0, 15)]) == [story_id]  # 15: the length of the clean text
        assert story["raw_text"] == "Para.\nLike us\nPara two."


def test_reclean_reaches_every_story_of_a_site_reading_a_batch_at_a_time(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stories, "RECLEAN_BATCH", 2)
    with Archive(db) as archive:
        for i in range(5):
            archive.add_story(_story(f"http://a.org/{i}", text=f"Para {i}.\nLike us\nEnd."), [], {})
        archive.add_story(_story("http://b.org/1", "b.org", text="Para.\nLike us\nEnd."), [], {})
        assert archive.reclean("a.org", _drop_like_us, signals=_signals) == 5
        texts = {story["url"]: story["text"] for story in archive.iter_stories()}
    assert texts == {
        **{f"http://a.org/{i}": f"Para {i}.\nEnd." for i in range(5)},
        "http://b.org/1": "Para.\nLike us\nEnd.",
    }


def test_dedup_parameters_are_stored_and_a_mismatch_is_refused(db: str) -> None:
    with Archive(db) as archive:
        archive.ensure_index_params({"num_perm": 128, "scheme": "affine32"})
        archive.ensure_index_params({"num_perm": 128, "scheme": "affine32"})
    with Archive(db) as archive, pytest.raises(ArchiveError, match="num_perm"):
        archive.ensure_index_params({"num_perm": 256, "scheme": "affine32"})


def test_an_archive_from_a_newer_version_is_refused(db: str) -> None:
    Archive(db).close()
    engine = _engine(db)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    with pytest.raises(ArchiveError, match="newer"):
        Archive(db)


def test_an_archive_from_before_migrations_is_brought_up_to_date(db: str) -> None:
    engine = _engine(db)
    with engine.begin() as conn:  # the schema issue 2 wrote: that of migration 0001, without alembic_version
        command.upgrade(schema_version._config(conn), "0001")
        conn.execute(sa.text("DROP TABLE alembic_version"))
    engine.dispose()
    Archive(db).close()
    engine = _engine(db)
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == schema_version.head()
    engine.dispose()


def test_a_bad_target_gets_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not a database URL"):
        Archive("nosuchdialect://x")
    with pytest.raises(ArchiveError, match="cannot open archive"):
        Archive(str(tmp_path / "missing-dir" / "a.db"))
    with pytest.raises(
        ArchiveError, match="cannot open archive postgresql\\+psycopg://postgres:\\*\\*\\*@127.0.0.1:1/x"
    ):
        Archive("postgresql://postgres:secret@127.0.0.1:1/x")  # nothing listens on port 1: connection refused


def test_postgresql_urls_are_served_by_psycopg() -> None:
    assert archive_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert archive_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert archive_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert archive_url("a/b.db") == "sqlite:///a/b.db"


def test_reading_a_missing_archive_does_not_create_one(db: str) -> None:
    with pytest.raises(ArchiveError, match="no archive (at|in) "):
        Archive(db, create=False)
    engine = _engine(db)
    with engine.connect() as conn:
        assert not sa.inspect(conn).get_table_names()
    engine.dispose()


def test_newsarchive_migrate_creates_then_reports_up_to_date(db: str) -> None:
    from conftest import newsarchive

    first = newsarchive("migrate", "--db", db)
    assert first.returncode == 0, first.stderr
    assert f"none -> {schema_version.head()}" in first.stderr
    again = newsarchive("migrate", "--db", db)
    assert again.returncode == 0 and "up to date" in again.stderr


def test_processes_opening_a_new_archive_at_once_all_get_it(db: str) -> None:
    """Crawlers started together on one new database: one creates the schema, the others wait for it."""
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(lambda _: Archive(db), range(4)))
    for archive in opened:
        assert archive.summary()["stories"] == 0
        archive.close()
