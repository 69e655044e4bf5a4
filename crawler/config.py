"""Build the core's config dataclasses from Scrapy settings, naming the setting at fault.

The sites a crawl visits and their limits are read here too: sites from ``NEWSARCHIVE_SITES``
(narrowed by ``NEWSARCHIVE_SITES_ONLY``) and from home page URLs given to the spider.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields
from typing import TypeVar

from scrapy.settings import BaseSettings

from crawler.sites import CrawlLimits, SiteConfig, load_sites, parse_start_urls
from crawler.urls import is_http_url, site_of

T = TypeVar("T")


def from_settings(cls: type[T], prefix: str, settings: BaseSettings) -> T:
    """Return ``cls`` built from the ``<PREFIX>_<FIELD>`` settings, defaults where unset.

    ``cls`` is a dataclass whose ``__post_init__`` raises ValueError with a message
    that starts with the field's name; the error raised here names the setting.
    """
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        name = f"{prefix}_{f.name.upper()}"
        kind = type(f.default)
        try:
            values[f.name] = kind(settings.get(name, f.default))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a {kind.__name__}, got {settings.get(name)!r}") from None
    try:
        return cls(**values)
    except ValueError as exc:
        raise ValueError(f"{prefix}_{str(exc).split()[0].upper()}: {exc}") from exc


def crawl_limits(settings: BaseSettings) -> CrawlLimits:
    """Return the crawl-wide defaults of every site's limits; raise ValueError naming a bad setting."""
    limits = CrawlLimits(
        max_pages=_number(settings, "NEWSARCHIVE_MAX_PAGES_PER_SITE", int),
        depth=_number(settings, "DEPTH_LIMIT", int),
        max_age_days=_number(settings, "NEWSARCHIVE_MAX_AGE_DAYS", float),
        include=_patterns(settings, "NEWSARCHIVE_INCLUDE"),
        exclude=_patterns(settings, "NEWSARCHIVE_EXCLUDE"),
    )
    _number(settings, "NEWSARCHIVE_MAX_CRAWL_DELAY", float)
    _number(settings, "LISTING_MAX_PAGES", int)
    _number(settings, "NEWSARCHIVE_PROBE_INTERVAL_DAYS", float)
    for path in settings.getlist("NEWSARCHIVE_FEED_PATHS"):
        if not path.startswith("/"):
            raise ValueError(f"NEWSARCHIVE_FEED_PATHS: a path starts with '/', got {path!r}")
    contact = settings.get("NEWSARCHIVE_CONTACT_URL")
    if contact and not is_http_url(contact):
        raise ValueError(f"NEWSARCHIVE_CONTACT_URL must be an http(s) URL (or empty), got {contact!r}")
    return limits


def sites_to_crawl(settings: BaseSettings, start_urls: str | Iterable[str] = ()) -> list[SiteConfig]:
    """Return the sites of ``NEWSARCHIVE_SITES`` and of ``start_urls``; raise ValueError if there is none."""
    sites: list[SiteConfig] = []
    path = settings.get("NEWSARCHIVE_SITES")
    only = [name.strip() for name in settings.getlist("NEWSARCHIVE_SITES_ONLY") if name.strip()]
    if path:
        sites = load_sites(path, only)
    elif only:
        raise ValueError("NEWSARCHIVE_SITES_ONLY names sites of a sites file: set NEWSARCHIVE_SITES (--sites) too")
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
            raise ValueError(
                f"site {config.name!r}: depth {config.depth} is deeper than DEPTH_LIMIT={depth}; raise DEPTH_LIMIT"
            )
    return sites


def _number(settings: BaseSettings, name: str, kind: type) -> int | float:
    try:
        value = kind(settings.get(name) or 0)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {settings.get(name)!r}") from None
    if value < 0:
        raise ValueError(f"{name} must be >= 0 (0: no limit), got {value}")
    return value


def _patterns(settings: BaseSettings, name: str) -> tuple[str, ...]:
    patterns = tuple(p for p in settings.getlist(name) if p)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{name}: bad regular expression {pattern!r}: {exc}") from None
    return patterns
