"""When an archived article is worth fetching again: plain functions, no Scrapy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
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
    return date.replace(tzinfo=timezone.utc) if date.tzinfo is None else date.astimezone(timezone.utc)


def refetch_reason(
    fetched: datetime,
    first_fetched: datetime,
    lastmod: datetime | None,
    now: datetime,
    refetch_hours: float,
) -> str | None:
    """Return why an archived article should be fetched again ('updated' or 'young'), or None to skip it.

    ``updated``: its sitemap or feed entry is dated after our last fetch of it.
    ``young``: we first fetched it less than ``refetch_hours`` ago, when stories still change most.
    """
    if lastmod is not None and lastmod > fetched:
        return "updated"
    if refetch_hours > 0 and now - first_fetched < timedelta(hours=refetch_hours):
        return "young"
    return None
