"""A JOBDIR left by a killed crawl is discarded, one left by a stopped crawl resumed, a finished one emptied
(crawler.extensions.jobdir)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.extensions.jobdir import JobdirGuard
from unit_crawler import unit_crawler

#: What Scrapy leaves in a JOBDIR, and a file of the user's that is none of ours.
SCRAPY_STATE = {"requests.seen": "f1e2d3\n", "spider.state": "pickled"}
USERS = "notes.txt"


def jobdir_of_a_crawl(jobdir: Path, killed: bool) -> Path:
    """Fill ``jobdir`` as a crawl leaves it: Scrapy's state, a queue folder, and our marker if it was killed."""
    jobdir.mkdir(parents=True, exist_ok=True)
    for name, text in SCRAPY_STATE.items():
        (jobdir / name).write_text(text)
    (jobdir / "requests.queue").mkdir()
    (jobdir / "requests.queue" / "p0").write_bytes(b"queued requests")
    (jobdir / USERS).write_text("mine\n")
    if killed:
        (jobdir / "newsarchive.running").write_text("4242\n")
    return jobdir


def starting(jobdir: Path) -> tuple[Crawler, JobdirGuard]:
    crawler = unit_crawler({"JOBDIR": str(jobdir)})
    guard = JobdirGuard.from_crawler(crawler)  # kept: signal receivers are weakly referenced
    crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
    return crawler, guard


def closing(crawler: Crawler, reason: str) -> None:
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason=reason)


def names(jobdir: Path) -> set[str]:
    return {p.name for p in jobdir.iterdir()}


def test_without_a_jobdir_it_is_off() -> None:
    with pytest.raises(NotConfigured):
        JobdirGuard.from_crawler(unit_crawler())


def test_a_running_crawl_marks_its_jobdir_with_its_process_id(tmp_path: Path) -> None:
    starting(tmp_path / "job")
    assert (tmp_path / "job" / "newsarchive.running").read_text() == f"{os.getpid()}\n"


def test_a_jobdir_left_by_a_killed_crawl_is_discarded_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    jobdir = jobdir_of_a_crawl(tmp_path / "job", killed=True)
    with caplog.at_level(logging.WARNING):
        crawler, _ = starting(jobdir)
    assert names(jobdir) == {USERS, "newsarchive.running"}
    assert crawler.stats.get_value("newsarchive/jobdir/discarded") == 1
    (record,) = caplog.records
    assert f"JOBDIR {jobdir} was left by a crawl that was killed" in record.getMessage()


def test_a_jobdir_left_by_a_stopped_crawl_is_resumed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    jobdir = jobdir_of_a_crawl(tmp_path / "job", killed=False)
    with caplog.at_level(logging.WARNING):
        crawler, _ = starting(jobdir)
    assert names(jobdir) == {*SCRAPY_STATE, "requests.queue", USERS, "newsarchive.running"}
    assert (jobdir / "requests.queue" / "p0").read_bytes() == b"queued requests"
    assert crawler.stats.get_value("newsarchive/jobdir/discarded") is None
    assert not caplog.records


def test_a_finished_crawl_leaves_nothing_to_resume(tmp_path: Path) -> None:
    crawler, _ = starting(tmp_path / "job")
    jobdir_of_a_crawl(tmp_path / "job", killed=False)  # what Scrapy wrote while it ran
    closing(crawler, "finished")
    assert names(tmp_path / "job") == {USERS}


@pytest.mark.parametrize("reason", ["shutdown", "closespider_pagecount", "warc_write_failed"])
def test_a_crawl_stopped_before_it_finished_keeps_its_queue_for_the_next(tmp_path: Path, reason: str) -> None:
    crawler, _ = starting(tmp_path / "job")
    jobdir_of_a_crawl(tmp_path / "job", killed=False)
    closing(crawler, reason)
    assert names(tmp_path / "job") == {*SCRAPY_STATE, "requests.queue", USERS}
    starting(tmp_path / "job")  # and the next crawl resumes it
    assert (tmp_path / "job" / "requests.seen").read_text() == SCRAPY_STATE["requests.seen"]


def test_a_jobdir_not_there_yet_is_made(tmp_path: Path) -> None:
    starting(tmp_path / "jobs" / "Daily-Ledger")
    assert names(tmp_path / "jobs" / "Daily-Ledger") == {"newsarchive.running"}
