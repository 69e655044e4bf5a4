"""Crawl settings: -s NAME=VALUE like scrapy crawl, bad values named clearly."""

from __future__ import annotations

import pytest

from crawler.config import SettingError, dedup_config
from crawler.run import check, crawl_settings


def test_overrides_and_db_reach_the_crawl_settings(tmp_path) -> None:
    settings = crawl_settings(str(tmp_path / "a.db"), ["DEDUP_NUM_PERM=256", "DEPTH_LIMIT=1"], "INFO")
    assert settings.get("NEWSARCHIVE_DB") == str(tmp_path / "a.db")
    assert settings.getint("DEPTH_LIMIT") == 1
    assert settings.get("LOG_LEVEL") == "INFO"
    assert dedup_config(settings).num_perm == 256


def test_an_override_without_a_value_is_refused() -> None:
    with pytest.raises(ValueError, match="NAME=VALUE"):
        crawl_settings("a.db", ["DEPTH_LIMIT"])


@pytest.mark.parametrize(
    "override,named",
    [
        ("DEDUP_LSH_THRESHOLD=2", "DEDUP_LSH_THRESHOLD"),
        ("DEDUP_NUM_PERM=many", "DEDUP_NUM_PERM"),
        ("BOILERPLATE_MIN_PAGES=1", "BOILERPLATE_MIN_PAGES"),
        ("BOILERPLATE_MIN_RATIO=3", "BOILERPLATE_MIN_RATIO"),
        ("INCREMENTAL_REFETCH_HOURS=-1", "INCREMENTAL_REFETCH_HOURS"),
        ("INCREMENTAL_REFETCH_HOURS=soon", "INCREMENTAL_REFETCH_HOURS"),
        ("EXTRACT_TIMEOUT=0", "EXTRACT_TIMEOUT"),
        ("NEWSARCHIVE_WARC_MAX_SIZE=0", "NEWSARCHIVE_WARC_MAX_SIZE"),
        ("NEWSARCHIVE_WARC_PREFIX=../up", "NEWSARCHIVE_WARC_PREFIX"),
        ("NEWSARCHIVE_WARC_PREFIX=", "NEWSARCHIVE_WARC_PREFIX"),
        ("NEWSARCHIVE_WARC_GZIP_LEVEL=10", "NEWSARCHIVE_WARC_GZIP_LEVEL"),
        ("NEWSARCHIVE_WARC_GZIP_LEVEL=fast", "NEWSARCHIVE_WARC_GZIP_LEVEL"),
        ("DEPTH_LIMIT=-1", "DEPTH_LIMIT"),
        ("ARCHIVE_BATCH_SIZE=0", "ARCHIVE_BATCH_SIZE"),
        ("ARCHIVE_BATCH_DELAY=-1", "ARCHIVE_BATCH_DELAY"),
    ],
)
def test_a_bad_setting_stops_the_crawl_before_it_starts_and_is_named(override: str, named: str, tmp_path) -> None:
    settings = crawl_settings(str(tmp_path / "a.db"), [override])
    with pytest.raises(SettingError, match=f"^{named}") as raised:
        check(settings, ["http://127.0.0.1:9/"])
    assert raised.value.setting == named
