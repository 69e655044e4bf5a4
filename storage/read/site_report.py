"""Per-site health of the archive: what it holds, when the site was last crawled, new stories per day, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from storage.archive import Archive
from storage.db import as_utc
from storage.health import HealthSummary, latest_verdicts
from storage.read.site_names import site_names
from storage.read.stories import held as stories_held
from storage.schema import fetches, stories


@dataclass(frozen=True)
class DayCount:
    """How many new stories of a site were archived on one day (UTC)."""

    day: date
    stories: int


@dataclass(frozen=True)
class SiteReport:
    """One site: its name, stories and reposts, last fetch, recent new stories per day, fetch errors and
    extraction health (its latest run judged against its recent ones; None before the first recorded run)."""

    site: str
    stories: int = 0
    reposts: int = 0
    last_fetched: datetime | None = None
    errors: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    per_day: list[DayCount] = field(default_factory=list)
    name: str | None = None
    health: HealthSummary | None = None


def site_reports(archive: Archive, days: int = 14, today: date | None = None) -> list[SiteReport]:
    """Return a report per site seen in the archive or its fetch log, by name.

    ``per_day`` covers the ``days`` days up to ``today`` (UTC), oldest first, empty days included.
    """
    today = today or datetime.now(UTC).date()
    first_day = today - timedelta(days=days - 1)
    with archive.engine.connect() as conn:
        held = stories_held(conn)
        fetched = _last_fetched(conn)
        errors = _errors(conn)
        new = _new_per_day(conn, datetime.combine(first_day, time(), UTC))
    labels = site_names(archive)
    health = latest_verdicts(archive)
    reports = []
    for site in sorted(held.keys() | fetched.keys() | errors.keys() | health.keys()):
        story_count, repost_count = held.get(site, (0, 0))
        by_kind = errors.get(site, {})
        per_day = [
            DayCount(first_day + timedelta(days=n), new.get((site, first_day + timedelta(days=n)), 0))
            for n in range(days)
        ]
        verdict = health.get(site)
        reports.append(
            SiteReport(
                site,
                story_count,
                repost_count,
                fetched.get(site),
                sum(by_kind.values()),
                by_kind,
                per_day,
                labels.get(site),
                HealthSummary.of(verdict) if verdict else None,
            )
        )
    return reports


def _last_fetched(conn: sa.Connection) -> dict[str, datetime]:
    query = sa.select(fetches.c.site, sa.func.max(fetches.c.fetched)).group_by(fetches.c.site)
    return {site: as_utc(moment) for site, moment in conn.execute(query)}


def _errors(conn: sa.Connection) -> dict[str, dict[str, int]]:
    """Return, per site, how many URLs last ended in an error, by kind (``http_404``, an exception name, …)."""
    kind = sa.func.coalesce(fetches.c.detail, "error")
    query = (
        sa.select(fetches.c.site, kind, sa.func.count())
        .where(fetches.c.outcome == "error")
        .group_by(fetches.c.site, kind)
    )
    found: dict[str, dict[str, int]] = {}
    for site, name, count in conn.execute(query):
        found.setdefault(site, {})[name] = count
    return found


def _new_per_day(conn: sa.Connection, since: datetime) -> dict[tuple[str, date], int]:
    """Return how many stories each site gained per UTC day since ``since``."""
    first_seen: sa.ColumnElement[datetime] = stories.c.first_seen
    if conn.dialect.name == "postgresql":
        first_seen = sa.func.timezone("UTC", first_seen)
    day = sa.func.date(first_seen)
    query = (
        sa.select(stories.c.site, day, sa.func.count())
        .where(stories.c.first_seen >= since)
        .group_by(stories.c.site, day)
    )
    return {(site, _day(value)): count for site, value, count in conn.execute(query)}


def _day(value: date | str) -> date:
    """PostgreSQL's date() gives a date, SQLite's an ISO string."""
    return value if isinstance(value, date) else date.fromisoformat(value)
