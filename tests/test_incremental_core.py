"""When an archived article is fetched again: dates of sitemap and feed entries, and the re-fetch rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.dates import entry_date
from crawler.refetch import refetch_reason

UTC = UTC
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-28", datetime(2024, 4, 28, tzinfo=UTC)),  # sitemap, date only
        ("2024-04-28T08:30:00+02:00", datetime(2024, 4, 28, 6, 30, tzinfo=UTC)),  # sitemap / Atom
        ("2024-04-28T06:30:00Z", datetime(2024, 4, 28, 6, 30, tzinfo=UTC)),
        ("Sun, 28 Apr 2024 08:30:00 +0200", datetime(2024, 4, 28, 6, 30, tzinfo=UTC)),  # RSS pubDate
        ("Sun, 28 Apr 2024 06:30:00 GMT", datetime(2024, 4, 28, 6, 30, tzinfo=UTC)),
        ("  2024-04-28T06:30:00 ", datetime(2024, 4, 28, 6, 30, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_entry_dates_are_read_in_utc(text: str, expected: datetime) -> None:
    assert entry_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "yesterday", "2024-13-45", "Sun, 99 Foo"])
def test_an_unreadable_entry_date_is_none(text: str | None) -> None:
    assert entry_date(text) is None


def test_an_entry_date_that_differs_from_the_recorded_one_is_an_update_even_backdated() -> None:
    first = NOW - timedelta(days=30)
    recorded = {"sitemap": "2024-04-20", "feed": "Sat, 20 Apr 2024 10:00:00 +0900"}
    assert refetch_reason(recorded, None, {"sitemap": "2024-04-21"}, first, NOW, 0) == "updated"
    assert refetch_reason(recorded, None, {"sitemap": "2024-04-19"}, first, NOW, 0) == "updated"  # backdated
    assert refetch_reason(recorded, None, {"feed": "Sat, 20 Apr 2024 11:00:00 +0900"}, first, NOW, 0) == "updated"


def test_the_same_date_in_another_zone_or_format_is_no_update() -> None:
    first = NOW - timedelta(days=30)
    recorded = {"feed": "Sat, 20 Apr 2024 10:00:00 +0900", "sitemap": "2024-04-20"}
    assert refetch_reason(recorded, None, {"feed": "2024-04-20T01:00:00Z"}, first, NOW, 0) is None
    assert refetch_reason(recorded, None, {"sitemap": "2024-04-20"}, first, NOW, 0) is None
    assert refetch_reason(recorded, None, {}, first, NOW, 0) is None  # no date: known is known


def test_a_date_from_a_new_channel_is_weighed_against_the_pages_own_date_modified() -> None:
    first = NOW - timedelta(days=30)
    modified = "2024-04-20T18:00:00+09:00"  # the site's clock: 09:00 UTC
    assert refetch_reason({}, modified, {"sitemap": "2024-04-20"}, first, NOW, 0) is None  # same day
    assert refetch_reason({}, modified, {"sitemap": "2024-04-21"}, first, NOW, 0) is None  # a day's slack
    assert refetch_reason({}, modified, {"sitemap": "2024-04-23"}, first, NOW, 0) == "updated"
    assert refetch_reason({}, None, {"sitemap": "2024-04-23"}, first, NOW, 0) is None  # nothing to compare


def test_a_date_later_than_our_clock_is_no_reason_by_itself() -> None:
    first = NOW - timedelta(days=30)
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    assert refetch_reason({"sitemap": tomorrow}, None, {"sitemap": tomorrow}, first, NOW, 0) is None


def test_a_young_article_is_fetched_again_only_while_young() -> None:
    first = NOW - timedelta(hours=5)
    assert refetch_reason({}, None, {}, first, NOW, 6) == "young"
    assert refetch_reason({}, None, {}, first, NOW, 4) is None
    assert refetch_reason({}, None, {}, first, NOW, 0) is None  # the option is off
