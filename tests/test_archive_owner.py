"""The archive owner: one archive, one fetch log and one run per crawl, found by every component through Scrapy."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from crawler.extensions.archive import ArchiveOwner, archive_owner
from crawler.extensions.runs import RunRecorder
from crawler.middlewares.conditional import ConditionalGetMiddleware
from crawler.middlewares.fetchlog import FetchLogMiddleware
from crawler.middlewares.known import KnownArticlesMiddleware
from shell import crawler_on
from storage import Archive, ArchiveError
from storage.fetch_log import Fetch, FetchLog
from storage.runs import list_runs

PAGE = Fetch("http://a.example/x", "a.example", "page", 200, None, None, "fetched")


def test_the_middlewares_share_the_owners_one_fetch_log(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", INCREMENTAL_ENABLED=True)
    owner = archive_owner(crawler)
    logs = {
        id(m.log)
        for m in (
            FetchLogMiddleware.from_crawler(crawler),
            KnownArticlesMiddleware.from_crawler(crawler),
            ConditionalGetMiddleware.from_crawler(crawler),
        )
    }
    assert logs == {id(owner.fetch_log)}


def test_the_fetch_log_is_written_when_the_spider_closes_and_the_archive_closed_after_the_engine(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    crawler = crawler_on(db, FETCH_LOG_BATCH_SIZE=100)
    owner = archive_owner(crawler)
    owner.fetch_log.record(PAGE, None)
    with Archive(str(db)) as other:
        assert FetchLog(other).known([PAGE.url]) == set()  # queued, not written yet
    crawler.signals.send_catch_log(signals.spider_closed, spider=Spider("news"), reason="finished")
    with Archive(str(db)) as other:
        assert FetchLog(other).known([PAGE.url]) == {PAGE.url}
    disposed: list[bool] = []
    owner.archive.close = lambda: disposed.append(True)  # type: ignore[method-assign]
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert disposed == [True]


def test_the_run_recorder_gives_the_owner_the_runs_id(tmp_path: Path) -> None:
    crawler = crawler_on(tmp_path / "a.db", NEWSARCHIVE_RUN_SAVE_INTERVAL=0, NEWSARCHIVE_SITE="Herald")
    recorder = RunRecorder.from_crawler(crawler)
    assert archive_owner(crawler).run_id is None
    recorder.spider_opened(Spider("news"))
    (run,) = list_runs(archive_owner(crawler).archive)
    assert (archive_owner(crawler).run_id, run["site"]) == (run["id"], "Herald")


def test_a_bad_batch_size_and_a_bad_archive_fail_when_the_crawler_is_built(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="FETCH_LOG_BATCH_SIZE must be >= 1, got 0"):
        crawler_on(tmp_path / "a.db", FETCH_LOG_BATCH_SIZE=0)
    (tmp_path / "notes.txt").write_text("not a database, just notes\n" * 100)
    with pytest.raises(ArchiveError, match="cannot open archive"):
        crawler_on(tmp_path / "notes.txt")


def test_without_the_extension_the_components_say_what_is_missing(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"NEWSARCHIVE_DB": str(tmp_path / "a.db")})
    assert crawler.get_extension(ArchiveOwner) is None
    with pytest.raises(RuntimeError, match="ArchiveOwner is not in the EXTENSIONS setting"):
        FetchLogMiddleware.from_crawler(crawler)
