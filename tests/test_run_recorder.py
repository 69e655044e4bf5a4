"""The run record of a crawl is written as the crawl goes: a killed run shows what it did."""

from __future__ import annotations

from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.extensions.archive import ArchiveOwner
from crawler.extensions.runs import RunRecorder
from storage import Archive
from storage.runs import list_runs


def test_a_run_record_holds_the_counts_so_far_before_the_crawl_ends(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.db")
    crawler = get_crawler(
        settings_dict={"NEWSARCHIVE_DB": db, "NEWSARCHIVE_RUN_SAVE_INTERVAL": 0, "EXTENSIONS": {ArchiveOwner: 0}}
    )
    crawler.stats.open_spider()
    recorder = RunRecorder.from_crawler(crawler)
    recorder.spider_opened(Spider("news"))
    crawler.stats.set_value("downloader/response_count", 59)
    crawler.stats.set_value("newsarchive/stories_new", 9)
    crawler.stats.set_value("newsarchive/errors/http_503", 1)
    recorder.save()  # what the interval does while the crawl runs; SIGKILL may come at any moment after
    with Archive(db) as archive:
        (run,) = list_runs(archive)
    assert (run["pages"], run["new_stories"], run["errors_by_kind"], run["finished"]) == (59, 9, {"http_503": 1}, None)
    recorder.spider_closed("finished")
    with Archive(db) as archive:
        (run,) = list_runs(archive)
    assert run["finish_reason"] == "finished" and run["finished"] is not None
