"""When an archived article is worth fetching again: plain functions, no Scrapy."""

from __future__ import annotations

from datetime import datetime, timedelta

from crawler.dates import entry_date, same_date

#: Slack when an entry's date is weighed against the page's own dateModified: entries often give only
#: the day, in the site's time zone, so a date that merely looks a few hours later has not changed.
DAY_SLACK = timedelta(days=1)


def refetch_reason(
    recorded: dict[str, str],
    page_modified: str | None,
    seen: dict[str, str],
    first_fetched: datetime,
    now: datetime,
    refetch_hours: float,
) -> str | None:
    """Return why an archived article should be fetched again ('updated' or 'young'), or None to skip it.

    ``seen`` holds the dates its sitemap, news sitemap or feed entries give now,
    ``recorded`` the dates they gave before (both by channel). Sites date entries
    in their own clock and zone, often to the day, sometimes backdated, so a
    change shows as a date that *differs* from the recorded one, never as one
    later than our clock. A channel with no recorded date is weighed against the
    page's own ``dateModified`` (same clock): later by more than a day is a change.

    ``young``: we first fetched it less than ``refetch_hours`` ago, when stories still change most.

    >>> now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    >>> refetch_reason({"sitemap": "2024-04-28"}, None, {"sitemap": "2024-04-27"}, now, now, 0)  # backdated
    'updated'
    """
    for channel, date in seen.items():
        old = recorded.get(channel)
        if old is not None and not same_date(old, date):
            return "updated"
        new, page = entry_date(date), entry_date(page_modified)
        if old is None and new and page and new - page > DAY_SLACK:
            return "updated"
    if refetch_hours > 0 and now - first_fetched < timedelta(hours=refetch_hours):
        return "young"
    return None
