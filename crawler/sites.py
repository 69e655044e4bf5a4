"""What to crawl on each site: start URLs, feeds, sitemaps, URL patterns and limits. No Scrapy.

A site comes either from a ``sites.toml`` entry (see :mod:`crawler.sites`)
or from a home page URL given on the command line; limits it leaves unset take
the crawl-wide defaults (``NEWSARCHIVE_MAX_PAGES_PER_SITE``, ``DEPTH_LIMIT``…).

Sites files (``sites.toml``) hold one ``[[site]]`` table per site; their errors name the file, the line and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from croniter import croniter

from crawler.dates import entry_day
from crawler.errors import InvalidField
from crawler.urls import is_http_url, site_of

_DURATION = re.compile(r"(?:\d+[smhdw])+")
#: Control characters: a site's name goes into command lines (NUL ends them), log lines and folder names.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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

    Every check raises InvalidField naming the offending key.
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
            raise InvalidField("name", "name must not be empty")
        if _CONTROL.search(self.name):
            raise InvalidField("name", f"name must be printable text, got {self.name!r}")
        if not self.start_urls:
            raise InvalidField("start_urls", "start_urls must name at least one home page")
        for key in ("start_urls", "feeds", "sitemaps"):
            bad = [u for u in getattr(self, key) if not is_http_url(u)]
            if bad:
                raise InvalidField(key, f"{key}: not an http(s) URL: {', '.join(bad)}")
        for key in ("include", "exclude"):
            for pattern in getattr(self, key):
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise InvalidField(key, f"{key}: bad regular expression {pattern!r}: {exc}") from None
        for key in ("max_pages", "depth", "max_age_days", "concurrency", "max_listing_pages"):
            value = getattr(self, key)
            if value is not None and value < (1 if key == "concurrency" else 0):
                raise InvalidField(key, f"{key} must be {'>= 1' if key == 'concurrency' else '>= 0'}, got {value}")
        if self.schedule is not None and not is_schedule(self.schedule):
            raise InvalidField(
                "schedule",
                f"schedule must be a duration such as '30m', '6h', '1d' or a cron expression, got {self.schedule!r}",
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
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

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
        """Return True if the date ``when`` (see :func:`crawler.dates.entry_date`; None if unknown) is before :attr:`oldest`."""
        oldest = self.oldest
        day = entry_day(when) if oldest else None
        return bool(oldest and day and day < oldest)


_KEYS = {f.name: f for f in fields(SiteConfig)}
_LISTS = ("start_urls", "feeds", "sitemaps", "include", "exclude")
_INTS = ("max_pages", "depth", "concurrency", "max_listing_pages")
_HEADER = re.compile(r"^\s*\[")
_SITE_HEADER = re.compile(r"^\s*\[\[\s*site\s*\]\]")


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message reads ``FILE:LINE: key: what is wrong``."""


def load_sites(path: str | Path, only: list[str] | tuple[str, ...] = ()) -> list[SiteConfig]:
    """Return the sites of the TOML file ``path``, only those named in ``only`` if given."""
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesFileError(f"{path}: cannot read the sites file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesFileError(f"{path}: not valid TOML: {exc}") from None
    lines = text.splitlines()
    for key in data:
        if key != "site":
            raise SitesFileError(f"{path}:{_line_of(lines, None, key)}: {key}: unknown key; sites are [[site]] tables")
    entries = data.get("site", [])
    if not isinstance(entries, list) or not entries:
        raise SitesFileError(f"{path}: no [[site]] table: give at least one site")
    sites = [_site(path, lines, i, entry) for i, entry in enumerate(entries)]
    names = [s.name for s in sites]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise SitesFileError(f"{path}:{_line_of(lines, i, 'name')}: name: {name!r} is used by two sites")
    unknown = [n for n in only if n not in names]
    if unknown:
        raise SitesFileError(f"{path}: no site named {', '.join(map(repr, unknown))}; sites: {', '.join(names)}")
    return [s for s in sites if not only or s.name in only]


def site_sections(path: str | Path, only: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """Return the TOML text of each site's ``[[site]]`` table by name, as written: a crawl on another machine reads it.

    The file is checked as :func:`load_sites` checks it; a site given as an inline table has no text of its own.
    """
    sites = load_sites(path, only)
    lines = Path(path).read_text("utf-8").splitlines()
    starts = [n for n, line in enumerate(lines) if _SITE_HEADER.match(line)]
    names = [site.name for site in load_sites(path)]
    if len(starts) != len(names):
        raise SitesFileError(f"{path}: write each site as a [[site]] table to send it to a worker")
    sections = {}
    for name, begin in zip(names, starts):
        end = next((n for n in range(begin + 1, len(lines)) if _HEADER.match(lines[n])), len(lines))
        sections[name] = "\n".join(lines[begin:end]).strip() + "\n"
    return {site.name: sections[site.name] for site in sites}


def _site(path: Path, lines: list[str], index: int, entry: dict[str, Any]) -> SiteConfig:
    def fail(key: str | None, message: str) -> SitesFileError:
        line = _line_of(lines, index, key)
        return SitesFileError(f"{path}:{line}: {key + ': ' if key else ''}{message}")

    for key in entry:
        if key not in _KEYS:
            raise fail(key, f"unknown key; expected one of {', '.join(_KEYS)}")
    for key in ("name", "start_urls"):
        if key not in entry:
            raise fail(None, f"site #{index + 1} has no {key}")
    values: dict[str, Any] = {}
    for key, value in entry.items():
        values[key] = _typed(key, value, fail)
    try:
        return SiteConfig(**values)
    except InvalidField as exc:
        key = exc.field
        raise SitesFileError(f"{path}:{_line_of(lines, index, key)}: {exc}") from None


def _typed(key: str, value: Any, fail: Any) -> Any:
    """Return ``value`` in the type ``key`` takes, or raise ``fail(key, why)``."""
    if key in _LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"must be a list of strings, got {value!r}")
        return tuple(value)
    if key in _INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(key, f"must be a whole number, got {value!r}")
        return value
    if key == "max_age_days":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(key, f"must be a number of days, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise fail(key, f"must be a string, got {value!r}")
    return value


def _line_of(lines: list[str], index: int | None, key: str | None) -> int:
    """Return the 1-based line of ``key`` in the ``index``-th ``[[site]]`` table (top level if None)."""
    starts = [n for n, line in enumerate(lines) if _SITE_HEADER.match(line)]
    if index is None:
        begin, end = 0, len(lines)
    else:
        begin = starts[index] if index < len(starts) else 0
        end = next((n for n in range(begin + 1, len(lines)) if _HEADER.match(lines[n])), len(lines))
    if key:
        name = re.escape(key)
        assignment = re.compile(rf"^\s*(?:[\"']?{name}[\"']?\s*=|\[+\s*{name}\s*\]+)")
        for n in range(begin, end):
            if assignment.match(lines[n]):
                return n + 1
    return begin + 1
