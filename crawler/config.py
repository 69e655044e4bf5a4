"""Settings -> the core's configs, one check: every builder names the setting at fault in a SettingError.

The sites a crawl visits and their limits are read here too: sites from ``NEWSARCHIVE_SITES``
(narrowed by ``NEWSARCHIVE_SITES_ONLY``) and from home page URLs given to the spider.
Pipelines, middlewares, extensions and the CLI take their configs from here; :func:`check_settings`
builds them all before a crawl starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

from scrapy.settings import BaseSettings

from crawler import settings as defaults
from crawler.archive_batch import BatchConfig
from crawler.dedup.compare import DedupConfig
from crawler.errors import InvalidField
from crawler.extract.furniture import BoilerplateConfig
from crawler.extract.pool import PoolConfig
from crawler.sites import CrawlLimits, SiteConfig, load_sites, parse_start_urls
from crawler.urls import is_http_url, site_of

T = TypeVar("T")


class SettingError(ValueError):
    """A setting whose value cannot be used; ``setting`` names it, the message says why (and names it too)."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(message)
        self.setting = setting


def from_settings(cls: type[T], prefix: str, settings: BaseSettings) -> T:
    """Return ``cls`` built from the ``<PREFIX>_<FIELD>`` settings, defaults where unset.

    ``cls`` is a dataclass whose ``__post_init__`` raises InvalidField; the SettingError
    raised here names the setting.
    """
    values: dict[str, object] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        name = f"{prefix}_{f.name.upper()}"
        kind: type[Any] = type(f.default)
        try:
            values[f.name] = kind(settings.get(name, f.default))
        except (TypeError, ValueError):
            raise SettingError(name, f"{name} must be a {kind.__name__}, got {settings.get(name)!r}") from None
    try:
        return cls(**values)
    except InvalidField as exc:
        name = f"{prefix}_{exc.field.upper()}"
        raise SettingError(name, f"{name}: {exc}") from exc


def dedup_config(settings: BaseSettings) -> DedupConfig:
    """Return the DedupConfig of the ``DEDUP_*`` settings."""
    return from_settings(DedupConfig, "DEDUP", settings)


def pool_config(settings: BaseSettings) -> PoolConfig:
    """Return the PoolConfig of the ``EXTRACT_*`` settings."""
    return from_settings(PoolConfig, "EXTRACT", settings)


def boilerplate_config(settings: BaseSettings) -> BoilerplateConfig:
    """Return the BoilerplateConfig of the ``BOILERPLATE_*`` settings."""
    return from_settings(BoilerplateConfig, "BOILERPLATE", settings)


def batch_config(settings: BaseSettings) -> BatchConfig:
    """Return the BatchConfig of the ``ARCHIVE_BATCH_*`` settings."""
    return from_settings(BatchConfig, "ARCHIVE_BATCH", settings)


def refetch_hours(settings: BaseSettings) -> float:
    """Return ``INCREMENTAL_REFETCH_HOURS``, a number of hours >= 0."""
    try:
        hours = settings.getfloat("INCREMENTAL_REFETCH_HOURS")
    except ValueError:
        hours = -1.0
    if hours < 0:
        value = settings.get("INCREMENTAL_REFETCH_HOURS")
        raise SettingError(
            "INCREMENTAL_REFETCH_HOURS", f"INCREMENTAL_REFETCH_HOURS must be a number of hours >= 0, got {value!r}"
        )
    return hours


def warc_max_size(settings: BaseSettings) -> int:
    """Return ``NEWSARCHIVE_WARC_MAX_SIZE``, a positive number of bytes."""
    value = settings.get("NEWSARCHIVE_WARC_MAX_SIZE")
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    if size <= 0:
        raise SettingError(
            "NEWSARCHIVE_WARC_MAX_SIZE", f"NEWSARCHIVE_WARC_MAX_SIZE must be a positive number of bytes, got {value!r}"
        )
    return size


def warc_prefix(settings: BaseSettings) -> str:
    """Return ``NEWSARCHIVE_WARC_PREFIX``: a non-empty file name part of letters, digits, ``.``, ``_`` and ``-``."""
    value = settings.get("NEWSARCHIVE_WARC_PREFIX")
    if not isinstance(value, str) or not re.fullmatch(r"[\w.-]+", value):
        raise SettingError(
            "NEWSARCHIVE_WARC_PREFIX",
            f"NEWSARCHIVE_WARC_PREFIX must be letters, digits, '.', '_' or '-' (a file name's start), got {value!r}",
        )
    return value


