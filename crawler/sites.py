"""What to crawl on each site: start URLs, feeds, sitemaps, URL patterns and limits. No Scrapy.

A site comes either from a ``sites.toml`` entry (see :mod:`crawler.sites_file`)
or from a home page URL given on the command line; limits it leaves unset take
the crawl-wide defaults (``NEWSARCHIVE_MAX_PAGES_PER_SITE``, ``DEPTH_LIMIT``…).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from croniter import croniter

from crawler.urls import is_http_url, site_of

_DURATION = re.compile(r"(?:\d+[smhdw])+")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_start_urls(start_urls: str | Iterable[str]) -> list[str]:
    """Return the home pages given as a comma-separated string or a list; raise ValueError on a bad one."""
    urls = [u.strip() for u in start_urls.split(",")] if isinstance(start_urls, str) else list(start_urls)
    urls = [u for u in urls if u]
    if not urls:
        raise ValueError(
            "no site to crawl: give home page URLs (-a start_urls=https://news.example.com/) or a sites file (--sites)"
        )
    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise ValueError(f"not an http(s) URL: {', '.join(bad)}")
    return urls


@dataclass(frozen=True)
class SiteConfig:
    """One site to crawl; ``None`` limits take the crawl-wide default.

    Every check raises ValueError with a message that starts with the offending key.
    """

    name: str
    start_urls: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_pages: int | None = None
    depth: int | None = None
    max_age_days: float | None = None
    concurrency: int | None = None
    schedule: str | None = None
    #: pages of one paginated listing walked at most (None: ``LISTING_MAX_PAGES``; 0: no limit)
    max_listing_pages: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("name must not be empty")
        if not self.start_urls:
            raise ValueError("start_urls must name at least one home page")
        for key in ("start_urls", "feeds", "sitemaps"):
            bad = [u for u in getattr(self, key) if not is_http_url(u)]
            if bad:
                raise ValueError(f"{key}: not an http(s) URL: {', '.join(bad)}")
        for key in ("include", "exclude"):
            for pattern in getattr(self, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"{key}: bad regular expression {pattern!r}: {exc}") from None
        for key in ("max_pages", "depth", "max_age_days", "concurrency", "max_listing_pages"):
            value = getattr(self, key)
            if value is not None and value < (1 if key == "concurrency" else 0):
                raise ValueError(f"{key} must be {'>= 1' if key == 'concurrency' else '>= 0'}, got {value}")
        if self.schedule is not None and not is_schedule(self.schedule):
            raise ValueError(
                f"schedule must be a duration such as '30m', '6h', '1d' or a cron expression, got {self.schedule!r}"
            )

    @property
    def sites(self) -> set[str]:
        """Return the ``host:port`` of every start URL."""
        return {site_of(url) for url in self.start_urls}


def is_schedule(value: str) -> bool:
    """Return True for a duration (``30m``, ``1h30m``, ``2d``) or a five-field cron expression."""
    value = value.strip()
    if _DURATION.fullmatch(value):
        return bool(duration(value))
    return len(value.split()) == 5 and croniter.is_valid(value)


def duration(value: str) -> timedelta | None:
    """Return the length of a duration such as ``90s``, ``30m`` or ``1h30m``; None if ``value`` is no duration."""
    value = value.strip()
    if not _DURATION.fullmatch(value):
        return None
    return sum((timedelta(**{_UNITS[unit]: int(n)}) for n, unit in re.findall(r"(\d+)([smhdw])", value)), timedelta())


def entry_date(text: str | None) -> str | None:
    """Return the ISO date (``YYYY-MM-DD``, UTC) of a sitemap ``lastmod`` or a feed date, or None.

    Sitemaps and Atom use ISO 8601, RSS uses RFC 822 (``Tue, 10 Nov 2019 09:00:00 GMT``).
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if when.tzinfo:
        when = when.astimezone(timezone.utc)
    return when.date().isoformat()


@dataclass(frozen=True)
class CrawlLimits:
    """The crawl-wide defaults of a site's limits (0: no limit)."""

    max_pages: int = 0
    depth: int = 0
    max_age_days: float = 0.0
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass
class SiteRules:
    """The rules a crawl applies to one site: which URLs to fetch, how deep, how many, how old."""

    config: SiteConfig
    max_pages: int
    depth: int
    max_age_days: float
    include: list[re.Pattern[str]] = field(default_factory=list)
    exclude: list[re.Pattern[str]] = field(default_factory=list)
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def resolve(cls, config: SiteConfig, limits: CrawlLimits) -> SiteRules:
        """Return the rules of ``config``, its unset (None) limits taken from ``limits``."""
        return cls(
            config,
            max_pages=limits.max_pages if config.max_pages is None else config.max_pages,
            depth=limits.depth if config.depth is None else config.depth,
            max_age_days=limits.max_age_days if config.max_age_days is None else config.max_age_days,
            include=[re.compile(p) for p in config.include or limits.include],
            exclude=[re.compile(p) for p in config.exclude or limits.exclude],
        )

    def allows(self, url: str) -> bool:
        """Return True if ``url`` may be fetched: it matches an include pattern (if any) and no exclude one."""
        if any(p.search(url) for p in self.exclude):
            return False
        return not self.include or any(p.search(url) for p in self.include)

    def follows_links_at(self, depth: int) -> bool:
        """Return True if links found on a page ``depth`` hops from the home page are followed."""
        return not self.depth or depth < self.depth

    @property
    def oldest(self) -> str | None:
        """Return the ISO date before which a story is too old to archive, or None for no limit."""
        if not self.max_age_days:
            return None
        return (self.now - timedelta(days=self.max_age_days)).date().isoformat()

    def too_old(self, when: str | None) -> bool:
        """Return True if the date ``when`` (see :func:`entry_date`; None if unknown) is before :attr:`oldest`."""
        oldest = self.oldest
        day = entry_date(when) if oldest else None
        return bool(day and day < oldest)
