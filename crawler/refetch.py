"""When an archived article is worth fetching again: plain functions, no Scrapy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def entry_date(text: str | None) -> datetime | None:
    """Return the date of a sitemap ``lastmod`` or a feed's ``updated`` / ``pubDate``, in UTC; None if unreadable.

    Sitemaps and Atom use W3C / RFC 3339 dates (``2019-11-10``,
    ``2019-11-10T08:30:00+01:00``), RSS uses RFC 822 (``Sun, 10 Nov 2019 08:30:00 GMT``).
    A date without a zone is taken as UTC.

    >>> entry_date("Sun, 10 Nov 2019 08:30:00 +0100").isoformat()
    '2019-11-10T07:30:00+00:00'
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        date = datetime.fromisoformat(text)
    except ValueError:
        try:
            date = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)


def same_date(a: str, b: str) -> bool:
    """Return True if two entry dates name the same moment (or, unreadable, read the same)."""
    da, db = entry_date(a), entry_date(b)
    if da is None or db is None:
        return a.strip() == b.strip()
    return da == db


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