def warc_gzip_level(settings: BaseSettings) -> int:
    """Return ``NEWSARCHIVE_WARC_GZIP_LEVEL``, a zlib level from 1 to 9."""
    value = settings.get("NEWSARCHIVE_WARC_GZIP_LEVEL", defaults.NEWSARCHIVE_WARC_GZIP_LEVEL)
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 9:
        raise SettingError(
            "NEWSARCHIVE_WARC_GZIP_LEVEL",
            f"NEWSARCHIVE_WARC_GZIP_LEVEL must be a zlib level from 1 to 9, got {value!r}",
        )
    return level


def check_settings(settings: BaseSettings, urls: Iterable[str]) -> None:
    """Build every config of a crawl of ``urls``: raise now (SettingError naming the setting, or ValueError
    for the sites) what would otherwise fail inside the crawl."""
    crawl_limits(settings)
    sites_to_crawl(settings, list(urls))
    boilerplate_config(settings)
    refetch_hours(settings)
    warc_max_size(settings)
    warc_prefix(settings)
    warc_gzip_level(settings)
    pool_config(settings)
    dedup_config(settings)
    batch_config(settings)


def crawl_limits(settings: BaseSettings) -> CrawlLimits:
    """Return the crawl-wide defaults of every site's limits."""
    limits = CrawlLimits(
        max_pages=int(_number(settings, "NEWSARCHIVE_MAX_PAGES_PER_SITE", int)),
        depth=int(_number(settings, "DEPTH_LIMIT", int)),
        max_age_days=_number(settings, "NEWSARCHIVE_MAX_AGE_DAYS", float),
        include=_patterns(settings, "NEWSARCHIVE_INCLUDE"),
        exclude=_patterns(settings, "NEWSARCHIVE_EXCLUDE"),
    )
    _number(settings, "NEWSARCHIVE_MAX_CRAWL_DELAY", float)
    _number(settings, "LISTING_MAX_PAGES", int)
    _number(settings, "NEWSARCHIVE_PROBE_INTERVAL_DAYS", float)
    for path in settings.getlist("NEWSARCHIVE_FEED_PATHS"):
        if not path.startswith("/"):
            raise SettingError(
                "NEWSARCHIVE_FEED_PATHS", f"NEWSARCHIVE_FEED_PATHS: a path starts with '/', got {path!r}"
            )
    contact = settings.get("NEWSARCHIVE_CONTACT_URL")
    if contact and not is_http_url(contact):
        raise SettingError(
            "NEWSARCHIVE_CONTACT_URL", f"NEWSARCHIVE_CONTACT_URL must be an http(s) URL (or empty), got {contact!r}"
        )
    return limits


def sites_to_crawl(settings: BaseSettings, start_urls: str | Iterable[str] = ()) -> list[SiteConfig]:
    """Return the sites of ``NEWSARCHIVE_SITES`` and of ``start_urls``; raise ValueError if there is none."""
    sites: list[SiteConfig] = []
    path = settings.get("NEWSARCHIVE_SITES")
    only = [name.strip() for name in settings.getlist("NEWSARCHIVE_SITES_ONLY") if name.strip()]
    if path:
        sites = load_sites(path, only)
    elif only:
        raise SettingError(
            "NEWSARCHIVE_SITES_ONLY",
            "NEWSARCHIVE_SITES_ONLY names sites of a sites file: set NEWSARCHIVE_SITES (--sites) too",
        )
    if start_urls or not sites:
        sites += [SiteConfig(name=site_of(url), start_urls=(url,)) for url in parse_start_urls(start_urls)]
    claimed: dict[str, str] = {}
    for config in sites:
        for site in config.sites:
            if claimed.setdefault(site, config.name) != config.name:
                raise ValueError(f"{site} is crawled as two sites: {claimed[site]!r} and {config.name!r}")
    depth = settings.getint("DEPTH_LIMIT")
    for config in sites:
        if depth and config.depth and config.depth > depth:
            raise SettingError(
                "DEPTH_LIMIT",
                f"site {config.name!r}: depth {config.depth} is deeper than DEPTH_LIMIT={depth}; raise DEPTH_LIMIT",
            )
    return sites


def _number(settings: BaseSettings, name: str, kind: type[int] | type[float]) -> float:
    try:
        value: float = kind(settings.get(name) or 0)
    except (TypeError, ValueError):
        raise SettingError(name, f"{name} must be a number, got {settings.get(name)!r}") from None
    if value < 0:
        raise SettingError(name, f"{name} must be >= 0 (0: no limit), got {value}")
    return value


def _patterns(settings: BaseSettings, name: str) -> tuple[str, ...]:
    patterns = tuple(p for p in settings.getlist(name) if p)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SettingError(name, f"{name}: bad regular expression {pattern!r}: {exc}") from None
    return patterns
