"""How long to wait before asking a busy site again: its Retry-After, else a doubling backoff. No Scrapy."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after(value: str | None, now: datetime) -> float | None:
    """Return the seconds a Retry-After header asks for (RFC 9110: seconds or an HTTP date), None if none or unreadable.

    >>> retry_after("120", datetime(2024, 5, 1, tzinfo=UTC))
    120.0
    """
    if not value or not (value := value.strip()):
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff(retries: int, base: float, cap: float) -> float:
    """Return the wait before retry number ``retries`` (1, 2…): ``base`` doubled each time, at most ``cap``."""
    return float(min(cap, base * 2 ** max(0, retries - 1)))
