"""Resumable crawls: a crawl killed with SIGKILL part-way and started again loses no story and stores none twice."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import NEWSARCHIVE, exported, newsarchive, table_rows
from crawler.demo.newsweb import NewsWeb
from fixture_web import build_test_web

#: One request at a time, so that a kill lands between stories rather than after the last one; extraction in the
#: crawl's thread, so that stories come as their pages do (pages fetched while worker processes start would
#: all be archived at once when they are up, in one batch).
SLOW = [
    *("-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.1", "-s", "CONCURRENT_REQUESTS=1"),
    *("-s", "EXTRACT_WORKERS=0"),
]


def _count(db: Path, table: str) -> int:
    """Return the rows of ``table``, read as another process would while the crawl writes (0 before it exists)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def _until(condition: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Poll until ``condition`` holds; fail if the crawl ended first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)


def _crawl_and_kill(urls: list[str], db: Path, stories_at_least: int, *args: str) -> int:
    """Start a crawl, SIGKILL it once the archive holds ``stories_at_least`` stories; return how many it held."""
    process = subprocess.Popen(
        [NEWSARCHIVE, "crawl", *urls, "--db", str(db), *SLOW, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _until(lambda: _count(db, "stories") >= stories_at_least, process)
    finally:
        process.kill()
        process.wait()
    return _count(db, "stories")


def test_a_crawl_killed_twice_part_way_then_resumed_archives_every_story_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_data = build_test_web()
    total = len(set(web_data.origin.values()))
    db, jobdir = tmp_path / "archive.db", tmp_path / "job"
    with NewsWeb(web_data.sites) as web:
        urls = [web.url(site.name) for site in web_data.sites]
        first = _crawl_and_kill(urls, db, 2)  # the fetch log alone
        second = _crawl_and_kill(urls, db, first + 3, "-s", f"JOBDIR={jobdir}")  # and Scrapy's JOBDIR
        assert 0 < first < second < total  # both kills landed part-way
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert (jobdir / "requests.queue").exists()
        resumed = newsarchive("crawl", *urls, "--db", str(db), "-s", f"JOBDIR={jobdir}")
    assert resumed.returncode == 0, resumed.stderr
    assert f"JOBDIR {jobdir} was left by a crawl that was killed" in resumed.stderr
    assert sorted(p.name for p in jobdir.iterdir()) == []  # finished: nothing left to resume
    web_data.check_archived_once(exported(str(db), "--with-duplicates"))
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT finished IS NOT NULL, finish_reason FROM runs ORDER BY id").fetchall()
    assert runs == [(0, None), (0, None), (1, "finished")]
    monkeypatch.setenv("COLUMNS", "200")
    listed = newsarchive("runs", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert [row[4] for row in table_rows(listed.stdout)] == ["finished", "unfinished", "unfinished"]
