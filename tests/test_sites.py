"""A site's rules: URL patterns, depth, age, schedule; crawl-wide defaults for what a site leaves unset."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.dates import entry_day
from crawler.sites import CrawlLimits, SiteConfig, SiteRules, is_schedule

HOME = ("https://ledger.example/",)


def rules(config: SiteConfig, limits: CrawlLimits | None = None) -> SiteRules:
    resolved = SiteRules.resolve(config, limits or CrawlLimits())
    resolved.now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    return resolved


def test_exclude_wins_over_include_and_include_narrows() -> None:
    site = rules(SiteConfig("L", HOME, include=("/world/", "/business/"), exclude=("/live/",)))
    assert site.allows("https://ledger.example/world/2026/11/24/story/")
    assert not site.allows("https://ledger.example/world/live/2026/11/24/blog/")
    assert not site.allows("https://ledger.example/culture/2026/11/24/story/")


def test_unset_limits_take_the_crawl_wide_defaults_and_set_ones_win() -> None:
    defaults = CrawlLimits(max_pages=100, depth=3, max_age_days=7, exclude=("/video/",))
    site = rules(SiteConfig("L", HOME, max_pages=0, depth=5), defaults)
    assert (site.max_pages, site.depth, site.max_age_days) == (0, 5, 7)
    assert not site.allows("https://ledger.example/video/clip-of-the-day/")


def test_links_are_followed_up_to_the_depth() -> None:
    site = rules(SiteConfig("L", HOME, depth=2))
    assert site.follows_links_at(1) and not site.follows_links_at(2)
    assert rules(SiteConfig("L", HOME, depth=0)).follows_links_at(99)


@pytest.mark.parametrize(
    "when,old",
    [
        ("2026-11-20", False),
        ("2026-11-17T23:00:00-02:00", False),
        ("2026-11-17", True),
        ("Mon, 16 Nov 2026 09:00:00 GMT", True),
        ("Tue, 24 Nov 2026 09:00:00 GMT", False),
        (None, False),
        ("soon", False),
    ],
)
def test_only_stories_newer_than_max_age_days(when: str | None, old: bool) -> None:
    assert rules(SiteConfig("L", HOME, max_age_days=7)).too_old(when) is old


def test_no_age_limit_keeps_everything() -> None:
    assert not rules(SiteConfig("L", HOME)).too_old("1999-01-01")


def test_entry_dates_of_sitemaps_atom_and_rss_are_read_in_utc() -> None:
    assert entry_day("2019-11-10T23:30:00-05:00") == "2019-11-11"
    assert entry_day("2019-11-10T08:00:00Z") == "2019-11-10"
    assert entry_day("Sun, 10 Nov 2019 09:00:00 GMT") == "2019-11-10"


@pytest.mark.parametrize(
    "schedule,valid",
    [
        ("30m", True),
        ("1h30m", True),
        ("2d", True),
        ("*/15 * * * *", True),
        ("0 6 * * mon-fri", True),
        ("0m", False),
        ("61 * * * *", False),
        ("hourly", False),
        ("30 minutes", False),
    ],
)
def test_schedule_is_a_duration_or_a_cron_expression(schedule: str, valid: bool) -> None:
    assert is_schedule(schedule) is valid


@pytest.mark.parametrize(
    "changes,key",
    [
        ({"start_urls": ()}, "start_urls"),
        ({"start_urls": ("ftp://x/",)}, "start_urls"),
        ({"feeds": ("feed.xml",)}, "feeds"),
        ({"include": ("(",)}, "include"),
        ({"max_pages": -1}, "max_pages"),
        ({"concurrency": 0}, "concurrency"),
        ({"schedule": "often"}, "schedule"),
        ({"name": " "}, "name"),
    ],
)
def test_a_bad_site_is_refused_naming_the_key(changes: dict, key: str) -> None:
    values = {"name": "L", "start_urls": HOME} | changes
    with pytest.raises(ValueError, match=rf"^{key}\b"):
        SiteConfig(**values)
