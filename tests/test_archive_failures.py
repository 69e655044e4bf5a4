"""A database that fails mid-crawl: the crawl stops with a clear message, keeps no half-written article, and the next crawl continues.

PostgreSQL: the server terminates the crawl's connection in the middle of a
story's transaction (pg_terminate_backend, from a trigger). SQLite: the disk
fills up — the crawl runs under a file-size limit (RLIMIT_FSIZE, set with
prlimit: no root, no tiny filesystem), so SQLite's own writes to its WAL really
fail (EFBIG: SQLite says "disk I/O error"; on a full filesystem, ENOSPC, it says
"database or disk is full" — the same OperationalError either way).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import NEWSARCHIVE, Crawls, exported, newsarchive, run
from crawler.dedup.compare import DedupConfig
from crawler.demo.newsweb import NewsWeb
from databases import PostgresServer
from storage import archive_url

# Kills the writing connection when the third story is inserted, and every one after it.
KILL_ON_THIRD_STORY = """
CREATE FUNCTION kill_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM stories) >= 3 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER kill_writer AFTER INSERT ON stories FOR EACH ROW EXECUTE FUNCTION kill_writer();
"""


def clusters(records: list[dict]) -> set[frozenset[str]]:
    """Return each story's URLs, its own and its duplicates': the same for any crawl order."""
    return {frozenset([r["url"], *(d["url"] for d in r["duplicates"])]) for r in records}


def assert_whole(db: str) -> int:
    """Assert every story has its original sighting and none or all of its index buckets; return how many stories.

    A story with copies has more: its copies' buckets join its own.
    """
    engine = sa.create_engine(archive_url(db))
    with engine.connect() as conn:
        stories = conn.scalar(sa.text("SELECT count(*) FROM stories"))
        originals = conn.scalar(
            sa.text(
                "SELECT count(*) FROM stories s JOIN sightings g ON g.story_id = s.id AND g.url = s.url AND g.match = 'original'"
            )
        )
        buckets = set(
            conn.scalars(
                sa.text(
                    "SELECT count(b.story_id) FROM stories s LEFT JOIN lsh_buckets b ON b.story_id = s.id GROUP BY s.id"
                )
            )
        )
    engine.dispose()
    assert originals == stories
    assert not {count for count in buckets if 0 < count < DedupConfig().bands}
    return stories


def _urls(web: NewsWeb) -> list[str]:
    return [web.url(name) for name in web.sites]


def test_a_crawl_into_postgresql_archives_what_one_into_sqlite_does(
    postgres: PostgresServer, news_web: NewsWeb, crawls: Crawls
) -> None:
    db = postgres.url(postgres.create_database("crawl"))
    result = newsarchive("crawl", *_urls(news_web), "--db", db)
    assert result.returncode == 0, result.stderr
    assert clusters(exported(db, "--with-duplicates")) == clusters(crawls.export())
    assert assert_whole(db) == len(crawls.export())


def test_a_postgresql_connection_killed_mid_write_stops_the_crawl_and_the_next_continues(
    postgres: PostgresServer, news_web: NewsWeb, crawls: Crawls
) -> None:
    db = postgres.url(postgres.create_database("killed"))
    assert newsarchive("migrate", "--db", db).returncode == 0
    engine = sa.create_engine(archive_url(db))
    with engine.begin() as conn:
        conn.exec_driver_sql(KILL_ON_THIRD_STORY)

    stopped = newsarchive("crawl", *_urls(news_web), "--db", db)
    assert stopped.returncode == 1
    assert "the archive's database failed: terminating connection due to administrator command" in stopped.stderr
    assert "run the same crawl again to continue" in stopped.stderr
    assert "archive_unavailable" in stopped.stderr  # counted among the errors, and the stop reason
    # the transaction writing the third story died with its connection, rolled back whole (the stories
    # written with it in its batch too); those committed before it stay
    assert assert_whole(db) < 3

    with engine.begin() as conn:  # the database is healthy again
        conn.exec_driver_sql("DROP TRIGGER kill_writer ON stories")
    engine.dispose()
    again = newsarchive("crawl", *_urls(news_web), "--db", db)
    assert again.returncode == 0, again.stderr
    assert clusters(exported(db, "--with-duplicates")) == clusters(crawls.export())
    assert assert_whole(db) == len(crawls.export())


def test_a_postgresql_server_that_refuses_connections_is_a_clear_error(news_web: NewsWeb) -> None:
    result = newsarchive("crawl", news_web.url("China Topix"), "--db", "postgresql://postgres@127.0.0.1:1/archive")
    assert result.returncode == 2
    assert "cannot open archive postgresql+psycopg://postgres@127.0.0.1:1/archive" in result.stderr
    assert "Connection refused" in result.stderr


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux) to limit file sizes")
def test_a_full_disk_stops_an_sqlite_crawl_and_the_next_continues(
    news_web: NewsWeb, crawls: Crawls, tmp_path: Path
) -> None:
    db = str(tmp_path / "archive.db")
    assert newsarchive("migrate", "--db", db).returncode == 0
    # room for the WAL to take a few stories, with their fetch-log rows, before it hits the limit (the whole
    # crawl, its articles written several to a transaction, fits in 800 KB)
    room = sum(p.stat().st_size for p in tmp_path.glob("archive.db*")) + 400_000

    stopped = run("prlimit", f"--fsize={room}", NEWSARCHIVE, "crawl", *_urls(news_web), "--db", db)
    assert stopped.returncode == 1
    assert "the archive's database failed: disk I/O error" in stopped.stderr
    assert "run the same crawl again to continue" in stopped.stderr
    kept = assert_whole(db)
    assert 0 < kept < len(crawls.export())

    again = newsarchive("crawl", *_urls(news_web), "--db", db)
    assert again.returncode == 0, again.stderr
    assert clusters(exported(db, "--with-duplicates")) == clusters(crawls.export())
    assert assert_whole(db) == len(crawls.export())
