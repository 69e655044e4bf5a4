"""When each scheduled site is crawled next: intervals and cron expressions, catch-up, no overlap, a cap. No I/O.

A site is due at the first time its schedule gives after its last run started:
a duration after it (``30m``), or the next time of a cron expression (in the
machine's local time, as cron reads it). Missed runs collapse into one: a site
overdue by any number of periods is due once, now, and its next run counts
from when that one started. A site never crawled, or whose last run did not
reach its end (stopped by a shutdown, or killed), is due at once, so a stopped
crawl resumes as soon as the scheduler starts again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from croniter import croniter

from crawler.sites import duration

#: Finish reasons of a run that did not reach its end: None (killed, or still running) and a graceful stop.
INTERRUPTED = (None, "shutdown")


@dataclass(frozen=True)
class LastRun:
    """The newest run of a site recorded in the archive."""

    started: datetime
    finish_reason: str | None


def next_run(schedule: str, after: datetime) -> datetime:
    """Return the first time ``schedule`` (a duration or a cron expression) gives after ``after`` (timezone-aware)."""
    if (every := duration(schedule)) is not None:
        return after + every
    when: datetime = croniter(schedule, after.astimezone()).get_next(datetime)
    return when


def first_due(schedule: str, last: LastRun | None, now: datetime) -> datetime:
    """Return when a site is first due once the scheduler starts: at once if its last run was interrupted or missed."""
    if last is None or last.finish_reason in INTERRUPTED:
        return now
    return next_run(schedule, last.started)


@dataclass
class _Site:
    schedule: str
    due: datetime
    started: datetime | None = None

    @property
    def running(self) -> bool:
        return self.started is not None


class Plan:
    """Which sites to start and when: never two crawls of one site at once, at most ``max_concurrent`` in all.

    With ``once``, only the sites due when the plan is made run, each one time.
    """

    def __init__(
        self,
        schedules: Mapping[str, str],
        history: Mapping[str, LastRun],
        now: datetime,
        max_concurrent: int,
        once: bool = False,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError(f"the cap on concurrent crawls must be >= 1, got {max_concurrent}")
        self.max_concurrent = max_concurrent
        self.once = once
        self.sites = {
            name: _Site(schedule, first_due(schedule, history.get(name), now)) for name, schedule in schedules.items()
        }
        if once:
            self.sites = {name: site for name, site in self.sites.items() if site.due <= now}

    @property
    def running(self) -> list[str]:
        return [name for name, site in self.sites.items() if site.running]

    @property
    def done(self) -> bool:
        """Return True when nothing is left to run (only with ``once``)."""
        return self.once and not self.sites

    def take_due(self, now: datetime) -> list[str]:
        """Return the sites to start now, most overdue first, and count them as running from ``now``."""
        free = self.max_concurrent - len(self.running)
        waiting = sorted((site.due, name) for name, site in self.sites.items() if not site.running and site.due <= now)
        names = [name for _, name in waiting[: max(free, 0)]]
        for name in names:
            self.sites[name].started = now
        return names

    def finished(self, name: str) -> None:
        """Record that the crawl of ``name`` ended: its next run counts from when this one started."""
        site = self.sites[name]
        if self.once:
            del self.sites[name]
            return
        if site.started is None:
            raise ValueError(f"{name} is not running")
        site.due, site.started = next_run(site.schedule, site.started), None

    def wakeup(self) -> datetime | None:
        """Return when the next site falls due, or None if none can start before a running crawl ends."""
        if len(self.running) >= self.max_concurrent:
            return None
        return min((site.due for site in self.sites.values() if not site.running), default=None)

    def due_at(self, name: str) -> datetime | None:
        """Return when ``name`` is due next (None while it runs)."""
        site = self.sites.get(name)
        return None if site is None or site.running else site.due
