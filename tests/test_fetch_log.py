"""The archive's fetch log, run records and story versions, without a crawler."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import Archive, NewStory
from storage.fetch_log import Fetch, FetchLog
from storage.runs import RunCounts, list_runs, save_run, start_run
from storage.schema import story_versions

URL = "http://a.org/story"


def _story(text: str, title: str = "T") -> NewStory:
    return NewStory(
        url=URL,
        site="a.org",
        title=title,
        author="A",
        published="2024-04-28",
        language="en",
        sitename="A",
        text=text,
        raw_text=text,
        fingerprint="f-" + text,
    )


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(str(tmp_path / "archive.db")) as archive:
        yield archive


def test_a_fetch_is_remembered_with_its_validators_and_settled_outcome(archive: Archive) -> None:
    log = FetchLog(archive)
    run = start_run(archive, "a.org")
    log.record(Fetch(URL, "a.org", "page", 200, '"e1"', "Sun, 28 Apr 2024 06:30:00 GMT", "fetched"), run)
    log.settle(URL, "article", "archived")
    state = log.state(URL)
    assert (state.kind, state.outcome, state.etag, state.status) == ("article", "archived", '"e1"', 200)
    assert state.is_article and not state.complete  # its run has not finished
    save_run(archive, run, RunCounts(pages=1), "finished")
    assert log.state(URL).complete
    assert log.state("http://a.org/other") is None


def test_a_second_fetch_keeps_the_first_fetch_time(archive: Archive) -> None:
    log = FetchLog(archive)
    log.record(Fetch(URL, "a.org", "listing", 200, '"e1"', None, "fetched"), None)
    first = log.state(URL)
    log.record(Fetch(URL, "a.org", "listing", 200, '"e2"', None, "fetched"), None)
    log.revalidated(URL, None)
    second = log.state(URL)
    assert second.first_fetched == first.first_fetched < second.fetched
    assert (second.etag, second.status, second.outcome) == ('"e2"', 304, "unchanged")


def test_known_pages_of_sites_by_kind(archive: Archive) -> None:
    log = FetchLog(archive)
    for url, kind in [
        ("http://a.org/", "listing"),
        ("http://a.org/feed", "feed"),
        (URL, "article"),
        ("http://b.org/", "listing"),
    ]:
        log.record(Fetch(url, url.split("/")[2], kind, 200, None, None, "fetched"), None)
    assert log.pages_of(["a.org"], ["listing", "feed"]) == [("http://a.org/", "listing"), ("http://a.org/feed", "feed")]


def test_a_changed_story_gets_a_new_version_and_keeps_the_old_one(archive: Archive) -> None:
    story_id = archive.add_story(_story("First text."), [(0, 1)], {})
    assert archive.canonical_story(URL) == story_id
    assert not archive.revise_story(story_id, _story("First text."), [(0, 1)], str)  # unchanged
    assert archive.revise_story(story_id, _story("Second text."), [(0, 2)], str)
    assert archive.revise_story(story_id, _story("Second text.", title="New title"), [(0, 2)], str)
    kept = sa.select(story_versions.c.version, story_versions.c.text, story_versions.c.title).order_by("version")
    with archive.engine.connect() as conn:
        assert conn.execute(kept.where(story_versions.c.story_id == story_id)).all() == [
            (1, "First text.", "T"),
            (2, "Second text.", "T"),
        ]
    (story,) = archive.iter_stories()
    assert (story["id"], story["text"], story["title"]) == (story_id, "Second text.", "New title")
    assert archive.candidates([(0, 1)]) == archive.candidates([(0, 2)]) == [story_id]  # reposts of either version


def test_a_change_is_judged_after_todays_furniture_removal(archive: Archive) -> None:
    story_id = archive.add_story(_story("Text.\nShare this"), [], {})
    drop_furniture = lambda raw: raw.replace("\nShare this", "")  # noqa: E731
    assert not archive.revise_story(story_id, _story("Text."), [], drop_furniture)


def test_a_page_fetched_again_and_cleaned_with_less_furniture_than_today_is_no_change(archive: Archive) -> None:
    page = "Text.\nShare this\nFollow us"
    story_id = archive.add_story(_story(page), [], {})
    # the crawl's extraction knew "Share this" only; the archive has learned both lines since
    again = dataclasses.replace(_story("Text.\nFollow us"), raw_text=page)
    today = lambda raw: raw.replace("\nShare this", "").replace("\nFollow us", "")  # noqa: E731
    assert not archive.revise_story(story_id, again, [], today)
    assert archive.revise_story(story_id, dataclasses.replace(again, raw_text=page + "\nA new paragraph."), [], today)


def test_runs_are_listed_newest_first_and_an_unended_one_has_no_finish(archive: Archive) -> None:
    first = start_run(archive, "a.org")
    save_run(archive, first, RunCounts(pages=3, new_stories=2, errors=1, errors_by_kind={"http_500": 1}), "finished")
    second = start_run(archive, "a.org, b.org")
    runs = list_runs(archive)
    assert [r["id"] for r in runs] == [second, first]
    assert (runs[0]["finished"], runs[0]["finish_reason"]) == (None, None)
    assert runs[1]["errors_by_kind"] == {"http_500": 1} and runs[1]["pages"] == 3
    assert runs[1]["finished"] >= runs[1]["started"]


def test_batched_writes_reach_the_table_together_and_the_log_reads_its_own(archive: Archive) -> None:
    log, reader = FetchLog(archive, batch_size=3), FetchLog(archive)
    log.record(Fetch(URL, "a.org", "page", 200, None, None, "fetched"), None)
    log.settle(URL, "article", "archived")
    assert reader.state(URL) is None  # queued, not written yet
    log.record(Fetch("http://a.org/b", "a.org", "page", 200, None, None, "fetched"), None)  # the third: written
    assert reader.state(URL).outcome == "archived"  # in the order they came
    assert reader.state("http://a.org/b").outcome == "fetched"
    log.revalidated("http://a.org/b", None)
    assert reader.state("http://a.org/b").outcome == "fetched"
    assert log.state("http://a.org/b").status == 304  # a log reads what it queued
    assert reader.state("http://a.org/b").status == 304  # by writing it first
    log.settle(URL, "article", "revised")
    log.flush()
    assert reader.state(URL).outcome == "revised"


def test_a_state_read_before_a_write_is_not_served_after_it(archive: Archive) -> None:
    log = FetchLog(archive)
    assert log.state(URL) is None
    log.record(Fetch(URL, "a.org", "page", 200, None, None, "fetched"), None)
    assert log.state(URL).outcome == "fetched"
    log.settle(URL, "article", "archived")
    assert log.state(URL).outcome == "archived"


def test_batch_size_must_be_positive(archive: Archive) -> None:
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        FetchLog(archive, batch_size=0)


def test_the_dates_each_channel_gives_a_url_are_kept_across_fetches(archive: Archive) -> None:
    log = FetchLog(archive, batch_size=10)
    log.note_dates(URL, {"sitemap": "2024-04-28T00:00:00+09:00"})  # listed before it is ever fetched
    log.record(Fetch(URL, "a.org", "page", 200, None, None, "fetched"), None)
    log.settle(URL, "article", "archived", page_modified="2024-04-28T18:00:00+09:00")
    log.note_dates(URL, {"feed": "Sun, 28 Apr 2024 09:00:00 +0900", "other": "ignored"})
    log.record(Fetch(URL, "a.org", "page", 200, None, None, "fetched"), None)  # fetched again: the dates stay
    state = log.state(URL)
    assert state.dates == {"sitemap": "2024-04-28T00:00:00+09:00", "feed": "Sun, 28 Apr 2024 09:00:00 +0900"}
    assert state.page_modified == "2024-04-28T18:00:00+09:00"
    log.note_dates(URL, {"sitemap": "2024-04-30"})
    assert log.state(URL).dates["sitemap"] == "2024-04-30"


def test_next_pages_and_pages_that_are_gone_are_not_revalidated_on_their_own(archive: Archive) -> None:
    log = FetchLog(archive)
    log.record(Fetch("http://a.org/archive/", "a.org", "listing", 200, None, None, "fetched"), None)
    log.record(
        Fetch("http://a.org/archive/page/2/", "a.org", "listing", 200, None, None, "fetched", listing_page=2), None
    )
    log.record(Fetch("http://a.org/feed", "a.org", "feed", 404, None, None, "error", "http_404"), None)
    log.record(Fetch("http://a.org/rss", "a.org", "probe", 404, None, None, "absent", "http_404"), None)
    assert log.pages_of(["a.org"], ["listing", "feed", "probe"]) == [("http://a.org/archive/", "listing")]
    assert log.known(["http://a.org/archive/page/2/", "http://a.org/nowhere"]) == {"http://a.org/archive/page/2/"}


def test_a_probe_or_robots_txt_that_finds_nothing_is_recorded_absent_not_an_error() -> None:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.middlewares.fetchlog import fetch_of

    def fetched(url: str, status: int, **meta: object) -> tuple[str, str]:
        fetch = fetch_of(Request(url, meta=meta), Response(url, status=status))
        return fetch.kind, fetch.outcome

    assert fetched("http://a.org/rss", 404, newsarchive_kind="feed", newsarchive_optional=True) == ("probe", "absent")
    assert fetched("http://a.org/robots.txt", 404, newsarchive_optional=True) == ("robots", "absent")
    assert fetched("http://a.org/feed.xml", 404, newsarchive_kind="feed") == ("feed", "error")  # announced: an error
    assert fetched("http://a.org/rss", 503, newsarchive_kind="feed", newsarchive_optional=True) == ("feed", "error")
