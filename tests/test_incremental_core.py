"""When an archived article is fetched again: dates of sitemap and feed entries, and the re-fetch rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.incremental import entry_date, refetch_reason

UTC = timezone.utc
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


def test_an_entry_newer_than_the_last_fetch_is_fetched_again() -> None:
    fetched = NOW - timedelta(days=2)
    assert refetch_reason(fetched, fetched, fetched + timedelta(seconds=1), NOW, 0) == "updated"
    assert refetch_reason(fetched, fetched, fetched, NOW, 0) is None  # unchanged since
    assert refetch_reason(fetched, fetched, None, NOW, 0) is None  # no date: known is known


def test_a_young_article_is_fetched_again_only_while_young() -> None:
    first = NOW - timedelta(hours=5)
    assert refetch_reason(first, first, None, NOW, 6) == "young"
    assert refetch_reason(first, first, None, NOW, 4) is None
    assert refetch_reason(first, first, None, NOW, 0) is None  # the option is off
