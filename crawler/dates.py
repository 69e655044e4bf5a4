"""Dates of sitemap and feed entries: read once, one way, for the whole core. No Scrapy."""

from __future__ import annotations

from datetime import UTC, datetime
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


def entry_day(text: str | None) -> str | None:
    """Return the UTC day (``YYYY-MM-DD``) of an entry date (see :func:`entry_date`), or None if unreadable.

    >>> entry_day("2019-11-10T23:30:00-05:00")
    '2019-11-11'
    """
    date = entry_date(text)
    return date.date().isoformat() if date else None


def same_date(a: str, b: str) -> bool:
    """Return True if two entry dates name the same moment (or, unreadable, read the same)."""
    da, db = entry_date(a), entry_date(b)
    if da is None or db is None:
        return a.strip() == b.strip()
    return da == db
