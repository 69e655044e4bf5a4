"""What each site is called: its sites.toml name (recorded by its runs), else the og:site_name its stories carry."""

from __future__ import annotations

from dataclasses import replace

from archive_data import new_story
from storage import Archive
from storage.fetch_log import Fetch, FetchLog
from storage.read.site_names import labelled, site_names
from storage.runs import start_run


def _fetched(archive: Archive, run_id: int, url: str, site: str) -> None:
    FetchLog(archive).record(Fetch(url, site, "article", 200, None, None, "archived"), run_id)


def test_a_site_is_named_by_its_sites_file_else_by_what_most_of_its_pages_say(db: str) -> None:
    with Archive(db) as archive:
        for n, name in enumerate(["The Ledger", "The Ledger", "Ledger Sports"]):
            archive.add_story(replace(new_story(f"http://127.0.0.1:8001/{n}", "127.0.0.1:8001"), sitename=name), [], {})
        archive.add_story(replace(new_story("http://wire.example/1", "wire.example"), sitename="Metro Wire"), [], {})
        archive.add_story(replace(new_story("http://bare.example/1", "bare.example"), sitename=None), [], {})
        assert site_names(archive) == {"127.0.0.1:8001": "The Ledger", "wire.example": "Metro Wire"}

        scheduled = start_run(archive, "Daily Ledger")  # the scheduler records a site's runs under its sites.toml name
        _fetched(archive, scheduled, "http://127.0.0.1:8001/0", "127.0.0.1:8001")
        by_url = start_run(archive, "wire.example, bare.example")  # a crawl of URLs: its sites' host:port
        _fetched(archive, by_url, "http://wire.example/1", "wire.example")
        _fetched(archive, by_url, "http://bare.example/1", "bare.example")
        labels = site_names(archive)
    assert labels == {"127.0.0.1:8001": "Daily Ledger", "wire.example": "Metro Wire"}
    assert labelled("127.0.0.1:8001", labels) == "Daily Ledger (127.0.0.1:8001)"
    assert labelled("bare.example", labels) == "bare.example"
